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
from collections.abc import Callable, Iterable, Iterator
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
    "validate_records",
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


# --- Limits --------------------------------------------------------------------------
# Each bound is far above any real entity and far below what breaks the index or
# the process; a record past one is an error in the data, reported as such.
MAX_POPULARITY = 2**32 - 1  # the index stores popularity as an unsigned 32-bit int (array "I")
MAX_LANGUAGES_PER_RECORD = 1_000  # Wikidata has labels in ~800 languages; 70,000 is a broken build
MAX_NAMES_PER_RECORD = 5_000  # the most-named Wikidata items have ~2,000 labels and aliases
MAX_LANGUAGES = 2**16 - 1  # languages in one gazetteer: the index stores a name's language in 16 bits
MAX_LANG_CHARS = 35  # a BCP 47 tag is at most 35 characters in practice (RFC 5646 §4.4.1)
MAX_NESTING = 32  # a record nests 3 deep (record → names → list); the C JSON parser recurses
MAX_LINE_CHARS = 10_000_000  # one JSON line of 10 MB is no entity; the line is not parsed

# C0 and C1 controls and DEL: in a label or description they would reach the
# terminal of whoever prints it (ESC starts an escape sequence, CSI is U+009B).
_DISPLAY_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKET = re.compile(r"[\[\]{}]")


def _without_controls(text: str) -> str:
    """A label or description with each run of control characters made one space."""
    if _DISPLAY_CONTROLS.search(text) is None:
        return text
    return " ".join(_DISPLAY_CONTROLS.sub(" ", text).split())


def _nesting(document: str) -> int:
    """How deep the arrays and objects of a JSON text nest (strings do not count)."""
    depth = deepest = 0
    for bracket in _BRACKET.findall(_JSON_STRING.sub("", document)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def parse_json(document: str, where: str, *, multiline: bool = False) -> object:
    """``json.loads``, with every failure a GazetteerError naming ``where`` (and,
    for a ``multiline`` document, the line JSON points at).

    Nesting is checked before parsing, and only when the text has more opening
    brackets than MAX_NESTING (a record has a handful): the C parser recurses and
    would end in RecursionError.
    """
    if len(document) > MAX_LINE_CHARS:
        raise GazetteerError(f"{where}: {len(document):,} characters, over the limit of {MAX_LINE_CHARS:,}")
    if document.count("[") + document.count("{") > MAX_NESTING and _nesting(document) > MAX_NESTING:
        raise GazetteerError(f"{where}: nested more than {MAX_NESTING} deep")
    try:
        return json.loads(document)
    except json.JSONDecodeError as error:
        at = f"{where}:{error.lineno}" if multiline else where
        raise GazetteerError(f"{at}: not valid JSON ({error.msg})") from None
    except (ValueError, RecursionError) as error:  # a number of over 4,300 digits
        raise GazetteerError(f"{where}: not valid JSON ({error})") from None


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise GazetteerError(
            f"{where}: not UTF-8 (byte 0x{data[error.start]:02x} at column {error.start + 1})"
        ) from None


def validate_record(obj: object, where: str) -> dict[str, Any]:
    """Check one record of the JSONL shape and return it with defaults filled in.

    ``where`` names the file and line for the error message. A control character
    in a name is an error (names are matched); in the label or description, which
    are only shown, each run of them becomes a space.
    """
    if not isinstance(obj, dict):
        raise GazetteerError(f"{where}: expected a JSON object, got {type(obj).__name__}")

    def fail(message: str) -> GazetteerError:
        return GazetteerError(f"{where}: {message}")

    qid = obj.get("qid")
    if not isinstance(qid, str) or not QID.fullmatch(qid):
        raise fail(f"'qid' must look like Q42, got {_shown(qid)}")
    label = obj.get("label")
    if not isinstance(label, str) or not (label := _without_controls(label)).strip():
        raise fail("'label' must be a non-empty string")
    kind = obj.get("type")
    if not isinstance(kind, str) or kind not in ENTITY_TYPES:
        raise fail(f"'type' must be one of {sorted(ENTITY_TYPES)}, got {_shown(kind)}")
    names = obj.get("names")
    if not isinstance(names, dict) or not names:
        raise fail("'names' must be a non-empty object of language → list of names")
    if len(names) > MAX_LANGUAGES_PER_RECORD:
        raise fail(f"'names' has {len(names):,} languages, over the limit of {MAX_LANGUAGES_PER_RECORD:,}")
    clean: dict[str, list[str]] = {}
    count = 0
    for lang, values in names.items():
        if not isinstance(lang, str) or not lang or len(lang) > MAX_LANG_CHARS or _CONTROL.search(lang):
            raise fail(
                f"'names' has a language code {_shown(lang)}: 1 to {MAX_LANG_CHARS} printable characters"
            )
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise fail(f"names[{lang!r}] must be a list of strings")
        count += len(values)
        if count > MAX_NAMES_PER_RECORD:
            raise fail(f"'names' has over {MAX_NAMES_PER_RECORD:,} names, the limit per record")
        for value in values:
            if _CONTROL.search(value):
                raise fail(f"names[{lang!r}] has a control character in {_shown(value)}")
        kept = [v for v in values if v.strip()]
        if kept:
            clean[lang] = kept
    if not clean:
        raise fail("'names' has no name that is not blank")
    classes = obj.get("classes", [])
    alt_qids = obj.get("alt_qids", [])
    country = obj.get("country", [])
    for field_name, values in (("classes", classes), ("alt_qids", alt_qids), ("country", country)):
        if not isinstance(values, list) or not all(isinstance(v, str) and QID.fullmatch(v) for v in values):
            raise fail(f"'{field_name}' must be a list of QIDs")
        if len(values) > MAX_NAMES_PER_RECORD:
            raise fail(f"'{field_name}' has {len(values):,} QIDs, over the limit of {MAX_NAMES_PER_RECORD:,}")
    description = obj.get("description", "") or ""
    if not isinstance(description, str):
        raise fail("'description' must be a string")
    popularity = obj.get("popularity", 0) or 0
    if not isinstance(popularity, int) or isinstance(popularity, bool) or popularity < 0:
        raise fail("'popularity' must be a non-negative integer")
    if popularity > MAX_POPULARITY:
        raise fail(f"'popularity' {popularity} is over the limit of {MAX_POPULARITY:,}")
    return {
        "qid": qid,
        "label": label,
        "type": kind,
        "classes": classes,
        "description": _without_controls(description),
        "names": clean,
        "popularity": popularity,
        "alt_qids": alt_qids,
        "country": country,
    }


def _shown(value: object) -> str:
    """A value for an error message: its repr, cut short."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def entities_path(path: str | Path) -> Path:
    """The JSONL file of a gazetteer given as a directory or as the file itself."""
    path = Path(path)
    return path / ENTITIES_FILE if path.is_dir() else path


def validate_records(
    numbered: Iterable[tuple[int, object]], where: Callable[[int], str], unit: str = "line"
) -> Iterator[dict[str, Any]]:
    """validate_record() over ``(number, object)`` pairs, and the checks across them:
    a QID may be the ``qid`` or an ``alt_qids`` entry of one record only (the
    second would never link, or would take over the first's links), so a repeat
    is an error naming both; and all the records together may use at most
    MAX_LANGUAGES language codes. ``where(number)`` names a record in a message."""
    claimed: dict[str, int] = {}  # QID or alternative QID -> the number of the record holding it
    langs: set[str] = set()
    for number, obj in numbered:
        here = where(number)
        record = validate_record(obj, here)
        for qid in dict.fromkeys((record["qid"], *record["alt_qids"])):
            if qid in claimed:
                role = "QID" if qid == record["qid"] else "alternative QID"
                raise GazetteerError(
                    f"{here}: {role} {qid} is already claimed by {unit} {claimed[qid]}; "
                    "a QID may belong to one record only"
                )
            claimed[qid] = number
        langs.update(record["names"])
        if len(langs) > MAX_LANGUAGES:
            raise GazetteerError(f"{here}: over {MAX_LANGUAGES:,} language codes in one gazetteer")
        yield record


def read_records(path: str | Path) -> Iterator[dict[str, Any]]:
    """The validated records of a gazetteer directory or JSONL file, in file order
    (validate_records: each record's own checks, and those across records)."""
    file = entities_path(path)
    if not file.is_file():
        raise GazetteerError(f"{file}: no such gazetteer file")

    def parsed() -> Iterator[tuple[int, object]]:
        with file.open("rb") as lines:
            for number, raw in enumerate(lines, 1):
                line = _decode(raw, f"{file}:{number}")
                if number == 1:
                    line = line.removeprefix("\ufeff")  # a byte order mark some editors write
                if line.strip():
                    yield number, parse_json(line, f"{file}:{number}")

    yield from validate_records(parsed(), lambda number: f"{file}:{number}")


def read_manifest(path: str | Path) -> dict[str, Any]:
    """The manifest beside a gazetteer, or {} when there is none."""
    file = entities_path(path).with_name(MANIFEST_FILE)
    if not file.is_file():
        return {}
    data = file.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise GazetteerError(
            f"{file}:{line}: not UTF-8 (byte 0x{data[error.start]:02x} at column {column})"
        ) from None
    manifest = parse_json(text.removeprefix("\ufeff"), str(file), multiline=True)
    if not isinstance(manifest, dict):
        raise GazetteerError(f"{file}: expected a JSON object")
    return manifest
