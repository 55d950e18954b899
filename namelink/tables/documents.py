"""Documents of running text: a whole file, a file's lines, or JSONL objects
``{"id": ..., "text": ...}``, read as leniently as tables are.

A whole file is one document by default, so that what the text says once (a
full name) supports what it says later (a short form), across lines. A file
larger than ``MAX_DOCUMENT_CHARS`` is refused with the way to read it by line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO, NamedTuple

from namelink.tables.encodings import is_wide, open_input
from namelink.tables.errors import BulkError
from namelink.tables.jsonl import parse_object
from namelink.tables.lines import Lines, each_line, repair

__all__ = ["MAX_DOCUMENT_CHARS", "Document", "read_documents"]

# A whole-file document is held in memory to be linked; 64 Mi characters (a
# few hundred MB as str) is far beyond any article or book, and below what a
# small machine holds.
MAX_DOCUMENT_CHARS = 1 << 26

# What marks damage: NULs, and undecodable bytes (escaped as surrogates, or shown
# as U+FFFD where UTF-16 and UTF-32 cannot escape them).
_SUSPECT = re.compile("[\x00\udc80-\udcff]")
_SUSPECT_WIDE = re.compile("[\x00\ufffd]")


class Document(NamedTuple):
    """``doc`` is the id written with each mention; ``text`` None means the
    record holds no document (``problem`` says why)."""

    doc: Any
    line: int
    text: str | None
    problem: str | None


def read_documents(
    source: BinaryIO, *, format: str, per_line: bool, encoding: str | None, name: Any = 1
) -> Iterator[Document]:
    """The documents of ``source``: the whole text (``doc`` is ``name``), each
    line (``doc`` its number) with ``per_line``, or with ``format`` jsonl each
    object (``doc`` its id, else its line number)."""
    opened = open_input(source, encoding)
    if format != "jsonl" and not per_line:
        text = opened.text.read(MAX_DOCUMENT_CHARS + 1)
        if len(text) > MAX_DOCUMENT_CHARS:
            raise BulkError(
                f"a document longer than {MAX_DOCUMENT_CHARS:,} characters; read it one line at a time "
                "with --per-line (per_line=True)"
            )
        problem = None
        damaged = (_SUSPECT_WIDE if is_wide(opened.codec) else _SUSPECT).search(text)
        if damaged:
            line = text.count("\n", 0, damaged.start()) + 1
            text, problem = repair(text, opened.codec)
            problem = f"line {line} and maybe others: {problem}" if problem else None
        yield Document(name, 1, text, problem)
        return
    lines = Lines(opened)
    for text, _ in each_line(lines):
        number = lines.start
        text = text.rstrip("\r\n")
        if format != "jsonl":
            yield Document(number, number, text, lines.damage)
            continue
        if not text.strip():
            continue
        obj, _ = parse_object(text)
        if obj is None or not isinstance(obj.get("text"), str):
            yield Document(number, number, None, 'not a JSON object with a "text" string')
            continue
        yield Document(obj.get("id", number), number, obj["text"], lines.damage)
