"""Excel workbooks (.xlsx), through openpyxl (the ``xlsx`` extra).

The first worksheet is read, streamed (openpyxl's read-only mode); its first
row is the header, unless there is none. Cells keep their values: numbers stay
numbers, dates become ISO 8601 text. A row that is blank is not a row. The
writer streams too (write-only mode). A text cell that starts with "=" is
written as text, never as a formula, and characters a workbook cannot hold
(control characters) are replaced with U+FFFD.
"""

from __future__ import annotations

import datetime
import io
import shutil
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO

from namelink.tables.errors import BulkError, FormatError
from namelink.tables.table import RAW_KEY, Record, as_text, row_of_object

__all__ = ["XlsxReader", "XlsxWriter", "require_openpyxl"]

INSTALL = "pip install 'namelink[xlsx]'"
# Suffixes of added columns written as numbers.
NUMBER_SUFFIXES = ("score", "runner_up_score")


def require_openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise BulkError(f"reading and writing .xlsx needs openpyxl: {INSTALL}") from None
    return openpyxl


def _value(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def cell_text(value: Any) -> str:
    """A cell's value as text, as it would read in CSV."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return as_text(value)


class XlsxReader:
    """The first worksheet of a workbook, row by row."""

    kind = "rows"
    typed = True  # cells hold numbers and dates, not only text
    newline = "\n"

    def __init__(self, source: BinaryIO, *, header: bool = True) -> None:
        openpyxl = require_openpyxl()
        self.bytes_read = 0
        if not source.seekable():
            buffer = io.BytesIO()
            shutil.copyfileobj(source, buffer)
            source = buffer
        try:
            self._book = openpyxl.load_workbook(source, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises zipfile, KeyError and its own errors alike
            raise FormatError(f"the input is not an .xlsx workbook that can be read ({error})") from None
        sheet = self._book.worksheets[0] if self._book.worksheets else None
        if sheet is None:
            raise BulkError("the workbook has no worksheet")
        self._rows = self._read(sheet)
        first = next(self._rows, None)
        if first is None:
            raise BulkError("the first worksheet is empty: it needs a header row naming the columns")
        self.has_header = header
        self._first: Record | None = None
        if header:
            self.header = [cell_text(v) for v in first.data]
        else:
            self.header = [str(i) for i in range(1, len(first.data) + 1)]
            self._first = first

    def _read(self, sheet: Any) -> Iterator[Record]:
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            row = [_value(v) for v in values]
            while row and (row[-1] is None or row[-1] == ""):
                row.pop()
            if row:
                yield Record(number, row, None)

    def records(self) -> Iterator[Record]:
        width = len(self.header)
        if self._first is not None:
            yield self._pad(self._first, width)
        for record in self._rows:
            yield self._pad(record, width)
        self._book.close()

    @staticmethod
    def _pad(record: Record, width: int) -> Record:
        row = record.data
        if len(row) <= width:
            return Record(record.line, row + [None] * (width - len(row)), None)
        surplus = ", ".join(cell_text(v) for v in row[width - 1 :])
        return Record(
            record.line, [*row[: width - 1], surplus], f"{len(row)} cells where the header has {width}"
        )


class XlsxWriter:
    """Rows to a workbook of one worksheet, saved to ``out`` by ``close``."""

    def __init__(
        self,
        out: BinaryIO,
        header: Sequence[str] | None,
        added: Sequence[str],
        suffixes: Sequence[str],
        keys: Sequence[str] | None = None,
    ) -> None:
        openpyxl = require_openpyxl()
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        self._cell = WriteOnlyCell
        self._illegal = ILLEGAL_CHARACTERS_RE
        self._out = out
        self._book = openpyxl.Workbook(write_only=True)
        self._sheet = self._book.create_sheet("namelink")
        self._keys = list(keys) if keys is not None else None
        self._keyset = frozenset(self._keys or ())
        self._numbers = [suffix.endswith(NUMBER_SUFFIXES) for suffix in suffixes]
        if header is not None:
            columns = list(header) if keys is None else [*keys, RAW_KEY]
            self._sheet.append([self._safe(c) for c in [*columns, *added]])

    def _safe(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        if self._illegal.search(value):
            value = self._illegal.sub("\ufffd", value)
        if value.startswith("="):
            cell = self._cell(self._sheet, value=value)
            cell.data_type = "s"
            return cell
        return value

    def write(self, record: Record, cells: Sequence[Sequence[str]]) -> None:
        if self._keys is not None:
            row: list[Any] = row_of_object(record.data, self._keys, self._keyset)
        else:
            row = record.data
        row = [self._safe(v) for v in row]
        values = [value for found in cells for value in found]
        for value, number in zip(values, self._numbers, strict=True):
            row.append((float(value) if value else None) if number else self._safe(value))
        self._sheet.append(row)

    def close(self) -> None:
        self._book.save(self._out)
