"""The lookup stages: from a query to the entities it reaches, each with its best hit.

    name → normalize() → forms (the query and its variants) → stages → ranked hits

Each stage is a small function over a compiled Index that offers hits; an
entity keeps the best one offered (its stage score, score.py's bands):

* ``same_script``: the normal form, then the same-script keys (spelling, word
  order, skeleton, consonants), for the query and its variants (clitics
  stripped, a designator dropped, the article added or dropped);
* ``partial``: names that share the query's last word and its other words;
* ``cross_script``: the romanized key, for names in the other script;
* ``fuzzy``: trigram candidates, when nothing better than a consonant-key hit
  was found.

What a hit is worth as a link is decided later (links.py); this module only
finds and orders candidates.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import Indel

from namelink import score as scoring
from namelink.evidence import LEXICON_LANG, popularity_prior
from namelink.index import ARABIC_SCRIPT, LATIN, SAME_SCRIPT_KINDS, Index, trigrams
from namelink.index.grams import most_shared
from namelink.keys import keys_of_normalized, romanized_key, skeleton_key, sound_spelling, spelling_key
from namelink.lexicon import is_common_word, script_lang, takes_no_arabic_clitics, word_zipf
from namelink.morphology import adjective_bases, designators_dropped, variants
from namelink.normalize import check_str, keeps_apart, normalize
from namelink.records import QID

__all__ = [
    "FUZZY_CANDIDATES",
    "FUZZY_MIN_GRAMS",
    "FUZZY_SCAN",
    "MAX_NAME_CHARS",
    "MAX_POSTING",
    "Hit",
    "cross_script",
    "designated",
    "fuzzy",
    "fuzzy_similarity",
    "hits",
    "is_kind",
    "partial",
    "ranked",
    "same_script",
]

# A key that more names than this share is too common to narrow anything down
# (measured: the loosest key of a 1M-name gazetteer has a handful of such keys).
MAX_POSTING = 2000
# Fuzzy blocking: trigrams of the spelling key. Query trigrams are read rarest
# first until FUZZY_SCAN ids have been counted (at least FUZZY_MIN_GRAMS lists:
# one typo spoils at most three trigrams, so the right name is in the fourth),
# and the FUZZY_CANDIDATES ids sharing the most trigrams are rescored. Those
# bounds make a query's work independent of the gazetteer's size; the values
# keep recall at or above brute force on the benchmark's noisy queries while
# 1M names stay within a few milliseconds (benchmarks/test_fuzzy_speed.py).
# Measured at 1M names: a budget of 5,000 misses the right name on 26 of 300
# typo queries where 20,000 misses 7 (at 100k both find all).
FUZZY_SCAN = 20_000
FUZZY_MIN_GRAMS = 4
FUZZY_CANDIDATES = 200
# A normalized name longer than this is not a name: it is refused at once, so a
# 100 kB "name" costs one normalize() and nothing else.
MAX_NAME_CHARS = 256


class Hit(NamedTuple):
    """How one entity was reached: the best of its names for this query."""

    score: float  # the stage score (score.BANDS), for ordering candidates
    name_id: int  # -1 for a QID given as input
    method: str  # a BANDS key of score.py
    similarity: float
    form: str  # the form of the query that matched (a variant, or the query itself)
    variant: str  # what made the variant ("clitic و stripped"), or ""


# A stage offers (name id, method, similarity, form, variant); the collector keeps the best.
Offer = Callable[[int, str, float, str, str], None]


def fuzzy_similarity(query: str, query_last: str, name: str, name_last: str) -> float:
    """How alike a query and a fuzzy candidate are: Indel similarity of their
    spelling keys, less when the first letters differ (writers rarely get the
    first letter wrong: زائير is not جزائير), and for two names of several words,
    held down by how alike their last words are (a different surname is a
    different person: حمد بن عيسى المري is not حمد بن عيسى آل خليفة). The
    ``*_last`` arguments are the spelling keys of the last words, or ""."""
    similarity = Indel.normalized_similarity(query, name)
    if query[:1] != name[:1]:
        similarity *= scoring.FIRST_LETTER_FACTOR
    if query_last and name_last:
        similarity = min(similarity, (similarity + Indel.normalized_similarity(query_last, name_last)) / 2)
    return similarity


def _last_word_key(norm: str) -> str:
    return spelling_key(norm.rsplit(" ", 1)[1]) if " " in norm else ""


def hits(index: Index, norm: str, exact_text: str, lang: str | None, loose: bool = True) -> dict[int, Hit]:
    """The best hit per entity index for a normalized query, from every stage.

    A common word (قمة, رئیس) links only to a name spelled exactly as given
    (Urdu ترکی is Türkiye, Arabic تركي is "Turkish"), and the adjective of a
    name (الروسي) by its normal form only: one letter from a name is not a
    variant of it. ``loose=False`` looks up the normal form only.
    """
    best: dict[int, Hit] = {}
    name_entity, popularity, ceiling = index.name_entity, index.popularity, scoring.CEILING
    # ties go to a name the query writes in the language its letters betray (Urdu ایران)
    own_lang = script_lang(exact_text)
    own = {i for i, code in enumerate(index.langs if own_lang else ()) if LEXICON_LANG.get(code) == own_lang}

    def mine(name_id: int) -> bool:
        return index.name_lang[name_id] in own and index.name_text[name_id] in exact_text

    def offer(name_id: int, method: str, similarity: float, form: str, variant: str) -> None:
        entity = name_entity[name_id]
        held = best.get(entity)
        if held is not None and held.score > ceiling[method]:
            return  # no score of this method can better it
        in_lang = lang is None or index.langs[index.name_lang[name_id]] == lang
        weight = scoring.rescale_fuzzy(similarity) if method == "fuzzy" else similarity
        prior = popularity_prior(popularity[entity])
        score = scoring.hit_score(method, weight, prior, 1.0 if in_lang else 0.0, bool(variant))
        if held is None or score > held.score or (score == held.score and mine(name_id) > mine(held.name_id)):
            best[entity] = Hit(score, name_id, method, similarity, form, variant)

    common = is_common_word(norm)
    strict = not loose or common
    if not strict and not exact_text.endswith("ى"):  # final alef maksura (بخارى) is no nisba ending
        strict = any(index.normalized.get(base) for base in adjective_bases(norm))
    forms = [(norm, ""), *variants(norm)] if not strict else [(norm, "")]
    # A clitic is stripped only when what is left is at least as plausible a word
    # as the whole token: كامل stays كامل ("complete", not ك + آمل), وبوتين is و + بوتين.
    first_zipf = word_zipf(norm.partition(" ")[0]) if len(forms) > 1 else 0.0
    forms = [
        (form, why)
        for form, why in forms
        if not why.startswith("clitic") or word_zipf(form.partition(" ")[0]) >= first_zipf
    ]
    if takes_no_arabic_clitics(exact_text):
        forms = [(form, why) for form, why in forms if "article" not in why and not why.startswith("clitic")]
    same_script(index, forms, exact_text, common=common, keyed=not strict, offer=offer, held=best)
    if strict:
        return best
    partial(index, norm, offer, held=best)
    cross_script(index, norm, offer, held=best)
    if not best or max(hit.score for hit in best.values()) < scoring.FUZZY_UNLESS_ABOVE:
        fuzzy(index, norm, offer)
    designated(index, norm, best)
    return best


def designated(index: Index, norm: str, best: dict[int, Hit]) -> None:
    """Of the entities that ``norm`` reached only once its designators were
    dropped, keep those of the kind the designator names, when any are: دولت
    کویت is the State of Kuwait and not Kuwait City, شهر گواتمالا Guatemala City
    and not Guatemala; جمهورية X reaches a river X only when no state is X."""
    dropped = designators_dropped(norm)
    if dropped is None:
        return
    form, _, kind = dropped
    if kind is None:
        return
    reached = [entity for entity, hit in best.items() if hit.form == form]
    agreeing = [entity for entity in reached if is_kind(index, entity, kind)]
    if agreeing:
        for entity in set(reached) - set(agreeing):
            del best[entity]


def is_kind(index: Index, entity: int, kind: str) -> bool:
    """Whether an entity is of a kind that a designator names (morphology.DESIGNATED_KIND):
    a state is a place inside no other (its ``country`` is none, or itself), a
    subdivision a place inside another."""
    kind_type = index.types[entity]
    if kind == "person":
        return kind_type == "person"
    if kind == "organization":
        return kind_type == "org"
    qid = index.qids[entity]
    inside = any(country != qid for country in index.country[entity])
    return kind_type == "place" and inside == (kind == "subdivision")


def _unbettered(index: Index, held: Mapping[int, Hit], ceiling: float) -> Callable[[int], bool]:
    """Whether a name's entity is held (in ``held``, the hits offered so far)
    below ``ceiling``, the most that a stage's offer of that name can score: a
    name of an entity held at or above it is skipped before its similarity is
    computed, since offering it would change nothing."""
    name_entity = index.name_entity

    def unbettered(name_id: int) -> bool:
        hit = held.get(name_entity[name_id])
        return hit is None or hit.score < ceiling

    return unbettered


def same_script(
    index: Index,
    forms: list[tuple[str, str]],
    exact_text: str,
    *,
    common: bool,
    keyed: bool,
    offer: Offer,
    held: Mapping[int, Hit] | None = None,
) -> None:
    """Names equal to a form in normal form, then (when ``keyed``) names that
    share a same-script key with it: exact when the name is written as the
    query was, normalized otherwise (by a key if a sound kept apart differs:
    روٹی, روٹے), a key or fuzzy hit by how alike the spelling keys are. A common
    word, or a variant that is one, reaches names by its normal form only.
    ``held`` is what ``offer`` holds so far, when the caller lets it be read."""
    for form, variant in forms:
        for name_id in index.normalized.get(form):
            exact = not variant and index.name_text[name_id] == exact_text
            if exact or not (common or keeps_apart(exact_text, index.name_text[name_id])):
                offer(name_id, "exact" if exact else "normalized", 1.0, form, variant)
        if not keyed or (variant and is_common_word(form)):
            continue
        form_keys = keys_of_normalized(form)
        spelling = form_keys[0]
        last = _last_word_key(form)
        for kind, key, postings in zip(SAME_SCRIPT_KINDS, form_keys, index.keys, strict=False):
            ids = postings.get(key)
            if len(ids) > MAX_POSTING:
                continue
            ceiling = max(scoring.CEILING[kind], scoring.CEILING["fuzzy"])
            for name_id in ids if held is None else filter(_unbettered(index, held, ceiling), ids):
                # Equal word-order keys are the same words: only their order differs.
                if kind == "word_order":
                    similarity = 1.0
                else:
                    similarity = Indel.normalized_similarity(spelling, index.name_spelling[name_id])
                if similarity >= scoring.KEY_MIN_SIMILARITY:
                    offer(name_id, kind, similarity, form, variant)
                else:
                    similarity = fuzzy_similarity(
                        spelling, last, index.name_spelling[name_id], index.name_last[name_id]
                    )
                    if similarity >= scoring.FUZZY_MIN_SIMILARITY:
                        offer(name_id, "fuzzy", similarity, form, variant)


def partial(index: Index, norm: str, offer: Offer, held: Mapping[int, Hit] | None = None) -> None:
    """Names that share their last word with the query and whose words are all
    in the query, or that hold all the query's words: طيب أردوغان is رجب طيب
    أردوغان, and فلاديمير فلاديميروفيتش بوتين is فلاديمير بوتين; a different
    last word is a different family (حمد بن عيسى المري). A single word reaches
    a person by the surname (ميشوستن, ميخائيل ميشوستين). A word so common that
    more than MAX_POSTING names carry it counts for nothing. ``held``: as for
    same_script()."""
    query = [spelling_key(word) for word in norm.split(" ")]
    if len(query) == 1:
        ids = index.surnames.get(skeleton_key(query[0]))
        if len(ids) > MAX_POSTING:
            return
        if held is not None:
            ids = list(filter(_unbettered(index, held, scoring.CEILING["partial"]), ids))
        # One C-level pass scores every surname; the offers go in posting order.
        alike = process.extract(
            query[0],
            index.name_last.many(ids),
            scorer=Indel.normalized_similarity,
            score_cutoff=scoring.SURNAME_MIN_SIMILARITY,
            limit=None,
        )
        for position in sorted(position for _, _, position in alike):
            name_id = ids[position]
            offer(name_id, "partial", 2 / (1 + index.name_words[name_id]), norm, "")
        return
    words = list(dict.fromkeys(query))  # in the query's order: ties go the same way in every process
    last = query[-1]
    postings = [index.words.get(word) for word in words]
    # A name agrees only with the query's last word as its own last (so its
    # postings hold it: a name's distinct words are in the postings, once each)
    # and with two of the words counted at least.
    last_ids = postings[words.index(last)]
    counted = [ids for ids in postings if len(ids) <= MAX_POSTING]
    if not last_ids or len(counted) < 2:
        return
    reach, found = set(last_ids), set[int]()
    for ids in counted:
        if ids is not last_ids:
            found.update(_shared(reach, ids))
    ending = [name_id for name_id in found if index.name_last[name_id] == last]
    # In the order in which a count over the postings in turn first meets them
    # (each posting ascending), the order offers were always made in.
    met = {name_id: [i for i, ids in enumerate(counted) if _holds(ids, name_id)] for name_id in ending}
    for name_id in sorted(ending, key=lambda name_id: (met[name_id][0], name_id)):
        count, size = len(met[name_id]), index.name_words[name_id]
        if count >= 2 and (count == len(words) or count == size):
            offer(name_id, "partial", 2 * count / (len(words) + size), norm, "")


# Looking each of a few ids up in a long posting by bisection beats a pass over
# it from this many times as many ids in the posting on (a bisection costs
# about as much as ten steps of set.intersection's pass).
BISECT_FROM = 10


def _shared(few: set[int], ids: Sequence[int]) -> Iterable[int]:
    """The ids of ``few`` that the ascending posting ``ids`` holds."""
    if len(ids) >= BISECT_FROM * len(few):
        return [name_id for name_id in few if _holds(ids, name_id)]
    return few.intersection(ids)


def _holds(ids: Sequence[int], name_id: int) -> bool:
    """Whether the ascending posting ``ids`` holds ``name_id``."""
    i = bisect_left(ids, name_id)
    return i < len(ids) and ids[i] == name_id


def cross_script(index: Index, norm: str, offer: Offer, held: Mapping[int, Hit] | None = None) -> None:
    """Names in the other script (Latin for an Arabic-script query and back)
    that share the query's romanized key, scored by how close their sound
    spellings (consonant classes with vowels) are. ``held``: as for same_script()."""
    key = romanized_key(norm)
    ids = index.romanized.get(key) if len(key) >= scoring.MIN_ROMANIZED_KEY else ()
    if len(ids) > MAX_POSTING:
        return
    own_script = LATIN if norm.isascii() else ARABIC_SCRIPT
    query = sound_spelling(norm)
    unbettered = _unbettered(index, held, scoring.CEILING["cross_script"]) if held is not None else None
    for name_id in ids:
        if index.scripts[index.name_entity[name_id]] & own_script:
            continue
        if unbettered is not None and not unbettered(name_id):
            continue
        name = normalize(index.name_text[name_id])
        whole = Indel.normalized_similarity(query, sound_spelling(name))
        surname = Indel.normalized_similarity(query, sound_spelling(name.rsplit(" ", 1)[-1]))
        offer(name_id, "cross_script", max(whole, surname * scoring.PART_OF_NAME), norm, "")


def fuzzy(index: Index, norm: str, offer: Offer) -> None:
    """Candidates that share the most skeleton trigrams with the query, read
    rarest trigram first within a fixed budget: never a scan of the gazetteer."""
    spelling = spelling_key(norm)  # keys_of_normalized(norm)[0], without the other four keys
    last = _last_word_key(norm)
    # sorted: lists that tie on rarity are read in the same order in every process
    lists = [index.grams.get(gram) for gram in sorted(trigrams(spelling))]
    ids = most_shared(
        lists,
        budget=FUZZY_SCAN,
        min_lists=FUZZY_MIN_GRAMS,
        limit=FUZZY_CANDIDATES,
        sizes=index.name_grams,
    )
    # One C-level pass rescores all; the adjustments run on the few that pass.
    cutoff = scoring.FUZZY_MIN_SIMILARITY
    first = spelling[:1]
    name_last = index.name_last
    for choice, similarity, position in process.extract(
        spelling,
        index.name_spelling.many(ids),
        scorer=Indel.normalized_similarity,
        score_cutoff=cutoff,
        limit=None,
    ):
        # fuzzy_similarity(), from the Indel similarity extract() has just computed
        name_id = ids[position]
        if choice[:1] != first:
            similarity *= scoring.FIRST_LETTER_FACTOR
        if last and (its_last := name_last[name_id]):
            similarity = min(similarity, (similarity + Indel.normalized_similarity(last, its_last)) / 2)
        if similarity >= cutoff:
            offer(name_id, "fuzzy", similarity, norm, "")


def ranked(
    index: Index, name: str, types: frozenset[str] | None, lang: str | None, loose: bool = True
) -> list[tuple[int, Hit]]:
    """Every entity ``name`` reaches with its best hit, best first (stage score,
    then popularity, then QID). A QID given as input reaches its entity; "Tehran,
    Iran" is also looked up as the name before the qualifying comma."""
    check_str(name, "name")
    if lang is not None:
        check_str(lang, "lang")
    stripped = name.strip()
    if QID.fullmatch(stripped.upper()):
        found = index.qid_index.get(stripped.upper())
        if not found or (types is not None and index.types[found[0]] not in types):
            return []
        return [(found[0], Hit(scoring.BANDS["qid"][0], -1, "qid", 1.0, "", ""))]
    norm = normalize(stripped)
    if not norm or len(norm) > MAX_NAME_CHARS:
        return []
    found_hits = hits(index, norm, stripped, lang, loose)
    head, comma, _ = stripped.partition(",")
    head_norm = normalize(head) if comma else ""
    if (
        loose
        and head_norm
        and (not found_hits or max(h.score for h in found_hits.values()) < scoring.FUZZY_UNLESS_ABOVE)
    ):
        why = "qualifier after the comma dropped"
        for entity, hit in hits(index, head_norm, head.strip(), lang).items():
            qualified = hit._replace(score=hit.score - scoring.VARIANT_PENALTY, variant=why)
            if entity not in found_hits or qualified.score > found_hits[entity].score:
                found_hits[entity] = qualified
    return sorted(
        (item for item in found_hits.items() if types is None or index.types[item[0]] in types),
        key=lambda item: (-item[1].score, -index.popularity[item[0]], index.qids[item[0]]),
    )
