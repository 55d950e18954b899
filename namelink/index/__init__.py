"""The compiled index of a gazetteer: entities and names in columns, postings over
normal forms and keys, stored as one memory-mapped file.

An index is built once from entities.jsonl and written as an index file
(store.py has the layout, postings.py the arrays, compiled.py the Index,
build.py the compiler, grams.py the fuzzy candidates), then opened with a
memory map: opening reads the header and verifies the SHA-256, nothing is
unpickled, and processes that open one file share its pages.

The format, in short (store.py and postings.py give it in full): a magic, a
SHA-256 over everything after it, a JSON header (format and keys versions,
the SHA-256 of the source entities.jsonl, a table of sections), then flat
little-endian arrays. Strings live once in a UTF-8 pool; columns are arrays
of pool ids; each postings list is keys, offsets, ids and an open-addressing
hash table over CRC-32 of the keys.

Where an index comes from, in order (``load_index``):

1. ``entities.index`` beside ``entities.jsonl``, written by ``write_index``
   (``python -m namelink.index DIR``), and shipped with the embedded default:
   used when its header names the SHA-256 of this entities.jsonl and these
   keys, index and format versions; otherwise ignored (never deleted: not ours).
2. The cache, ``<cache dir>/indexes/<hash of the gazetteer's path>-keys…-index…-format….index``,
   in a directory only this user can write (namelink.cache.private_dir): used
   on the same checks; a file that fails any is deleted and rebuilt, never trusted.
3. A build, written to the cache when it is writable, else kept in memory.

The build computes normalize() and the keys once per distinct name and
assembles postings with counting sorts over flat arrays: linear in names.
"""

from __future__ import annotations

import hashlib
import logging
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from namelink.index.build import (
    INDEX_SUFFIX,
    build_from_file,
    build_index,
    index_path,
    sha256_file,
    write_index,
)
from namelink.index.compiled import (
    ARABIC_SCRIPT,
    INDEX_VERSION,
    LATIN,
    SAME_SCRIPT_KINDS,
    Index,
    trigrams,
)
from namelink.index.postings import Postings
from namelink.index.store import FORMAT_VERSION, IndexFileError, open_store
from namelink.keys import KEYS_VERSION

__all__ = [
    "ARABIC_SCRIPT",
    "INDEX_SUFFIX",
    "INDEX_VERSION",
    "LATIN",
    "SAME_SCRIPT_KINDS",
    "Index",
    "IndexFileError",
    "Postings",
    "build_index",
    "index_path",
    "load_index",
    "trigrams",
    "write_index",
]

log = logging.getLogger(__name__)


def _open_checked(path: Path, source: Future[str]) -> Index | None:
    """The index in ``path`` when it is sound and was built from the entities.jsonl
    whose SHA-256 ``source`` gives (computed meanwhile, on another core), else None."""
    try:
        index = Index(open_store(path, keys_version=KEYS_VERSION))
    except (IndexFileError, OSError) as error:
        log.warning("namelink: not using the index %s (%s)", path, error)
        return None
    if index.source_sha256 != source.result():
        log.warning("namelink: not using the index %s: built from another entities.jsonl", path)
        return None
    return index


def _cache_name(file: Path) -> str:
    """One cache entry per gazetteer file: a changed gazetteer replaces its entry
    rather than adding one (the header says which content it indexes)."""
    where = hashlib.sha256(str(file.resolve()).encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{where}-keys{KEYS_VERSION}-index{INDEX_VERSION}-format{FORMAT_VERSION}{INDEX_SUFFIX}"


def load_index(file: Path, cache_dir: str | Path | None) -> Index:
    """The index of ``file``: beside it, else from the cache, else compiled (and cached)."""
    from namelink.cache import default_cache_dir, private_dir

    with ThreadPoolExecutor(1) as hasher:
        source = hasher.submit(sha256_file, file)
        beside = index_path(file)
        if beside.is_file() and (index := _open_checked(beside, source)) is not None:
            return index
        root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        directory = private_dir(root / "indexes")
        cached = directory / _cache_name(file) if directory is not None else None
        if cached is not None and cached.is_file():
            if (index := _open_checked(cached, source)) is not None:
                return index
            try:
                cached.unlink()
            except OSError as error:
                log.warning("namelink: could not delete the unusable index %s (%s)", cached, error)
        return build_from_file(file, source.result(), out=cached)
