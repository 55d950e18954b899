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
is spread back over the rows with one array take. The ``status`` column is
decided by the rule of ``namelink csv`` (``namelink.bulk.classify``): linked,
ambiguous, unlinked, empty (missing or blank) or error (not a string), so a
frame and a CSV of the same names read the same.

Gazetteers are named by path (or None for the embedded one) and loaded once per
process (``namelink.loaded``): that is what lets ``namelink.dask`` send a path
with each task instead of the gazetteer itself.

Needs ``pip install namelink[pandas]``; ``import namelink`` never imports this.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from namelink.bulk import EMPTY, ERROR, STATUSES, classify
from namelink.gazetteer import Gazetteer
from namelink.loaded import GazetteerSpec, gazetteer_key, load_count, load_gazetteer, remember_gazetteer
from namelink.options import check_threshold, check_types

__all__ = [
    "RESULT_COLUMNS",
    "STATUSES",
    "GazetteerSpec",
    "gazetteer_key",
    "link_series",
    "load_count",
    "load_gazetteer",
    "remember_gazetteer",
    "result_frame",
]

# The columns link_series() returns, in order.
RESULT_COLUMNS = ("qid", "label", "score", "method", "status")
# Text columns are pandas' nullable string dtype, so that "no QID" is <NA> in
# pandas 2 and 3 alike, and a Dask partition has the same dtypes as its meta.
_TEXT = pd.StringDtype()

# --- Values ---------------------------------------------------------------------------------


class Row(NamedTuple):
    """The result of one distinct value: a row of the result frame."""

    qid: str | None
    label: str | None
    score: float
    method: str | None
    status: str


# What a missing value (None, NaN, <NA>) gets.
EMPTY_ROW = Row(None, None, math.nan, None, EMPTY)


def link_values(
    gazetteer: Gazetteer,
    values: Iterable[object],
    *,
    types: frozenset[str] | None,
    threshold: float,
    lang: str | None,
) -> list[Row]:
    """The Row of each value: by ``namelink.bulk.classify`` for a string, status
    "error" for anything else (a number, bytes, a list)."""
    rows = []
    for value in values:
        if not isinstance(value, str):
            rows.append(Row(None, None, math.nan, None, ERROR))
            continue
        status, found = classify(gazetteer, value, types=types, threshold=threshold, lang=lang)
        if found is None:
            rows.append(Row(None, None, math.nan, None, status))
        else:
            rows.append(Row(found.qid, found.label, found.score, found.method, status))
    return rows


# --- A column -------------------------------------------------------------------------------


_UNHASHABLE = object()  # stands for every unhashable value (a list, a dict): all are errors


def factorize(series: pd.Series) -> tuple[np.ndarray, list[object]]:
    """A code per row (-1 for a missing value) and the distinct values, in order of appearance."""
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
    except TypeError:  # an unhashable value
        codes, uniques = pd.factorize(series.map(_hashable_or_marker), use_na_sentinel=True)
    return np.asarray(codes), list(uniques)


def _hashable_or_marker(value: object) -> object:
    try:
        hash(value)
    except TypeError:
        return _UNHASHABLE
    return value


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
    wanted = check_types(types)
    cutoff = check_threshold(threshold)
    codes, uniques = factorize(series)
    rows = []
    if uniques:
        rows = link_values(load_gazetteer(gazetteer), uniques, types=wanted, threshold=cutoff, lang=lang)
    return spread(series.index, codes, rows)


def spread(index: pd.Index, codes: np.ndarray, rows: list[Row]) -> pd.DataFrame:
    """The result frame on ``index``: row ``i`` is ``rows[codes[i]]``, or the
    empty row where the code is -1 (a missing value)."""
    # EMPTY_ROW goes last, where numpy's index -1 finds it.
    columns = list(zip(*rows, EMPTY_ROW, strict=True))
    return result_frame(
        index,
        **{
            name: np.array(column, dtype=object)[codes]
            for name, column in zip(RESULT_COLUMNS, columns, strict=True)
        },
    )


def result_frame(index: pd.Index, **columns: Any) -> pd.DataFrame:
    """The result columns in their order and dtypes (also the empty meta Dask needs)."""
    if not columns:
        columns = {name: [] for name in RESULT_COLUMNS}
    return pd.DataFrame(
        {
            name: pd.array(columns[name], dtype="float64" if name == "score" else _TEXT)
            for name in RESULT_COLUMNS
        },
        index=index,
    )
