"""The compiled index of a gazetteer: entities and names in columns, postings over
normal forms and keys, and its disk cache.

The index is cached on disk (diskcache), keyed by a hash of the gazetteer's
bytes, the keys version and the index layout version, so that a change to any
of them rebuilds it.
"""

from __future__ import annotations

import hashlib
import logging
import pickle
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from namelink.keys import (
    KEY_KINDS,
    KEYS_VERSION,
    keys_of_normalized,
    romanized_key,
    skeleton_key,
    spelling_key,
)
from namelink.normalize import normalize
from namelink.records import Entity, read_records

__all__ = [
    "ARABIC_SCRIPT",
    "INDEX_VERSION",
    "LATIN",
    "SAME_SCRIPT_KINDS",
    "Index",
    "Postings",
    "load_index",
    "trigrams",
]

log = logging.getLogger(__name__)

# The layout and content rules of Index: bump it whenever the stored structure
# or what Index.__init__ puts into it changes, so that cached indexes rebuild.
INDEX_VERSION = "9"
# The key kinds looked up within one script; the romanized key works across scripts.
SAME_SCRIPT_KINDS = KEY_KINDS[:4]
# Script bits of an entity's names: a cross-script match is only sought for an
# entity that has no name in the query's own script.
LATIN, ARABIC_SCRIPT = 1, 2


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


class Index:
    """Entities in columns, names in columns, and postings over normal forms and keys."""

    def __init__(self, records: Iterable[dict[str, Any]]) -> None:
        self.qids: list[str] = []
        self.labels: list[str] = []
        self.types: list[str] = []
        self.descriptions: list[str] = []
        self.classes: list[tuple[str, ...]] = []
        self.alt_qids: list[tuple[str, ...]] = []
        self.country: list[tuple[str, ...]] = []
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
            self.country.append(tuple(record["country"]))
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
            country=self.country[i],
        )


def trigrams(key: str) -> set[str]:
    """The letter trigrams of a key, with its ends marked: بوتن → ^بو بوت وتن تن$."""
    padded = f"^{key}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _cache_key(digest: str) -> str:
    return f"index/{digest}/keys-{KEYS_VERSION}/layout-{INDEX_VERSION}"


def load_index(file: Path, cache_dir: str | Path | None) -> Index:
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
        return Index(read_records(file))
    with cache:
        try:
            blob = cache.get(key)
            if blob is not None:
                index = pickle.loads(blob)
                if isinstance(index, Index):
                    return index
                raise TypeError(f"cached object is {type(index).__name__}")
        except Exception as error:
            log.warning("namelink: discarding unreadable cached index for %s (%s)", file, error)
            cache.delete(key)
        index = Index(read_records(file))
        try:
            cache.set(key, pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception as error:
            log.warning("namelink: could not cache the index of %s (%s)", file, error)
        return index
