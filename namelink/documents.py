"""Linking the names in files of running text: each file one document (or
each line, or each JSONL object), the mentions written as JSON Lines."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterable
from contextlib import suppress
from typing import Any, BinaryIO

from namelink.gazetteer import Gazetteer
from namelink.options import check_types
from namelink.tables import TEXT_FORMATS
from namelink.tables.documents import Document, read_documents
from namelink.tally import MAX_PROBLEMS, TextSummary

__all__ = ["link_documents"]


def link_documents(
    source: BinaryIO,
    out: BinaryIO,
    *,
    gazetteer: Gazetteer | None = None,
    types: Iterable[str] | str | None = None,
    threshold: float | None = None,
    format: str = "text",
    per_line: bool = False,
    encoding: str | None = None,
    name: Any = 1,
    file: str | None = None,
) -> TextSummary:
    """Write the linked mentions in the documents of ``source`` as JSON Lines:
    ``{"doc", "start", "end", "surface", "qid", "label", "score", "type",
    "method", "description"}``.

    The whole text is one document (``doc`` is ``name``), so that a full name
    supports its short form lines later; with ``per_line`` each line is one
    (``doc`` its number, from 1); with ``format`` jsonl each object ``{"id":
    ..., "text": ...}`` (``doc`` its id, else its line number). Offsets count
    characters of the document's text (a line's without its line ending). A
    JSONL line without a text is reported, not linked. ``file``, when given, is
    written with each mention too (for mentions from several files in one output).
    """
    if format not in TEXT_FORMATS:
        raise ValueError(f"format must be one of {', '.join(TEXT_FORMATS)}, not {format!r}")
    started = time.perf_counter()
    gazetteer = gazetteer if gazetteer is not None else Gazetteer.default()
    wanted_types = check_types(types)
    gazetteer.link("", types=wanted_types, threshold=threshold)  # checks the arguments up front
    documents = mentions = errors = 0
    problems: list[tuple[int, str]] = []

    def problem(line: int, what: str) -> None:
        nonlocal errors
        errors += 1
        if len(problems) < MAX_PROBLEMS:
            problems.append((line, what))

    text_out = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        for document in read_documents(
            source, format=format, per_line=per_line, encoding=encoding, name=name
        ):
            if document.problem is not None:
                problem(document.line, document.problem)
            if document.text is None:
                continue
            documents += 1
            try:
                lines = [
                    _mention(document, m, file)
                    for m in gazetteer.iter_link_text(document.text, types=wanted_types, threshold=threshold)
                ]
            except (OSError, MemoryError):
                raise
            except Exception as error:  # one document that fails does not stop the run
                problem(document.line, f"linking this document failed ({type(error).__name__}: {error})")
                continue
            text_out.write("".join(lines))
            mentions += len(lines)
        text_out.flush()
    finally:
        with suppress(ValueError, OSError):
            text_out.detach()
    return TextSummary(documents, mentions, tuple(problems), errors, time.perf_counter() - started)


def _mention(document: Document, mention: Any, file: str | None) -> str:
    found = mention.link
    record: dict[str, Any] = {} if file is None else {"file": file}
    record |= {
        "doc": document.doc,
        "start": mention.start,
        "end": mention.end,
        "surface": mention.surface,
        "qid": found.qid,
        "label": found.label,
        "score": found.score,
        "type": found.type,
        "method": found.method,
        "description": found.description,
    }
    return json.dumps(record, ensure_ascii=False) + "\n"
