"""JSON Lines: one object per line, read leniently and written with typed values.

A line that is not a JSON object, or nests deeper than ``MAX_JSON_DEPTH``, is
an error row ``{"_raw": line}``; a blank line is not a row. The columns of a
JSONL file are the keys of its first chunk's objects (it has no header).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

from namelink.tables.encodings import Input
from namelink.tables.lines import Lines, each_line
from namelink.tables.table import RAW_KEY, Record, unique_keys

__all__ = ["MAX_JSON_DEPTH", "JsonlReader", "JsonlWriter", "json_depth", "parse_object"]

# Nesting deeper than this makes a line an error row. json.loads recurses once
# per level, and so does json.dumps when the row is written back; Python's
# default recursion limit is 1,000, so a line 100,000 brackets deep would stop
# the whole run. Real records nest a few levels; 100 leaves room for the
# stack the reader and the writer already use.
MAX_JSON_DEPTH = 100
# Suffixes of added columns written as JSON numbers (the rest are strings, or
# null when blank) and as JSON values parsed from the cell.
NUMBER_SUFFIXES = ("score", "runner_up_score")
JSON_SUFFIXES = ("candidates",)

_TOKENS = re.compile(r'[\\"\[\]{}]')


def json_depth(text: str) -> int:
    """How deep the brackets of ``text`` nest, those inside strings not counted.

    One pass over the characters that matter (quotes, backslashes, brackets),
    found by one regular expression: linear in ``text`` whatever it holds (a
    pattern for whole strings would rescan from every quote of an unclosed one).
    """
    depth = deepest = 0
    in_string = False
    escaped_at = -1  # the position a backslash in a string escapes
    for match in _TOKENS.finditer(text):
        at, token = match.start(), match.group()
        if at == escaped_at:
            continue
        if in_string:
            if token == "\\":
                escaped_at = at + 1
            elif token == '"':
                in_string = False
        elif token == '"':
            in_string = True
        elif token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


def parse_object(text: str) -> tuple[dict[str, Any] | None, str | None]:
    """The JSON object on a line, or None and why it is not one."""
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH and json_depth(text) > MAX_JSON_DEPTH:
        return None, f"JSON nested deeper than {MAX_JSON_DEPTH} levels"
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):
        return None, "not a JSON object"
    if not isinstance(obj, dict):
        return None, "not a JSON object"
    return obj, None


class JsonlReader:
    """JSON Lines; ``header`` is set by ``set_header`` from the first chunk."""

    kind = "objects"
    newline = "\n"
    has_header = True

    def __init__(self, opened: Input) -> None:
        self._lines = Lines(opened)
        self.header: list[str] = []

    def set_header(self, first: Sequence[Record]) -> None:
        """The columns: the keys of the first chunk's objects, in the order met."""
        objects = [r.data for r in first if r.problem is None or RAW_KEY not in r.data]
        self.header = list(dict.fromkeys(key for obj in objects for key in obj))

    def records(self) -> Iterator[Record]:
        lines = self._lines
        for text, cut in each_line(lines):
            if cut:
                yield Record(lines.start, {RAW_KEY: text}, lines.damage)
                continue
            if not text.strip():
                continue
            obj, problem = parse_object(text)
            if obj is not None:
                yield Record(lines.start, obj, lines.damage)
            else:
                problem = "; ".join(filter(None, (problem, lines.damage)))
                yield Record(lines.start, {RAW_KEY: text.rstrip("\r\n")}, problem)


def typed(suffix: str, value: str) -> Any:
    """An added cell as a JSON value: numbers for scores, parsed JSON for the
    candidates, null for a blank (the normal form stays a string)."""
    if suffix.endswith(NUMBER_SUFFIXES):
        return float(value) if value else None
    if suffix.endswith(JSON_SUFFIXES):
        return json.loads(value) if value else None
    if suffix.endswith("normalized"):
        return value
    return value or None


class JsonlWriter:
    """Records as JSON Lines: an object gets the added keys; a row of a table
    becomes an object keyed by the header (a repeated name gets _2, _3 ...)."""

    def __init__(
        self, out: TextIO, header: Sequence[str], added: Sequence[str], suffixes: Sequence[str]
    ) -> None:
        self._out = out
        self._keys = unique_keys(header)
        self._added = list(zip(added, suffixes, strict=True))

    def write(self, record: Record, cells: Sequence[Sequence[str]]) -> None:
        data = record.data
        # the reader's own dict, used once, or a row keyed by the header (as wide: the reader pads rows)
        obj = data if isinstance(data, dict) else dict(zip(self._keys, data, strict=False))
        values = [value for found in cells for value in found]
        for (key, suffix), value in zip(self._added, values, strict=True):
            obj[key] = typed(suffix, value)
        self._out.write(json.dumps(obj, ensure_ascii=False) + "\n")
