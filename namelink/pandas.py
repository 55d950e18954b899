"""namelink for pandas: link a column of names, each distinct value once.

    >>> import pandas as pd
    >>> from namelink.pandas import link_series
    >>> link_series(pd.Series(["بوتين", "", "الرئيس"]))[["qid", "status"]]
        qid    status
    0  Q7747    linked
    1   <NA>     empty
    2   <NA>  unlinked

A column of a million rows usually holds a few thousand distinct names, so the
values are factorized first and every distinct one is linked once; the result
is spread back over the rows with one array take. The ``status`` column uses
the vocabulary of ``namelink csv`` (linked, unlinked, ambiguous, empty, error),
so a frame and a CSV of the same names read the same.

Gazetteers are named by path (or None for the embedded one) and loaded once per
process (``load_gazetteer``): that is what lets ``namelink.dask`` send a path
with each task instead of the gazetteer itself.

Needs ``pip install namelink[pandas]``; ``import namelink`` never imports this.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Union

import numpy as np
import pandas as pd

from namelink.gazetteer import Gazetteer, _check_threshold, _check_types
from namelink.records import Link

__all__ = ["RESULT_COLUMNS", "STATUSES", "GazetteerSpec", "gazetteer_key", "link_series", "load_gazetteer"]

# What a caller may pass as ``gazetteer``: None or "default" for the embedded
# one, a path to a gazetteer directory or JSONL file, or a loaded Gazetteer.
GazetteerSpec = Union[Gazetteer, str, "os.PathLike[str]", None]

# The columns link_series() returns, in order.
RESULT_COLUMNS = ("qid", "label", "score", "method", "status")
# The status vocabulary shared with ``namelink csv``:
# linked: link() gave a Link; ambiguous: it gave None although the best
# candidate cleared the threshold (the runner-up was too close); unlinked:
# nothing cleared it; empty: a blank or missing value; error: not a string.
STATUSES = ("linked", "unlinked", "ambiguous", "empty", "error")
# The key under which the embedded gazetteer is cached, and the spec string
# that names it in a config file or a Dask task.
DEFAULT_KEY = "default"
# Text columns are pandas' nullable string dtype, so that "no QID" is <NA> in
# pandas 2 and 3 alike, and a Dask partition has the same dtypes as its meta.
_TEXT = pd.StringDtype()

_cache: dict[str, Gazetteer] = {}
_cache_lock = threading.Lock()
# How many times each gazetteer was loaded in this process: the Dask tests read
# it on every worker to show that a worker loads a gazetteer once, not per task.
_load_counts: Counter[str] = Counter()


# --- Gazetteers, once per process ---------------------------------------------------------


def gazetteer_key(gazetteer: GazetteerSpec) -> str:
    """The string that names ``gazetteer`` in this process's cache and in a task:
    "default", or the absolute path of a gazetteer loaded from disk.

    A Gazetteer built in memory (``from_records``) has no such name; write it to
    a JSONL file and pass the path.
    """
    if gazetteer is None or gazetteer is Gazetteer._default or gazetteer == DEFAULT_KEY:
        return DEFAULT_KEY
    if isinstance(gazetteer, Gazetteer):
        if gazetteer.path is None:
            raise ValueError(
                "a gazetteer built in memory has no path to send to other processes; "
                "write gazetteer.records() to a .jsonl file and pass its path"
            )
        return os.path.abspath(gazetteer.path)
    if isinstance(gazetteer, (str, os.PathLike)):
        return os.path.abspath(os.path.expanduser(os.fspath(gazetteer)))
    raise TypeError(f"gazetteer must be None, a path or a Gazetteer, not {type(gazetteer).__name__}")


def load_gazetteer(gazetteer: GazetteerSpec) -> Gazetteer:
    """The gazetteer ``gazetteer`` names, loaded at most once per process.

    A Gazetteer object is used as it is (and remembered under its path, so that
    later lookups by that path in this process find it).
    """
    if isinstance(gazetteer, Gazetteer):
        if gazetteer.path is not None:
            remember_gazetteer(gazetteer_key(gazetteer), gazetteer)
        return gazetteer
    key = gazetteer_key(gazetteer)
    found = _cache.get(key)
    if found is not None:
        return found
    with _cache_lock:
        found = _cache.get(key)
        if found is None:
            found = Gazetteer.default() if key == DEFAULT_KEY else Gazetteer.load(Path(key))
            _cache[key] = found
            _load_counts[key] += 1
        return found


def remember_gazetteer(key: str, gazetteer: Gazetteer) -> None:
    """Make ``gazetteer`` the one ``key`` names in this process (a Dask worker
    plugin does this with a gazetteer it shipped to a machine that lacks the path)."""
    with _cache_lock:
        if _cache.get(key) is not gazetteer:
            _cache[key] = gazetteer
            _load_counts[key] += 1


# --- One value ------------------------------------------------------------------------------


def _classify(
    gazetteer: Gazetteer,
    value: object,
    *,
    types: frozenset[str] | None,
    threshold: float,
    lang: str | None,
) -> tuple[str, Link | None]:
    """The status of one value and its Link, by the rule ``namelink csv`` uses.

    Kept private here until namelink.bulk.classify is the one shared rule.
    """
    if not isinstance(value, str):
        return "error", None
    if not value.strip():
        return "empty", None
    found = gazetteer.link(value, types=types, threshold=threshold, lang=lang)
    if found is not None:
        return "linked", found
    best = gazetteer.candidates(value, types=types, limit=1, lang=lang)
    return ("ambiguous" if best and best[0].score >= threshold else "unlinked"), None


# --- A column -------------------------------------------------------------------------------


def _codes(series: pd.Series) -> tuple[np.ndarray, list[object]]:
    """Factorized values: a code per row (-1 for a missing value) and the
    distinct values. Unhashable values (lists, dicts) all share one code: they
    are errors whatever they hold."""
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:
        unhashable = object()
        safe = series.map(lambda v: v if isinstance(v, str) or v is None else (v if _hashable(v) else unhashable))
        codes, uniques = pd.factorize(safe, use_na_sentinel=True)
    return np.asarray(codes), list(uniques)


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def link_series(
    series: pd.Series,
    *,
    gazetteer: GazetteerSpec = None,
    types: Iterable[str] | str | None = None,
    threshold: float | None = None,
    lang: str | None = None,
) -> pd.DataFrame:
    """Link every value of ``series``: a DataFrame with the columns qid, label,
    score, method and status, on the index of ``series``.

    Each distinct value is linked once. A missing or blank value has status
    "empty", a value that is not a string "error"; neither raises, so one bad
    row does not stop a million good ones. ``gazetteer`` is None for the
    embedded one, a path, or a Gazetteer; the keyword arguments are those of
    ``Gazetteer.link``.
    """
    if not isinstance(series, pd.Series):
        raise TypeError(f"series must be a pandas Series, not {type(series).__name__}")
    wanted = _check_types(types)
    cutoff = _check_threshold(threshold)
    codes, uniques = _codes(series)
    found = load_gazetteer(gazetteer) if uniques else None
    # One slot per distinct value, and a last one for missing values: code -1
    # takes it, as numpy reads index -1 as the last element.
    size = len(uniques) + 1
    qid = np.full(size, None, dtype=object)
    label = np.full(size, None, dtype=object)
    score = np.full(size, np.nan)
    method = np.full(size, None, dtype=object)
    status = np.full(size, "empty", dtype=object)
    for i, value in enumerate(uniques):
        assert found is not None
        status[i], linked = _classify(found, value, types=wanted, threshold=cutoff, lang=lang)
        if linked is not None:
            qid[i], label[i], score[i], method[i] = linked.qid, linked.label, linked.score, linked.method
    return result_frame(
        series.index,
        qid=qid[codes],
        label=label[codes],
        score=score[codes],
        method=method[codes],
        status=status[codes],
    )


def result_frame(index: pd.Index, **columns: Any) -> pd.DataFrame:
    """The result columns in their order and dtypes (also the empty meta Dask needs)."""
    if not columns:
        columns = {name: [] for name in RESULT_COLUMNS}
    return pd.DataFrame(
        {name: pd.array(columns[name], dtype="float64" if name == "score" else _TEXT) for name in RESULT_COLUMNS},
        index=index,
    )
