"""The lenient line reader: an input's physical lines, each checked once.

Whatever a line holds, reading it costs time linear in its length and memory
bounded by ``MAX_LINE_CHARS``:

- NUL bytes are removed and mark the line damaged;
- a byte that does not decode is shown as U+FFFD and marks the line damaged;
- a line longer than ``MAX_LINE_CHARS`` is cut there; the rest of it is the one
  thing dropped, and the reader says so;
- the lines of a record (CSV quotes may span lines) are kept so that a record
  gone wrong can be given back and read again line by line, up to
  ``MAX_RECORD_LINES`` lines or ``MAX_RECORD_CHARS`` characters.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator

from namelink.tables.encodings import Input, is_wide

__all__ = [
    "MAX_LINE_CHARS",
    "MAX_RECORD_CHARS",
    "MAX_RECORD_LINES",
    "Lines",
    "Oversized",
    "TooLong",
    "each_line",
    "oversized_problem",
    "repair",
]

# A physical line is cut beyond this many characters: the bound on the memory
# one line can take (1 Mi characters, eight times csv's default field limit).
MAX_LINE_CHARS = 1 << 20
# A record running past this many lines or characters is taken for an
# unbalanced quote (a name column's records are a line or a few); its lines are
# kept to be read again, so these bound that buffer.
MAX_RECORD_LINES = 1_000
MAX_RECORD_CHARS = 1 << 22

_SURROGATES = re.compile("[\udc80-\udcff]")


def oversized_problem() -> str:
    return f"a line longer than {MAX_LINE_CHARS:,} characters: the rest of it is dropped"


def repair(text: str, codec: str) -> tuple[str, str | None]:
    """``text`` with NULs removed and undecodable bytes shown as U+FFFD, and
    what was wrong with it (None when nothing was); ``codec`` is the input's."""
    reasons = []
    if "\x00" in text:
        text = text.replace("\x00", "")
        reasons.append("NUL bytes (removed)")
    if "\ufffd" in text or _SURROGATES.search(text):
        text = _SURROGATES.sub("\ufffd", text)
        reasons.append(f"bytes that are not valid {codec.removesuffix('-sig').upper()} (shown as U+FFFD)")
    return text, "; ".join(reasons) or None


class Oversized(Exception):
    """A physical line longer than MAX_LINE_CHARS."""


class TooLong(Exception):
    """A record running past MAX_RECORD_LINES lines or MAX_RECORD_CHARS characters."""


class Lines:
    """The input's physical lines, each checked once as it is read.

    A NUL or an undecodable byte is repaired and marks the line (and so its
    record) damaged; a line longer than MAX_LINE_CHARS is cut and raises
    Oversized. The lines of the record being read are kept in ``taken``
    (numbered from ``start``: lines given back come before any line not yet
    read, so the numbers run on), so that a record gone wrong can be given back
    with ``push_back`` and read again line by line.
    """

    def __init__(self, opened: Input) -> None:
        self._read = opened.text.readline
        self._suspect = re.compile("[\x00\ufffd]" if is_wide(opened.codec) else "[\x00\udc80-\udcff]")
        self._codec = opened.codec
        self._pending: deque[tuple[str, str | None]] = deque()
        self._handed = 0  # lines handed out, given-back lines not counted
        self.start = 1
        self.taken: list[str] = []
        self.damaged: dict[int, str] = {}  # index in taken → what was wrong with that line
        self._chars = 0
        self._oversized = oversized_problem()
        self.first_line: str | None = None

    def __iter__(self) -> Lines:
        return self

    def begin(self) -> None:
        """Start a new record."""
        self.start = self._handed + 1
        self.taken = []
        if self.damaged:
            self.damaged = {}
        self._chars = 0

    @property
    def damage(self) -> str | None:
        """What was wrong with the lines of this record, or None."""
        return "; ".join(dict.fromkeys(self.damaged.values())) if self.damaged else None

    def push_back(self, first: int) -> None:
        """Give back the taken lines from index ``first`` on, to be read again."""
        again = [(self.taken[i], self.damaged.get(i)) for i in range(first, len(self.taken))]
        self._pending.extendleft(reversed(again))
        self._handed -= len(again)

    def __next__(self) -> str:
        damage: str | None = None
        if self._pending:
            line, damage = self._pending.popleft()
        else:
            line = self._read(MAX_LINE_CHARS)
            if not line:
                raise StopIteration
            if len(line) == MAX_LINE_CHARS and line[-1] not in "\r\n":
                self._skip_rest_of_line()
                damage = self._oversized
            elif self._suspect.search(line):
                line, damage = self.repair(line)
            if self.first_line is None:
                self.first_line = line
        self._handed += 1
        self.taken.append(line)
        if damage is not None:
            self.damaged[len(self.taken) - 1] = damage
            if damage is self._oversized:
                raise Oversized
        self._chars += len(line)
        if self._chars > MAX_RECORD_CHARS or len(self.taken) > MAX_RECORD_LINES:
            raise TooLong
        return line

    def _skip_rest_of_line(self) -> None:
        while True:
            rest = self._read(MAX_LINE_CHARS)
            if len(rest) < MAX_LINE_CHARS or rest[-1] in "\r\n":
                return

    def repair(self, text: str) -> tuple[str, str | None]:
        return repair(text, self._codec)


def each_line(lines: Lines) -> Iterator[tuple[str, bool]]:
    """Each physical line of ``lines`` as a record of its own: (text, whether it
    was cut at MAX_LINE_CHARS). While a line is out, ``lines.start`` is its
    number and ``lines.damage`` says what was repaired in it."""
    while True:
        lines.begin()
        try:
            text, cut = next(lines), False
        except StopIteration:
            return
        except (Oversized, TooLong):
            text, cut = lines.taken[0], True
        yield text, cut
