"""Compiling an index: records → the sections of an index file, in one pass.

normalize() and the keys run once per distinct name (a bounded memo), every
string goes once into a pool of UTF-8 bytes, and each postings list is a pair
of flat arrays (key pool id, id) grouped at the end by a counting sort: time
and memory linear in names, with no per-name Python lists or dicts.
"""

from __future__ import annotations

import hashlib
import io
import json
from array import array
from collections.abc import Iterable, Iterator
from itertools import repeat
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
from namelink.index.store import open_store, write_store
from namelink.keys import KEYS_VERSION, keys_of_normalized, romanized_key, skeleton_key, spelling_key
from namelink.normalize import normalize
from namelink.records import GazetteerError, entities_path, validate_record

__all__ = ["INDEX_SUFFIX", "build_index", "index_path", "read_records_from", "write_index"]

# The index file beside a gazetteer's JSONL: entities.jsonl → entities.index.
INDEX_SUFFIX = ".index"
# Distinct names whose normal form and keys the build remembers: names repeat
# (a surname alone, one spelling in ar and fa), and past this many the memory
# (~0.5 kB a name) buys little; 1M synthetic names repeat mostly within it.
MEMO_NAMES = 200_000
_COLUMNS = ("qids", "labels", "descriptions", "name_text", "name_spelling", "name_last")
_RAGGED = ("classes", "alt_qids", "country")


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
    for entity, record in enumerate(records):
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
                # trigrams(), in order of position: a set's order would vary from run to run
                padded = f"^{spelling}$"
                grams = dict.fromkeys([padded[i : i + 3] for i in range(len(padded) - 2)])
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


def build_index(
    records: Iterable[dict[str, Any]], *, source_sha256: str = "", out: Path | None = None
) -> Index:
    """The index of ``records`` (validated dicts of the JSONL shape): written to
    ``out`` atomically and opened from there with a memory map, or kept in memory."""
    sections, meta = _compile(records)
    target: Path | io.BytesIO = out if out is not None else io.BytesIO()
    write_store(target, sections, meta=meta, keys_version=KEYS_VERSION, source_sha256=source_sha256)
    del sections
    written = target if isinstance(target, Path) else target.getbuffer()
    return Index(open_store(written, keys_version=KEYS_VERSION))


def read_records_from(data: bytes, file: Path) -> Iterator[dict[str, Any]]:
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
    build_index(read_records_from(data, file), source_sha256=hashlib.sha256(data).hexdigest(), out=target)
    return target
