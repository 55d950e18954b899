"""Rescoring: turn lookup hits into ranked, calibrated Links.

A score is in 0–1 and says two things at once: how the name matched (each
method owns a band, so exact > normalized > key > fuzzy whatever the rest) and,
inside the band, how close the strings are, how popular the entity is and
whether the name is in the hinted language. Bands are half-open and the
quality inside one never reaches its top, so scores never saturate and
``candidates()`` stays ordered.

Every default is a named constant with the reason for its value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from namelink.records import Link

__all__ = [
    "BANDS",
    "CANDIDATE_CUTOFF",
    "LINK_THRESHOLD",
    "MARGIN",
    "POPULARITY_TIEBREAK",
    "band",
    "decide",
    "quality",
]

# Score bands by method, best first. A method's scores live in [low, high).
# The widths leave room for similarity to order candidates inside a band; the
# gaps between key kinds follow how often each kind merges distinct names
# (measured on country names; see tests/test_keys.py and the README).
BANDS: dict[str, tuple[float, float]] = {
    "qid": (0.99, 1.0),  # the caller gave a QID
    "exact": (0.96, 0.99),  # the very string of a gazetteer name
    "normalized": (0.92, 0.96),  # equal after normalize(): diacritics, alef forms, ی/ي ...
    "spelling": (0.84, 0.92),  # keys: hamza seats, پ/ب, ڤ/ف, spacing, doubled letters
    "word_order": (0.82, 0.90),  # keys: the same words in another order
    "skeleton": (0.72, 0.84),  # keys: long vowels in or out
    "consonants": (0.60, 0.74),  # keys: traded consonants (گ/ج/غ, ق/ك/خ ...)
}

# Stripping a clitic (و ف ب ل ك) is a guess about the text; it costs this much.
CLITIC_PENALTY = 0.04

# Inside a band: string similarity dominates; popularity is a prior that breaks
# near-ties; the language hint nudges without overriding similarity.
W_SIMILARITY = 0.7
W_POPULARITY = 0.2
W_LANGUAGE = 0.1

# Popularity is compressed by log: a country with 200 sitelinks is not 100×
# more likely than a town with 2. POPULARITY_SCALE is about the most-linked items.
POPULARITY_SCALE = 400

# Auto-link only at or above this score. It sits inside the consonants band:
# a consonant-key match links only when the strings are close and nothing else
# competes (tuned on tests/data/dev_gold.tsv; see the README).
LINK_THRESHOLD = 0.66

# candidates() shows entities down to this score, below the link threshold, so
# that a user can see what nearly matched.
CANDIDATE_CUTOFF = 0.3

# The runner-up must be at least this far behind for link() to decide
# (OpenRefine's reconciler uses the same kind of margin rule).
MARGIN = 0.03

# When two entities are within MARGIN of each other through the same kind of
# match, the far more popular one still wins if it is this many times more
# popular: جورجيا is the country before the US state.
POPULARITY_TIEBREAK = 3.0

# candidates() reports a runner-up on the Link when it is within this distance.
RUNNER_UP_WINDOW = 0.15


def band(method: str) -> tuple[float, float]:
    return BANDS[method]


def popularity_prior(popularity: int) -> float:
    """Popularity mapped to 0–1 on a log scale."""
    return min(1.0, math.log1p(max(popularity, 0)) / math.log1p(POPULARITY_SCALE))


@dataclass(frozen=True)
class Quality:
    similarity: float
    popularity: float
    language: float


def quality(similarity: float, popularity: int, language_match: bool) -> Quality:
    return Quality(similarity, popularity_prior(popularity), 1.0 if language_match else 0.0)


def score(method: str, q: Quality, *, clitic: bool = False) -> float:
    """The score of a hit: its method's band, filled by its quality."""
    low, high = BANDS[method]
    inside = W_SIMILARITY * q.similarity + W_POPULARITY * q.popularity + W_LANGUAGE * q.language
    value = low + (high - low) * inside * 0.999
    if clitic:
        value -= CLITIC_PENALTY
    return round(max(0.0, value), 6)


def decide(ranked: list[Link], threshold: float) -> Link | None:
    """The Link to auto-link from ``ranked`` (best first), or None.

    The best candidate must clear ``threshold`` and the runner-up must be at least
    ``MARGIN`` behind, unless both matched the same way and the best is
    ``POPULARITY_TIEBREAK`` times as popular. A runner-up within
    ``RUNNER_UP_WINDOW`` is reported on the Link.
    """
    if not ranked or ranked[0].score < threshold:
        return None
    best = ranked[0]
    runner_up = ranked[1] if len(ranked) > 1 else None
    if runner_up is None:
        return best
    gap = best.score - runner_up.score
    shown = runner_up if gap <= RUNNER_UP_WINDOW else None
    if gap >= MARGIN:
        return replace(best, runner_up=shown)
    if best.method == runner_up.method and best.popularity >= POPULARITY_TIEBREAK * max(runner_up.popularity, 1):
        why = f"{best.explanation}; close call broken by popularity ({best.popularity} vs {runner_up.popularity})"
        return replace(best, runner_up=shown, explanation=why)
    return None
