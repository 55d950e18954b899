"""The evidence that a candidate is what a query names: numbers the calibrated
decision (namelink.score) weighs.

Candidate generation (the gazetteer's lookup stages) says how a query reached a
name: exactly, by a key, by a word subset, fuzzily. That alone cannot tell a
variant spelling of a name from an ordinary word that happens to share its
key: من shares the skeleton of ماين (Maine) as much as بوتن shares بوتين's.
The evidence here adds what can:

- the variant model: how alike the two spellings are at three depths — the
  spelling key (hamza seats, پ/ب ... folded), the skeleton (long vowels and
  doubled letters out) and the consonant classes transliterations trade —
  and whether the first letters agree and how long the query is. Real variant
  spellings differ in vowels and in traded consonants; a word that collides
  with a name differs in consonants that no transliteration trades, or is too
  short for a difference to mean anything. The weights of these features are
  fitted on real variant pairs (gazetteers/fit_model.py);
- the language: how frequent the query is as a word of Arabic, Persian or
  Urdu (namelink.lexicon), against how frequent the name is; how much it is
  spelled like the language's words rather than like names, listed or not
  (namelink.wordness); whether it is an adjective or plural of the name
  (الصينيين); whether stripping a clitic left a more plausible reading than
  the whole token (كامل is a word, وبوتين is و + بوتين); whether its letters
  are of another language than the name's;
- the shape of a person's name: how well every word of the query finds a
  word of the name and back (a stranger who shares a given name with a known
  person, جيم نايت / جيم رايت, leaves one word unmatched); whether the words
  spell the same names or different ones (lexicon.name_items, from rigour's
  person-name table: رادنی / ران are Rodney and Ron); whether a one-word query
  is a given name alone — a known name part, or the first word of gazetteer
  names of several words (فرنسوا is no spelling of فرنسا);
- the competition: how far the best other entity is behind;
- the prior: how popular the entity is, and the caller's language hint.

Every feature is a float in about 0–1, named in FEATURES; ``features()`` builds
them in that order, and the fitted model (data/model.json, read by
namelink.score) combines them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz.distance import Indel

from namelink.keys import consonant_key, skeleton_key, spelling_key
from namelink.lexicon import derived_from, name_items, phrase_zipf, script_lang
from namelink.wordness import wordness

__all__ = [
    "FEATURES",
    "SHOWN",
    "STRICTNESS",
    "ZIPF_SCALE",
    "Spelled",
    "against",
    "features",
    "shown_evidence",
    "spelled",
]

# How strict each lookup method is, as a number: a stricter method may only
# raise the probability (a monotone constraint of the fit), so that, all else
# equal, an exact match outranks a normalized one, a normalized one a key match,
# a key match a fuzzy one. The values are the floors of score.BANDS.
STRICTNESS = {
    "exact": 0.96,
    "normalized": 0.92,
    "spelling": 0.86,
    "word_order": 0.84,
    "skeleton": 0.78,
    "consonants": 0.70,
    "partial": 0.47,
    "fuzzy": 0.45,
    "cross_script": 0.45,
}

FEATURES = (
    "strictness",  # how strict the lookup method was (STRICTNESS)
    "partial",  # the method was a word subset (partial), whose evidence differs in kind
    "cross_script",  # the method was the romanized key, across scripts
    "similarity",  # the stage's own similarity (Indel on the spelling key)
    "sim_skeleton",  # variant model: Indel similarity of the skeletons
    "sim_consonants",  # ... and of the consonant-class keys
    "first_letter",  # the first letters agree (on the skeleton)
    "short",  # 1 for a query of 2 letters, falling to 0 at SHORT_LETTERS
    "words",  # words in the query, / 4
    "name_words",  # words in the matched name, / 4
    "first_word",  # the first words agree (spelling keys), for names of several words
    "last_word",  # the last words agree, for names of several words
    "weakest_word",  # how alike the query's least matched word is to its closest word of the name
    "weakest_name_word",  # ... and the name's least matched word to its closest word of the query
    "opens_names",  # a one-word query that begins a gazetteer name of several words, matched loosely
    "name_part",  # a one-word query that is a known part of person names (lexicon.name_items), ditto
    "alone_first",  # a one-word query closest to the first word of a name of several (a given name)
    "alone_last",  # ... closest to its last word (a surname alone, as the news writes it)
    "definite",  # a one-word query with the article ال: a word of Arabic (الدين), or a place (الصين)
    "names_agree",  # share of the query's words that spell a name its closest word of the name spells
    "names_differ",  # a word of the query and its closest word of the name spell different names
    "person_differs",  # names_differ for a person (a place's سان or مون is no given name): another person
    "name_share",  # share of a query's words (of several) that are known name parts: person-shaped
    "shape_lost",  # name_share of a query whose words the name lacks (joined, dropped), for no person
    "person",  # the entity is a person (a given name alone is no person)
    "loose_word_zipf",  # the query's zipf as a word / 8, matched looser than normalized or across languages
    "wordness",  # how much the query is spelled like the language's words rather than names (WORDNESS_CLIP)
    "name_wordness",  # ... and the matched name
    "zipf_gap",  # how much more frequent the query is than the name (/ 8, ≥ 0)
    "derived",  # the query is an adjective or plural of the name
    "variant",  # a clitic, designator or qualifier was taken off
    "article",  # the article ال was added to the query or taken off it (الساحل → ساحل)
    "clitic_gain",  # for a clitic variant: zipf(stem) − zipf(whole token), / 8
    "other_language",  # the query's letters are of another language than the name
    "popularity_prior",  # the entity's popularity prior (0–1, log scale)
    "popularity_lead",  # how much more popular than the best other entity (log scale, clipped)
    "language_hint",  # the name is in the language the caller hinted
    "gap",  # how far the best other entity's stage score is behind (clipped)
)

# Below this many letters a word leaves no room for variation: a query of two
# letters that is "like" a name is like dozens of names.
SHORT_LETTERS = 6
# The stage scores (score.BANDS) of two entities further apart than this say
# nothing more about which is meant.
GAP_CLIP = 0.3
ZIPF_SCALE = 8.0
# wordness() past this (a mean log ratio per trigram) says nothing more: the
# feature is wordness clipped to ±WORDNESS_CLIP, mapped to 0–1.
WORDNESS_CLIP = 2.0
POPULARITY_SCALE = 400

# The lexicon language (lexicon.LANGS) that stands for a name's language: its
# own, or the one whose script conventions it shares.
LEXICON_LANG = {"ar": "ar", "arz": "ar", "fa": "fa", "ur": "ur", "ps": "fa", "ckb": "fa", "ug": "fa"}
# The name languages whose lexicon language is their own (Egyptian is Arabic), not
# one whose conventions they share: Pashto, Kurdish and Uyghur are rare in Persian text.
OWN_LEXICON = frozenset({"ar", "arz", "fa", "ur"})

# Letters that betray Persian (ی ک) are Urdu's too: a query written with them
# is read as a word of either (کارکنان "workers", listed in Urdu only).
READ_ALSO = {"fa": ("fa", "ur")}


# Distinct popularities whose prior is remembered: every hit of every lookup asks
# for one, and a gazetteer's entities share a few thousand values.
PRIORS_REMEMBERED = 65_536


@lru_cache(maxsize=PRIORS_REMEMBERED)
def popularity_prior(popularity: int) -> float:
    """Popularity mapped to 0–1 on a log scale (a country with 200 sitelinks is
    not 100× as likely as a town with 2)."""
    return min(1.0, math.log1p(max(popularity, 0)) / math.log1p(POPULARITY_SCALE))


def features(
    *,
    query: str,
    raw: str,
    form: str,
    name: str,
    name_lang: str,
    method: str,
    similarity: float,
    variant: str,
    popularity: int,
    rival_popularity: int,
    entity_type: str,
    lang: str | None,
    gap: float,
    opens: int = 0,
) -> tuple[float, ...]:
    """The evidence for one candidate, in FEATURES order.

    ``query`` is the normalized query, ``raw`` the query as given, ``form`` the
    variant of the query that matched (the query itself when no variant was
    needed), ``name`` the matched gazetteer name (normalized), ``name_lang`` its
    language, ``gap`` this candidate's stage score less the best other
    entity's, ``rival_popularity`` that entity's popularity, ``opens`` the most
    words a gazetteer name beginning with the query's first word has (0 when
    none does; Gazetteer.first_words()).
    """
    q, n = spelled(form), spelled(name)
    q_skeleton, n_skeleton = q.skeleton, n.skeleton
    q_letters = len(q.spelling)
    # words are cut on the normal forms: the spelling key drops the spaces; when
    # only the spacing differs (شہبازشریف / شهباز شريف), the name word for word
    shape = n if q.spelling == n.spelling else q
    q_words, q_split, q_skeletons = shape.words, shape.split, shape.skeletons
    n_words, n_skeletons = n.words, n.skeletons
    several = len(q_words) > 1 and len(n_words) > 1
    # an exact or normalized match is the name itself, whatever else it begins
    loose = method not in ("exact", "normalized")
    alone = -1  # the word of the name a one-word query is closest to, if any is alike
    if len(q_skeletons) == 1 and len(n_skeletons) > 1:
        likeness = [Indel.normalized_similarity(q_skeletons[0], word) for word in n_skeletons]
        if max(likeness) > 0:
            alone = likeness.index(max(likeness))
    # a person-shaped query (its words, of several, are given names and surnames)
    # that reaches a name of fewer words, joining or dropping some (جرج آلن →
    # جرجان, Gorgan; جک کینگستون → کینگستون): a person named like a place, not it
    share = shape.name_share
    lost = len(q_split) > len(n_words)
    agree, differ = name_agreement(q_split, n.split, q_skeletons, n_skeletons)
    own = script_lang(raw)
    # each in its own language: a frequent Urdu word (میں "in") is no evidence for
    # the Arabic name it equals after normalize() (مين, Maine), as the Arabic
    # name's own frequency in Arabic says
    # the query in the language its letters betray, else in the name's own: an
    # exact match is then no more frequent than itself (پوتن, listed in Persian
    # only, is no word of Arabic text just because an Arabic name spells it so)
    name_lang_lexicon = LEXICON_LANG.get(name_lang)
    # a one-word query in Persian letters, in either lexicon that writes them (a
    # phrase stays in one: نئی دلی is two frequent Urdu words and a name)
    reads: tuple[str | None, ...] = (own or name_lang_lexicon,)
    if own in READ_ALSO and " " not in query:
        reads = READ_ALSO[own]
    word = max(phrase_zipf(query, read) for read in reads)
    name_word = phrase_zipf(name, name_lang_lexicon)
    clitic_gain = 0.0
    if variant.startswith("clitic"):
        clitic_gain = (max(phrase_zipf(form, read) for read in reads) - word) / ZIPF_SCALE
    other_language = own is not None and own != "ar" and LEXICON_LANG.get(name_lang, own) == "ar"
    return (
        STRICTNESS[method],
        1.0 if method == "partial" else 0.0,
        1.0 if method == "cross_script" else 0.0,
        similarity,
        Indel.normalized_similarity(q_skeleton, n_skeleton),
        Indel.normalized_similarity(q.consonants, n.consonants),
        1.0 if q_skeleton[:1] == n_skeleton[:1] else 0.0,
        max(0.0, (SHORT_LETTERS - q_letters) / (SHORT_LETTERS - 2)),
        min(len(q_words), 4) / 4,
        min(len(n_words), 4) / 4,
        1.0 if several and q_words[0] == n_words[0] else 0.0,
        1.0 if several and q_words[-1] == n_words[-1] else 0.0,
        weakest_word(q_skeletons, n_skeletons),
        weakest_word(n_skeletons, q_skeletons),
        1.0 if loose and opens > 1 and len(q_words) == 1 else 0.0,
        1.0 if loose and len(q_words) == 1 and name_items(q_split[0]) else 0.0,
        1.0 if alone == 0 else 0.0,
        1.0 if alone == len(n_words) - 1 > 0 else 0.0,
        1.0 if len(q_split) == 1 and q_split[0].startswith("ال") else 0.0,
        agree,
        differ,
        differ if entity_type == "person" else 0.0,
        share,
        share if lost and entity_type != "person" else 0.0,
        1.0 if entity_type == "person" else 0.0,
        word / ZIPF_SCALE if loose or other_language else 0.0,
        _wordness(query),
        _wordness(name),
        max(0.0, word - name_word) / ZIPF_SCALE,
        1.0 if derived_from(query, name) else 0.0,
        1.0 if variant and "article" not in variant else 0.0,
        1.0 if "article" in variant else 0.0,
        clitic_gain,
        1.0 if other_language else 0.0,
        popularity_prior(popularity),
        _lead(popularity, rival_popularity),
        1.0 if lang is not None and name_lang == lang else 0.0,
        _gap(gap),
    )


def _lead(popularity: int, rival_popularity: int) -> float:
    return max(-1.0, min(1.0, popularity_prior(popularity) - popularity_prior(rival_popularity)))


def _gap(gap: float) -> float:
    return max(-GAP_CLIP, min(GAP_CLIP, gap)) / GAP_CLIP


_LEAD, _GAP = FEATURES.index("popularity_lead"), FEATURES.index("gap")


def against(
    evidence: tuple[float, ...], popularity: int, rival_popularity: int, gap: float
) -> tuple[float, ...]:
    """``evidence`` (of features()) with its competition weighed anew: against a
    rival of ``rival_popularity`` whose stage score is ``gap`` behind (0 and the
    candidate's own stage score for none)."""
    x = list(evidence)
    x[_LEAD], x[_GAP] = _lead(popularity, rival_popularity), _gap(gap)
    return tuple(x)


class Spelled(NamedTuple):
    """What the evidence reads of one normal form, the query's or a name's."""

    split: tuple[str, ...]  # its words (norm.split(" "))
    spelling: str  # keys.spelling_key of the whole
    skeleton: str  # keys.skeleton_key of that
    consonants: str  # keys.consonant_key of that
    words: tuple[str, ...]  # the spelling key of each (non-empty) word
    skeletons: tuple[str, ...]  # the skeleton key of each of those
    name_share: float  # for several words: the share that are known name parts (lexicon.name_items)


# Distinct normal forms whose Spelled is remembered: a query is weighed against
# each of its candidates, and the gazetteer's names recur from query to query
# (about 0.5 kB each).
SPELLED_REMEMBERED = 16_384


@lru_cache(maxsize=SPELLED_REMEMBERED)
def spelled(norm: str) -> Spelled:
    """The keys of a normal form and of its words, and how much its words are
    name parts: what features() compares, computed once per form."""
    spelling = spelling_key(norm)
    skeleton = skeleton_key(spelling)
    split = tuple(norm.split(" "))
    words = tuple(spelling_key(word) for word in split if word)
    share = sum(1 for word in split if name_items(word)) / len(split) if len(split) > 1 else 0.0
    return Spelled(
        split, spelling, skeleton, consonant_key(skeleton), words, tuple(map(skeleton_key, words)), share
    )


def _wordness(form: str) -> float:
    return (max(-WORDNESS_CLIP, min(WORDNESS_CLIP, wordness(form))) + WORDNESS_CLIP) / (2 * WORDNESS_CLIP)


def weakest_word(words: Sequence[str], other: Sequence[str]) -> float:
    """How alike the least matched of ``words`` is to its closest word of
    ``other`` (Indel similarity of skeleton keys): 1 when every word has its
    match. A variant spelling changes every word a little; a stranger who shares
    a given name with a known person (جيم نايت / جيم رايت), or a given name alone
    matched to a full name (تريغفي / تريغفي لي), leaves one word unmatched."""
    if not words or not other:
        return 0.0
    weakest = 1.0
    for word in words:
        if word not in other:  # a word of ``other`` itself is alike 1.0, the most there is
            closest = max(Indel.normalized_similarity(word, theirs) for theirs in other)
            if closest < weakest:
                weakest = closest
    return weakest


def name_agreement(
    words: Sequence[str], other: Sequence[str], skeletons: Sequence[str], other_skeletons: Sequence[str]
) -> tuple[float, float]:
    """Whether the words of a query spell the names its closest words of the
    matched name spell (lexicon.name_items): the share of the query's words
    that share a name item with their closest word, written otherwise
    (ولاديمير / فلاديمير), and 1.0 when some word and
    its closest word are both known names with no item in common (رادنی / ران,
    Rodney / Ron: another person), else 0.0. Words of other scripts and
    unknown words count for neither."""
    if len(words) != len(skeletons) or len(other) != len(other_skeletons) or not other:
        return 0.0, 0.0
    agree, differ = 0, 0.0  # agree counts words
    for word, skeleton in zip(words, skeletons, strict=True):
        mine = name_items(word)
        if not mine:
            continue
        if skeleton in other_skeletons:  # alike 1.0 only to itself: the first such is the closest
            closest = other_skeletons.index(skeleton)
        else:
            closest = max(
                range(len(other)), key=lambda j: Indel.normalized_similarity(skeleton, other_skeletons[j])
            )
        theirs = name_items(other[closest])
        if mine & theirs:
            # a word that is the name's own word agrees with nothing but itself
            agree += word != other[closest]
        elif theirs:
            differ = 1.0
    return agree / len(words), differ


# The evidence a Link carries (Link.evidence), by feature name: what a person
# reviewing a link wants to see; the method flags are already Link.method.
SHOWN = (
    "similarity",
    "sim_skeleton",
    "sim_consonants",
    "loose_word_zipf",
    "wordness",
    "zipf_gap",
    "derived",
    "clitic_gain",
    "other_language",
    "popularity_prior",
    "popularity_lead",
    "gap",
    "weakest_word",
    "names_differ",
)
_SHOWN_AT = tuple(FEATURES.index(name) for name in SHOWN)


def shown_evidence(evidence: tuple[float, ...]) -> tuple[tuple[str, float], ...]:
    """The (name, value) pairs of SHOWN, rounded, for a Link."""
    if not evidence:
        return ()
    return tuple((name, round(evidence[i], 4)) for name, i in zip(SHOWN, _SHOWN_AT, strict=True))
