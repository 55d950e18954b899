"""Entities and results, and the JSONL record format they are read from.

A gazetteer is JSON Lines, one entity per line, beside a ``manifest.json``::

    {"qid": "Q7747", "label": "Vladimir Putin", "type": "person", "classes": ["Q5"],
     "description": "President of Russia", "names": {"ar": ["فلاديمير بوتين", "بوتين"],
     "en": ["Vladimir Putin"]}, "popularity": 250}

``validate_record`` is the one gate every record passes, from a file, from
``Gazetteer.from_records`` or from the Wikidata builder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "ENTITIES_FILE",
    "ENTITY_TYPES",
    "FORMAT_VERSION",
    "MANIFEST_FILE",
    "Decision",
    "Entity",
    "GazetteerError",
    "Link",
    "Mention",
    "entities_path",
    "read_manifest",
    "read_records",
    "validate_record",
]

ENTITY_TYPES = frozenset({"person", "place", "org", "other"})
ENTITIES_FILE = "entities.jsonl"
MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 1

QID = re.compile(r"Q[1-9][0-9]{0,11}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Entity:
    """One gazetteer entry, in the shape of a line of the JSONL format."""

    qid: str
    label: str
    type: str
    classes: tuple[str, ...] = ()
    description: str = ""
    names: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, hash=False)
    popularity: int = 0
    alt_qids: tuple[str, ...] = ()
    country: tuple[str, ...] = ()  # QIDs of the countries it belongs to (Wikidata P17, P27 for people)

    def to_record(self) -> dict[str, object]:
        """The JSONL line of this entity, as a dict."""
        record: dict[str, object] = {
            "qid": self.qid,
            "label": self.label,
            "type": self.type,
            "classes": list(self.classes),
            "description": self.description,
            "names": {lang: list(names) for lang, names in self.names.items()},
            "popularity": self.popularity,
        }
        if self.alt_qids:
            record["alt_qids"] = list(self.alt_qids)
        if self.country:
            record["country"] = list(self.country)
        return record


@dataclass(frozen=True)
class Link:
    """A name linked to a Wikidata entity, with how and how well it matched.

    ``score`` is the calibrated probability (0–1) that the link is right, the
    number ``threshold`` compares with. ``runner_up`` is the best other entity
    when it is likely enough to matter (see ``namelink.score.RUNNER_UP_MIN``).
    """

    qid: str
    label: str
    score: float
    matched_name: str
    matched_lang: str
    method: str
    type: str
    description: str
    explanation: str = ""
    popularity: int = 0
    runner_up: Link | None = None
    key: str = ""  # with method "key": which key kind matched (spelling, skeleton ...)
    # What the calibrated decision weighed, as (name, value) pairs: the variant
    # model's similarities, the query's and the name's frequency as words, the
    # runner-up gap ... (namelink.evidence.SHOWN).
    evidence: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Decision:
    """What link() decided for one name, and why: ``link`` when it linked;
    otherwise ``ambiguous`` says whether the name is known but the two best
    candidates are too close to call (a person should choose) or nothing is
    likely enough (a bigger gazetteer might help). ``candidates`` are the best
    few, most probable first."""

    link: Link | None
    ambiguous: bool
    candidates: tuple[Link, ...] = ()


@dataclass(frozen=True)
class Mention:
    """A linked name in running text: ``text[start:end] == surface``."""

    start: int
    end: int
    surface: str
    link: Link


class GazetteerError(ValueError):
    """A gazetteer file or record that does not follow the format."""


def validate_record(obj: object, where: str) -> dict[str, Any]:
    """Check one record of the JSONL shape and return it with defaults filled in.

    ``where`` names the file and line for the error message.
    """
    if not isinstance(obj, dict):
        raise GazetteerError(f"{where}: expected a JSON object, got {type(obj).__name__}")

    def fail(message: str) -> GazetteerError:
        return GazetteerError(f"{where}: {message}")

    qid = obj.get("qid")
    if not isinstance(qid, str) or not QID.fullmatch(qid):
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
    country = obj.get("country", [])
    for field_name, values in (("classes", classes), ("alt_qids", alt_qids), ("country", country)):
        if not isinstance(values, list) or not all(isinstance(v, str) and QID.fullmatch(v) for v in values):
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
        "country": country,
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
