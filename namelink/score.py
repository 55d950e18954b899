"""Scoring: from lookup hits to one calibrated decision.

Two scores, in two steps:

1. The stage score ranks what the lookup stages found: each method owns a band
   (exact > normalized > key > fuzzy), filled by string similarity, popularity
   and the language hint. It orders candidates cheaply and decides which few
   are worth weighing; it is not a probability.
2. The calibrated score is the probability that the link is right: a logistic
   model per group of methods over the evidence of namelink.evidence (the
   variant model, the frequency of the query as a word, morphology, language,
   the competition, popularity). Its weights are data (data/model.json),
   fitted by gazetteers/fit_model.py on labelled pairs built from external
   data, and checked for calibration on held-out entities and words. That is
   the ``score`` of a Link, what ``threshold`` compares with, and what the
   runner-up margin is measured on. The trees and their walk are namelink.trees.

Every default is a named constant with the reason for its value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from namelink.evidence import popularity_prior
from namelink.records import Link
from namelink.trees import Model, ModelError, model, read_model

__all__ = [
    "BANDS",
    "CANDIDATE_CUTOFF",
    "LINK_THRESHOLD",
    "MARGIN",
    "RUNNER_UP_MIN",
    "SET_APART_SHARE",
    "Model",
    "ModelError",
    "ambiguous",
    "coherent",
    "decide",
    "hit_score",
    "model",
    "popularity_note",
    "probability",
    "quality",
    "read_model",
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

# Auto-link only when the calibrated probability that the link is right is at
# least this: more likely right than wrong. gazetteers/fit_model.py reports the
# false-link rates and accuracy at thresholds around it on the fit half.
LINK_THRESHOLD = 0.5

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

# candidates() shows entities down to this probability, far below the link
# threshold, so that a user can see what nearly matched (a typo close to two
# cities leaves each well under 0.1).
CANDIDATE_CUTOFF = 0.001

# The runner-up's probability must be at least this far below the best's for
# link() to decide (OpenRefine's reconciler uses the same kind of margin rule):
# two candidates that are each plausible are a question for a person.
MARGIN = 0.1

# The stage scores of this many best candidates (or of ``limit``, when more are
# asked for) are turned into probabilities; the rest are too far behind to matter
# (on the fit half, the right entity is outside the stage's best 3 in under 1% of
# the queries where it is among the best 5).
CALIBRATED = 3

# A name is ambiguous, not unknown, when the runner-up is at least this share as
# likely as the best: two candidates a person could reasonably choose between.
AMBIGUOUS_SHARE = 0.25

# A decided link whose runner-up reached this close a stage score (see
# evidence.GAP_CLIP: the gap feature is the scaled distance) was decided by
# popularity, and the explanation says so.
CLOSE_CALL = 0.1

# A place that the gazetteer also names with a word that sets it apart from
# another of the same name (مدينة الكويت, تونس العاصمة: morphology.SETTING_APART)
# is the lesser reading of the bare name: Arabic, Persian and Urdu news say
# الكويت, تونس, کویت of the country and add مدينة, العاصمة, شہر for the city.
# Among candidates the strings cannot tell apart it keeps this share of its
# popularity prior: with a country's 200 against its capital's 100, the country
# takes 0.89 of what the two pool instead of 0.67, and the city stays the
# runner-up on the Link.
SET_APART_SHARE = 0.25

# link() reports the runner-up on the Link when its probability is at least
# this: an alternative worth a look when reviewing the link (one in fifty).
RUNNER_UP_MIN = 0.02


def rescale_fuzzy(similarity: float) -> float:
    """Fuzzy similarity in [FUZZY_MIN_SIMILARITY, 1] spread over [0, 1], so that
    the fuzzy band is used from bottom to top."""
    return max(0.0, (similarity - FUZZY_MIN_SIMILARITY) / (1.0 - FUZZY_MIN_SIMILARITY))


@dataclass(frozen=True)
class Quality:
    similarity: float
    popularity: float
    language: float


def quality(similarity: float, popularity: int, language_match: bool) -> Quality:
    return Quality(similarity, popularity_prior(popularity), 1.0 if language_match else 0.0)


def score(method: str, q: Quality, *, variant: bool = False) -> float:
    """The score of a hit: its method's band, filled by its quality."""
    return hit_score(method, q.similarity, q.popularity, q.language, variant)


def hit_score(method: str, similarity: float, prior: float, language: float, variant: bool) -> float:
    """score(method, Quality(similarity, prior, language), variant=variant)
    without the Quality: the lookup stages score every hit they offer. ``prior``
    is evidence.popularity_prior() of the entity, ``language`` 1.0 or 0.0."""
    low, high = BANDS[method]
    inside = W_SIMILARITY * similarity + W_POPULARITY * prior + W_LANGUAGE * language
    value = low + (high - low) * inside * 0.999
    if variant:
        value -= VARIANT_PENALTY
    return round(max(0.0, value), 6)


# The score no hit of a method reaches (score() stays below its band's top:
# a quality of at most 1, times 0.999): an entity already held at or above it
# cannot be bettered by that method, so a stage may skip offering it.
CEILING = {method: high for method, (_, high) in BANDS.items()}


def probability(features: tuple[float, ...]) -> float:
    """The calibrated probability that a candidate with this evidence is the
    entity the query names."""
    z = model().log_odds(features)
    if z < -30:
        return 0.0
    return round(1.0 / (1.0 + math.exp(-z)), 6)


def coherent(
    probabilities: list[float],
    evidence: list[tuple[str, float, str]],
    popularities: list[int],
    set_apart: list[bool] | None = None,
    pools: dict[tuple[str, float, str], float] | None = None,
) -> list[float]:
    """The candidates' probabilities made coherent with each other.

    The model weighs each candidate on its own, but the candidates of one query
    exclude each other: their probabilities must add up to at most 1. Two steps:

    1. candidates the strings cannot tell apart (same method, similarity and
       variant: one name, two entities) pool their probability (the sum of
       theirs, or ``pools[key]`` where the caller weighed the group as one
       entity) and share it in proportion to popularity + 1 — text names the famous more often, so that
       is the prior, and the only evidence there is (جورجيا the country before
       the US state); a candidate the gazetteer also names apart
       (``set_apart``: مدينة الكويت) keeps SET_APART_SHARE of that prior;
    2. if the probabilities still add up to more than 1, they are scaled down
       to add up to 1.
    """
    out = list(probabilities)
    groups: dict[tuple[str, float, str], list[int]] = {}
    for i, key in enumerate(evidence):
        groups.setdefault(key, []).append(i)
    for key, members in groups.items():
        if len(members) > 1:
            pool = pools[key] if pools and key in pools else sum(out[i] for i in members)
            apart = set_apart or [False] * len(out)
            weights = [(popularities[i] + 1) * (SET_APART_SHARE if apart[i] else 1.0) for i in members]
            for i, weight in zip(members, weights, strict=True):
                out[i] = pool * weight / sum(weights)
    total = sum(out)
    if total > 1.0:
        out = [p / total for p in out]
    return [round(p, 6) for p in out]


def decide(ranked: list[Link], threshold: float) -> Link | None:
    """The Link to auto-link from ``ranked`` (most probable first), or None.

    The best candidate's probability must clear ``threshold`` and the
    runner-up's must be at least ``MARGIN`` below it. A runner-up of at least
    ``RUNNER_UP_MIN`` is reported on the Link.
    """
    if not ranked or ranked[0].score < threshold:
        return None
    best = ranked[0]
    runner_up = ranked[1] if len(ranked) > 1 else None
    if runner_up is None:
        return best
    if best.score - runner_up.score < MARGIN:
        return None
    shown = runner_up if runner_up.score >= RUNNER_UP_MIN else None
    note = popularity_note(best.evidence, best.popularity, runner_up.popularity)
    if note:
        return replace(best, runner_up=shown, explanation=best.explanation + note)
    return replace(best, runner_up=shown)


def popularity_note(evidence: tuple[tuple[str, float], ...], popularity: int, runner_popularity: int) -> str:
    """What a decided link's explanation ends with when its runner-up's stage
    score came within CLOSE_CALL (``evidence`` is Link.evidence) and popularity
    decided: "; close call decided by popularity (120 vs 3)", else ""."""
    if dict(evidence).get("gap", 1.0) < CLOSE_CALL and popularity > runner_popularity:
        return f"; close call decided by popularity ({popularity} vs {runner_popularity})"
    return ""


def ambiguous(ranked: list[Link], threshold: float) -> bool:
    """Whether ``ranked`` names something the gazetteer knows without saying
    which: no link is decided, yet the two best together are at least
    ``threshold`` likely (the candidates exclude each other, so their
    probabilities add up) and the second is at least ``AMBIGUOUS_SHARE`` as
    likely as the first. Two people of one name are ambiguous, and so is دبي
    (the city 0.41, the emirate 0.17); a near-certain
    link that misses a threshold of 1.0, or a word that resembles nothing
    much, is not."""
    if len(ranked) < 2 or decide(ranked, threshold) is not None:
        return False
    first, second = ranked[0].score, ranked[1].score
    return second >= max(RUNNER_UP_MIN, AMBIGUOUS_SHARE * first) and first + second >= threshold
