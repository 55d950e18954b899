"""namelink for Dask: link a column of a DataFrame larger than one machine.

    >>> from distributed import Client
    >>> import dask.dataframe as dd
    >>> from namelink.dask import link_column
    >>> client = Client("scheduler:8786")
    >>> ddf = dd.read_parquet("s3://bucket/people/*.parquet")
    >>> link_column(ddf, "name").to_parquet("s3://bucket/people-linked/")

Each partition goes through one ``map_partitions`` task that links each of its
distinct values once, as ``namelink.pandas.link_series`` does, and a worker
remembers the results across its partitions; the rows keep their partition,
order and index. ``distinct="global"`` links each distinct value of the whole
column once instead, for columns of many distinct, misspelled names.

A task carries the gazetteer's *name* (None for the embedded one, or an
absolute path), never the gazetteer: each worker process loads it on its first
task and keeps it (``namelink.loaded.load_gazetteer``). A worker that cannot
read that path gets the gazetteer from ``GazetteerPlugin``, which ships its
files once per worker when registered with ``client.register_plugin``.

Needs ``pip install namelink[dask]``; ``import namelink`` never imports this.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import dask.dataframe as dd
import numpy as np
import pandas as pd
from distributed import WorkerPlugin

from namelink.bulk import CACHE_SIZE
from namelink.gazetteer import Gazetteer
from namelink.loaded import GazetteerSpec, gazetteer_key, load_count, load_gazetteer, remember_gazetteer
from namelink.options import check_threshold, check_types
from namelink.pandas import RESULT_COLUMNS, Row, factorize, link_values, result_frame, spread
from namelink.records import ENTITIES_FILE, MANIFEST_FILE, entities_path

__all__ = ["GazetteerPlugin", "link_column"]

# Where a worker writes the gazetteers shipped to it, inside its local directory.
PLUGIN_DIR = "namelink-gazetteers"
# Distinct values whose results a worker process remembers across partitions,
# least recently used dropped beyond it: a name that recurs in every partition
# is linked once per worker, not once per partition. The size of namelink.bulk's
# name cache (about 400 bytes an entry, so at most about 100 MB per worker).
MEMO_SIZE = CACHE_SIZE
# Where link_column links each distinct value once (see its docstring).
DISTINCT = ("partition", "global")

# A result is remembered for one gazetteer (its key and load count: a plugin
# may replace the gazetteer a key names) and one set of keyword arguments.
_Context = tuple[str, int, frozenset[str] | None, float, str | None]
_memo: OrderedDict[tuple[_Context, object], Row] = OrderedDict()
_memo_lock = threading.Lock()


def _link_partition(
    part: pd.DataFrame,
    column: str,
    prefix: str,
    gazetteer: str,
    types: frozenset[str] | None,
    threshold: float,
    lang: str | None,
) -> pd.DataFrame:
    """One partition with the result columns added: the function every task runs.

    ``gazetteer`` is a key of namelink.pandas's per-process cache, a short string.
    """
    linker = load_gazetteer(gazetteer)
    codes, uniques = factorize(part[column])
    context = (gazetteer, load_count(gazetteer), types, threshold, lang)
    known: dict[int, Row] = {}
    with _memo_lock:
        for i, value in enumerate(uniques):
            found = _memo.get((context, value))
            if found is not None:
                _memo.move_to_end((context, value))
                known[i] = found
    missing = [i for i in range(len(uniques)) if i not in known]
    if missing:
        fresh = link_values(
            linker, [uniques[i] for i in missing], types=types, threshold=threshold, lang=lang
        )
        with _memo_lock:
            for i, row in zip(missing, fresh, strict=True):
                known[i] = _memo[context, uniques[i]] = row
            while len(_memo) > MEMO_SIZE:
                _memo.popitem(last=False)
    rows = [known[i] for i in range(len(uniques))]
    linked = spread(part.index, codes, rows)
    return part.assign(**{prefix + name: linked[name] for name in RESULT_COLUMNS})


def _link_distinct(
    values: pd.Series,
    gazetteer: str,
    types: frozenset[str] | None,
    threshold: float,
    lang: str | None,
) -> pd.DataFrame:
    """The result columns for distinct values, indexed by the values: one piece
    of the table that ``distinct="global"`` joins every partition to."""
    uniques = list(values)
    rows = link_values(load_gazetteer(gazetteer), uniques, types=types, threshold=threshold, lang=lang)
    table = spread(pd.RangeIndex(len(rows)), np.arange(len(rows)), rows)
    table.index = pd.Index(uniques, dtype=object)
    return table


def _join_partition(
    part: pd.DataFrame,
    table: pd.DataFrame,
    column: str,
    prefix: str,
    gazetteer: str,
    types: frozenset[str] | None,
    threshold: float,
    lang: str | None,
) -> pd.DataFrame:
    """One partition with the result columns added from the table of distinct values."""
    codes, uniques = factorize(part[column])
    positions = table.index.get_indexer(uniques) if uniques else np.empty(0, dtype=np.intp)
    found = table.iloc[positions[positions >= 0]].itertuples(index=False, name=None)
    # A value the table lacks (one that Dask's unique() cannot hash) is linked here.
    lacking = [uniques[i] for i in np.flatnonzero(positions < 0)]
    fresh = iter(link_values(load_gazetteer(gazetteer), lacking, types=types, threshold=threshold, lang=lang))
    rows = [Row(*next(found)) if position >= 0 else next(fresh) for position in positions]
    linked = spread(part.index, codes, rows)
    return part.assign(**{prefix + name: linked[name] for name in RESULT_COLUMNS})


def link_column(
    ddf: dd.DataFrame,
    column: str,
    *,
    gazetteer: GazetteerSpec = None,
    types: Iterable[str] | str | None = None,
    threshold: float | None = None,
    lang: str | None = None,
    prefix: str = "",
    distinct: str = "partition",
) -> dd.DataFrame:
    """``ddf`` with the columns qid, label, score, method and status (each after
    ``prefix``) linking ``ddf[column]``.

    The result has the partitions, divisions and index of ``ddf``, and is lazy
    like any Dask DataFrame. Row for row it equals
    ``namelink.pandas.link_series(ddf[column].compute(), ...)``.

    ``gazetteer`` is None for the embedded one, or a path (or a Gazetteer loaded
    from a path) that every worker can read, or that a ``GazetteerPlugin`` has
    shipped to the workers.

    ``distinct`` says where each distinct value is linked once:

    - "partition" (the default): in each partition, and a worker remembers the
      results of the last MEMO_SIZE values across its partitions. Memory stays
      bounded however many distinct values the column holds.
    - "global": once in the whole column. The distinct values are found with
      Dask's ``unique()`` (a shuffle), linked in parallel, and the table of
      results is joined to every partition, so it must fit in a worker's
      memory (about 300 bytes a distinct value). Faster when linking, not
      reading, is the work: many distinct names, misspelled ones above all, on
      many workers, which would each link most of them under "partition".
    """
    if not isinstance(ddf, dd.DataFrame):
        raise TypeError(f"ddf must be a dask DataFrame, not {type(ddf).__name__}")
    if column not in ddf.columns:
        raise KeyError(f"no column {column!r} in the DataFrame; it has {list(ddf.columns)}")
    if distinct not in DISTINCT:
        raise ValueError(f"distinct must be one of {', '.join(DISTINCT)}, not {distinct!r}")
    added = [prefix + name for name in RESULT_COLUMNS]
    clash = [name for name in added if name in ddf.columns]
    if clash:
        raise ValueError(
            f"the DataFrame already has the column(s) {clash}; pass prefix= to name the new ones apart"
        )
    # Checked here, once, so that a typo fails before any task is sent.
    options = (gazetteer_key(gazetteer), check_types(types), check_threshold(threshold), lang)
    meta = ddf._meta.assign(
        **{prefix + name: values for name, values in result_frame(ddf._meta.index).items()}
    )
    linked: dd.DataFrame
    if distinct == "partition":
        linked = ddf.map_partitions(_link_partition, column, prefix, *options, meta=meta)  # type: ignore[no-untyped-call]
        return linked
    table_meta = result_frame(pd.Index([], dtype=object))
    values = ddf[column].dropna().unique()
    table = values.map_partitions(_link_distinct, *options, meta=table_meta).repartition(npartitions=1)
    linked = ddf.map_partitions(_join_partition, table, column, prefix, *options, meta=meta)  # type: ignore[no-untyped-call]
    return linked


class GazetteerPlugin(WorkerPlugin):
    """Ships a gazetteer's files to every worker, once, and loads it there.

    For a cluster whose machines do not share the gazetteer's path::

        client.register_plugin(GazetteerPlugin("gazetteers/mine"))
        link_column(ddf, "name", gazetteer="gazetteers/mine")

    The plugin holds the bytes of ``entities.jsonl`` (and ``manifest.json``); a
    worker that joins later gets them too. On each worker it writes them to the
    worker's local directory, loads them, and files the gazetteer under the same
    name a task gives, so the tasks find it without reading the path.
    """

    def __init__(self, gazetteer: str | os.PathLike[str] | Gazetteer) -> None:
        self.key = gazetteer_key(gazetteer)
        if self.key == "default":
            raise ValueError("the embedded gazetteer is on every worker already; no plugin is needed")
        source = entities_path(self.key)
        if not source.is_file():
            raise FileNotFoundError(
                f"{self.key}: no gazetteer here (a directory with entities.jsonl or a .jsonl file)"
            )
        self.files: dict[str, bytes] = {ENTITIES_FILE: source.read_bytes()}
        manifest = source.with_name(MANIFEST_FILE)
        if manifest.is_file():
            self.files[MANIFEST_FILE] = manifest.read_bytes()
        # One plugin per gazetteer path: several can be registered side by side,
        # and registering a path again (its file changed) replaces its plugin.
        self.name = "namelink-gazetteer-" + hashlib.sha256(self.key.encode()).hexdigest()[:16]
        self.digest = hashlib.sha256(self.files[ENTITIES_FILE]).hexdigest()[:16]

    def setup(self, worker: Any) -> None:
        directory = Path(worker.local_directory) / PLUGIN_DIR / self.digest
        directory.mkdir(parents=True, exist_ok=True)
        for filename, data in self.files.items():
            (directory / filename).write_bytes(data)
        remember_gazetteer(self.key, Gazetteer.load(directory))
