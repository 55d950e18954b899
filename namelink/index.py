"""The compiled index of a gazetteer: entities and names in columns, postings over
normal forms and keys, stored as one memory-mapped file.

An index is built once from entities.jsonl and written as an index file
(namelink/store.py has the layout, namelink/postings.py the arrays), which is
then opened with a memory map: opening reads the header and verifies the
SHA-256, nothing is unpickled, and processes that open one file share its pages.

Where an index comes from, in order (``load_index``):

1. ``entities.index`` beside ``entities.jsonl``, written by ``write_index``
   (``python -m namelink.index DIR``), and shipped with the embedded default:
   used when its header names the SHA-256 of this entities.jsonl and these
   keys and format versions; otherwise ignored (never deleted: not ours).
2. The cache, ``<cache dir>/indexes/<sha256 of entities.jsonl>-…​.index``, in a
   directory only this user can write (namelink.cache.private_dir): a file
   that fails any check is deleted and rebuilt, never trusted.
3. A build, written to the cache when it is writable, else kept in memory.

The build computes normalize() and the keys once per distinct name and
assembles postings with counting sorts over flat arrays: linear in names.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import mmap
import sys
import time
from array import array
from collections.abc import Iterable, Iterator, Sequence
from itertools import repeat
from pathlib import Path
from typing import Any

from namelink.keys import KEY_KINDS, KEYS_VERSION, keys_of_normalized, romanized_key, skeleton_key, spelling_key
from namelink.normalize import normalize
from namelink.postings import Codes, Pool, Postings, Ragged, StringPool, Strings, group, hash_table
from namelink.records import Entity, GazetteerError, entities_path, validate_record
from namelink.store import FORMAT_VERSION, IndexFileError, Store, open_store, write_store

__all__ = [
    "ARABIC_SCRIPT",
    "INDEX_SUFFIX",
    "INDEX_VERSION",
    "LATIN",
    "SAME_SCRIPT_KINDS",
    "Index",
    "IndexFileError",
    "Postings",
    "build_index",
    "index_path",
    "load_index",
    "trigrams",
    "write_index",
]

log = logging.getLogger(__name__)

# What Index holds and how the build fills it: bump it whenever either changes,
# so that every stored index (cached or beside a gazetteer) is rebuilt.
INDEX_VERSION = "10"
# The index file beside a gazetteer's JSONL: entities.jsonl → entities.index.
INDEX_SUFFIX = ".index"
# The key kinds looked up within one script; the romanized key works across scripts.
SAME_SCRIPT_KINDS = KEY_KINDS[:4]
# Script bits of an entity's names: a cross-script match is only sought for an
# entity that has no name in the query's own script.
LATIN, ARABIC_SCRIPT = 1, 2
# Distinct names whose normal form and keys the build remembers: names repeat
# (a surname alone, one spelling in ar and fa), and past this many the memory
# (~0.5 kB a name) buys little; 1M synthetic names repeat mostly within it.
MEMO_NAMES = 200_000
# Postings in the file, by section prefix, in Index attribute order.
POSTINGS = ("qid_index", "normalized", *(f"keys.{kind}" for kind in SAME_SCRIPT_KINDS),
            "romanized", "grams", "words", "surnames")  # fmt: skip
_COLUMNS = ("qids", "labels", "descriptions", "name_text", "name_spelling", "name_last")
_RAGGED = ("classes", "alt_qids", "country")


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
        self.first_name: Sequence[int] = store["first_name"]  # entity i owns names first_name[i]:first_name[i+1]
        self.langs: list[str] = [str(lang) for lang in meta["langs"]]
        self.name_text = Strings(pool, store["name_text"])
        self.name_lang: Sequence[int] = store["name_lang"]
        self.name_entity: Sequence[int] = store["name_entity"]
        self.name_spelling = Strings(pool, store["name_spelling"])
        self.name_words: Sequence[int] = store["name_words"]  # words in the name's normal form (capped at 255)
        self.name_last = Strings(pool, store["name_last"])  # spelling key of the last word of a name of several words, else ""
        postings = [
            Postings(pool, store[f"{p}.keys"], store[f"{p}.offsets"], store[f"{p}.ids"], store[f"{p}.table"])
            for p in POSTINGS
        ]
        self.qid_index, self.normalized = postings[0], postings[1]
        self.keys = tuple(postings[2 : 2 + len(SAME_SCRIPT_KINDS)])
        self.romanized, self.grams, self.words, self.surnames = postings[2 + len(SAME_SCRIPT_KINDS) :]
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


# --- Building ----------------------------------------------------------------------------


def _compile(records: Iterable[dict[str, Any]]) -> tuple[dict[str, array[int] | bytearray], dict[str, Any]]:
    """The sections and meta of the index of ``records`` (validated dicts)."""
    pool = StringPool()
    add, add_once = pool.add, pool.add_once
    col: dict[str, array[int]] = {name: array("I") for name in _COLUMNS}
    ragged = {name: (array("I", [0]), array("I")) for name in _RAGGED}
    types_col, scripts, name_words = array("B"), array("B"), array("B")
    popularity, first_name, name_lang, name_entity = array("I"), array("I"), array("H"), array("I")
    pairs = {p: (array("I"), array("I")) for p in POSTINGS}
    key_cols = [pairs[f"keys.{kind}"] for kind in SAME_SCRIPT_KINDS]
    norm_keys, norm_ids = pairs["normalized"]
    roman_keys, roman_ids = pairs["romanized"]
    gram_keys, gram_ids = pairs["grams"]
    word_keys, word_ids = pairs["words"]
    surname_keys, surname_ids = pairs["surnames"]
    lang_ids: dict[str, int] = {}
    type_ids: dict[str, int] = {}
    memo: dict[str, tuple[str, tuple[str, ...]]] = {}
    word_key: dict[str, int] = {}  # word → pool id of its spelling key
    surname_key: dict[str, int] = {}  # last word → pool id of its skeleton (surname postings)
    roman_last: dict[str, str] = {}  # last word → its romanized key
    gram_id: dict[str, int] = {}
    empty = add("")
    entity = -1
    for entity, record in enumerate(records):  # noqa: B007 (entity counts the records)
        qid = record["qid"]
        qid_pid = add(qid)
        col["qids"].append(qid_pid)
        col["labels"].append(add_once(record["label"]))
        col["descriptions"].append(add(record["description"]))
        types_col.append(type_ids.setdefault(record["type"], len(type_ids)))
        for name in _RAGGED:
            first, items = ragged[name]
            items.extend(add(value) for value in record[name])
            first.append(len(items))
        popularity.append(record["popularity"])
        first_name.append(len(name_entity))
        qid_keys, qid_ids = pairs["qid_index"]
        for value in dict.fromkeys([qid, *record["alt_qids"]]):
            qid_keys.append(add(value))
            qid_ids.append(entity)
        person = record["type"] == "person"
        script = 0
        seen: set[tuple[int, str]] = set()
        for lang, names in record["names"].items():
            lang_id = lang_ids.setdefault(lang, len(lang_ids))
            for name in names:
                if (lang_id, name) in seen:
                    continue
                seen.add((lang_id, name))
                known = memo.get(name)
                if known is None:
                    norm = normalize(name)
                    known = (norm, keys_of_normalized(norm))
                    if len(memo) < MEMO_NAMES:
                        memo[name] = known
                norm, keys = known
                if not norm:
                    continue
                name_id = len(name_entity)
                norm_pid = add(norm)
                col["name_text"].append(norm_pid if name == norm else add_once(name))
                name_lang.append(lang_id)
                name_entity.append(entity)
                spelling = keys[0]
                spelling_pid = add(spelling)
                col["name_spelling"].append(spelling_pid)
                script |= LATIN if norm.isascii() else ARABIC_SCRIPT
                norm_keys.append(norm_pid)
                norm_ids.append(name_id)
                for (kind_keys, kind_ids), key in zip(key_cols, keys, strict=False):
                    kind_keys.append(spelling_pid if key == spelling else add(key))
                    kind_ids.append(name_id)
                if keys[-1]:
                    roman_keys.append(add(keys[-1]))
                    roman_ids.append(name_id)
                grams = trigrams(spelling)
                for gram in grams:
                    pid = gram_id.get(gram)
                    if pid is None:
                        pid = gram_id[gram] = add(gram)
                    gram_keys.append(pid)
                gram_ids.extend(repeat(name_id, len(grams)))
                if " " not in norm:
                    name_words.append(1)
                    col["name_last"].append(empty)
                    continue
                words = norm.split(" ")
                name_words.append(min(len(words), 255))
                distinct: dict[int, None] = {}
                for word in words:
                    pid = word_key.get(word)
                    if pid is None:
                        pid = word_key[word] = add(spelling_key(word))
                    distinct[pid] = None
                last = words[-1]
                col["name_last"].append(word_key[last])
                word_keys.extend(distinct)
                word_ids.extend(repeat(name_id, len(distinct)))
                if person:
                    pid = surname_key.get(last)
                    if pid is None:
                        pid = surname_key[last] = add(skeleton_key(spelling_key(last)))
                    surname_keys.append(pid)
                    surname_ids.append(name_id)
                    # A surname alone reaches a person's full name across scripts.
                    roman = roman_last.get(last)
                    if roman is None:
                        roman = roman_last[last] = romanized_key(last)
                    if roman and roman != keys[-1]:
                        roman_keys.append(add(roman))
                        roman_ids.append(name_id)
        scripts.append(script)
    first_name.append(len(name_entity))
    del memo, word_key, surname_key, roman_last, gram_id
    pool.ids.clear()  # the dict of distinct strings is the build's largest object
    sections: dict[str, array[int] | bytearray] = {"pool": pool.blob, "pool_offsets": pool.offsets}
    sections.update(col)
    for name in _RAGGED:
        sections[f"{name}.first"], sections[f"{name}.items"] = ragged[name]
    sections.update(
        types=types_col, popularity=popularity, scripts=scripts, first_name=first_name,
        name_lang=name_lang, name_entity=name_entity, name_words=name_words,
    )  # fmt: skip
    for p in POSTINGS:
        keys_of, ids_of = pairs.pop(p)
        distinct_keys, offsets, ids = group(keys_of, ids_of)
        del keys_of, ids_of
        sections.update({f"{p}.keys": distinct_keys, f"{p}.offsets": offsets, f"{p}.ids": ids})
        sections[f"{p}.table"] = hash_table(distinct_keys, pool.hashes)
    meta = {
        "index_version": INDEX_VERSION,
        "entities": entity + 1,
        "names": len(name_entity),
        "langs": sorted(lang_ids, key=lang_ids.__getitem__),
        "types": sorted(type_ids, key=type_ids.__getitem__),
    }
    return sections, meta


def build_index(records: Iterable[dict[str, Any]], *, source_sha256: str = "", out: Path | None = None) -> Index:
    """The index of ``records`` (validated dicts of the JSONL shape): written to
    ``out`` atomically and opened from there with a memory map, or kept in memory."""
    sections, meta = _compile(records)
    options = {"meta": meta, "keys_version": KEYS_VERSION, "source_sha256": source_sha256}
    if out is not None:
        write_store(out, sections, **options)
        del sections
        return Index(open_store(out, keys_version=KEYS_VERSION))
    stream = io.BytesIO()
    write_store(stream, sections, **options)
    del sections
    return Index(open_store(stream.getbuffer(), keys_version=KEYS_VERSION))


def _records(data: bytes, file: Path) -> Iterator[dict[str, Any]]:
    """read_records() over bytes already read (and hashed): the index is built
    from exactly the bytes its header names."""
    for number, line in enumerate(io.BytesIO(data), 1):
        if not line.strip():
            continue
        where = f"{file}:{number}"
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            reason = error.msg if isinstance(error, json.JSONDecodeError) else "not UTF-8"
            raise GazetteerError(f"{where}: not valid JSON ({reason})") from None
        yield validate_record(obj, where)


def _sha256_file(file: Path) -> str:
    with file.open("rb") as stream:
        if not file.stat().st_size:
            return hashlib.sha256(b"").hexdigest()
        with mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return hashlib.sha256(mapped).hexdigest()


def index_path(file: Path) -> Path:
    """Where the index of a gazetteer's JSONL file sits beside it."""
    return file.with_suffix(INDEX_SUFFIX)


def write_index(directory: str | Path) -> Path:
    """Compile the index of a gazetteer (a directory or its JSONL file) and write
    it beside the JSONL, so that loading it needs no compile; returns its path."""
    file = entities_path(directory)
    if not file.is_file():
        raise GazetteerError(f"{directory}: no gazetteer here")
    data = file.read_bytes()
    target = index_path(file)
    build_index(_records(data, file), source_sha256=hashlib.sha256(data).hexdigest(), out=target)
    return target


# --- Loading -----------------------------------------------------------------------------


def _open_checked(path: Path, source: str) -> Index | None:
    """The index in ``path`` when it is sound and was built from ``source``, else None."""
    try:
        index = Index(open_store(path, keys_version=KEYS_VERSION))
    except (IndexFileError, OSError) as error:
        log.warning("namelink: not using the index %s (%s)", path, error)
        return None
    if index.source_sha256 != source:
        log.warning("namelink: not using the index %s: built from another entities.jsonl", path)
        return None
    return index


def _cache_name(source: str) -> str:
    return f"{source}-keys{KEYS_VERSION}-index{INDEX_VERSION}-format{FORMAT_VERSION}{INDEX_SUFFIX}"


def load_index(file: Path, cache_dir: str | Path | None) -> Index:
    """The index of ``file``: beside it, else from the cache, else compiled (and cached)."""
    from namelink.cache import default_cache_dir, private_dir

    source = _sha256_file(file)
    beside = index_path(file)
    if beside.is_file() and (index := _open_checked(beside, source)) is not None:
        return index
    directory = private_dir((Path(cache_dir) if cache_dir is not None else default_cache_dir()) / "indexes")
    cached = directory / _cache_name(source) if directory is not None else None
    if cached is not None and cached.is_file():
        if (index := _open_checked(cached, source)) is not None:
            return index
        try:
            cached.unlink()
        except OSError as error:
            log.warning("namelink: could not delete the unusable index %s (%s)", cached, error)
    data = file.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if cached is not None and digest == source:
        try:
            return build_index(_records(data, file), source_sha256=digest, out=cached)
        except OSError as error:  # a read-only or full cache must not stop a lookup
            log.warning("namelink: could not cache the index of %s (%s); keeping it in memory", file, error)
    return build_index(_records(data, file), source_sha256=digest)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m namelink.index DIR...``: write each gazetteer's index beside it."""
    paths = list(sys.argv[1:] if argv is None else argv)
    if not paths or any(p.startswith("-") for p in paths):
        print("usage: python -m namelink.index GAZETTEER_DIR [GAZETTEER_DIR ...]", file=sys.stderr)
        return 2
    for path in paths:
        start = time.perf_counter()
        try:
            written = write_index(path)
        except (GazetteerError, OSError) as error:
            print(f"namelink.index: {error}", file=sys.stderr)
            return 2
        took = time.perf_counter() - start
        print(f"{written}\t{written.stat().st_size:,} bytes\t{took:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
