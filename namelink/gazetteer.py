"""Gazetteer: entities, their compiled index, and the lookups over them.

Lookup runs one way: normalize → keys → postings (index.py) → rescore
(score.py) → Link. The record format lives in records.py, the index and its
cache in index.py.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import Indel

from namelink import score as scoring
from namelink.evidence import FEATURES, evidence_phrase, features, shown_evidence
from namelink.explain import explain
from namelink.index import ARABIC_SCRIPT, LATIN, SAME_SCRIPT_KINDS, Index, build_index, load_index, trigrams
from namelink.index.grams import most_shared
from namelink.keys import (
    adjective_bases,
    consonant_key,
    first_word_key,
    keys_of_normalized,
    romanized_key,
    skeleton_key,
    sound_spelling,
    spelling_key,
    variants,
)
from namelink.lexicon import is_common_word, script_lang
from namelink.normalize import check_str, normalize
from namelink.options import check_threshold, check_types
from namelink.records import (
    ENTITIES_FILE,
    MANIFEST_FILE,
    QID,
    Decision,
    Entity,
    GazetteerError,
    Link,
    Mention,
    entities_path,
    read_manifest,
    validate_records,
)

__all__ = ["ENTITIES_FILE", "MANIFEST_FILE", "Gazetteer", "GazetteerError"]

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
# Spans of running text whose link_as_written() a gazetteer remembers: a few
# megabytes of links, and most of a news corpus's names.
TEXT_LINKS = 65_536
# A normalized name longer than this is not a name: it is refused at once, so a
# 100 kB "name" costs one normalize() and nothing else.
MAX_NAME_CHARS = 256


class _Weighed(NamedTuple):
    """A hit with its evidence and calibrated probability."""

    entity: int
    hit: _Hit
    probability: float
    evidence: tuple[float, ...]


class _Hit(NamedTuple):
    """How one entity was reached: the best of its names for this query."""

    score: float
    name_id: int  # -1 for a QID given as input
    method: str  # a BANDS key of score.py
    similarity: float
    form: str  # the form of the query that matched (a variant, or the query itself)
    variant: str  # what made the variant ("clitic و stripped"), or ""


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


# --- Lookup -------------------------------------------------------------------------------


class Gazetteer:
    """A set of entities with a compiled index, and the lookups over it.

    ``Gazetteer.default()`` is the embedded gazetteer; ``Gazetteer.load(path)``
    and ``Gazetteer.from_records(records)`` give the same methods for your data.
    """

    _default: Gazetteer | None = None
    _default_lock = threading.Lock()

    def __init__(self, index: Index, *, manifest: dict[str, Any] | None = None, path: Path | None = None):
        self._index = index
        self.manifest: dict[str, Any] = manifest or {}
        self.path = path
        self._first_word_table: dict[str, int] | None = None
        self._first_key_table: dict[str, int] | None = None
        self._as_written = lru_cache(maxsize=TEXT_LINKS)(self._link_as_written)

    # -- construction ----------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path, *, cache_dir: str | Path | None = None) -> Gazetteer:
        """A gazetteer directory (entities.jsonl + manifest.json) or a JSONL file."""
        if not isinstance(path, (str, Path)):
            raise TypeError(f"path must be str or Path, not {type(path).__name__}")
        file = entities_path(path)
        if not file.is_file():
            raise GazetteerError(
                f"{path}: no gazetteer here (expected a directory with {ENTITIES_FILE} or a .jsonl file)"
            )
        return cls(load_index(file, cache_dir), manifest=read_manifest(path), path=Path(path))

    @classmethod
    def from_records(cls, records: Iterable[dict[str, Any]]) -> Gazetteer:
        """A gazetteer from dicts of exactly the JSONL shape (built in memory, not cached)."""
        if isinstance(records, (str, bytes, dict)):
            raise TypeError(f"records must be an iterable of dicts, not {type(records).__name__}")
        checked = validate_records(enumerate(records, 1), lambda i: f"record {i}", unit="record")
        return cls(build_index(checked))

    @classmethod
    def default(cls) -> Gazetteer:
        """The embedded default gazetteer, loaded once per process."""
        if cls._default is None:
            with cls._default_lock:
                if cls._default is None:
                    path = Path(str(resources.files("namelink") / "data" / "default"))
                    cls._default = cls.load(path)
        return cls._default

    # -- entities --------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._index.qids)

    @property
    def name_count(self) -> int:
        return len(self._index.name_text)

    def __repr__(self) -> str:
        where = f" from {self.path}" if self.path else ""
        return f"<Gazetteer {len(self)} entities, {self.name_count} names{where}>"

    def entity(self, qid: str) -> Entity | None:
        """The entity with this QID (or accepted alternative QID), or None."""
        check_str(qid, "qid")
        found = self._index.qid_index.get(qid.strip().upper())
        return self._index.entity(found[0]) if found else None

    def entities(self) -> Iterator[Entity]:
        for i in range(len(self)):
            yield self._index.entity(i)

    def records(self) -> Iterator[dict[str, object]]:
        """Every entity as a dict of the JSONL shape, in gazetteer order."""
        for entity in self.entities():
            yield entity.to_record()

    # -- lookup ----------------------------------------------------------------------

    def _hits(self, norm: str, exact_text: str, lang: str | None, loose: bool = True) -> dict[int, _Hit]:
        """The best hit per entity index for a normalized query, from every stage:
        normal form and same-script keys (also for the query's variants: clitics
        stripped, a designator dropped, the article added or dropped), the
        romanized key across scripts, and fuzzy trigram candidates when nothing
        better than a consonant-key match was found.

        A common word (قمة, رئیس) links only to a name spelled exactly as given
        (Urdu ترکی is Türkiye, Arabic تركي is "Turkish"), and the adjective of a
        name (الروسي) by its normal form only: one letter from a name is not a
        variant of it.
        """
        index = self._index
        best: dict[int, _Hit] = {}

        def offer(name_id: int, method: str, similarity: float, form: str, variant: str) -> None:
            entity = index.name_entity[name_id]
            in_lang = lang is None or index.langs[index.name_lang[name_id]] == lang
            weight = scoring.rescale_fuzzy(similarity) if method == "fuzzy" else similarity
            quality = scoring.quality(weight, index.popularity[entity], in_lang)
            value = scoring.score(method, quality, variant=bool(variant))
            if entity not in best or value > best[entity].score:
                best[entity] = _Hit(value, name_id, method, similarity, form, variant)

        common = is_common_word(norm)
        strict = (
            not loose
            or common
            or (
                not exact_text.endswith("ى")  # final alef maksura (بخارى) is no nisba ending
                and any(index.normalized.get(base) for base in adjective_bases(norm))
            )
        )
        forms = [(norm, ""), *variants(norm)] if not strict else [(norm, "")]
        if script_lang(exact_text) in ("fa", "ur"):
            # Persian and Urdu have no article: ال is not added to or taken off their words
            forms = [(form, why) for form, why in forms if "article" not in why]
        for form, variant in forms:
            for name_id in index.normalized.get(form):
                exact = not variant and index.name_text[name_id] == exact_text
                if exact or not common:
                    offer(name_id, "exact" if exact else "normalized", 1.0, form, variant)
            if strict or (variant and is_common_word(form)):
                continue
            form_keys = keys_of_normalized(form)
            spelling = form_keys[0]
            last = spelling_key(form.rsplit(" ", 1)[1]) if " " in form else ""
            for kind, key, postings in zip(SAME_SCRIPT_KINDS, form_keys, index.keys, strict=False):
                ids = postings.get(key)
                if len(ids) > MAX_POSTING:
                    continue
                for name_id in ids:
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
        if strict:
            return best
        self._partial(norm, offer)
        self._cross_script(norm, offer)
        if not best or max(hit.score for hit in best.values()) < scoring.FUZZY_UNLESS_ABOVE:
            self._fuzzy(norm, offer)
        return best

    def _partial(self, norm: str, offer: Callable[[int, str, float, str, str], None]) -> None:
        """Names that share their last word with the query and whose words are all
        in the query, or that hold all the query's words: طيب أردوغان is رجب طيب
        أردوغان, and فلاديمير فلاديميروفيتش بوتين is فلاديمير بوتين; a different
        last word is a different family (حمد بن عيسى المري). A single word reaches
        a person by the surname (ميشوستن, ميخائيل ميشوستين). A word so common that
        more than MAX_POSTING names carry it counts for nothing."""
        index = self._index
        query = [spelling_key(word) for word in norm.split(" ")]
        if len(query) == 1:
            ids = index.surnames.get(skeleton_key(query[0]))
            if len(ids) <= MAX_POSTING:
                for name_id in ids:
                    surname = index.name_last[name_id]
                    if Indel.normalized_similarity(query[0], surname) >= scoring.SURNAME_MIN_SIMILARITY:
                        offer(name_id, "partial", 2 / (1 + index.name_words[name_id]), norm, "")
            return
        words = set(query)
        shared: Counter[int] = Counter()
        for word in words:
            ids = index.words.get(word)
            if len(ids) <= MAX_POSTING:
                shared.update(ids)
        last = query[-1]
        for name_id, count in shared.items():
            size = index.name_words[name_id]
            agree = count >= 2 and (count == len(words) or count == size) and index.name_last[name_id] == last
            if agree:
                offer(name_id, "partial", 2 * count / (len(words) + size), norm, "")

    def _cross_script(self, norm: str, offer: Callable[[int, str, float, str, str], None]) -> None:
        """Names in the other script (Latin for an Arabic-script query and back)
        that share the query's romanized key, scored by how close their sound
        spellings (consonant classes with vowels) are."""
        index = self._index
        key = romanized_key(norm)
        ids = index.romanized.get(key) if len(key) >= scoring.MIN_ROMANIZED_KEY else ()
        if len(ids) > MAX_POSTING:
            return
        own_script = LATIN if norm.isascii() else ARABIC_SCRIPT
        query = sound_spelling(norm)
        for name_id in ids:
            if index.scripts[index.name_entity[name_id]] & own_script:
                continue
            name = normalize(index.name_text[name_id])
            whole = Indel.normalized_similarity(query, sound_spelling(name))
            surname = Indel.normalized_similarity(query, sound_spelling(name.rsplit(" ", 1)[-1]))
            offer(name_id, "cross_script", max(whole, surname * scoring.PART_OF_NAME), norm, "")

    def _fuzzy(self, norm: str, offer: Callable[[int, str, float, str, str], None]) -> None:
        """Candidates that share the most skeleton trigrams with the query, read
        rarest trigram first within a fixed budget: never a scan of the gazetteer."""
        index = self._index
        spelling = keys_of_normalized(norm)[0]
        last = spelling_key(norm.rsplit(" ", 1)[1]) if " " in norm else ""
        lists = [index.grams.get(gram) for gram in trigrams(spelling)]
        ids = most_shared(
            lists,
            budget=FUZZY_SCAN,
            min_lists=FUZZY_MIN_GRAMS,
            limit=FUZZY_CANDIDATES,
            sizes=index.name_grams,
        )
        choices = [index.name_spelling[name_id] for name_id in ids]
        # One C-level pass rescores all; the adjustments run on the few that pass.
        cutoff = scoring.FUZZY_MIN_SIMILARITY
        for _, _, position in process.extract(
            spelling, choices, scorer=Indel.normalized_similarity, score_cutoff=cutoff, limit=None
        ):
            name_id = ids[position]
            similarity = fuzzy_similarity(spelling, last, choices[position], index.name_last[name_id])
            if similarity >= cutoff:
                offer(name_id, "fuzzy", similarity, norm, "")

    def _ranked(
        self, name: str, types: frozenset[str] | None, lang: str | None, loose: bool = True
    ) -> list[tuple[int, _Hit]]:
        """Every entity ``name`` reaches with its best hit, best first. ``loose=False``
        looks up the normal form only (link_text(): running text is not a list of
        names). Links are made later, only for what a call returns."""
        check_str(name, "name")
        if lang is not None:
            check_str(lang, "lang")
        index = self._index
        stripped = name.strip()
        if QID.fullmatch(stripped.upper()):
            found = index.qid_index.get(stripped.upper())
            if not found or (types is not None and index.types[found[0]] not in types):
                return []
            return [(found[0], _Hit(scoring.BANDS["qid"][0], -1, "qid", 1.0, "", ""))]
        norm = normalize(stripped)
        if not norm or len(norm) > MAX_NAME_CHARS:
            return []
        hits = self._hits(norm, stripped, lang, loose)
        head, comma, _ = stripped.partition(",")
        head_norm = normalize(head) if comma else ""
        if (
            loose
            and head_norm
            and (not hits or max(h.score for h in hits.values()) < scoring.FUZZY_UNLESS_ABOVE)
        ):
            # "Tehran, Iran": the name before a qualifying comma.
            for entity, hit in self._hits(head_norm, head.strip(), lang).items():
                why = "qualifier after the comma dropped"
                qualified = hit._replace(score=hit.score - scoring.VARIANT_PENALTY, variant=why)
                if entity not in hits or qualified.score > hits[entity].score:
                    hits[entity] = qualified
        return sorted(
            (item for item in hits.items() if types is None or index.types[item[0]] in types),
            key=lambda item: (-item[1].score, -index.popularity[item[0]], index.qids[item[0]]),
        )

    def _weighed(
        self, name: str, ranked: list[tuple[int, _Hit]], lang: str | None, top: int = scoring.CALIBRATED
    ) -> list[_Weighed]:
        """The ``top`` best of ``ranked`` (stage scores) with their evidence and
        calibrated probability, most probable first."""
        index = self._index
        raw = self._weighed_raw(name, ranked, lang, top)
        if raw and raw[0].hit.method == "qid":
            return raw
        coherent = scoring.coherent(
            [scoring.probability(w.evidence) for w in raw],
            [(w.hit.method, w.hit.similarity, w.hit.variant) for w in raw],
            [index.popularity[w.entity] for w in raw],
        )
        out = [w._replace(probability=p) for w, p in zip(raw, coherent, strict=True)]
        out.sort(key=lambda w: (-w.probability, -w.hit.score, index.qids[w.entity]))
        return out

    def _weighed_raw(
        self, name: str, ranked: list[tuple[int, _Hit]], lang: str | None, top: int
    ) -> list[_Weighed]:
        """The ``top`` best of ``ranked`` with their evidence, in stage order."""
        if not ranked:
            return []
        index = self._index
        raw = name.strip()
        if ranked[0][1].method == "qid":
            entity, hit = ranked[0]
            return [_Weighed(entity, hit, scoring.BANDS["qid"][0], ())]
        query = normalize(raw)
        best, second = ranked[0][1].score, ranked[1][1].score if len(ranked) > 1 else 0.0
        first_entity, second_entity = ranked[0][0], ranked[1][0] if len(ranked) > 1 else -1
        opens = self.first_words().get(query.partition(" ")[0], 0)
        out: list[_Weighed] = []
        for position, (entity, hit) in enumerate(ranked[:top]):
            rival = second_entity if position == 0 else first_entity
            evidence = features(
                query=query,
                raw=raw,
                form=hit.form,
                name=normalize(index.name_text[hit.name_id]),
                name_lang=index.langs[index.name_lang[hit.name_id]],
                method=hit.method,
                similarity=hit.similarity,
                variant=hit.variant,
                popularity=index.popularity[entity],
                rival_popularity=index.popularity[rival] if rival >= 0 else 0,
                entity_type=index.types[entity],
                lang=lang,
                gap=hit.score - (second if position == 0 else best),
                opens=opens,
            )
            out.append(_Weighed(entity, hit, hit.score, evidence))
        return out

    def _decide(self, weighed: list[_Weighed], query: str, threshold: float) -> Link | None:
        """score.decide() over the two most probable candidates, as Links."""
        return scoring.decide([self._link(w, query) for w in weighed[:2]], threshold)

    def _link(self, weighed: _Weighed, query: str) -> Link:
        index = self._index
        entity, hit = weighed.entity, weighed.hit
        name_id = hit.name_id
        matched = index.name_text[name_id] if name_id >= 0 else index.qids[entity]
        return Link(
            qid=index.qids[entity],
            label=index.labels[entity],
            score=weighed.probability,
            matched_name=matched,
            matched_lang=index.langs[index.name_lang[name_id]] if name_id >= 0 else "",
            method="key" if hit.method in SAME_SCRIPT_KINDS else hit.method,
            key=hit.method if hit.method in SAME_SCRIPT_KINDS else "",
            type=index.types[entity],
            description=index.descriptions[entity],
            explanation="; ".join(
                part
                for part in (
                    explain(query, matched, hit.method, hit.similarity, hit.form, hit.variant),
                    evidence_phrase(weighed.evidence, weighed.probability),
                )
                if part
            ),
            popularity=index.popularity[entity],
            evidence=shown_evidence(weighed.evidence),
        )

    def first_words(self) -> dict[str, int]:
        """First word of every normalized name → the most words a name starting
        with it has: where link_text() may find a name, and how long it may be.
        Built on first use (about a second for a 1M-name gazetteer)."""
        if self._first_word_table is None:
            table: dict[str, int] = {}
            for name in self._index.normalized.keys:
                first, _, rest = name.partition(" ")
                words = rest.count(" ") + 2 if rest else 1
                if words > table.get(first, 0):
                    table[first] = words
            self._first_word_table = table
        return self._first_word_table

    def first_word_keys(self) -> dict[str, int]:
        """keys.first_word_key of the first word of every name → the most words a
        name starting so has: where link_text() may find a name spelled otherwise.
        Built on first use, like first_words()."""
        if self._first_key_table is None:
            table: dict[str, int] = {}
            for first, words in self.first_words().items():
                key = first_word_key(first)
                if words > table.get(key, 0):
                    table[key] = words
            self._first_key_table = table
        return self._first_key_table

    def holds_key_of(self, norm: str) -> bool:
        """Whether a name of this gazetteer shares its skeleton or consonant key
        with the normalized ``norm`` (a spelling-key match shares the skeleton
        too): the cheap test before a full loose lookup in text."""
        skeleton = first_word_key(norm)
        return bool(self._index.keys[2].get(skeleton) or self._index.keys[3].get(consonant_key(skeleton)))

    def holds_name(self, norm: str) -> bool:
        """Whether some name of this gazetteer has the normal form ``norm``."""
        return bool(self._index.normalized.get(norm))

    def link_as_written(
        self, name: str, types: frozenset[str] | None, threshold: float | None
    ) -> Link | None:
        """link() by the normal form only (no key, no variant, no fuzzy stage): for
        a span of running text, which is no list of names. Remembered across
        calls (TEXT_LINKS distinct spans): news names the same people and places
        in document after document."""
        return self._as_written(name, types, threshold)

    def _link_as_written(
        self, name: str, types: frozenset[str] | None, threshold: float | None
    ) -> Link | None:
        weighed = self._weighed(name, self._ranked(name, types, None, loose=False), None)
        return self._decide(weighed, name.strip(), check_threshold(threshold))

    def link_text(
        self,
        text: str,
        *,
        types: Iterable[str] | str | None = None,
        threshold: float | None = None,
    ) -> list[Mention]:
        """Every mention of a name of this gazetteer in ``text``; see namelink.text."""
        from namelink.text import link_text

        return link_text(text, gazetteer=self, types=types, threshold=threshold)

    def iter_link_text(
        self,
        text: str,
        *,
        types: Iterable[str] | str | None = None,
        threshold: float | None = None,
    ) -> Iterator[Mention]:
        """link_text() as an iterator, for large texts."""
        from namelink.text import iter_link_text

        return iter_link_text(text, gazetteer=self, types=types, threshold=threshold)

    def candidates(
        self,
        name: str,
        *,
        types: Iterable[str] | str | None = None,
        limit: int = 5,
        lang: str | None = None,
    ) -> list[Link]:
        """Entities that ``name`` may denote, best first, below-threshold ones included."""
        if not isinstance(limit, int) or isinstance(limit, bool):
            raise TypeError(f"limit must be int, not {type(limit).__name__}")
        ranked = self._ranked(name, check_types(types), lang)
        weighed = self._weighed(name, ranked, lang, top=max(limit, scoring.CALIBRATED))
        shown = [w for w in weighed if w.probability >= scoring.CANDIDATE_CUTOFF]
        return [self._link(w, name.strip()) for w in shown[: max(limit, 0)]]

    def evidence(
        self,
        name: str,
        *,
        types: Iterable[str] | str | None = None,
        limit: int = scoring.CALIBRATED,
        lang: str | None = None,
    ) -> list[tuple[str, str, dict[str, float]]]:
        """What the decision weighs for each of the ``limit`` best candidates:
        (qid, method, {feature: value}) in namelink.evidence.FEATURES order, best
        stage score first. For looking inside a decision, and for fitting the model
        (gazetteers/fit_model.py)."""
        if not isinstance(limit, int) or isinstance(limit, bool):
            raise TypeError(f"limit must be int, not {type(limit).__name__}")
        ranked = self._ranked(name, check_types(types), lang)
        out = []
        for w in self._weighed_raw(name, ranked, lang, max(limit, 0)):
            out.append(
                (self._index.qids[w.entity], w.hit.method, dict(zip(FEATURES, w.evidence, strict=True)))
            )
        return out

    def link(
        self,
        name: str,
        *,
        types: Iterable[str] | str | None = None,
        threshold: float | None = None,
        lang: str | None = None,
    ) -> Link | None:
        """The entity ``name`` denotes, or None when nothing clears ``threshold`` or
        the runner-up is too close to call."""
        cutoff = check_threshold(threshold)
        ranked = self._ranked(name, check_types(types), lang)
        return self._decide(self._weighed(name, ranked, lang), name.strip(), cutoff)

    def decision(
        self,
        name: str,
        *,
        types: Iterable[str] | str | None = None,
        threshold: float | None = None,
        lang: str | None = None,
    ) -> Decision:
        """link() with its reasons, from one lookup: the Link, or whether the name
        is ambiguous (known, but the two best are too close to call) rather than
        unknown, and the best candidates (namelink csv's statuses, review columns)."""
        cutoff = check_threshold(threshold)
        weighed = self._weighed(name, self._ranked(name, check_types(types), lang), lang)
        shown = [self._link(w, name.strip()) for w in weighed if w.probability >= scoring.CANDIDATE_CUTOFF]
        found = scoring.decide(shown[:2], cutoff)
        return Decision(found, scoring.ambiguous(shown[:2], cutoff), tuple(shown))

    def link_many(
        self,
        names: Iterable[str],
        *,
        types: Iterable[str] | str | None = None,
        threshold: float | None = None,
        lang: str | None = None,
    ) -> list[Link | None]:
        """link() for each name, in input order, linking each distinct name once."""
        if isinstance(names, str):
            raise TypeError("names must be an iterable of str, not a single str")
        wanted = check_types(types)
        cutoff = check_threshold(threshold)
        done: dict[str, Link | None] = {}
        out: list[Link | None] = []
        for name in names:
            check_str(name, "names[]")
            if name not in done:
                weighed = self._weighed(name, self._ranked(name, wanted, lang), lang)
                done[name] = self._decide(weighed, name.strip(), cutoff)
            out.append(done[name])
        return out
