"""Where namelink keeps what it computes once: compiled indexes, SPARQL responses.

The directory follows platform conventions and can be moved with the
``NAMELINK_CACHE_DIR`` environment variable, or per call with ``cache_dir=``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["CACHE_ENV", "default_cache_dir"]

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
