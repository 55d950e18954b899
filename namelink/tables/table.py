"""What every reader and writer shares: the record, the formats and how a file
name suggests one, the added columns, and which columns a user means.

A reader yields ``Record(line, data, problem)``: ``data`` is a list of fields
(CSV, TSV, xlsx) or a dict (JSONL), ``problem`` None or what was wrong with the
row (the row is still written, with status error). Its ``header`` names the
fields: the header line, the keys of the first chunk's objects, or 1, 2, ... for
a file with no header. A writer takes the reader's records whatever their kind,
so that any input format can be written as any output format.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

from namelink.tables.errors import BulkError, ColumnError

__all__ = [
    "FORMATS",
    "RAW_KEY",
    "TEXT_FORMATS",
    "Record",
    "as_text",
    "format_of",
    "resolve_columns",
]

FORMATS = ("csv", "tsv", "jsonl", "xlsx")
TEXT_FORMATS = ("text", "jsonl")
# The key under which a JSONL line that is not a JSON object is written back,
# and, in a table written from JSONL, the column for whatever has no column of
# its own (such a line, or keys the first chunk's objects did not have).
RAW_KEY = "_raw"
_SUFFIXES = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}


class Record(NamedTuple):
    line: int
    data: Any  # list[str] for CSV, TSV and xlsx; dict for JSONL
    problem: str | None


def format_of(path: str | Path | None, default: str = "csv") -> str:
    """The format a file name suggests: .csv, .tsv/.tab, .jsonl/.ndjson, .xlsx."""
    if path is None or str(path) == "-":
        return default
    suffix = Path(str(path)).suffix.lower()
    if default == "text":
        return "jsonl" if _SUFFIXES.get(suffix) == "jsonl" else "text"
    return _SUFFIXES.get(suffix, default)


def known_format(path: str | Path | None) -> str | None:
    """The format a file name names, or None when its extension names none."""
    if path is None or str(path) == "-":
        return None
    return _SUFFIXES.get(Path(str(path)).suffix.lower())


def as_text(value: Any) -> str:
    """A JSON value as a table cell: strings as they are, null blank, the rest as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def resolve_columns(
    wanted: Sequence[str | int], header: Sequence[str], delimiter: str | None = None
) -> list[int]:
    """The 0-based positions of the columns a user asked for.

    Each is a column name, a 1-based index (an int, or digits not naming a
    column), or a comma-separated list of those, as csvkit reads ``-c``; a name
    that is itself in the header wins over any other reading.
    """
    positions: list[int] = []
    where = {name: i for i, name in reversed(list(enumerate(header)))}
    for item in wanted:
        parts: Sequence[str | int]
        if isinstance(item, str) and item not in where and "," in item:
            parts = [part.strip() for part in item.split(",") if part.strip()]
        else:
            parts = [item]
        for part in parts:
            positions.append(_position(part, header, where, delimiter))
    if not positions:
        raise BulkError("no column to link: give a column name or a 1-based index")
    return list(dict.fromkeys(positions))


def _position(part: str | int, header: Sequence[str], where: dict[str, int], delimiter: str | None) -> int:
    if isinstance(part, str) and part in where:
        return where[part]
    index: int | None = None
    if isinstance(part, int) and not isinstance(part, bool):
        index = part
    elif isinstance(part, str) and part.isascii() and part.isdigit():
        index = int(part)
    if index is not None:
        if 1 <= index <= len(header):
            return index - 1
        raise BulkError(
            f"column {index} is out of range: the input has {len(header)} columns (1-{len(header)})"
        )
    if not isinstance(part, str):
        raise TypeError(f"a column is a name (str) or a 1-based index (int), not {type(part).__name__}")
    split = _would_split(header, delimiter)
    raise ColumnError(part, header, split)


def _would_split(header: Sequence[str], delimiter: str | None) -> str | None:
    """A delimiter other than the one used that the header's one field holds."""
    if len(header) != 1:
        return None
    for candidate in (";", "\t", "|", ","):
        if candidate != delimiter and candidate in header[0]:
            return candidate
    return None


def row_of_object(obj: dict[str, Any], keys: Sequence[str], keyset: frozenset[str] | set[str]) -> list[str]:
    """A JSONL object as the fields of a table with columns ``keys`` + RAW_KEY:
    what has no column (a line that was no object, a key the first chunk's
    objects did not have) goes, as JSON, in the last."""
    row = [as_text(obj.get(key)) for key in keys]
    extra = {key: value for key, value in obj.items() if key not in keyset}
    if not extra:
        row.append("")
    elif len(extra) == 1 and isinstance(extra.get(RAW_KEY), str):
        row.append(extra[RAW_KEY])
    else:
        row.append(json.dumps(extra, ensure_ascii=False))
    return row


def unique_keys(header: Sequence[str]) -> list[str]:
    """The header as JSON keys: a name met again gets _2, _3 ..., so that no field is lost."""
    seen: dict[str, int] = {}
    keys = []
    for name in header:
        count = seen.get(name, 0) + 1
        seen[name] = count
        keys.append(name if count == 1 else f"{name}_{count}")
    return keys
