"""The Index: a gazetteer's entities and names in columns and its postings, as
read-only views over a verified index file (namelink/index/store.py).

Its attributes are what the lookup reads: entity columns (qids, labels, types,
descriptions, classes, alt_qids, country, popularity, scripts, first_name),
name columns (name_text, name_lang, name_entity, name_spelling, name_words, name_grams,
name_last; langs), postings (qid_index, normalized, keys: one per
SAME_SCRIPT_KINDS, romanized, grams, words, surnames) with ``.get(key)``, and
the first words of names (first_words, first_keys, longest_first_word).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from namelink.index.postings import Codes, Counts, Pool, Postings, Ragged, Strings
from namelink.index.store import IndexFileError, Store, open_store
from namelink.keys import KEY_KINDS, KEYS_VERSION
from namelink.records import Entity

__all__ = [
    "ARABIC_SCRIPT",
    "GRAMS_REMEMBERED",
    "INDEX_VERSION",
    "LATIN",
    "POSTINGS",
    "SAME_SCRIPT_KINDS",
    "Index",
    "RememberedPostings",
    "trigrams",
]

# What Index holds and how the build fills it: bump it whenever either changes,
# so that every stored index (cached or beside a gazetteer) is rebuilt.
INDEX_VERSION = "12"
# The key kinds looked up within one script; the romanized key works across scripts.
SAME_SCRIPT_KINDS = KEY_KINDS[:4]
# Script bits of an entity's names: a cross-script match is only sought for an
# entity that has no name in the query's own script.
LATIN, ARABIC_SCRIPT = 1, 2
# Postings in the file, by section prefix, in Index attribute order.
POSTINGS = ("qid_index", "normalized", *(f"keys.{kind}" for kind in SAME_SCRIPT_KINDS),
            "romanized", "grams", "words", "surnames", "first_words", "first_keys")  # fmt: skip
_COLUMNS = ("qids", "labels", "descriptions", "name_text", "name_spelling", "name_last")
_RAGGED = ("classes", "alt_qids", "country")


# Trigram postings an index remembers (the letters' trigrams are few and every
# fuzzy query reads a dozen: most of its lookups are of a list read before).
GRAMS_REMEMBERED = 65_536


class RememberedPostings:
    """Postings whose ``get`` answers are remembered, up to ``size`` keys (then
    forgotten at once and remembered anew): the same lists, a dict lookup."""

    __slots__ = ("_postings", "_seen", "_size")

    def __init__(self, postings: Postings, size: int) -> None:
        self._postings = postings
        self._seen: dict[str, Sequence[int]] = {}
        self._size = size

    def get(self, key: str) -> Sequence[int]:
        found = self._seen.get(key)
        if found is None:
            if len(self._seen) >= self._size:
                self._seen.clear()
            found = self._seen[key] = self._postings.get(key)
        return found

    @property
    def keys(self) -> Iterator[str]:
        return self._postings.keys

    def __len__(self) -> int:
        return len(self._postings)


def trigrams(key: str) -> set[str]:
    """The letter trigrams of a key, with its ends marked: بوتن → ^بو بوت وتن تن$."""
    padded = f"^{key}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class Index:
    """Entities in columns, names in columns, and postings over normal forms and
    keys: read-only views over a verified index file."""

    def __init__(self, store: Store) -> None:
        try:
            self._open(store)
        except (KeyError, TypeError, ValueError) as error:
            if isinstance(error, IndexFileError):
                raise
            raise IndexFileError(f"its sections do not form an index ({error!r})") from None

    def _open(self, store: Store) -> None:
        meta = store.meta
        if meta.get("index_version") != INDEX_VERSION:
            raise IndexFileError(f"index version {meta.get('index_version')!r}, not {INDEX_VERSION}")
        self._store = store
        pool = Pool(store["pool"], store["pool_offsets"])
        self.qids: Strings = Strings(pool, store["qids"])
        self.labels = Strings(pool, store["labels"])
        self.descriptions = Strings(pool, store["descriptions"])
        self.types = Codes([str(t) for t in meta["types"]], store["types"])
        self.classes = Ragged(pool, store["classes.first"], store["classes.items"])
        self.alt_qids = Ragged(pool, store["alt_qids.first"], store["alt_qids.items"])
        self.country = Ragged(pool, store["country.first"], store["country.items"])
        self.popularity: Sequence[int] = store["popularity"]
        self.scripts: Sequence[int] = store["scripts"]  # per entity: LATIN | ARABIC_SCRIPT bits of its names
        self.first_name: Sequence[int] = store[
            "first_name"
        ]  # entity i owns names first_name[i]:first_name[i+1]
        self.langs: list[str] = [str(lang) for lang in meta["langs"]]
        self.name_text = Strings(pool, store["name_text"])
        self.name_lang: Sequence[int] = store["name_lang"]
        self.name_entity: Sequence[int] = store["name_entity"]
        self.name_spelling = Strings(pool, store["name_spelling"])
        # distinct trigrams of the name's spelling key (capped at 255): what fuzzy ranking divides by
        self.name_grams: Sequence[int] = store["name_grams"]
        self.name_words: Sequence[int] = store[
            "name_words"
        ]  # words in the name's normal form (capped at 255)
        self.name_last = Strings(
            pool, store["name_last"]
        )  # spelling key of the last word of a name of several words, else ""
        postings = [
            Postings(pool, store[f"{p}.keys"], store[f"{p}.offsets"], store[f"{p}.ids"], store[f"{p}.table"])
            for p in POSTINGS
        ]
        self.qid_index, self.normalized = postings[0], postings[1]
        self.keys = tuple(postings[2 : 2 + len(SAME_SCRIPT_KINDS)])
        (self.romanized, grams, self.words, self.surnames, first_words, first_keys) = postings[
            2 + len(SAME_SCRIPT_KINDS) :
        ]
        self.grams = RememberedPostings(grams, GRAMS_REMEMBERED)
        # the first word of every normal form (and its keys.first_word_key) → the
        # most words a name beginning with it has; the longest such word's letters
        self.first_words = Counts(first_words)
        self.first_keys = Counts(first_keys)
        self.longest_first_word = int(meta["longest_first_word"])
        entities, names = len(self.qids), len(self.name_text)
        if (entities, names) != (meta["entities"], meta["names"]) or len(self.first_name) != entities + 1:
            raise IndexFileError("its columns disagree with its header")

    @property
    def source_sha256(self) -> str:
        """The SHA-256 of the entities.jsonl it was built from ("" for records in memory)."""
        return self._store.source_sha256

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        # Handing an index to another process (a spawned worker) sends its file's
        # bytes, verified again on arrival; nothing else is pickled.
        return (_from_bytes, (self._store.to_bytes(),))

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


def _from_bytes(data: bytes) -> Index:
    return Index(open_store(data, keys_version=KEYS_VERSION))
