"""The open-world evaluation: tests/data/eval/*.tsv measured, beside two baselines.

The files hold strings nobody working on namelink wrote or tuned on (their
sources are in tests/data/eval/README.md). Each row has a ``split``; rows of
the "fit" half may be used to fit and tune, and only the "test" half is
reported by default. Whether a row's QID is in the gazetteer is decided here,
from the gazetteer being measured, never from the files.

Per file:

- ``words.tsv``, ``given_names.tsv``: nothing should link. The false-link rate
  is the share linked to anything, over the rows whose normal form is not
  exactly some gazetteer name (those are excluded, and counted apart: such a
  word is a name too, and linking it is a decision, not an error of matching);
- ``people.tsv``: a row whose QID the gazetteer holds must link to it
  (accuracy@1); any other row must stay unlinked (false-link rate);
- ``variants.tsv``: real spellings of gazetteer entities, rows whose QID the
  gazetteer holds: accuracy@1, accuracy@5 (candidates()) and the false-link
  rate (linked to a wrong QID);
- ``text.tsv``: rows with a marked mention (start, end, qid): the share found
  with the right QID and span; rows without: links per 1,000 tokens and the
  share of tokens inside a link, every link counted false unless its surface's
  normal form is exactly a gazetteer name (those are counted apart).

Beside namelink, the same rows are measured, in the same run, for two
baselines: ``exact`` links when exactly one entity has the query's normal form
among its names; ``fuzzy`` links to the entity of the name most similar to
the query (rapidfuzz ``fuzz.ratio`` of the normal forms) when that similarity
is at least FUZZY_BASELINE_CUTOFF. In running text the exact baseline links
the longest word n-gram that it would link as a name; the fuzzy one is not
run on text (every n-gram against every name is too slow to be worth it).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from namelink.baselines import FUZZY_BASELINE_CUTOFF, TOP_K, Baselines, word_spans
from namelink.evalreport import SYSTEMS, Count, Error, Figure, FileReport, SuiteReport
from namelink.gazetteer import Gazetteer
from namelink.lexicon import unlisted
from namelink.normalize import normalize

__all__ = [
    "FUZZY_BASELINE_CUTOFF",
    "SPLIT_SALT",
    "SYSTEMS",
    "Count",
    "Figure",
    "FileReport",
    "SuiteError",
    "SuiteReport",
    "evaluate_suite",
    "held_out",
]

# The salt of the fit/test split shared with the model fitting (issue 11): a row
# is held out (test) when the first byte of sha256(salt + key) is odd. Changing
# the salt deals every row anew, so it carries a version number.
SPLIT_SALT = "namelink-split-1:"
SPLITS = ("test", "fit", "all")
# A language with fewer counted rows gets no figure of its own: over fewer
# rows, one row moves the rate by more than a percent.
BY_LANG_MIN_ROWS = 100


def held_out(key: str) -> bool:
    """Whether the row keyed by ``key`` is in the test half of the split.

    ``key`` is ``normalize(word)`` for a word or a given name, and the QID for
    anything that has one. Rows not held out are the "fit" half.

    >>> held_out("Q7747"), held_out("Q15031")
    (False, True)
    """
    return hashlib.sha256((SPLIT_SALT + key).encode("utf-8")).digest()[0] % 2 == 1


class SuiteError(ValueError):
    """A suite directory or file that cannot be read."""


# --- reading ----------------------------------------------------------------------------------


def held_out_words(texts: Iterable[str]) -> set[str]:
    """The normalized words of ``texts`` that fall in the held-out half."""
    return {word for text in texts for word in normalize(text).split(" ") if word and held_out(word)}


def read_rows(path: Path, columns: Iterable[str], split: str) -> list[dict[str, str]]:
    """The rows of one suite file that are in ``split``."""
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(
                (line for line in f if not line.startswith("#")), delimiter="\t", quoting=csv.QUOTE_NONE
            )
            missing = {*columns, "split"} - set(reader.fieldnames or ())
            if missing:
                raise SuiteError(
                    f"{path}: missing column(s) {', '.join(sorted(missing))}; found {reader.fieldnames}"
                )
            rows = list(reader)
    except (OSError, UnicodeDecodeError) as error:
        raise SuiteError(f"{path}: cannot read ({error})") from None
    for number, row in enumerate(rows, 2):
        if row["split"] not in ("fit", "test"):
            raise SuiteError(f"{path}:{number}: split is {row['split']!r}; expected fit or test")
    return [row for row in rows if split == "all" or row["split"] == split]


# --- the files --------------------------------------------------------------------------------


class Measure:
    """What each file's measure needs: the gazetteer, the baselines and a label lookup."""

    def __init__(self, gazetteer: Gazetteer):
        self.gazetteer = gazetteer
        self.baselines = Baselines(gazetteer)

    def canonical(self, qid: str) -> str | None:
        entity = self.gazetteer.entity(qid) if qid else None
        return entity.qid if entity else None

    def label(self, qid: str) -> str:
        entity = self.gazetteer.entity(qid) if qid else None
        return entity.label if entity else ""

    def links(self, texts: Sequence[str]) -> dict[str, list[str | None]]:
        """Each system's link (a QID or None) for each text."""
        return {
            "namelink": [found.qid if found else None for found in self.gazetteer.link_many(texts)],
            "exact": [self.baselines.exact(t) for t in texts],
            "fuzzy": self.baselines.fuzzy_many(texts),
        }

    def error(self, text: str, expected: str, got: str | None) -> Error:
        return Error(text, expected, self.label(expected), got or "", self.label(got or ""))


def _counts(
    links: dict[str, list[str | None]], rows: Sequence[int], hit: Callable[[int, str | None], bool]
) -> dict[str, Count]:
    return {s: Count(sum(hit(i, links[s][i]) for i in rows), len(rows)) for s in SYSTEMS}


def _figure(name: str, counts: dict[str, Count], higher_is_better: bool) -> Figure:
    arrow = "↑" if higher_is_better else "↓"
    return Figure(
        f"{name} {arrow}", counts["namelink"], counts.get("exact"), counts.get("fuzzy"), higher_is_better
    )


def _linked(_row: int, got: str | None) -> bool:
    return got is not None


def measure_nothing_links(measure: Measure, file: str, rows: list[dict[str, str]]) -> FileReport:
    """words.tsv, given_names.tsv: every link is false, but for exact gazetteer names."""
    texts = [row["text"] for row in rows]
    links = measure.links(texts)
    excluded = [i for i, t in enumerate(texts) if measure.baselines.is_name(t)]
    counted = sorted(set(range(len(texts))) - set(excluded))
    figures = [_figure("false-link rate", _counts(links, counted, _linked), False)]
    # and by language, when there is more than one (the lexicon is per language)
    by_lang: dict[str, list[int]] = {}
    for i in counted:
        by_lang.setdefault(rows[i].get("lang") or "-", []).append(i)
    if len(by_lang) > 1:
        for lang, mine in sorted(by_lang.items()):
            if len(mine) < BY_LANG_MIN_ROWS:
                continue
            figures.append(_figure(f"false-link rate, {lang}", _counts(links, mine, _linked), False))
    notes = (
        ("excluded: normal form is exactly a gazetteer name", len(excluded)),
        ("excluded rows namelink links", sum(links["namelink"][i] is not None for i in excluded)),
    )
    errors = tuple(measure.error(texts[i], "", links["namelink"][i]) for i in counted if links["namelink"][i])
    return FileReport(file, len(rows), tuple(figures), notes, errors)


def measure_people(measure: Measure, file: str, rows: list[dict[str, str]]) -> FileReport:
    """people.tsv: known people link to their QID, the others stay unlinked."""
    texts = [row["text"] for row in rows]
    expected = [measure.canonical(row["qid"]) for row in rows]
    links = measure.links(texts)
    known = [i for i, qid in enumerate(expected) if qid]
    unknown = [i for i, qid in enumerate(expected) if not qid]
    figures: tuple[Figure, ...] = (
        _figure(
            "false-link rate, not in gazetteer",
            _counts(links, unknown, lambda i, got: got is not None),
            False,
        ),
        _figure("accuracy@1, in gazetteer", _counts(links, known, lambda i, got: got == expected[i]), True),
    )
    notes: tuple[tuple[str, int], ...] = (
        (
            "not in gazetteer, normal form is exactly a gazetteer name",
            sum(measure.baselines.is_name(texts[i]) for i in unknown),
        ),
    )
    # The same people as strangers: the measured rows' entities taken out of the
    # gazetteer, so that every row is a name of someone it does not know (the
    # gazetteer may hold the very people of the file: legislators, leaders).
    taken = {qid for qid in expected if qid}
    if taken:
        stranger = Measure(
            Gazetteer.from_records(r for r in measure.gazetteer.records() if r["qid"] not in taken)
        )
        strange = stranger.links(texts)
        figures += (
            _figure(
                "false-link rate, their entities taken out",
                _counts(strange, list(range(len(rows))), lambda i, got: got is not None),
                False,
            ),
        )
        notes += (("entities taken out of the gazetteer for that rate", len(taken)),)
    errors = tuple(
        measure.error(texts[i], expected[i] or "", links["namelink"][i])
        for i in range(len(rows))
        if links["namelink"][i] != expected[i]
    )
    return FileReport(file, len(rows), figures, notes, errors)


def measure_variants(measure: Measure, file: str, rows: list[dict[str, str]]) -> FileReport:
    """variants.tsv: real spellings of gazetteer entities find their entity."""
    known = [(row["text"], qid) for row in rows if (qid := measure.canonical(row["qid"]))]
    texts = [text for text, _ in known]
    expected = [qid for _, qid in known]
    links = measure.links(texts)
    everyone = range(len(known))
    top = {
        "namelink": [[c.qid for c in measure.gazetteer.candidates(t, limit=TOP_K)] for t in texts],
        "exact": [measure.baselines.exact_top(t) for t in texts],
        "fuzzy": measure.baselines.fuzzy_top(texts),
    }
    at5 = {s: Count(sum(expected[i] in top[s][i] for i in everyone), len(known)) for s in SYSTEMS}
    figures = (
        _figure("accuracy@1", _counts(links, everyone, lambda i, got: got == expected[i]), True),
        _figure("accuracy@5", at5, True),
        _figure(
            "false-link rate (wrong QID)",
            _counts(links, everyone, lambda i, got: got not in (None, expected[i])),
            False,
        ),
    )
    notes = (
        ("skipped: QID not in gazetteer", len(rows) - len(known)),
        (
            "now exactly a name of its entity",
            sum(expected[i] in measure.baselines.by_form.get(normalize(texts[i]), ()) for i in everyone),
        ),
    )
    errors = tuple(
        measure.error(texts[i], expected[i], links["namelink"][i])
        for i in everyone
        if links["namelink"][i] != expected[i]
    )
    return FileReport(file, len(rows), figures, notes, errors)


def measure_text(measure: Measure, file: str, rows: list[dict[str, str]]) -> FileReport:
    """text.tsv: marked mentions found; links in ordinary text counted."""
    marked = [row for row in rows if row["qid"]]
    plain = [row for row in rows if not row["qid"]]
    found = {"namelink": 0, "exact": 0}
    counted = 0
    for row in marked:
        qid = measure.canonical(row["qid"])
        if not qid:
            continue
        counted += 1
        span = (int(row["start"]), int(row["end"]))
        ours = {(m.start, m.end, m.link.qid) for m in measure.gazetteer.link_text(row["text"])}
        found["namelink"] += (*span, qid) in ours
        found["exact"] += (*span, qid) in set(measure.baselines.exact_text(row["text"]))
    tokens = 0
    false = {"namelink": 0, "exact": 0}
    false_tokens = {"namelink": 0, "exact": 0}
    exact_name = {"namelink": 0, "exact": 0}
    errors = []
    for row in plain:
        text = row["text"]
        words = word_spans(text)
        tokens += len(words)
        spans = {
            "namelink": [(m.start, m.end, m.link.qid) for m in measure.gazetteer.link_text(text)],
            "exact": measure.baselines.exact_text(text),
        }
        for system, mentions in spans.items():
            for start, end, qid in mentions:
                if measure.baselines.is_name(text[start:end]):
                    exact_name[system] += 1
                    continue
                false[system] += 1
                false_tokens[system] += sum(start < w_end and w_start < end for w_start, w_end in words)
                if system == "namelink":
                    errors.append(measure.error(text[start:end], "", qid))
    figures = (
        Figure(
            "marked mentions found (QID and span) ↑",
            Count(found["namelink"], counted),
            Count(found["exact"], counted),
            None,
            True,
        ),
        Figure(
            "false links per 1,000 tokens ↓",
            Count(false["namelink"], tokens, 1000),
            Count(false["exact"], tokens, 1000),
            None,
            False,
        ),
        Figure(
            "share of tokens in a false link ↓",
            Count(false_tokens["namelink"], tokens),
            Count(false_tokens["exact"], tokens),
            None,
            False,
        ),
        Figure(
            "exact-name links per 1,000 tokens (apart)",
            Count(exact_name["namelink"], tokens, 1000),
            Count(exact_name["exact"], tokens, 1000),
            None,
            False,
        ),
    )
    notes = (
        ("rows with a marked mention", len(marked)),
        ("rows of ordinary text", len(plain)),
        ("skipped: QID not in gazetteer", len(marked) - counted),
    )
    return FileReport(file, len(rows), figures, notes, tuple(errors))


# file name -> (columns it needs, its measure), in the order of the report.
FILES: dict[str, tuple[tuple[str, ...], Callable[[Measure, str, list[dict[str, str]]], FileReport]]] = {
    "words.tsv": (("text",), measure_nothing_links),
    "given_names.tsv": (("text",), measure_nothing_links),
    "people.tsv": (("qid", "text"), measure_people),
    "variants.tsv": (("qid", "text"), measure_variants),
    "text.tsv": (("text", "start", "end", "qid"), measure_text),
}


def evaluate_suite(
    directory: str | Path, gazetteer: Gazetteer | None = None, split: str = "test"
) -> SuiteReport:
    """Measure every suite file found in ``directory`` on the rows of ``split``.

    ``split`` is "test" (the held-out half, the default), "fit" or "all". A
    file of FILES that is absent is left out; a directory with none of them
    is a SuiteError.
    """
    if split not in SPLITS:
        raise SuiteError(f"split must be one of {', '.join(SPLITS)}, not {split!r}")
    folder = Path(directory)
    present = [name for name in FILES if (folder / name).is_file()]
    if not present:
        raise SuiteError(f"{folder}: none of {', '.join(FILES)} found")
    gazetteer = gazetteer if gazetteer is not None else Gazetteer.default()
    measure = Measure(gazetteer)
    reports = []
    for name in present:
        columns, run = FILES[name]
        rows = read_rows(folder / name, columns, split)
        # The lexicon lists every word wordfreq has; a held-out word must be one
        # the decision has never seen, so it is looked up as if it were not listed.
        with unlisted(held_out_words(row["text"] for row in rows)):
            reports.append(run(measure, name, rows))
    return SuiteReport(str(folder), split, repr(gazetteer), tuple(reports))
