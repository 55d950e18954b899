"""What a bulk job keeps as it goes: the distinct names it has looked up, and
the counts, problems and summary of a run."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from namelink.statuses import AMBIGUOUS, ERROR, STATUSES, UNLINKED

__all__ = ["MAX_PROBLEMS", "NameCache", "Summary", "Tally", "TextSummary"]

# Problems (malformed rows, failed lookups) listed by line in the Summary; all
# are counted.
MAX_PROBLEMS = 20


class NameCache:
    """Name → cell for the names met, least recently used dropped past ``size``:
    a column that repeats its names is looked up once per distinct name, and one
    that does not still runs in bounded memory."""

    def __init__(self, size: int) -> None:
        self._cells: OrderedDict[str, tuple[str, ...]] = OrderedDict()
        self._pending: set[str] = set()
        self._size = size

    def wanted(self, names: Iterable[str]) -> list[str]:
        """The distinct names to look up: neither cached nor already asked for
        (by a chunk still in flight); they are then marked as asked for."""
        cells, pending = self._cells, self._pending
        wanted: list[str] = []
        for name in names:
            if name in cells:
                cells.move_to_end(name)
            elif name not in pending:
                pending.add(name)
                wanted.append(name)
        return wanted

    def store(self, names: Sequence[str], cells: Sequence[tuple[str, ...]]) -> None:
        for name, found in zip(names, cells, strict=True):
            self._cells[name] = found
            self._pending.discard(name)
        while len(self._cells) > self._size:
            self._cells.popitem(last=False)

    def get(self, name: str) -> tuple[str, ...] | None:
        return self._cells.get(name)


@dataclass(frozen=True)
class Summary:
    """What a link_table run did. ``counts`` is per linked column, status → cells;
    ``malformed`` counts error rows from the reader; ``problems`` lists the first
    MAX_PROBLEMS of those and of failed lookups, as (line, what); ``lookups`` is
    how many distinct names were looked up."""

    rows: int
    columns: tuple[str, ...]
    counts: dict[str, dict[str, int]]
    malformed: int
    problems: tuple[tuple[int, str], ...]
    lookups: int
    seconds: float

    def total(self, status: str) -> int:
        """Cells with this status, over all linked columns."""
        return sum(counts[status] for counts in self.counts.values())

    @property
    def all_linked(self) -> bool:
        """True when every non-blank cell was linked (what --strict asks for)."""
        return not any(self.total(status) for status in (UNLINKED, AMBIGUOUS, ERROR))

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class TextSummary:
    """What a link_documents run did; ``problems`` as in Summary."""

    documents: int
    mentions: int
    problems: tuple[tuple[int, str], ...]
    errors: int
    seconds: float


class Tally:
    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = tuple(columns)
        self.counts = [dict.fromkeys(STATUSES, 0) for _ in columns]
        self.rows = 0
        self.malformed = 0
        self.problems: list[tuple[int, str]] = []
        self.lookups = 0

    def problem(self, line: int, what: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append((line, what))

    def summary(self, seconds: float) -> Summary:
        return Summary(
            rows=self.rows,
            columns=self.columns,
            counts={column: dict(counts) for column, counts in zip(self.columns, self.counts, strict=True)},
            malformed=self.malformed,
            problems=tuple(self.problems),
            lookups=self.lookups,
            seconds=seconds,
        )
