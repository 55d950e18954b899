"""Gazetteers: the JSONL format, the compiled index, and lookup.

A gazetteer is JSON Lines, one entity per line, beside a ``manifest.json``::

    {"qid": "Q7747", "label": "Vladimir Putin", "type": "person", "classes": ["Q5"],
     "description": "President of Russia", "names": {"ar": ["فلاديمير بوتين", "بوتين"],
     "en": ["Vladimir Putin"]}, "popularity": 250}

Loading compiles an index over every name's normal form and keys. The index is
cached on disk (diskcache), keyed by a hash of the gazetteer's bytes, the keys
version and the index layout version, so that a change to any of them rebuilds
it. A cache entry that cannot be read is rebuilt, never trusted.

Lookup runs one way: normalize → keys → postings → rescore (score.py) → Link.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
import re
import threading
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import Indel

from namelink import score as scoring
from namelink.explain import explain
from namelink.keys import (
    KEY_KINDS,
    KEYS_VERSION,
    adjective_bases,
    keys_of_normalized,
    romanized_key,
    skeleton_key,
    sound_spelling,
    spelling_key,
    variants,
)
from namelink.normalize import check_str, normalize
from namelink.records import ENTITY_TYPES, Entity, Link, Mention
from namelink.words import is_common_word

__all__ = ["ENTITIES_FILE", "MANIFEST_FILE", "Gazetteer", "GazetteerError"]

log = logging.getLogger(__name__)

ENTITIES_FILE = "entities.jsonl"
MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 1
# The layout and content rules of _Index: bump it whenever the pickled structure
# or what _Index.__init__ puts into it changes, so that cached indexes rebuild.
INDEX_VERSION = "8"
# A key that more names than this share is too common to narrow anything down
# (measured: the loosest key of a 1M-name gazetteer has a handful of such keys).
MAX_POSTING = 2000
# The key kinds looked up within one script; the romanized key works across scripts.
SAME_SCRIPT_KINDS = KEY_KINDS[:4]
# Script bits of an entity's names: a cross-script match is only sought for an
# entity that has no name in the query's own script.
LATIN, ARABIC_SCRIPT = 1, 2
# Fuzzy blocking: trigrams of the spelling key. Query trigrams are read rarest
# first until FUZZY_SCAN ids have been counted (at least FUZZY_MIN_GRAMS lists:
# one typo spoils at most three trigrams, so the right name is in the fourth),
# and the FUZZY_CANDIDATES ids sharing the most trigrams are rescored. Those
# bounds make a query's work independent of the gazetteer's size; the values
# keep recall at or above brute force on the benchmark's noisy queries while
# 1M names stay within a few milliseconds (benchmarks/test_fuzzy_speed.py).
FUZZY_SCAN = 20_000
FUZZY_MIN_GRAMS = 4
FUZZY_CANDIDATES = 200
# A normalized name longer than this is not a name: it is refused at once, so a
# 100 kB "name" costs one normalize() and nothing else.
MAX_NAME_CHARS = 256

_QID = re.compile(r"Q[1-9][0-9]{0,11}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class _Hit(NamedTuple):
    """How one entity was reached: the best of its names for this query."""

    score: float
    name_id: int  # -1 for a QID given as input
    method: str  # a BANDS key of score.py
    similarity: float
    form: str  # the form of the query that matched (a variant, or the query itself)
    variant: str  # what made the variant ("clitic و stripped"), or ""


class GazetteerError(ValueError):
    """A gazetteer file or record that does not follow the format."""


# --- Records ------------------------------------------------------------------------


def validate_record(obj: object, where: str) -> dict[str, Any]:
    """Check one record of the JSONL shape and return it with defaults filled in.

    ``where`` names the file and line for the error message.
    """
    if not isinstance(obj, dict):
        raise GazetteerError(f"{where}: expected a JSON object, got {type(obj).__name__}")

    def fail(message: str) -> GazetteerError:
        return GazetteerError(f"{where}: {message}")

    qid = obj.get("qid")
    if not isinstance(qid, str) or not _QID.fullmatch(qid):
        raise fail(f"'qid' must look like Q42, got {qid!r}")
    label = obj.get("label")
    if not isinstance(label, str) or not label.strip():
        raise fail("'label' must be a non-empty string")
    kind = obj.get("type")
    if kind not in ENTITY_TYPES:
        raise fail(f"'type' must be one of {sorted(ENTITY_TYPES)}, got {kind!r}")
    names = obj.get("names")
    if not isinstance(names, dict) or not names:
        raise fail("'names' must be a non-empty object of language → list of names")
    clean: dict[str, list[str]] = {}
    for lang, values in names.items():
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise fail(f"names[{lang!r}] must be a list of strings")
        for value in values:
            if _CONTROL.search(value):
                raise fail(f"names[{lang!r}] has a control character in {value!r}")
        kept = [v for v in values if v.strip()]
        if kept:
            clean[lang] = kept
    classes = obj.get("classes", [])
    alt_qids = obj.get("alt_qids", [])
    for field_name, values in (("classes", classes), ("alt_qids", alt_qids)):
        if not isinstance(values, list) or not all(isinstance(v, str) and _QID.fullmatch(v) for v in values):
            raise fail(f"'{field_name}' must be a list of QIDs")
    description = obj.get("description", "") or ""
    if not isinstance(description, str):
        raise fail("'description' must be a string")
    popularity = obj.get("popularity", 0) or 0
    if not isinstance(popularity, int) or isinstance(popularity, bool) or popularity < 0:
        raise fail("'popularity' must be a non-negative integer")
    return {
        "qid": qid,
        "label": label,
        "type": kind,
        "classes": classes,
        "description": description,
        "names": clean,
        "popularity": popularity,
        "alt_qids": alt_qids,
    }


def entities_path(path: str | Path) -> Path:
    """The JSONL file of a gazetteer given as a directory or as the file itself."""
    path = Path(path)
    return path / ENTITIES_FILE if path.is_dir() else path


def read_records(path: str | Path) -> Iterator[dict[str, Any]]:
    """The validated records of a gazetteer directory or JSONL file, in file order."""
    file = entities_path(path)
    if not file.is_file():
        raise GazetteerError(f"{file}: no such gazetteer file")
    with file.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            where = f"{file}:{number}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as error:
                raise GazetteerError(f"{where}: not valid JSON ({error.msg})") from None
            yield validate_record(obj, where)


def read_manifest(path: str | Path) -> dict[str, Any]:
    """The manifest beside a gazetteer, or {} when there is none."""
    file = entities_path(path).with_name(MANIFEST_FILE)
    if not file.is_file():
        return {}
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise GazetteerError(f"{file}: not valid JSON ({error.msg})") from None
    if not isinstance(manifest, dict):
        raise GazetteerError(f"{file}: expected a JSON object")
    return manifest


# --- The compiled index ---------------------------------------------------------------


class Postings:
    """Sorted distinct keys, each with the ids that carry it.

    Lists of strings and arrays of ints unpickle an order of magnitude faster
    than dicts, which is what lets a 1M-name index load in about a second.
    """

    __slots__ = ("ids", "keys", "offsets")

    def __init__(self, keys: list[str], offsets: array[int], ids: array[int]) -> None:
        self.keys = keys
        self.offsets = offsets
        self.ids = ids

    @classmethod
    def build(cls, pairs: Iterable[tuple[str, int]]) -> Postings:
        ordered = sorted(set(pairs))
        keys: list[str] = []
        offsets = array("I")
        ids = array("I")
        for key, ident in ordered:
            if not keys or keys[-1] != key:
                keys.append(key)
                offsets.append(len(ids))
            ids.append(ident)
        offsets.append(len(ids))
        return cls(keys, offsets, ids)

    def get(self, key: str) -> Sequence[int]:
        i = bisect_left(self.keys, key)
        if i == len(self.keys) or self.keys[i] != key:
            return ()
        return self.ids[self.offsets[i] : self.offsets[i + 1]]

    def __len__(self) -> int:
        return len(self.keys)

    def __getstate__(self) -> tuple[list[str], array[int], array[int]]:
        return (self.keys, self.offsets, self.ids)

    def __setstate__(self, state: tuple[list[str], array[int], array[int]]) -> None:
        self.keys, self.offsets, self.ids = state


class _Index:
    """Entities in columns, names in columns, and postings over normal forms and keys."""

    def __init__(self, records: Iterable[dict[str, Any]]) -> None:
        self.qids: list[str] = []
        self.labels: list[str] = []
        self.types: list[str] = []
        self.descriptions: list[str] = []
        self.classes: list[tuple[str, ...]] = []
        self.alt_qids: list[tuple[str, ...]] = []
        self.popularity = array("I")
        self.scripts = array("B")  # per entity: LATIN | ARABIC_SCRIPT bits of its names
        self.first_name = array("I")  # entity i owns names first_name[i]:first_name[i+1]
        self.langs: list[str] = []
        self.name_text: list[str] = []
        self.name_lang = array("H")
        self.name_entity = array("I")
        self.name_spelling: list[str] = []
        self.name_words = array("B")  # words in the name's normal form (capped at 255)
        self.name_last: list[str] = []  # spelling key of the last word of a name of several words, else ""

        lang_ids: dict[str, int] = {}
        qid_pairs: list[tuple[str, int]] = []
        norm_pairs: list[tuple[str, int]] = []
        key_pairs: list[list[tuple[str, int]]] = [[] for _ in SAME_SCRIPT_KINDS]
        roman_pairs: list[tuple[str, int]] = []
        gram_pairs: list[tuple[str, int]] = []
        word_pairs: list[tuple[str, int]] = []
        surname_pairs: list[tuple[str, int]] = []
        interned: dict[str, str] = {}
        for record in records:
            entity = len(self.qids)
            self.qids.append(record["qid"])
            self.labels.append(record["label"])
            self.types.append(interned.setdefault(record["type"], record["type"]))
            self.descriptions.append(record["description"])
            self.classes.append(tuple(record["classes"]))
            self.alt_qids.append(tuple(record["alt_qids"]))
            self.popularity.append(record["popularity"])
            self.first_name.append(len(self.name_text))
            self.scripts.append(0)
            qid_pairs.append((record["qid"], entity))
            qid_pairs.extend((alt, entity) for alt in record["alt_qids"])
            seen: set[tuple[int, str]] = set()
            for lang, names in record["names"].items():
                lang_id = lang_ids.setdefault(lang, len(lang_ids))
                for name in names:
                    if (lang_id, name) in seen:
                        continue
                    seen.add((lang_id, name))
                    norm = normalize(name)
                    if not norm:
                        continue
                    name_id = len(self.name_text)
                    self.name_text.append(name)
                    self.name_lang.append(lang_id)
                    self.name_entity.append(entity)
                    keys = keys_of_normalized(norm)
                    self.name_spelling.append(keys[0])
                    self.scripts[entity] |= LATIN if norm.isascii() else ARABIC_SCRIPT
                    words = norm.split(" ")
                    self.name_words.append(min(len(words), 255))
                    self.name_last.append(spelling_key(words[-1]) if len(words) > 1 else "")
                    if len(words) > 1:
                        word_pairs.extend((spelling_key(word), name_id) for word in words)
                        if record["type"] == "person":
                            surname_pairs.append((skeleton_key(spelling_key(words[-1])), name_id))
                    norm_pairs.append((norm, name_id))
                    for kind in range(len(SAME_SCRIPT_KINDS)):
                        key_pairs[kind].append((keys[kind], name_id))
                    roman_pairs.append((keys[-1], name_id))
                    if " " in norm and record["type"] == "person":
                        # A surname alone reaches a person's full name across scripts.
                        roman_pairs.append((romanized_key(norm.rsplit(" ", 1)[1]), name_id))
                    gram_pairs.extend((gram, name_id) for gram in trigrams(keys[0]))
        self.first_name.append(len(self.name_text))
        self.langs = sorted(lang_ids, key=lang_ids.__getitem__)
        self.qid_index = Postings.build(qid_pairs)
        self.normalized = Postings.build(norm_pairs)
        self.keys = tuple(Postings.build(pairs) for pairs in key_pairs)
        self.romanized = Postings.build(pairs for pairs in roman_pairs if pairs[0])
        self.grams = Postings.build(gram_pairs)
        self.words = Postings.build(word_pairs)
        self.surnames = Postings.build(surname_pairs)

    def entity(self, i: int) -> Entity:
        names: dict[str, list[str]] = {}
        for n in range(self.first_name[i], self.first_name[i + 1]):
            names.setdefault(self.langs[self.name_lang[n]], []).append(self.name_text[n])
        return Entity(
            qid=self.qids[i],
            label=self.labels[i],
            type=self.types[i],
            classes=self.classes[i],
            description=self.descriptions[i],
            names={lang: tuple(values) for lang, values in names.items()},
            popularity=self.popularity[i],
            alt_qids=self.alt_qids[i],
        )


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


def trigrams(key: str) -> set[str]:
    """The letter trigrams of a key, with its ends marked: بوتن → ^بو بوت وتن تن$."""
    padded = f"^{key}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _cache_key(digest: str) -> str:
    return f"index/{digest}/keys-{KEYS_VERSION}/layout-{INDEX_VERSION}"


def _load_index(file: Path, cache_dir: str | Path | None) -> _Index:
    """The compiled index of ``file``, from the disk cache when it is there and sound."""
    from namelink.cache import default_cache_dir

    data = file.read_bytes()
    key = _cache_key(hashlib.sha256(data).hexdigest())
    directory = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    try:
        import diskcache

        cache = diskcache.Cache(str(directory / "indexes"), size_limit=2**32)
    except Exception as error:  # an unwritable cache must not stop a lookup
        log.warning("namelink: index cache unavailable at %s (%s); building in memory", directory, error)
        return _Index(read_records(file))
    with cache:
        try:
            blob = cache.get(key)
            if blob is not None:
                index = pickle.loads(blob)
                if isinstance(index, _Index):
                    return index
                raise TypeError(f"cached object is {type(index).__name__}")
        except Exception as error:
            log.warning("namelink: discarding unreadable cached index for %s (%s)", file, error)
            cache.delete(key)
        index = _Index(read_records(file))
        try:
            cache.set(key, pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception as error:
            log.warning("namelink: could not cache the index of %s (%s)", file, error)
        return index


# --- Lookup -------------------------------------------------------------------------------


def _check_types(types: Iterable[str] | str | None) -> frozenset[str] | None:
    if types is None:
        return None
    if isinstance(types, str):
        types = {types}
    try:
        wanted = frozenset(types)
    except TypeError:
        raise TypeError(f"types must be a set of type names, not {type(types).__name__}") from None
    if not all(isinstance(t, str) for t in wanted):
        raise TypeError("types must contain strings")
    unknown = wanted - ENTITY_TYPES
    if unknown:
        raise ValueError(f"unknown types {sorted(unknown)}; use some of {sorted(ENTITY_TYPES)}")
    return wanted


def _check_threshold(threshold: float | None) -> float:
    if threshold is None:
        return scoring.LINK_THRESHOLD
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool):
        raise TypeError(f"threshold must be a number, not {type(threshold).__name__}")
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    return float(threshold)


class Gazetteer:
    """A set of entities with a compiled index, and the lookups over it.

    ``Gazetteer.default()`` is the embedded gazetteer; ``Gazetteer.load(path)``
    and ``Gazetteer.from_records(records)`` give the same methods for your data.
    """

    _default: Gazetteer | None = None
    _default_lock = threading.Lock()

    def __init__(self, index: _Index, *, manifest: dict[str, Any] | None = None, path: Path | None = None):
        self._index = index
        self.manifest: dict[str, Any] = manifest or {}
        self.path = path
        self._first_word_table: dict[str, int] | None = None

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
        return cls(_load_index(file, cache_dir), manifest=read_manifest(path), path=Path(path))

    @classmethod
    def from_records(cls, records: Iterable[dict[str, Any]]) -> Gazetteer:
        """A gazetteer from dicts of exactly the JSONL shape (built in memory, not cached)."""
        if isinstance(records, (str, bytes, dict)):
            raise TypeError(f"records must be an iterable of dicts, not {type(records).__name__}")
        checked = (validate_record(r, f"record {i}") for i, r in enumerate(records, 1))
        return cls(_Index(checked))

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
        lists = sorted((index.grams.get(gram) for gram in trigrams(spelling)), key=len)
        counts: Counter[int] = Counter()
        scanned = 0
        for used, ids in enumerate(lists):
            if used >= FUZZY_MIN_GRAMS and scanned + len(ids) > FUZZY_SCAN:
                break
            counts.update(ids[:FUZZY_SCAN])
            scanned += len(ids)
        ids = [name_id for name_id, _ in counts.most_common(FUZZY_CANDIDATES)]
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
        if _QID.fullmatch(stripped.upper()):
            found = index.qid_index.get(stripped.upper())
            if not found or (types is not None and index.types[found[0]] not in types):
                return []
            return [(found[0], _Hit(scoring.BANDS["qid"][0], -1, "qid", 1.0, "", ""))]
        norm = normalize(stripped)
        if not norm or len(norm) > MAX_NAME_CHARS:
            return []
        hits = self._hits(norm, stripped, lang, loose)
        head, comma, _ = stripped.partition(",")
        if loose and comma and (not hits or max(h.score for h in hits.values()) < scoring.FUZZY_UNLESS_ABOVE):
            # "Tehran, Iran": the name before a qualifying comma.
            for entity, hit in self._hits(normalize(head), head.strip(), lang).items():
                why = "qualifier after the comma dropped"
                qualified = hit._replace(score=hit.score - scoring.VARIANT_PENALTY, variant=why)
                if entity not in hits or qualified.score > hits[entity].score:
                    hits[entity] = qualified
        return sorted(
            (item for item in hits.items() if types is None or index.types[item[0]] in types),
            key=lambda item: (-item[1].score, -index.popularity[item[0]], index.qids[item[0]]),
        )

    def _decide(self, ranked: list[tuple[int, _Hit]], query: str, threshold: float) -> Link | None:
        """score.decide() over the two best hits, as Links."""
        return scoring.decide([self._link(entity, hit, query) for entity, hit in ranked[:2]], threshold)

    def _link(self, entity: int, hit: _Hit, query: str) -> Link:
        index = self._index
        name_id = hit.name_id
        matched = index.name_text[name_id] if name_id >= 0 else index.qids[entity]
        return Link(
            qid=index.qids[entity],
            label=index.labels[entity],
            score=hit.score,
            matched_name=matched,
            matched_lang=index.langs[index.name_lang[name_id]] if name_id >= 0 else "",
            method="key" if hit.method in SAME_SCRIPT_KINDS else hit.method,
            key=hit.method if hit.method in SAME_SCRIPT_KINDS else "",
            type=index.types[entity],
            description=index.descriptions[entity],
            explanation=explain(query, matched, hit.method, hit.similarity, hit.form, hit.variant),
            popularity=index.popularity[entity],
        )

    def _first_words(self) -> dict[str, int]:
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

    def _link_name_in_text(
        self, name: str, types: frozenset[str] | None, threshold: float | None
    ) -> Link | None:
        """link() by the normal form only, for a span of running text."""
        ranked = self._ranked(name, types, None, loose=False)
        return self._decide(ranked, name.strip(), _check_threshold(threshold))

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
        ranked = self._ranked(name, _check_types(types), lang)
        shown = [(entity, hit) for entity, hit in ranked if hit.score >= scoring.CANDIDATE_CUTOFF]
        return [self._link(entity, hit, name.strip()) for entity, hit in shown[: max(limit, 0)]]

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
        cutoff = _check_threshold(threshold)
        return self._decide(self._ranked(name, _check_types(types), lang), name.strip(), cutoff)

    def _link_and_best_score(
        self,
        name: str,
        *,
        types: Iterable[str] | str | None = None,
        threshold: float | None = None,
        lang: str | None = None,
    ) -> tuple[Link | None, float | None]:
        """link(), and the best candidate's score (None when there is none), from
        one lookup: what tells a margin refusal from no match (namelink.bulk)."""
        ranked = self._ranked(name, _check_types(types), lang)
        best = ranked[0][1].score if ranked else None
        return self._decide(ranked, name.strip(), _check_threshold(threshold)), best

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
        wanted = _check_types(types)
        cutoff = _check_threshold(threshold)
        done: dict[str, Link | None] = {}
        out: list[Link | None] = []
        for name in names:
            check_str(name, "names[]")
            if name not in done:
                done[name] = self._decide(self._ranked(name, wanted, lang), name.strip(), cutoff)
            out.append(done[name])
        return out
