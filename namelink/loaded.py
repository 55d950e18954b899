"""Gazetteers, loaded once per process and named by path.

A spaCy component, a pandas call and a Dask task all name their gazetteer by a
string (None or "default" for the embedded one, else a path), so that what
crosses a process boundary is the name, not the gazetteer; each process loads
a named gazetteer once (``load_gazetteer``). A Dask worker plugin can put a
gazetteer it shipped under the name of a path the worker lacks
(``remember_gazetteer``).
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from pathlib import Path
from typing import Union

from namelink.gazetteer import Gazetteer

__all__ = [
    "DEFAULT_KEY",
    "GazetteerSpec",
    "gazetteer_key",
    "load_count",
    "load_gazetteer",
    "remember_gazetteer",
]

# What a caller may pass as ``gazetteer``: None or "default" for the embedded
# one, a path to a gazetteer directory or JSONL file, or a loaded Gazetteer.
GazetteerSpec = Union[Gazetteer, str, "os.PathLike[str]", None]

# The key under which the embedded gazetteer is cached, and the spec string
# that names it in a config file or a Dask task.
DEFAULT_KEY = "default"

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
    if (
        gazetteer is None
        or gazetteer == DEFAULT_KEY
        or (isinstance(gazetteer, Gazetteer) and gazetteer.is_default)
    ):
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


def load_count(key: str) -> int:
    """How many times the gazetteer ``key`` names has been loaded or replaced in
    this process: results remembered under an older count are of another gazetteer."""
    return _load_counts[key]


def remember_gazetteer(key: str, gazetteer: Gazetteer) -> None:
    """Make ``gazetteer`` the one ``key`` names in this process (a Dask worker
    plugin does this with a gazetteer it shipped to a machine that lacks the path)."""
    with _cache_lock:
        if _cache.get(key) is not gazetteer:
            _cache[key] = gazetteer
            _load_counts[key] += 1
