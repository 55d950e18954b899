"""A one-line progress display on a terminal, for the bulk jobs, drawn by tqdm.

The line says rows and rows/s, and when the input's size is known the share
read and the time left (tqdm's estimate, from the bytes read). It is drawn only
where the CLI asks (by default when stderr is a terminal), redrawn at most
every ``interval`` seconds, and erased before the summary is printed (tqdm's
``leave=False``). tqdm is imported only when a display is made.
"""

from __future__ import annotations

import time
from typing import Any, TextIO

__all__ = ["Progress"]


class Progress:
    """Call it with (rows, bytes_read) as often as you like; ``close`` erases it."""

    def __init__(self, stream: TextIO, total_bytes: int | None = None, *, interval: float = 0.2) -> None:
        from tqdm import tqdm

        total = total_bytes if total_bytes else None
        share = "  {percentage:3.0f}%  ETA {remaining}" if total else ""
        self._bar: Any = tqdm(
            total=total,
            file=stream,
            leave=False,
            mininterval=interval,
            miniters=1,
            unit="B",
            bar_format="{desc}" + share,
            desc="0 rows",
            dynamic_ncols=False,
        )
        self._start = time.monotonic()
        self._interval = interval
        self._shown = 0.0

    def __call__(self, rows: int, bytes_read: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._shown < self._interval:
            return
        self._shown = now
        rate = rows / max(now - self._start, 1e-9)
        self._bar.set_description_str(f"{rows:,} rows  {rate:,.0f} rows/s", refresh=False)
        self._bar.n = bytes_read if self._bar.total is None else min(bytes_read, self._bar.total)
        self._bar.refresh()

    def close(self) -> None:
        """Erase the line, leaving the terminal for the summary."""
        self._bar.close()
