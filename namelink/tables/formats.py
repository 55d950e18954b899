"""Opening a reader and a writer for a format, and telling when an input is not
in the format it is read as.

The input and the output formats are separate: any of csv, tsv, jsonl and xlsx
can be written as any other. A CSV or TSV output is UTF-8, with a BOM when
asked, when the input had one, or when the input was not UTF-8 (a cp1256 or
UTF-16 file came from Windows, where Excel shows Arabic in a UTF-8 file only
with a BOM).
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from typing import Any, BinaryIO, NamedTuple, Protocol

from namelink.tables.csvfile import CsvReader, CsvWriter, csv_params
from namelink.tables.encodings import SNIFF_BYTES, Input, open_input, sniff_binary
from namelink.tables.errors import BulkError, FormatError
from namelink.tables.jsonl import JsonlReader, JsonlWriter, parse_object
from namelink.tables.table import FORMATS, RAW_KEY, Record
from namelink.tables.xlsx import XlsxReader, XlsxWriter

__all__ = [
    "Opened",
    "Output",
    "Reader",
    "Writer",
    "check_format",
    "check_objects",
    "open_reader",
    "open_writer",
]


class Reader(Protocol):
    kind: str  # "rows" or "objects"
    header: list[str]
    has_header: bool
    newline: str

    def records(self) -> Iterator[Record]: ...


class Writer(Protocol):
    def write(self, record: Record, cells: Sequence[Sequence[str]]) -> None: ...


def check_format(format: str, what: str = "format") -> str:
    if format not in FORMATS:
        raise ValueError(f"{what} must be one of {', '.join(FORMATS)}, not {format!r}")
    return format


class Opened:
    """A reader with what the writer needs to know of the input."""

    def __init__(self, reader: Any, text: Input | None, delimiter: str | None) -> None:
        self.reader = reader
        self.text = text
        self.delimiter = delimiter

    @property
    def bytes_read(self) -> int:
        return self.text.source.bytes_read if self.text is not None else 0

    @property
    def wants_bom(self) -> bool:
        """The input had a UTF-8 BOM or was not UTF-8."""
        return self.text is not None and (self.text.bom or not self.text.utf8)


def _looks_like_json(line: str | None) -> bool:
    return line is not None and line.lstrip("\ufeff \t").startswith("{") and parse_object(line)[0] is not None


def open_reader(
    source: BinaryIO, format: str, *, delimiter: str | None, encoding: str | None, header: bool
) -> Opened:
    """The reader of ``format`` over ``source``; FormatError when the input is
    plainly in another format (a workbook read as CSV, CSV read as JSONL)."""
    if format == "xlsx":
        head = source.read(SNIFF_BYTES)
        if sniff_binary(head) != "xlsx":
            raise FormatError("the input is not an .xlsx workbook (it is not a zip file)", guess="csv")
        if delimiter is not None:
            raise BulkError("a delimiter applies to csv and tsv, not xlsx")
        rest = io.BytesIO(head + source.read()) if not source.seekable() else source
        if rest is source:
            source.seek(0)
        return Opened(XlsxReader(rest, header=header), None, None)
    text = open_input(source, encoding)
    if format == "jsonl":
        if delimiter is not None:
            raise BulkError("a delimiter applies to csv and tsv, not jsonl")
        return Opened(JsonlReader(text), text, None)
    reader = CsvReader(text, format, delimiter, header=header)
    if _looks_like_json(reader.first_line):
        raise FormatError(
            f"the input looks like JSON Lines (its first line is a JSON object), not {format}", "jsonl"
        )
    return Opened(reader, text, reader.delimiter)


def check_objects(first: Sequence[Record]) -> None:
    """FormatError when not one record of the first chunk of a JSONL input is an object."""
    if first and all(r.problem is not None and RAW_KEY in r.data and len(r.data) == 1 for r in first):
        line = first[0].data[RAW_KEY]
        looks = "; it looks like CSV or TSV" if any(d in line for d in ",;\t") else ""
        raise FormatError(
            f"the input is not JSON Lines: no line of the first {len(first):,} is a JSON object{looks}", "csv"
        )


class Output(NamedTuple):
    """A writer, the function that completes the output (flushes the text, saves
    the workbook) and the one that lets go of it after a failure (``out``
    stays open either way: it belongs to the caller)."""

    writer: Writer
    finish: Callable[[], None]
    abandon: Callable[[], None]


def open_writer(
    out: BinaryIO,
    format: str,
    opened: Opened,
    added: Sequence[str],
    suffixes: Sequence[str],
    *,
    input_format: str,
    bom: bool,
) -> Output:
    """A writer of ``format`` to ``out`` for the records of ``opened``."""
    reader = opened.reader
    keys = reader.header if reader.kind == "objects" else None
    header = reader.header if reader.has_header else None
    if format == "xlsx":
        book = XlsxWriter(out, header, added, suffixes, keys)
        return Output(book, book.close, lambda: None)
    if format in ("csv", "tsv") and (bom or opened.wants_bom):
        out.write(codecs.BOM_UTF8)
    text_out = io.TextIOWrapper(out, encoding="utf-8", newline="")

    def finish() -> None:
        text_out.flush()
        text_out.detach()

    def abandon() -> None:
        with suppress(ValueError, OSError):
            text_out.detach()

    writer: Writer
    if format == "jsonl":
        writer = JsonlWriter(text_out, reader.header, added, suffixes)
    else:
        same = format == input_format and opened.delimiter is not None
        params = csv_params(format, opened.delimiter if same else None)
        writer = CsvWriter(text_out, params, reader.newline, header, added, keys)
    return Output(writer, finish, abandon)
