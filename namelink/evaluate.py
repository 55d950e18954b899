"""Measure linking against a gold TSV: the figures behind ``namelink eval``.

GOLD.tsv has the columns ``name`` and ``qid`` and optionally ``type`` (lines
starting with ``#`` are comments). An empty ``qid`` marks a name that must not
be linked (NIL).

The figures:

- accuracy@1: of the names that should link, the share that link() links to
  the right QID (an abstention counts as a miss);
- accuracy@5: the share whose right QID is among candidates(limit=5);
- NIL precision and recall: of the names link() leaves unlinked, the share that
  should be; of the NIL names, the share link() leaves unlinked;
- false-link rate: of all names, the share linked to a wrong QID. This is the
  figure users care most about: a wrong link is worse than no link.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from namelink.gazetteer import Gazetteer

__all__ = ["SPLIT_SALT", "EvalError", "GoldRow", "Report", "evaluate", "held_out", "read_gold"]


# The salt of the fit/test split shared with the model fitting (issue 11): a row
# is held out (test) when the first byte of sha256(salt + key) is odd. Changing
# the salt re-deals every row, so it carries a version number.
SPLIT_SALT = "namelink-split-1:"


def held_out(key: str) -> bool:
    """Whether the row keyed by ``key`` is in the test half of the split.

    ``key`` is ``normalize(word)`` for a word or a given name, and the QID for
    anything that has one. Rows not held out are the "fit" half, which model
    fitting may see; only held-out rows are reported.

    >>> held_out("Q7747") in (True, False)
    True
    """
    return hashlib.sha256((SPLIT_SALT + key).encode("utf-8")).digest()[0] % 2 == 1


class EvalError(ValueError):
    """A gold file that cannot be read."""


@dataclass(frozen=True)
class GoldRow:
    name: str
    qid: str  # '' for NIL
    type: str = ""


@dataclass(frozen=True)
class Miss:
    name: str
    expected: str
    got: str
    score: float | None


@dataclass
class Report:
    rows: int = 0
    should_link: int = 0
    nil: int = 0
    correct_at_1: int = 0
    correct_at_5: int = 0
    unlinked: int = 0
    unlinked_nil: int = 0
    false_links: int = 0
    by_type: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[Miss] = field(default_factory=list)

    @property
    def accuracy_at_1(self) -> float:
        return self.correct_at_1 / self.should_link if self.should_link else 1.0

    @property
    def accuracy_at_5(self) -> float:
        return self.correct_at_5 / self.should_link if self.should_link else 1.0

    @property
    def nil_precision(self) -> float:
        return self.unlinked_nil / self.unlinked if self.unlinked else 1.0

    @property
    def nil_recall(self) -> float:
        return self.unlinked_nil / self.nil if self.nil else 1.0

    @property
    def false_link_rate(self) -> float:
        return self.false_links / self.rows if self.rows else 0.0

    def summary(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "should_link": self.should_link,
            "nil": self.nil,
            "accuracy_at_1": round(self.accuracy_at_1, 4),
            "accuracy_at_5": round(self.accuracy_at_5, 4),
            "nil_precision": round(self.nil_precision, 4),
            "nil_recall": round(self.nil_recall, 4),
            "false_link_rate": round(self.false_link_rate, 4),
            "by_type": {
                kind: {**counts, "accuracy_at_1": round(counts["correct"] / counts["rows"], 4)}
                for kind, counts in sorted(self.by_type.items())
            },
            "errors": [asdict(miss) for miss in self.errors],
        }


def read_gold(path: str | Path) -> list[GoldRow]:
    """The rows of a gold TSV; EvalError names the file and line of a bad one."""
    file = Path(path)
    try:
        with file.open(encoding="utf-8-sig", newline="") as f:
            lines = [(n, line) for n, line in enumerate(f, 1) if line.strip() and not line.startswith("#")]
    except (OSError, UnicodeDecodeError) as error:
        raise EvalError(f"{file}: cannot read ({error})") from None
    if not lines:
        raise EvalError(f"{file}: no header line; expected columns name, qid and optionally type")
    reader = csv.DictReader((line for _, line in lines), delimiter="\t", quoting=csv.QUOTE_NONE)
    missing = {"name", "qid"} - set(reader.fieldnames or ())
    if missing:
        raise EvalError(f"{file}: missing column(s) {', '.join(sorted(missing))}; found {reader.fieldnames}")
    rows = []
    for (number, _), record in zip(lines[1:], reader, strict=False):  # DictReader may join lines
        name = record.get("name") or ""
        if not name.strip():
            raise EvalError(f"{file}:{number}: empty name")
        rows.append(GoldRow(name, (record.get("qid") or "").strip(), (record.get("type") or "").strip()))
    return rows


def evaluate(gold: Iterable[GoldRow], gazetteer: Gazetteer) -> Report:
    """Link every gold name and count what went right and wrong."""
    report = Report()
    for row in gold:
        report.rows += 1
        found = gazetteer.link(row.name)
        got = found.qid if found else ""
        if found is None:
            report.unlinked += 1
        if not row.qid:
            report.nil += 1
            if found is None:
                report.unlinked_nil += 1
            else:
                report.false_links += 1
                report.errors.append(Miss(row.name, "", got, found.score))
            continue
        report.should_link += 1
        kind = report.by_type.setdefault(row.type or "untyped", {"rows": 0, "correct": 0})
        kind["rows"] += 1
        top5 = [c.qid for c in gazetteer.candidates(row.name, limit=5)]
        report.correct_at_5 += row.qid in top5
        if got == row.qid:
            report.correct_at_1 += 1
            kind["correct"] += 1
            continue
        if found is not None:
            report.false_links += 1
        report.errors.append(Miss(row.name, row.qid, got, found.score if found else None))
    return report
