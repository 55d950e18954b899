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

A NIL row whose normal form is in the project's own word lists
(namelink/data/common_words.tsv, and namelink/data/lexicon*.tsv when present)
is not counted in any of these: the word list decides it, so it measures the
list, not the matching. Such rows are reported apart (``word_list_nil``).

The open-world suite (tests/data/eval, ``namelink eval --suite``) lives in
namelink.evalsuite; its names are re-exported here.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path

from namelink.evalsuite import SPLIT_SALT, SuiteError, SuiteReport, evaluate_suite, held_out
from namelink.gazetteer import Gazetteer
from namelink.lexicon import common_words
from namelink.normalize import normalize

__all__ = [
    "SPLIT_SALT",
    "EvalError",
    "GoldRow",
    "Report",
    "SuiteError",
    "SuiteReport",
    "evaluate",
    "evaluate_suite",
    "held_out",
    "read_gold",
    "word_list",
]

# The encoding of a gold file unless told otherwise: UTF-8, a byte-order mark
# (as Excel writes one) skipped.
DEFAULT_ENCODING = "utf-8-sig"
# The lead's frequent-word lexicon (issue 11), read only when it exists.
LEXICON_GLOB = "lexicon*.tsv"


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
    expected_label: str = ""
    got_label: str = ""


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
    word_list_nil: int = 0  # NIL rows the word lists decide: not in the figures above
    word_list_nil_linked: int = 0
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
            "word_list_nil": {"rows": self.word_list_nil, "linked": self.word_list_nil_linked},
            "by_type": {
                kind: {**counts, "accuracy_at_1": round(counts["correct"] / counts["rows"], 4)}
                for kind, counts in sorted(self.by_type.items())
            },
            "errors": [asdict(miss) for miss in self.errors],
        }


def word_list() -> frozenset[str]:
    """The normal forms the project's own word lists decide: common words and the lexicon.

    The lexicon files (namelink/data/lexicon*.tsv) are read only if present;
    the word is the first column of each line that is not a comment.
    """
    words = set(common_words())
    data = Path(str(resources.files("namelink") / "data"))
    for path in sorted(data.glob(LEXICON_GLOB)):
        with path.open(encoding="utf-8") as f:
            words.update(
                normalize(line.split("\t")[0]) for line in f if line.strip() and not line.startswith("#")
            )
    words.discard("")
    return frozenset(words)


def read_gold(path: str | Path, *, encoding: str = DEFAULT_ENCODING) -> list[GoldRow]:
    """The rows of a gold TSV; EvalError names the file and line of a bad one."""
    file = Path(path)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise EvalError(
            f"unknown encoding {encoding!r}; give one Python knows, e.g. utf-8, cp1256, utf-16"
        ) from None
    try:
        with file.open(encoding=encoding, newline="") as f:
            lines = [(n, line) for n, line in enumerate(f, 1) if line.strip() and not line.startswith("#")]
    except (OSError, UnicodeError) as error:
        raise EvalError(f"{file}: cannot read as {encoding} ({error})") from None
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


def evaluate(gold: Iterable[GoldRow], gazetteer: Gazetteer, *, words: frozenset[str] | None = None) -> Report:
    """Link every gold name and count what went right and wrong.

    ``words`` are the normal forms whose NIL rows are counted apart (default:
    word_list()).
    """
    decided = word_list() if words is None else words
    report = Report()

    def label(qid: str) -> str:
        entity = gazetteer.entity(qid) if qid else None
        return entity.label if entity else ""

    for row in gold:
        found = gazetteer.link(row.name)
        got = found.qid if found else ""
        if not row.qid and normalize(row.name) in decided:
            report.word_list_nil += 1
            report.word_list_nil_linked += found is not None
            continue
        report.rows += 1
        if found is None:
            report.unlinked += 1
        if not row.qid:
            report.nil += 1
            if found is None:
                report.unlinked_nil += 1
            else:
                report.false_links += 1
                report.errors.append(Miss(row.name, "", got, found.score, "", label(got)))
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
        report.errors.append(
            Miss(row.name, row.qid, got, found.score if found else None, label(row.qid), label(got))
        )
    return report
