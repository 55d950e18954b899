"""Compiling an index: records → the sections of an index file, in one pass.

normalize() and the keys run once per distinct name (a bounded memo), into a
row of flat arrays (rows.py); each name points at its row, every string goes
once into a pool of UTF-8 bytes, and each postings list is a pair of flat
arrays (key pool id, id), gathered from the rows and grouped at the end by a
counting sort (a stable sort with numpy, the same arrays): time and memory
linear in names, with no per-name Python lists or dicts.
"""

from __future__ import annotations

import hashlib
import io
import logging
import mmap
import os
from array import array
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from namelink.index.compiled import (
    ARABIC_SCRIPT,
    INDEX_VERSION,
    LATIN,
    POSTINGS,
    SAME_SCRIPT_KINDS,
    Index,
)
from namelink.index.postings import StringPool, group, hash_table
from namelink.index.rows import KEYS_PER_ROW, SAME_TEXT, SEVERAL_WORDS, NameRows, expand, merge_by_id
from namelink.index.store import open_store, write_store
from namelink.keys import KEYS_VERSION, first_word_key, romanized_key, skeleton_key
from namelink.records import GazetteerError, entities_path, read_records

__all__ = ["INDEX_SUFFIX", "build_from_file", "build_index", "index_path", "sha256_file", "write_index"]

# The index file beside a gazetteer's JSONL: entities.jsonl → entities.index.
INDEX_SUFFIX = ".index"
# Distinct names whose normal form and keys the build remembers: names repeat
# (a surname alone, one spelling in ar and fa), and past this many the memory
# (the name and a dict entry: its row is kept anyway) buys little; 1M
# synthetic names repeat mostly within it.
MEMO_NAMES = 200_000
_COLUMNS = ("qids", "labels", "descriptions", "name_text", "name_spelling", "name_last")
_RAGGED = ("classes", "alt_qids", "country")

log = logging.getLogger(__name__)
# An index written beside a gazetteer is read by whoever may read the gazetteer.
SHARED_FILE_MODE = 0o644


def _compile(records: Iterable[dict[str, Any]]) -> tuple[dict[str, array[int] | bytearray], dict[str, Any]]:
    """The sections and meta of the index of ``records`` (validated dicts)."""
    pool = StringPool()
    col: dict[str, array[int]] = {name: array("I") for name in _COLUMNS}
    ragged = [(name, array("I", [0]), array("I")) for name in _RAGGED]
    types_col, scripts = array("B"), array("B")
    popularity, first_name, name_lang, name_entity = array("I"), array("I"), array("H"), array("I")
    pairs = {p: (array("I"), array("I")) for p in POSTINGS}
    qid_keys, qid_ids = pairs["qid_index"]
    surname_keys, surname_ids = pairs["surnames"]
    # A surname alone reaches a person's full name across scripts: these pairs
    # join the romanized postings after the loop, each after its name's own.
    surname_roman_keys, surname_roman_ids = array("I"), array("I")
    text_col = col["name_text"]
    lang_ids: dict[str, int] = {}
    type_ids: dict[str, int] = {}
    rows = NameRows(pool)
    row_keys, row_bits, row_last_text, row_last_pid = rows.keys, rows.bits, rows.last_text, rows.last_pid
    name_row = array("I")  # each name's row
    memo: dict[str, int] = {}  # name → its row, or -1 when its normal form is empty
    surname: dict[str, tuple[int, str]] = {}  # last word → (its skeleton's pool id, its romanized key)
    empty = pool[""]
    roman_slot = KEYS_PER_ROW - 1
    entity = -1
    # The loop runs once a record and once a name: its appends are bound once here.
    qid_append, label_append = col["qids"].append, col["labels"].append
    description_append, type_append = col["descriptions"].append, types_col.append
    popularity_append, first_name_append = popularity.append, first_name.append
    qid_key_append, qid_id_append = qid_keys.append, qid_ids.append
    text_append, lang_append, entity_append = text_col.append, name_lang.append, name_entity.append
    row_append, script_append = name_row.append, scripts.append
    strings, derive, memo_get = pool.strings, rows.derive, memo.get
    for entity, record in enumerate(records):
        qid = record["qid"]
        qid_append(pool[qid])
        strings.append(record["label"])  # add_once: a label is no key and rarely repeats
        label_append(len(strings) - 1)
        description_append(pool[record["description"]])
        type_append(type_ids.setdefault(record["type"], len(type_ids)))
        for name, first, items in ragged:
            items.extend(map(pool.__getitem__, record[name]))
            first.append(len(items))
        popularity_append(record["popularity"])
        first_name_append(len(name_entity))
        alt_qids = record["alt_qids"]
        for value in dict.fromkeys([qid, *alt_qids]) if alt_qids else (qid,):
            qid_key_append(pool[value])
            qid_id_append(entity)
        person = record["type"] == "person"
        script = 0
        for lang, names in record["names"].items():
            lang_id = lang_ids.setdefault(lang, len(lang_ids))
            for name in dict.fromkeys(names):  # a name twice in one language counts once
                row = memo_get(name)
                if row is None:
                    row = derive(name)
                    if len(memo) < MEMO_NAMES:
                        memo[name] = row
                if row < 0:
                    continue
                bits = row_bits[row]
                name_id = len(name_entity)
                if bits & SAME_TEXT:
                    text_append(row_keys[KEYS_PER_ROW * row])
                else:
                    strings.append(name)  # add_once
                    text_append(len(strings) - 1)
                lang_append(lang_id)
                entity_append(entity)
                row_append(row)
                script |= bits
                if person and bits & SEVERAL_WORDS:
                    last = row_last_text[row]
                    found = surname.get(last)
                    if found is None:
                        found = surname[last] = (
                            pool[skeleton_key(pool.strings[row_last_pid[row]])],
                            romanized_key(last),
                        )
                    surname_keys.append(found[0])
                    surname_ids.append(name_id)
                    roman = found[1]
                    if roman and pool[roman] != row_keys[KEYS_PER_ROW * row + roman_slot]:
                        surname_roman_keys.append(pool[roman])
                        surname_roman_ids.append(name_id)
        script_append(script & (LATIN | ARABIC_SCRIPT))
    first_name.append(len(name_entity))
    del memo, memo_get, surname, derive  # (a bound method would keep its object)
    first_words = rows.first_words
    # First words as postings whose one id is a count: a word (and its first-word
    # key) → the most words a name beginning with it has (Gazetteer.first_words()).
    first_keys: dict[str, int] = {}
    for first_word, words in first_words.items():
        key = first_word_key(first_word)
        if words > first_keys.get(key, 0):
            first_keys[key] = words
    for p, table in (("first_words", first_words), ("first_keys", first_keys)):
        pairs[p] = (array("I", map(pool.__getitem__, table)), array("I", table.values()))
    longest_first = max(map(len, first_words), default=0)
    del first_words, first_keys
    key_columns, per_name = expand(rows, name_row, empty)
    del rows, row_keys, row_bits, row_last_text, row_last_pid, name_row
    every_name = array("I", range(len(name_entity)))
    name_postings = ("normalized", *(f"keys.{kind}" for kind in SAME_SCRIPT_KINDS))
    for column, p in zip(key_columns, name_postings, strict=True):
        pairs[p] = (column, every_name)
    col["name_spelling"] = pairs["keys.spelling"][0]
    col["name_last"] = per_name.pop("name_last")
    for p in ("grams", "words"):
        pairs[p] = (per_name.pop(f"{p}.keys"), per_name.pop(f"{p}.ids"))
    pairs["romanized"] = merge_by_id(
        (per_name.pop("romanized.keys"), per_name.pop("romanized.ids")),
        (surname_roman_keys, surname_roman_ids),
    )
    pool.clear()  # the dict of distinct strings is the build's largest object
    blob, pool_offsets, hashes = pool.encoded()
    del pool
    sections: dict[str, array[int] | bytearray] = {"pool": blob, "pool_offsets": pool_offsets}
    sections.update(col)
    for name, first, items in ragged:
        sections[f"{name}.first"], sections[f"{name}.items"] = first, items
    sections.update(
        types=types_col, popularity=popularity, scripts=scripts, first_name=first_name,
        name_lang=name_lang, name_entity=name_entity, name_words=per_name["name_words"],
        name_grams=per_name["name_grams"],
    )  # fmt: skip
    for p in POSTINGS:
        keys_of, ids_of = pairs.pop(p)
        distinct_keys, offsets, ids = group(keys_of, ids_of)
        del keys_of, ids_of
        sections.update({f"{p}.keys": distinct_keys, f"{p}.offsets": offsets, f"{p}.ids": ids})
        sections[f"{p}.table"] = hash_table(distinct_keys, hashes)
    meta = {
        "index_version": INDEX_VERSION,
        "entities": entity + 1,
        "names": len(name_entity),
        "langs": sorted(lang_ids, key=lang_ids.__getitem__),
        "types": sorted(type_ids, key=type_ids.__getitem__),
        "longest_first_word": longest_first,
    }
    return sections, meta


def build_index(
    records: Iterable[dict[str, Any]], *, source_sha256: str = "", out: Path | None = None, mode: int = 0o600
) -> Index:
    """The index of ``records`` (validated dicts of the JSONL shape): written to
    ``out`` atomically and opened from there with a memory map, or kept in
    memory (also when ``out`` cannot be written: a read-only or full cache must
    not stop a lookup, nor cost a second compile)."""
    sections, meta = _compile(records)
    options: dict[str, Any] = {"meta": meta, "keys_version": KEYS_VERSION, "source_sha256": source_sha256}
    written: dict[str, Any] = {"mode": mode}
    if out is not None:
        try:
            write_store(out, sections, **options, **written)
            return Index(open_store(out, keys_version=KEYS_VERSION))
        except OSError as error:
            log.warning("namelink: cannot write the index %s (%s); keeping it in memory", out, error)
    stream = io.BytesIO()
    write_store(stream, sections, **options)
    del sections
    return Index(open_store(stream.getbuffer(), keys_version=KEYS_VERSION))


def sha256_file(file: Path) -> str:
    """The SHA-256 of a file, read through a memory map (released at once)."""
    with file.open("rb") as stream:
        if not os.fstat(stream.fileno()).st_size:
            return hashlib.sha256(b"").hexdigest()
        with mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return hashlib.sha256(mapped).hexdigest()


def build_from_file(file: Path, source_sha256: str, *, out: Path | None, mode: int = 0o600) -> Index:
    """The index of a gazetteer's JSONL (read_records: every check of the
    format), whose SHA-256 was ``source_sha256`` before reading. A file that
    changed meanwhile is indexed but not stored: its header would name other bytes."""
    index = build_index(read_records(file), source_sha256=source_sha256, out=out, mode=mode)
    if out is not None and sha256_file(file) != source_sha256:
        log.warning("namelink: %s changed while it was indexed; not keeping the index file", file)
        out.unlink(missing_ok=True)
    return index


def index_path(file: Path) -> Path:
    """Where the index of a gazetteer's JSONL file sits beside it."""
    return file.with_suffix(INDEX_SUFFIX)


def write_index(directory: str | Path) -> Path:
    """Compile the index of a gazetteer (a directory or its JSONL file) and write
    it beside the JSONL, so that loading it needs no compile; returns its path."""
    file = entities_path(directory)
    if not file.is_file():
        raise GazetteerError(f"{directory}: no gazetteer here")
    target = index_path(file)
    # Readable by whoever reads the gazetteer beside it (a cache entry stays 0600).
    build_from_file(file, sha256_file(file), out=target, mode=SHARED_FILE_MODE)
    if not target.is_file():
        raise GazetteerError(f"{file} changed while it was indexed; run again")
    return target
