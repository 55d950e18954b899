"""Statuses and cells: what one name in a table becomes.

``classify`` tells linked, ambiguous, unlinked and empty apart with one
lookup; ``look_up`` turns that into the strings written to a table (the
``Cell``), with the review and candidates columns when asked. The statuses:

    linked     link() returned a Link.
    ambiguous  link() returned None although the best candidate clears the
               threshold: score.decide() refused it because the runner-up's
               probability is within MARGIN of the best's.
    unlinked   no candidate clears the threshold.
    empty      the cell is blank.
    error      the row is malformed, or looking the name up failed.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import NamedTuple

from namelink.gazetteer import Gazetteer
from namelink.normalize import normalize
from namelink.records import Link

__all__ = [
    "ADDED_COLUMNS",
    "AMBIGUOUS",
    "CANDIDATES_COLUMN",
    "EMPTY",
    "ERROR",
    "LINKED",
    "MAX_CANDIDATES",
    "REVIEW_COLUMNS",
    "SCORE_DECIMALS",
    "STATUSES",
    "STATUS_AT",
    "UNLINKED",
    "Cell",
    "Options",
    "added_suffixes",
    "classify",
    "error_cell",
    "look_up",
]

log = logging.getLogger(__name__)

LINKED, AMBIGUOUS, UNLINKED, EMPTY, ERROR = "linked", "ambiguous", "unlinked", "empty", "error"
STATUSES = (LINKED, AMBIGUOUS, UNLINKED, EMPTY, ERROR)
# The columns added for each linked column, in this order, as <col>_<suffix>.
ADDED_COLUMNS = ("normalized", "qid", "label", "score", "method", "status")
# With review=True, after those: what a person needs to decide a close call.
REVIEW_COLUMNS = ("description", "type", "explanation", "runner_up_qid", "runner_up_label", "runner_up_score")
CANDIDATES_COLUMN = "candidates"
# Where the status is in a cell.
STATUS_AT = ADDED_COLUMNS.index("status")

# Scores are written with 4 decimals: Link.score carries 6, and the bands and
# the margin rule (score.py) differ in the second and third.
SCORE_DECIMALS = 4
# candidates=N lists at most this many: a cell a person can read.
MAX_CANDIDATES = 20


# --- Classification --------------------------------------------------------------------


def classify(
    gazetteer: Gazetteer,
    name: str,
    *,
    types: Iterable[str] | str | None = None,
    threshold: float | None = None,
    lang: str | None = None,
) -> tuple[str, Link | None]:
    """The status of ``name`` and its Link when it is linked.

    ``ambiguous`` is told apart from ``unlinked`` because the two need different
    work: an ambiguous name wants a human to choose, an unlinked one a bigger
    gazetteer. Gazetteer.decision() tells them apart from one lookup (see
    score.ambiguous: two plausible candidates that together clear the threshold).
    """
    if not name.strip():
        return EMPTY, None
    decision = gazetteer.decision(name, types=types, threshold=threshold, lang=lang, candidates=False)
    if decision.link is not None:
        return LINKED, decision.link
    return (AMBIGUOUS if decision.ambiguous else UNLINKED), None


class Cell(NamedTuple):
    """The added columns for one name, as they are written to CSV: strings, the
    score with SCORE_DECIMALS decimals, '' where there is nothing. With review
    or candidates, look_up returns a Cell followed by those columns, as a tuple."""

    normalized: str
    qid: str
    label: str
    score: str
    method: str
    status: str


class Options(NamedTuple):
    """What every lookup of a run shares (sent once to each worker process)."""

    types: frozenset[str] | None = None
    threshold: float | None = None
    lang: str | None = None
    review: bool = False
    candidates: int = 0


def added_suffixes(review: bool = False, candidates: int = 0) -> tuple[str, ...]:
    """The suffixes of the columns added for each linked column, in order."""
    return ADDED_COLUMNS + (REVIEW_COLUMNS if review else ()) + ((CANDIDATES_COLUMN,) if candidates else ())


def _score(value: float) -> str:
    return f"{value:.{SCORE_DECIMALS}f}"


def error_cell(options: Options) -> tuple[str, ...]:
    width = len(added_suffixes(options.review, options.candidates))
    return ("",) * STATUS_AT + (ERROR,) + ("",) * (width - STATUS_AT - 1)


def look_up(
    gazetteer: Gazetteer,
    name: str,
    *,
    types: frozenset[str] | None = None,
    threshold: float | None = None,
    lang: str | None = None,
    review: bool = False,
    candidates: int = 0,
) -> tuple[str, ...]:
    """classify() as a Cell (and the review and candidates columns, when asked);
    a name whose lookup fails is an error cell, so that one bad name cannot
    stop a run over a whole file."""
    options = Options(types, threshold, lang, review, candidates)
    try:
        status, found = classify(gazetteer, name, types=types, threshold=threshold, lang=lang)
        normalized = normalize(name)
        if not review and not candidates:
            if found is None:
                return Cell(normalized, "", "", "", "", status)
            return Cell(normalized, found.qid, found.label, _score(found.score), found.method, status)
        return _reviewed(gazetteer, name, normalized, status, found, options)
    except Exception as error:
        log.warning("namelink: looking up %r failed: %s", name[:80], error)
        return error_cell(options)


def _reviewed(
    gazetteer: Gazetteer, name: str, normalized: str, status: str, found: Link | None, options: Options
) -> tuple[str, ...]:
    ranked: list[Link] = []
    if status != EMPTY:
        limit = max(2, options.candidates)
        ranked = gazetteer.candidates(name, types=options.types, limit=limit, lang=options.lang)
    best = found if found is not None else (ranked[0] if ranked else None)
    runner = next((c for c in ranked if best is None or c.qid != best.qid), None)
    cell: tuple[str, ...]
    shown = best if options.review else found  # only review shows a refused candidate in the link's columns
    if shown is None:
        cell = (normalized, "", "", "", "", status)
    else:
        cell = (normalized, shown.qid, shown.label, _score(shown.score), shown.method, status)
    if options.review:
        about = (best.description, best.type, best.explanation) if best is not None else ("", "", "")
        other = (runner.qid, runner.label, _score(runner.score)) if runner is not None else ("", "", "")
        cell += about + other
    if options.candidates:
        listed = [[c.qid, c.label, round(c.score, SCORE_DECIMALS)] for c in ranked[: options.candidates]]
        cell += (json.dumps(listed, ensure_ascii=False) if listed else "",)
    return cell
