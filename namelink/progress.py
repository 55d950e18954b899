"""A one-line progress display on a terminal, for the bulk jobs.

The line says rows and rows/s, and when the input's size is known the share
read and the time left. It is drawn only where the CLI asks (by default when
stderr is a terminal), redrawn at most every interval seconds, and erased
before the summary is printed.
"""

from __future__ import annotations

import time
from typing import TextIO

__all__ = ["Progress"]


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress:
    """A one-line progress display for a terminal: rows and rows/s, and when the
    input's size is known, the share read and the time left. It redraws at most
    every ``interval`` seconds, so calling it often costs nothing."""

    def __init__(self, stream: TextIO, total_bytes: int | None = None, *, interval: float = 0.2) -> None:
        self._stream = stream
        self._total = total_bytes if total_bytes else None
        self._interval = interval
        self._start = time.monotonic()
        self._shown = 0.0
        self._width = 0

    def __call__(self, rows: int, bytes_read: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._shown < self._interval:
            return
        self._shown = now
        elapsed = max(now - self._start, 1e-9)
        line = f"{rows:,} rows  {rows / elapsed:,.0f} rows/s"
        if self._total:
            share = min(bytes_read / self._total, 1.0)
            line += f"  {share:.0%}"
            if share > 0:
                line += f"  ETA {_clock(elapsed * (1 - share) / share)}"
        self._stream.write("\r" + line.ljust(self._width))
        self._stream.flush()
        self._width = len(line)

    def close(self) -> None:
        """Erase the line, leaving the terminal for the summary."""
        if self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0
