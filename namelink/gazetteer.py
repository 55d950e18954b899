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
from collections.abc import Iterable, Iterator, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from rapidfuzz.distance import Indel

from namelink import score as scoring
from namelink.keys import KEY_KINDS, KEYS_VERSION, keys_of_normalized, spelling_key, strip_clitics
from namelink.normalize import check_str, normalize
from namelink.records import ENTITY_TYPES, Entity, Link

__all__ = ["ENTITIES_FILE", "MANIFEST_FILE", "Gazetteer", "GazetteerError"]

log = logging.getLogger(__name__)

ENTITIES_FILE = "entities.jsonl"
MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 1
# The layout of _Index; bump it when the pickled structure changes.
INDEX_VERSION = "1"
# A key that more names than this share is too common to narrow anything down
# (measured: the loosest key of a 1M-name gazetteer has a handful of such keys).
MAX_POSTING = 2000

_QID = re.compile(r"Q[1-9][0-9]{0,11}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


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
        self.first_name = array("I")  # entity i owns names first_name[i]:first_name[i+1]
        self.langs: list[str] = []
        self.name_text: list[str] = []
        self.name_lang = array("H")
        self.name_entity = array("I")
        self.name_spelling: list[str] = []

        lang_ids: dict[str, int] = {}
        qid_pairs: list[tuple[str, int]] = []
        norm_pairs: list[tuple[str, int]] = []
        key_pairs: list[list[tuple[str, int]]] = [[] for _ in KEY_KINDS]
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
                    norm_pairs.append((norm, name_id))
                    for kind, key in enumerate(keys):
                        key_pairs[kind].append((key, name_id))
        self.first_name.append(len(self.name_text))
        self.langs = sorted(lang_ids, key=lang_ids.__getitem__)
        self.qid_index = Postings.build(qid_pairs)
        self.normalized = Postings.build(norm_pairs)
        self.keys = tuple(Postings.build(pairs) for pairs in key_pairs)

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

    # -- construction ----------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path, *, cache_dir: str | Path | None = None) -> Gazetteer:
        """A gazetteer directory (entities.jsonl + manifest.json) or a JSONL file."""
        if not isinstance(path, (str, Path)):
            raise TypeError(f"path must be str or Path, not {type(path).__name__}")
        file = entities_path(path)
        if not file.is_file():
            raise GazetteerError(f"{path}: no gazetteer here (expected a directory with {ENTITIES_FILE} or a .jsonl file)")
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

    def _hits(self, query: str, lang: str | None) -> dict[int, tuple[float, int, str, str]]:
        """Best (score, name id, method, explanation) per entity index."""
        index = self._index
        best: dict[int, tuple[float, int, str, str]] = {}

        def offer(name_id: int, method: str, similarity: float, clitic: bool, why: str) -> None:
            entity = index.name_entity[name_id]
            in_lang = lang is None or index.langs[index.name_lang[name_id]] == lang
            quality = scoring.quality(similarity, index.popularity[entity], in_lang)
            value = scoring.score(method, quality, clitic=clitic)
            if entity not in best or value > best[entity][0]:
                best[entity] = (value, name_id, method, why)

        stripped = query.strip()
        norm = normalize(stripped)
        forms = [(norm, False), *((variant, True) for variant in strip_clitics(norm))]
        for form, clitic in forms:
            why_clitic = f"clitic stripped ({norm} → {form}); " if clitic else ""
            for name_id in index.normalized.get(form):
                exact = not clitic and index.name_text[name_id] == stripped
                method = "exact" if exact else "normalized"
                offer(name_id, method, 1.0, clitic, f"{why_clitic}{method} match")
            form_keys = keys_of_normalized(form)
            spelling = form_keys[0] if form_keys else ""
            for kind, key, postings in zip(KEY_KINDS, form_keys, index.keys):
                ids = postings.get(key)
                if len(ids) > MAX_POSTING:
                    continue
                for name_id in ids:
                    similarity = Indel.normalized_similarity(spelling, index.name_spelling[name_id])
                    offer(
                        name_id,
                        kind,
                        similarity,
                        clitic,
                        f"{why_clitic}{kind.replace('_', ' ')} key {key}; similarity {similarity:.2f}",
                    )
        return best

    def _ranked(self, name: str, types: frozenset[str] | None, lang: str | None) -> list[Link]:
        check_str(name, "name")
        if lang is not None:
            check_str(lang, "lang")
        index = self._index
        stripped = name.strip()
        if _QID.fullmatch(stripped.upper()):
            found = index.qid_index.get(stripped.upper())
            if not found:
                return []
            entity = found[0]
            if types is not None and index.types[entity] not in types:
                return []
            return [self._link(entity, scoring.BANDS["qid"][0], None, "qid", "the input is the QID")]
        hits = self._hits(name, lang)
        ranked = sorted(
            (
                (value, -index.popularity[entity], entity, name_id, method, why)
                for entity, (value, name_id, method, why) in hits.items()
                if types is None or index.types[entity] in types
            ),
            reverse=False,
            key=lambda hit: (-hit[0], hit[1], index.qids[hit[2]]),
        )
        return [self._link(entity, value, name_id, method, why) for value, _, entity, name_id, method, why in ranked]

    def _link(self, entity: int, value: float, name_id: int | None, method: str, why: str) -> Link:
        index = self._index
        return Link(
            qid=index.qids[entity],
            label=index.labels[entity],
            score=value,
            matched_name=index.name_text[name_id] if name_id is not None else index.qids[entity],
            matched_lang=index.langs[index.name_lang[name_id]] if name_id is not None else "",
            method="key" if method in KEY_KINDS else method,
            type=index.types[entity],
            description=index.descriptions[entity],
            explanation=why,
            popularity=index.popularity[entity],
        )

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
        return [link for link in ranked if link.score >= scoring.CANDIDATE_CUTOFF][: max(limit, 0)]

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
        return scoring.decide(self._ranked(name, _check_types(types), lang), cutoff)

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
                done[name] = scoring.decide(self._ranked(name, wanted, lang), cutoff)
            out.append(done[name])
        return out
