"""CSV and TSV: strict parsing with a lenient fallback, the delimiter sniffed,
and a writer that takes the records of any reader.

Quoting is parsed strictly. A record that does not parse (a quote that never
closes, text after a closing quote) or that runs past the line reader's record
limits has its first line written as an error row, split leniently, and the
lines after it are read again as rows of their own: a stray quote costs one
row, not the rest of the file. A field longer than ``csv.field_size_limit()``
makes its row an error row, the field kept whole. A row with more fields than
the header keeps the surplus joined by the delimiter in its last column; a row
with fewer is padded. A blank line is not a row (as in csv.DictReader).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

from namelink.tables import lines as limits
from namelink.tables.encodings import Input
from namelink.tables.errors import BulkError
from namelink.tables.lines import Lines, Oversized, TooLong, oversized_problem
from namelink.tables.table import RAW_KEY, Record, row_of_object

__all__ = ["DELIMITERS", "CsvReader", "CsvWriter", "csv_params", "sniff_delimiter"]

# The delimiters sniffed from the header line when none is given: the comma,
# the semicolon European Excel writes, the tab and the pipe of database dumps.
DELIMITERS = (",", ";", "\t", "|")
_QUOTED = re.compile('"[^"]*"')


def csv_params(format: str, delimiter: str | None) -> dict[str, Any]:
    """The csv module's arguments for ``format`` (csv or tsv) and a delimiter."""
    dialect = csv.excel_tab if format == "tsv" else csv.excel
    params: dict[str, Any] = {"dialect": dialect, "delimiter": delimiter or dialect.delimiter}
    try:
        csv.reader([], **params)
    except TypeError as error:
        raise BulkError(f"delimiter {delimiter!r}: {error}") from None
    return params


def sniff_delimiter(line: str) -> str:
    """The delimiter of a CSV whose first line is ``line``: the one of DELIMITERS
    it holds most often outside quotes, the comma on a tie or when it holds none.
    Linear in the line, whatever quotes it holds."""
    bare = _QUOTED.sub("", line)
    counts = [(bare.count(d), -i, d) for i, d in enumerate(DELIMITERS)]
    count, _, best = max(counts)
    return best if count else ","


def _lenient_fields(text: str, params: dict[str, Any]) -> list[str]:
    """The fields of one line, parsed as leniently as csv can, else split."""
    line = text.rstrip("\r\n")
    try:
        return next(csv.reader([line], strict=False, **params), [""])
    except csv.Error:
        return line.split(params["delimiter"])


def _quote_problem(error: Exception) -> str:
    """What went wrong with a record of several lines: its first line opened a
    quoted field (a record goes on to the next line only inside quotes)."""
    if isinstance(error, TooLong):
        return (
            f"a quote opened on this line is not closed within {limits.MAX_RECORD_LINES:,} lines "
            f"or {limits.MAX_RECORD_CHARS:,} characters"
        )
    if isinstance(error, Oversized):
        return "a quote opened on this line is not closed before a line too long to read"
    if "unexpected end of data" in str(error):
        return "a quote opened on this line is never closed"
    return f"a quote opened on this line does not close properly ({error})"


def _csv_problem(error: Exception) -> str:
    if "field larger than field limit" in str(error):
        return f"a field longer than {csv.field_size_limit():,} characters (kept whole)"
    return f"malformed CSV ({error})"


def _csv_records(lines: Lines, params: dict[str, Any]) -> Iterator[Record]:
    """Records parsed strictly, a record that fails given back as its first line
    (an error row) and its other lines (read again); blank lines dropped."""
    reader = csv.reader(lines, strict=True, **params)
    while True:
        lines.begin()
        try:
            fields = next(reader)
        except StopIteration:
            return
        except (csv.Error, TooLong, Oversized) as error:
            if not lines.taken:
                raise
            text, damage, several = lines.taken[0], lines.damaged.get(0), len(lines.taken) > 1
            lines.push_back(1)
            reader = csv.reader(lines, strict=True, **params)
            if several:
                problem = _quote_problem(error)
            elif isinstance(error, csv.Error):
                problem = _csv_problem(error)
            else:
                problem = damage or oversized_problem()
            problem = "; ".join(dict.fromkeys(filter(None, (problem, damage))))
            yield Record(lines.start, _lenient_fields(text, params), problem)
            continue
        if fields:
            yield Record(lines.start, fields, lines.damage)


class CsvReader:
    """CSV and TSV: the header names the columns (or, with ``header=False``,
    they are 1, 2, ... as wide as the first row); rows are lists of fields."""

    kind = "rows"

    def __init__(self, opened: Input, format: str, delimiter: str | None, *, header: bool = True) -> None:
        self._lines = Lines(opened)
        if delimiter is None and format == "csv":
            delimiter = self._sniff()
        self.params = csv_params(format, delimiter)
        self.delimiter: str = self.params["delimiter"]
        records = _csv_records(self._lines, self.params)
        first = next(records, None)
        if first is None:
            raise BulkError("the input is empty: it needs a header line naming the columns")
        self.has_header = header
        self._first: Record | None = None
        if header:
            if first.problem is not None:
                raise BulkError(f"line {first.line}: the header line is malformed: {first.problem}")
            self.header: list[str] = first.data
        else:
            self.header = [str(i) for i in range(1, len(first.data) + 1)]
            self._first = first
        self._records = records
        self.first_line = self._lines.first_line
        line = self.first_line or "\n"
        self.newline = "\r\n" if line.endswith("\r\n") else "\n"

    def _sniff(self) -> str:
        lines = self._lines
        lines.begin()
        try:
            line = next(lines, "")
        except (Oversized, TooLong):
            line = lines.taken[0] if lines.taken else ""
        lines.push_back(0)
        return sniff_delimiter(line)

    def records(self) -> Iterator[Record]:
        width = len(self.header)
        delimiter = self.delimiter
        if self._first is not None:
            yield self._first
        for record in self._records:
            fields = record.data
            if len(fields) == width:
                yield record
                continue
            problem = record.problem or f"{len(fields)} fields where the header has {width}"
            if len(fields) < width:
                fields = fields + [""] * (width - len(fields))
            else:
                fields = [*fields[: width - 1], delimiter.join(fields[width - 1 :])]
            yield Record(record.line, fields, problem)


class CsvWriter:
    """Rows as CSV or TSV: the header line (unless ``header`` is None), then each
    record's fields and its added cells. A JSONL record is written under the
    columns ``keys`` with a last column RAW_KEY (see row_of_object)."""

    def __init__(
        self,
        out: TextIO,
        params: dict[str, Any],
        newline: str,
        header: Sequence[str] | None,
        added: Sequence[str],
        keys: Sequence[str] | None = None,
    ) -> None:
        self._writerow = csv.writer(out, lineterminator=newline, **params).writerow
        self._keys = list(keys) if keys is not None else None
        self._keyset = frozenset(self._keys or ())
        if header is not None:
            columns = list(header) if keys is None else [*keys, RAW_KEY]
            self._writerow(columns + list(added))

    def write(self, record: Record, cells: Sequence[Sequence[str]]) -> None:
        # a JSONL object laid out in columns, or the reader's own list, used once
        row = record.data if self._keys is None else row_of_object(record.data, self._keys, self._keyset)
        for found in cells:
            row.extend(found)
        self._writerow(row)
