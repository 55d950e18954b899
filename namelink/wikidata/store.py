"""The SPARQL response cache: plain bytes in one SQLite file, checked before use.

Whoever can write a cache can steer what it answers, so nothing read back is
trusted: a row holds the response body as bytes with its SHA-256, and a body
whose hash does not match is dropped and refetched. Nothing is unpickled (the
diskcache store this replaces unpickled its values); the client then parses
the bytes as JSON and checks their shape before using them.

The directory goes through ``namelink.cache.private_dir``: created 0700, and
refused (with a warning) when another user owns it or others may write it; the
store then lives in memory for the run. A file that SQLite cannot read (bit
rot, a truncated copy, not a database at all) is moved aside, with a warning,
and a new one started. A disk that fills up or a database locked by another
process stops the caching, with a warning, not the build.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

__all__ = ["CACHE_FILE", "CACHE_SIZE_LIMIT", "Entry", "ResponseStore"]

log = logging.getLogger(__name__)

CACHE_FILE = "responses.sqlite3"
# Bump when the table changes; a file of another layout is moved aside.
STORE_LAYOUT = 1
# Enough for the responses of a build of a few million entities (a batch of 200
# ids answers in about 100-300 kB); the oldest entries go first beyond this.
CACHE_SIZE_LIMIT = 8 * 2**30
# How often (in writes) the total size is checked: the check reads every row's length.
EVICT_EVERY = 64
# Seconds to wait for another build holding the file (SQLite's busy timeout).
LOCK_TIMEOUT = 30.0

_T = TypeVar("_T")


@dataclass(frozen=True)
class Entry:
    """A stored response: when it was fetched, and its body."""

    fetched_at: float
    body: bytes


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class ResponseStore:
    """Bytes by key, with the time they were fetched, in ``directory/responses.sqlite3``.

    ``directory=None`` keeps them in memory for the life of the store.
    """

    def __init__(self, directory: str | Path | None, *, size_limit: int = CACHE_SIZE_LIMIT) -> None:
        self.size_limit = size_limit
        self.path: Path | None = None
        if directory is not None:
            from namelink.cache import private_dir

            usable = private_dir(directory)
            self.path = usable / CACHE_FILE if usable is not None else None
        self._writes = 0
        self._db = self._open()

    # -- opening, and starting again ---------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        if self.path is None:
            return self._create(":memory:")
        try:
            return self._create(str(self.path))
        except sqlite3.DatabaseError as error:
            if isinstance(error, sqlite3.OperationalError) and not _unreadable(error):
                log.warning(
                    "namelink: cannot open the response cache %s (%s); working in memory", self.path, error
                )
                self.path = None
                return self._create(":memory:")
            self._move_aside(error)
            return self._create(str(self.path))

    @staticmethod
    def _create(where: str) -> sqlite3.Connection:
        db = sqlite3.connect(where, timeout=LOCK_TIMEOUT, isolation_level=None)
        try:
            # A write-ahead log, synced at checkpoints: a crash may lose the last
            # responses (they are fetched again), never the file (SQLite's WAL notes).
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
            layout = db.execute("PRAGMA user_version").fetchone()[0]
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if tables and (layout != STORE_LAYOUT or "responses" not in tables):
                raise sqlite3.DatabaseError(f"not a namelink response cache (layout {layout})")
            db.execute(
                "CREATE TABLE IF NOT EXISTS responses ("
                " key TEXT PRIMARY KEY, fetched_at REAL NOT NULL, sha256 TEXT NOT NULL, body BLOB NOT NULL)"
            )
            db.execute(f"PRAGMA user_version = {STORE_LAYOUT}")
        except BaseException:
            db.close()
            raise
        return db

    def _move_aside(self, error: Exception) -> None:
        assert self.path is not None
        aside = self.path.with_name(f"{self.path.name}.unreadable-{int(time.time())}-{os.getpid()}")
        log.warning(
            "namelink: the response cache %s is unreadable (%s); moved it to %s and started a new one",
            self.path,
            error,
            aside,
        )
        with contextlib.suppress(OSError):
            os.replace(self.path, aside)
        for suffix in ("-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.remove(f"{self.path}{suffix}")

    def _guarded(self, action: Callable[[sqlite3.Connection], _T], fallback: _T) -> _T:
        """``action(db)``; an unreadable file is moved aside and the action tried once more
        on a new one; a full disk or a lock stops caching on disk."""
        for _attempt in range(2):
            try:
                return action(self._db)
            except sqlite3.DatabaseError as error:
                self._db.close()
                if self.path is not None and _unreadable(error):
                    self._move_aside(error)
                    self._db = self._create(str(self.path))
                    continue
                log.warning(
                    "namelink: the response cache %s failed (%s); working in memory for this run",
                    self.path,
                    error,
                )
                self.path = None
                self._db = self._create(":memory:")
                return fallback
        return fallback

    # -- reading and writing -----------------------------------------------------------

    def get(self, key: str) -> Entry | None:
        """The entry at ``key`` when its body still matches its hash, else None (and it is dropped)."""

        def read(db: sqlite3.Connection) -> Entry | None:
            row = db.execute(
                "SELECT fetched_at, sha256, body FROM responses WHERE key = ?", (key,)
            ).fetchone()
            if row is None:
                return None
            fetched_at, digest, body = row
            if (
                not isinstance(body, bytes)
                or not isinstance(fetched_at, float)
                or not isinstance(digest, str)
                or _digest(body) != digest
            ):
                log.warning("namelink: a cached response failed its check; fetching it again")
                db.execute("DELETE FROM responses WHERE key = ?", (key,))
                return None
            return Entry(fetched_at, body)

        return self._guarded(read, None)

    def put(self, key: str, fetched_at: float, body: bytes) -> None:
        def write(db: sqlite3.Connection) -> None:
            db.execute(
                "INSERT OR REPLACE INTO responses (key, fetched_at, sha256, body) VALUES (?, ?, ?, ?)",
                (key, float(fetched_at), _digest(body), body),
            )

        self._guarded(write, None)
        self._writes += 1
        if self._writes % EVICT_EVERY == 0:
            self._guarded(self._evict, None)

    def _evict(self, db: sqlite3.Connection) -> None:
        """Drop the oldest responses until the rest fit in ``size_limit``."""
        excess = db.execute("SELECT total(length(body)) FROM responses").fetchone()[0] - self.size_limit
        if excess <= 0:
            return
        doomed = []
        oldest = db.execute("SELECT key, length(body) FROM responses ORDER BY fetched_at")
        for key, size in oldest:
            if excess <= 0:
                break
            doomed.append((key,))
            excess -= size
        oldest.close()
        db.executemany("DELETE FROM responses WHERE key = ?", doomed)

    def keys(self) -> Iterator[str]:
        yield from (row[0] for row in self._db.execute("SELECT key FROM responses"))

    def close(self) -> None:
        self._db.close()


def _unreadable(error: sqlite3.DatabaseError) -> bool:
    """SQLite says the file is damaged or is not a database (not: locked, full, read-only)."""
    if not isinstance(error, sqlite3.OperationalError):
        return True  # CORRUPT and NOTADB come as DatabaseError itself
    text = str(error).lower()
    return "malformed" in text or "not a database" in text
