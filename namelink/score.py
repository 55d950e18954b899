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
    "decide",
    "quality",
]

# Score bands by method, best first. A method's scores live in [low, high).
# Exact > normalized > key > fuzzy always holds: the bands of those do not
# overlap. Key kinds are ordered by how often each merges distinct names
# (measured on country names; tests/test_keys.py and the README). A match
# across scripts sits below the same-script methods: a romanized key is the
# coarsest evidence there is.
BANDS: dict[str, tuple[float, float]] = {
    "qid": (0.99, 1.0),  # the caller gave a QID
    "exact": (0.96, 0.99),  # the very string of a gazetteer name
    "normalized": (0.92, 0.96),  # equal after normalize(): diacritics, alef forms, ی/ي ...
    "spelling": (0.86, 0.92),  # keys: hamza seats, پ/ب, ڤ/ف, spacing
    "word_order": (0.84, 0.90),  # keys: the same words in another order
    "skeleton": (0.78, 0.86),  # keys: long vowels in or out, doubled letters
    "consonants": (0.70, 0.78),  # keys: traded consonants (گ/ج/غ, ق/ك/خ ...)
    "partial": (0.47, 0.72),  # a word more or fewer than the name (no stronger than a close fuzzy match)
    "fuzzy": (0.45, 0.70),  # trigram candidates rescored by similarity (typos)
    "cross_script": (0.45, 0.69),  # romanized key: Arabic script ↔ Latin script
}

# Looking up a variant of the query (a clitic و ف ب ل ك stripped, a designator
# such as منظمة dropped, the article added or dropped, a ", qualifier" dropped)
# is a guess about the text; it costs this much.
VARIANT_PENALTY = 0.04

# Inside a band: string similarity dominates; popularity is a prior that breaks
# near-ties; the language hint nudges without overriding similarity.
W_SIMILARITY = 0.7
W_POPULARITY = 0.2
W_LANGUAGE = 0.1

# Popularity is compressed by log: a country with 200 sitelinks is not 100×
# more likely than a town with 2. POPULARITY_SCALE is about the most-linked items.
POPULARITY_SCALE = 400

# Auto-link only at or above this score. Every key match clears it; a fuzzy or
# cross-script match clears it only when the strings are close (tuned on
# tests/data/dev_gold.tsv, checked on tests/data/test_gold.tsv; see the README).
LINK_THRESHOLD = 0.6

# A key hit whose spellings are less similar than this is a collision of the
# key, not a variant spelling: it is scored as a fuzzy match (or dropped). The
# acceptance variants sit at or above it (قازاقستان / كازاخستان 0.78, شي جنپنگ /
# شي جين بينغ 0.75); colliding names of a 1M-name gazetteer mostly below.
KEY_MIN_SIMILARITY = 0.745

# A single word reaches a person by the surname only when it is spelled nearly
# as the gazetteer spells it (ميشوستن / ميشوستين 0.93); موكسو / ماكوسو (0.83)
# is more likely a typo of something else.
SURNAME_MIN_SIMILARITY = 0.9

# Fuzzy candidates below this similarity (Indel, on the spelling key) are not
# candidates at all: a one-letter typo in a six-letter name is 0.83.
FUZZY_MIN_SIMILARITY = 0.6

# A fuzzy candidate whose first letter differs from the query's keeps this share
# of its similarity (the prefix weighting of Jaro-Winkler, as one factor).
FIRST_LETTER_FACTOR = 0.9

# The fuzzy stage runs only when no hit scored above this: a skeleton-key match
# or better leaves a fuzzy candidate at least MARGIN behind anyway.
FUZZY_UNLESS_ABOVE = BANDS["skeleton"][0]

# A romanized key shorter than this (two consonant classes) matches too much.
MIN_ROMANIZED_KEY = 3

# A cross-script match on a person's surname alone (گابويڤ → Alexander Gabuev)
# counts for this share of a whole-name match.
PART_OF_NAME = 0.9

# candidates() shows entities down to this score, below the link threshold, so
# that a user can see what nearly matched.
CANDIDATE_CUTOFF = 0.3

# The runner-up must be at least this share of the best match's band behind for
# link() to decide (OpenRefine's reconciler uses the same kind of margin rule).
# Relative to the band, because bands differ in width: a tenth of the skeleton
# band is 0.008 (بوتيين: Putin 0.91 similar, Bhutan 0.73), a tenth of the fuzzy
# band 0.025.
MARGIN = 0.1

# When two entities are within the margin of each other through the same kind of
# match, the far more popular one still wins if it is this many times more
# popular: جورجيا is the country before the US state, and دبي the city (150)
# before the emirate named after it (60).
POPULARITY_TIEBREAK = 2.5

# candidates() reports a runner-up on the Link when it is within this distance.
RUNNER_UP_WINDOW = 0.15


def rescale_fuzzy(similarity: float) -> float:
    """Fuzzy similarity in [FUZZY_MIN_SIMILARITY, 1] spread over [0, 1], so that
    the fuzzy band is used from bottom to top."""
    return max(0.0, (similarity - FUZZY_MIN_SIMILARITY) / (1.0 - FUZZY_MIN_SIMILARITY))


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


def score(method: str, q: Quality, *, variant: bool = False) -> float:
    """The score of a hit: its method's band, filled by its quality."""
    low, high = BANDS[method]
    inside = W_SIMILARITY * q.similarity + W_POPULARITY * q.popularity + W_LANGUAGE * q.language
    value = low + (high - low) * inside * 0.999
    if variant:
        value -= VARIANT_PENALTY
    return round(max(0.0, value), 6)


def decide(ranked: list[Link], threshold: float) -> Link | None:
    """The Link to auto-link from ``ranked`` (best first), or None.

    The best candidate must clear ``threshold`` and the runner-up must be at least
    ``MARGIN`` of the best's band behind, unless both matched the same way and
    the best is ``POPULARITY_TIEBREAK`` times as popular. A runner-up within
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
    low, high = BANDS[best.key or best.method]
    if gap >= MARGIN * (high - low):
        return replace(best, runner_up=shown)
    same_way = (best.method, best.key) == (runner_up.method, runner_up.key)
    if same_way and best.popularity >= POPULARITY_TIEBREAK * max(runner_up.popularity, 1):
        popularities = f"{best.popularity} vs {runner_up.popularity}"
        why = f"{best.explanation}; close call broken by popularity ({popularities})"
        return replace(best, runner_up=shown, explanation=why)
    return None
