"""Where namelink keeps what it computes once: compiled indexes, SPARQL responses.

The directory follows platform conventions and can be moved with the
``NAMELINK_CACHE_DIR`` environment variable, or per call with ``cache_dir=``.
"""

from __future__ import annotations

import logging
import os
import stat
import sys
from pathlib import Path

__all__ = ["CACHE_ENV", "default_cache_dir", "private_dir"]

log = logging.getLogger(__name__)

CACHE_ENV = "NAMELINK_CACHE_DIR"


def default_cache_dir() -> Path:
    """``$NAMELINK_CACHE_DIR``, else the platform's user cache directory + /namelink."""
    if override := os.environ.get(CACHE_ENV):
        return Path(override).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
        return base / "namelink" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "namelink"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "namelink"


def private_dir(path: str | Path) -> Path | None:
    """``path`` as a directory that only this user can write, or None.

    The directory is created 0700 when missing. An existing one that another
    user owns, or that group or others may write, is refused, as ssh and pip
    refuse such directories: whoever can write a cache can steer what it
    answers. The caller then works without a disk cache (and says so).
    """
    directory = Path(path)
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = directory.stat()
    except OSError as error:
        log.warning("namelink: cache directory %s is unusable (%s); working without it", directory, error)
        return None
    if not stat.S_ISDIR(info.st_mode):
        log.warning("namelink: cache path %s is not a directory; working without it", directory)
        return None
    owner_ok = not hasattr(os, "getuid") or info.st_uid == os.getuid()
    if not owner_ok or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        log.warning(
            "namelink: cache directory %s is writable by other users or not yours; not using it "
            "(fix with: chmod 700 %s)",
            directory,
            directory,
        )
        return None
    return directory
