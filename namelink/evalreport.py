"""The results of the open-world suite: frozen dataclasses, JSON and a Markdown table."""

from __future__ import annotations

from dataclasses import dataclass, field

from namelink.baselines import FUZZY_BASELINE_CUTOFF

__all__ = ["SYSTEMS", "Count", "Error", "Figure", "FileReport", "SuiteReport"]

# The systems every figure is measured for, in the order of the table's columns.
SYSTEMS = ("namelink", "exact", "fuzzy")


@dataclass(frozen=True)
class Count:
    """``hits`` out of ``total``; ``rate`` scales it (1,000 for "per 1,000 tokens")."""

    hits: int
    total: int
    scale: int = 1

    @property
    def rate(self) -> float | None:
        return self.scale * self.hits / self.total if self.total else None

    def to_dict(self) -> dict[str, object]:
        rate = self.rate
        return {"hits": self.hits, "total": self.total, "rate": None if rate is None else round(rate, 4)}


@dataclass(frozen=True)
class Figure:
    """One figure of one file, for each system (None: not measured for it)."""

    name: str
    namelink: Count
    exact: Count | None
    fuzzy: Count | None
    higher_is_better: bool

    def of(self, system: str) -> Count | None:
        return {"namelink": self.namelink, "exact": self.exact, "fuzzy": self.fuzzy}[system]


@dataclass(frozen=True)
class Error:
    """A row namelink got wrong, with labels beside the QIDs."""

    text: str
    expected: str  # '' when nothing should link
    expected_label: str
    got: str  # '' when nothing was linked
    got_label: str


@dataclass(frozen=True)
class FileReport:
    file: str
    rows: int  # rows of the split, before exclusions
    figures: tuple[Figure, ...]
    notes: tuple[
        tuple[str, int], ...
    ] = ()  # counted apart, e.g. ("excluded: normal form is a gazetteer name", 3)
    errors: tuple[Error, ...] = field(default=(), repr=False)

    def figure(self, name: str) -> Figure:
        for figure in self.figures:
            if figure.name == name:
                return figure
        raise KeyError(f"{self.file} has no figure {name!r}; it has {[f.name for f in self.figures]}")


@dataclass(frozen=True)
class SuiteReport:
    directory: str
    split: str
    gazetteer: str
    files: tuple[FileReport, ...]

    def file(self, name: str) -> FileReport:
        for report in self.files:
            if report.file == name:
                return report
        raise KeyError(f"no {name} in {self.directory}; found {[r.file for r in self.files]}")

    def to_dict(self) -> dict[str, object]:
        return {
            "directory": self.directory,
            "split": self.split,
            "gazetteer": self.gazetteer,
            "fuzzy_cutoff": FUZZY_BASELINE_CUTOFF,
            "files": {
                r.file: {
                    "rows": r.rows,
                    "figures": {
                        f.name: {s: (c.to_dict() if (c := f.of(s)) else None) for s in SYSTEMS}
                        for f in r.figures
                    },
                    "notes": dict(r.notes),
                    "errors": [e.__dict__ for e in r.errors],
                }
                for r in self.files
            },
        }

    def table(self) -> str:
        """The figures as a Markdown table (a README can quote it), then the notes."""
        head = f"| file | figure | n | namelink | exact | fuzzy ≥ {FUZZY_BASELINE_CUTOFF} |"
        lines = [head, "|---|---|---:|---:|---:|---:|"]
        for report in self.files:
            for figure in report.figures:
                cells = [_cell(figure.of(system)) for system in SYSTEMS]
                lines.append(
                    f"| {report.file} | {figure.name} | {figure.namelink.total:,} | "
                    + " | ".join(cells)
                    + " |"
                )
        lines.append("")
        lines.append(
            f"split {self.split}; gazetteer {self.gazetteer}; n: rows counted (tokens for the text rates); "
            "↑ higher is better, ↓ lower is better; a cell is the rate (the count)"
        )
        for report in self.files:
            for note, value in report.notes:
                lines.append(f"- {report.file}: {note}: {value:,}")
        return "\n".join(lines)


def _cell(count: Count | None) -> str:
    if count is None:
        return "–"
    rate = count.rate
    if rate is None:
        return "n/a"
    if count.scale == 1:
        return f"{rate:.3f} ({count.hits:,})"
    return f"{rate:.2f} ({count.hits:,})"
