"""Bulk linking: a column of names in a CSV, TSV or JSONL file, and running text, streamed.

This is how most people meet namelink: a spreadsheet export, a scrape or a
database dump with a column of names, which should come back as the same file
with each name normalized and linked. Files like that run to gigabytes and
repeat the same names over and over, so the input is read line by line, linked
in chunks of rows and written as each chunk is done, and each distinct name is
looked up once. Memory is bounded by the chunk window and the name cache, not
by the size of the file.

``link_table`` adds six columns for each linked column ``<col>``:
``<col>_normalized``, ``<col>_qid``, ``<col>_label``, ``<col>_score``,
``<col>_method`` and ``<col>_status``. The status is one of:

    linked     link() returned a Link.
    ambiguous  link() returned None although the best candidate clears the
               threshold: score.decide() refused it because the runner-up is
               within the margin (MARGIN of the best's band).
    unlinked   no candidate clears the threshold.
    empty      the cell is blank.
    error      the row is malformed, or looking the name up failed.

Nothing is lost. What happens to each kind of bad input:

- Encoding. UTF-8, with or without a BOM, is read as is (a BOM is kept in the
  output, where Excel needs it to show Arabic). The first ``SNIFF_BYTES`` are
  checked first: a UTF-16 or UTF-32 byte-order mark, control bytes in the
  pattern UTF-16 leaves, or a majority of the non-ASCII lines failing to
  decode means the file is not UTF-8, and EncodingError says so, with a guess
  (Arabic files saved by Windows are cp1256). ``encoding=`` reads such a file.
  After that check, a line whose bytes do not decode is an error row, each bad
  byte shown as U+FFFD.
- NUL bytes are removed and make their row an error row.
- Line endings: \\n, \\r\\n and a lone \\r may be mixed; the output uses the
  first line's.
- A row with more fields than the header keeps the surplus joined by the
  delimiter in its last column; a row with fewer is padded with empty fields.
  Both are error rows.
- A blank line is not a row (as in csv.DictReader and pandas) and is dropped.
- Quoting is parsed strictly. A record that does not parse (a quote that never
  closes, text after a closing quote) or that runs past ``MAX_RECORD_LINES``
  lines or ``MAX_RECORD_CHARS`` characters has its first line written as an
  error row, split leniently, and the lines after it are read again as rows of
  their own: a stray quote costs one row, not the rest of the file.
- A field longer than ``csv.field_size_limit()`` (131,072 characters unless
  changed) makes its row an error row; the field is kept whole.
- A line longer than ``MAX_LINE_CHARS`` is an error row holding its first
  ``MAX_LINE_CHARS`` characters. The rest of that line is the one thing that
  is dropped, and the Summary reports it.
- JSONL: a line that is not a JSON object is an error row ``{"_raw": line}``; a
  value that is not a string (or null, which counts as blank) is an error cell.

The output has one row per input row. The Summary counts the statuses and lists
the first problems with their line numbers.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import os
import re
import signal
import tempfile
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from itertools import islice
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple, TextIO

from namelink.gazetteer import Gazetteer
from namelink.normalize import normalize
from namelink.records import Link

__all__ = [
    "ADDED_COLUMNS",
    "AMBIGUOUS",
    "EMPTY",
    "ERROR",
    "FORMATS",
    "LINKED",
    "STATUSES",
    "TEXT_FORMATS",
    "UNLINKED",
    "BulkError",
    "Cell",
    "ColumnError",
    "EncodingError",
    "Progress",
    "Summary",
    "TextSummary",
    "atomic_output",
    "classify",
    "format_of",
    "link_documents",
    "link_table",
    "look_up",
]

log = logging.getLogger(__name__)

LINKED, AMBIGUOUS, UNLINKED, EMPTY, ERROR = "linked", "ambiguous", "unlinked", "empty", "error"
STATUSES = (LINKED, AMBIGUOUS, UNLINKED, EMPTY, ERROR)
# The columns added for each linked column, in this order, as <col>_<suffix>.
ADDED_COLUMNS = ("normalized", "qid", "label", "score", "method", "status")
FORMATS = ("csv", "tsv", "jsonl")
TEXT_FORMATS = ("text", "jsonl")
# The key under which a JSONL line that is not a JSON object is written back.
RAW_KEY = "_raw"

# Scores are written with 4 decimals: Link.score carries 6, and the bands and
# the margin rule (score.py) differ in the second and third.
SCORE_DECIMALS = 4
# Distinct names remembered per run (least recently used dropped beyond it).
# An entry of a two-word Arabic name measured about 450 bytes (tracemalloc and
# getsizeof: key, Cell, its strings, the OrderedDict node), so the cache stays
# under about 90 MB; a column that repeats its names has far fewer than this.
CACHE_SIZE = 200_000
# Rows per chunk: large enough that a process pool's per-task cost (a pickle
# round trip, about 0.1 ms) is noise, small enough that a window of chunks is a
# few MB.
CHUNK_ROWS = 2_000
# Chunks in flight per worker process: one being linked, one queued, so a
# worker never waits for the reader and the window stays bounded.
CHUNKS_PER_JOB = 2
# A physical line is cut beyond this many characters: the bound on the memory
# one line can take (1 Mi characters, eight times csv's default field limit).
MAX_LINE_CHARS = 1 << 20
# A record running past this many lines or characters is taken for an
# unbalanced quote (a name column's records are a line or a few); its lines are
# kept to be read again, so these bound that buffer.
MAX_RECORD_LINES = 1_000
MAX_RECORD_CHARS = 1 << 22
# How much of the input the encoding check reads before anything else.
SNIFF_BYTES = 1 << 16
# Control bytes (other than tab, CR, LF) in more than this share of the sniffed
# bytes mean UTF-16 or binary: text has none, ASCII in UTF-16 has 50% NULs and
# Arabic in UTF-16 a 0x06 byte in every other place.
CONTROL_SHARE = 0.1
# Problems (malformed rows, failed lookups) listed by line in the Summary; all
# are counted.
MAX_PROBLEMS = 20
# Read buffer for the input.
READ_BUFFER = 1 << 16

_OVERSIZED = f"a line longer than {MAX_LINE_CHARS:,} characters: the rest of it is dropped"
_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
_SURROGATES = re.compile("[\udc80-\udcff]")
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f]")
_NON_ASCII = re.compile("[^\x00-\x7f]")


class BulkError(ValueError):
    """A problem with the input or the arguments that the user can fix."""


class EncodingError(BulkError):
    """The input is not in the encoding it is read with. ``guess`` names the
    encoding it looks like, when there is a good guess."""

    def __init__(self, message: str, guess: str | None = None) -> None:
        super().__init__(message)
        self.guess = guess


class ColumnError(BulkError):
    """A column to link is not in the input; ``available`` lists those that are."""

    def __init__(self, column: str, available: Sequence[str]) -> None:
        super().__init__(f"no column {column!r}; the columns are: {', '.join(available) or '(none)'}")
        self.column = column
        self.available = tuple(available)


# --- Classification --------------------------------------------------------------------


def classify(
    gazetteer: Gazetteer,
    name: str,
    *,
    types: Iterable[str] | str | None = None,
    threshold: float | None = None,
    lang: str | None = None,
) -> tuple[str, Link | None]:
    """The status of ``name`` and its Link when it is linked.

    ``ambiguous`` is told apart from ``unlinked`` because the two need different
    work: an ambiguous name wants a human to choose, an unlinked one a bigger
    gazetteer. score.decide() refuses a best candidate only below the threshold
    or for the margin rule, so "no Link although the best candidate clears the
    threshold" is exactly the margin refusal. One lookup gives both.
    """
    if not name.strip():
        return EMPTY, None
    decision = gazetteer.decision(name, types=types, threshold=threshold, lang=lang)
    if decision.link is not None:
        return LINKED, decision.link
    return (AMBIGUOUS if decision.ambiguous else UNLINKED), None


class Cell(NamedTuple):
    """The added columns for one name, as they are written to CSV: strings, the
    score with SCORE_DECIMALS decimals, '' where there is nothing."""

    normalized: str
    qid: str
    label: str
    score: str
    method: str
    status: str


ERROR_CELL = Cell("", "", "", "", "", ERROR)


def look_up(
    gazetteer: Gazetteer,
    name: str,
    *,
    types: frozenset[str] | None = None,
    threshold: float | None = None,
    lang: str | None = None,
) -> Cell:
    """classify() as a Cell; a name whose lookup fails is an error cell, so that
    one bad name cannot stop a run over a whole file."""
    try:
        status, found = classify(gazetteer, name, types=types, threshold=threshold, lang=lang)
        normalized = normalize(name)
    except Exception as error:
        log.warning("namelink: looking up %r failed: %s", name[:80], error)
        return ERROR_CELL
    if found is None:
        return Cell(normalized, "", "", "", "", status)
    return Cell(normalized, found.qid, found.label, f"{found.score:.{SCORE_DECIMALS}f}", found.method, status)


class _NameCache:
    """Name → Cell for the names met, least recently used dropped past ``size``:
    a column that repeats its names is looked up once per distinct name, and one
    that does not still runs in bounded memory."""

    def __init__(self, size: int) -> None:
        self._cells: OrderedDict[str, Cell] = OrderedDict()
        self._pending: set[str] = set()
        self._size = size

    def wanted(self, names: Iterable[str]) -> list[str]:
        """The distinct names to look up: neither cached nor already asked for
        (by a chunk still in flight); they are then marked as asked for."""
        cells, pending = self._cells, self._pending
        wanted: list[str] = []
        for name in names:
            if name in cells:
                cells.move_to_end(name)
            elif name not in pending:
                pending.add(name)
                wanted.append(name)
        return wanted

    def store(self, names: Sequence[str], cells: Sequence[Cell]) -> None:
        for name, found in zip(names, cells, strict=True):
            self._cells[name] = found
            self._pending.discard(name)
        while len(self._cells) > self._size:
            self._cells.popitem(last=False)

    def get(self, name: str) -> Cell | None:
        return self._cells.get(name)


# --- Reading: bytes → checked lines --------------------------------------------------


class _Source(io.RawIOBase):
    """The input's bytes with the sniffed head put back in front, counted for progress."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        super().__init__()
        self._head = memoryview(head)
        # read1 returns what a pipe has at hand instead of waiting for a full buffer.
        self._read = getattr(rest, "read1", rest.read)
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
        else:
            data = self._read(len(buffer))
            n = len(data)
            buffer[:n] = data
        self.bytes_read += n
        return n


def _decodes_as_utf8(data: bytes, final: bool = True) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _guess_encoding(head: bytes) -> str | None:
    """cp1256 when the bytes read as mostly Arabic letters in it, else None."""
    text = head.decode("cp1256", errors="replace")
    non_ascii = len(_NON_ASCII.findall(text))
    return "cp1256" if non_ascii and 2 * len(_ARABIC.findall(text)) > non_ascii else None


def _sniff(head: bytes, complete: bool) -> tuple[str, bool]:
    """The codec to read an input of unknown encoding with, and whether it has
    a UTF-8 BOM; EncodingError when it is not UTF-8 (see the module docstring)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", True
    for bom, name in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            label = name.upper()
            message = f"the input is {label} (it starts with a {label} byte-order mark), not UTF-8"
            raise EncodingError(message, guess=name)
    controls = len(head.translate(None, _NOT_CONTROL))
    if controls > CONTROL_SHARE * len(head):
        odd = len(head[1::2].translate(None, _NOT_CONTROL))
        raise EncodingError(
            f"the input is not UTF-8 text: {controls:,} of its first {len(head):,} bytes are control bytes, "
            "as in UTF-16",
            guess="utf-16-le" if 2 * odd > controls else "utf-16-be",
        )
    lines = head.split(b"\n")
    cut = lines.pop() if not complete and len(lines) > 1 else b""
    non_ascii = [line for line in lines if not line.isascii()]
    bad = sum(not _decodes_as_utf8(line) for line in non_ascii)
    if cut and not cut.isascii():
        non_ascii.append(cut)
        bad += not _decodes_as_utf8(cut, final=False)
    if non_ascii and 2 * bad > len(non_ascii):
        guess = _guess_encoding(head)
        looks = "; it looks like Windows Arabic (cp1256)" if guess else ""
        raise EncodingError(
            f"the input is not UTF-8: {bad} of the {len(non_ascii)} lines with non-ASCII bytes in its first "
            f"{len(head):,} bytes do not decode{looks}",
            guess,
        )
    return "utf-8", False


class _Input(NamedTuple):
    text: TextIO
    source: _Source
    bom: bool
    codec: str


def _open_input(source: BinaryIO, encoding: str | None) -> _Input:
    head = source.read(SNIFF_BYTES)
    if encoding is None:
        codec, bom = _sniff(head, complete=len(head) < SNIFF_BYTES)
    else:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise BulkError(
                f"unknown encoding {encoding!r}; give a Python codec name such as utf-8, cp1256 or utf-16"
            ) from None
        bom = codec in ("utf-8", "utf-8-sig") and head.startswith(codecs.BOM_UTF8)
    if codec == "utf-8":
        codec = "utf-8-sig"  # reads a BOM if there is one, and nothing otherwise
    wide = codec.startswith(("utf-16", "utf-32"))
    raw = _Source(head, source)
    # surrogateescape keeps each undecodable byte visible for _Lines to flag; it
    # cannot escape bytes below 0x80, which UTF-16 and UTF-32 produce, so those
    # decode with U+FFFD instead.
    text = io.TextIOWrapper(
        io.BufferedReader(raw, READ_BUFFER),
        encoding=codec,
        errors="replace" if wide else "surrogateescape",
        newline="",
    )
    return _Input(text, raw, bom, codec)


class _Oversized(Exception):
    """A physical line longer than MAX_LINE_CHARS."""


class _TooLong(Exception):
    """A record running past MAX_RECORD_LINES lines or MAX_RECORD_CHARS characters."""


class _Lines:
    """The input's physical lines, each checked once as it is read.

    A NUL or an undecodable byte is repaired and marks the line (and so its
    record) damaged; a line longer than MAX_LINE_CHARS is cut and raises
    _Oversized. The lines of the record being read are kept in ``taken``
    (numbered from ``start``: lines given back come before any line not yet
    read, so the numbers run on), so that a record gone wrong can be given back
    with ``push_back`` and read again line by line.
    """

    def __init__(self, opened: _Input) -> None:
        self._read = opened.text.readline
        wide = opened.codec.startswith(("utf-16", "utf-32"))
        self._suspect = re.compile("[\x00\ufffd]" if wide else "[\x00\udc80-\udcff]")
        codec = opened.codec.removesuffix("-sig").upper()
        self._undecodable = f"bytes that are not valid {codec} (shown as U+FFFD)"
        self._pending: deque[tuple[str, str | None]] = deque()
        self._handed = 0  # lines handed out, given-back lines not counted
        self.start = 1
        self.taken: list[str] = []
        self.damaged: dict[int, str] = {}  # index in taken → what was wrong with that line
        self._chars = 0

    def __iter__(self) -> _Lines:
        return self

    def begin(self) -> None:
        """Start a new record."""
        self.start = self._handed + 1
        self.taken = []
        if self.damaged:
            self.damaged = {}
        self._chars = 0

    @property
    def damage(self) -> str | None:
        """What was wrong with the lines of this record, or None."""
        return "; ".join(dict.fromkeys(self.damaged.values())) if self.damaged else None

    def push_back(self, first: int) -> None:
        """Give back the taken lines from index ``first`` on, to be read again."""
        again = [(self.taken[i], self.damaged.get(i)) for i in range(first, len(self.taken))]
        self._pending.extendleft(reversed(again))
        self._handed -= len(again)

    def __next__(self) -> str:
        damage: str | None = None
        if self._pending:
            line, damage = self._pending.popleft()
        else:
            line = self._read(MAX_LINE_CHARS)
            if not line:
                raise StopIteration
            if len(line) == MAX_LINE_CHARS and line[-1] not in "\r\n":
                self._skip_rest_of_line()
                damage = _OVERSIZED
            elif self._suspect.search(line):
                line, damage = self._repair(line)
        self._handed += 1
        self.taken.append(line)
        if damage is not None:
            self.damaged[len(self.taken) - 1] = damage
            if damage is _OVERSIZED:
                raise _Oversized
        self._chars += len(line)
        if self._chars > MAX_RECORD_CHARS or len(self.taken) > MAX_RECORD_LINES:
            raise _TooLong
        return line

    def _skip_rest_of_line(self) -> None:
        while True:
            rest = self._read(MAX_LINE_CHARS)
            if len(rest) < MAX_LINE_CHARS or rest[-1] in "\r\n":
                return

    def _repair(self, line: str) -> tuple[str, str | None]:
        reasons = []
        if "\x00" in line:
            line = line.replace("\x00", "")
            reasons.append("NUL bytes (removed)")
        if "\ufffd" in line or _SURROGATES.search(line):
            line = _SURROGATES.sub("\ufffd", line)
            reasons.append(self._undecodable)
        return line, "; ".join(reasons) or None


class _Record(NamedTuple):
    line: int
    data: Any  # list[str] for CSV and TSV, dict for JSONL
    problem: str | None


_Row = tuple[_Record, list["str | None"]]  # a record and the names in its linked columns


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
    if isinstance(error, _TooLong):
        return (
            f"a quote opened on this line is not closed within {MAX_RECORD_LINES:,} lines "
            f"or {MAX_RECORD_CHARS:,} characters"
        )
    if isinstance(error, _Oversized):
        return "a quote opened on this line is not closed before a line too long to read"
    if "unexpected end of data" in str(error):
        return "a quote opened on this line is never closed"
    return f"a quote opened on this line does not close properly ({error})"


def _csv_problem(error: Exception) -> str:
    if "field larger than field limit" in str(error):
        return f"a field longer than {csv.field_size_limit():,} characters (kept whole)"
    return f"malformed CSV ({error})"


def _csv_records(lines: _Lines, params: dict[str, Any]) -> Iterator[_Record]:
    """Records parsed strictly, a record that fails given back as its first line
    (an error row) and its other lines (read again); blank lines dropped."""
    reader = csv.reader(lines, strict=True, **params)
    while True:
        lines.begin()
        try:
            fields = next(reader)
        except StopIteration:
            return
        except (csv.Error, _TooLong, _Oversized) as error:
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
                problem = damage or _OVERSIZED
            problem = "; ".join(dict.fromkeys(filter(None, (problem, damage))))
            yield _Record(lines.start, _lenient_fields(text, params), problem)
            continue
        if fields:
            yield _Record(lines.start, fields, lines.damage)


def _jsonl_records(lines: _Lines) -> Iterator[_Record]:
    while True:
        lines.begin()
        try:
            text = next(lines)
        except StopIteration:
            return
        except (_Oversized, _TooLong):
            yield _Record(lines.start, {RAW_KEY: lines.taken[0]}, lines.damage)
            continue
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except ValueError:
            obj = None
        if isinstance(obj, dict):
            yield _Record(lines.start, obj, lines.damage)
        else:
            problem = "; ".join(filter(None, ("not a JSON object", lines.damage)))
            yield _Record(lines.start, {RAW_KEY: text.rstrip("\r\n")}, problem)


# --- Formats -----------------------------------------------------------------------------


def format_of(path: str | Path, default: str = "csv") -> str:
    """The format a file name suggests: .tsv/.tab → tsv, .jsonl/.ndjson → jsonl."""
    suffix = Path(str(path)).suffix.lower()
    if suffix in (".tsv", ".tab"):
        return "tsv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    return default


def _added_names(columns: Sequence[str]) -> list[str]:
    return [f"{column}_{suffix}" for column in columns for suffix in ADDED_COLUMNS]


class _Csv:
    """CSV and TSV: the header names the columns; rows are lists of fields."""

    def __init__(self, opened: _Input, columns: Sequence[str], params: dict[str, Any]) -> None:
        self._lines = _Lines(opened)
        self._params = params
        records = _csv_records(self._lines, params)
        header = next(records, None)
        if header is None:
            raise BulkError("the input is empty: it needs a header line naming the columns")
        if header.problem is not None:
            raise BulkError(f"line {header.line}: the header line is malformed: {header.problem}")
        self.header: list[str] = header.data
        self._records = records
        first = self._lines.taken[0] if self._lines.taken else "\n"
        self.newline = "\r\n" if first.endswith("\r\n") else "\n"
        self._width = len(self.header)
        self._columns = list(columns)
        self._positions: list[int] = []

    def check(self, first: Sequence[_Record]) -> None:
        for column in self._columns:
            if column not in self.header:
                raise ColumnError(column, self.header)
        self._positions = [self.header.index(column) for column in self._columns]
        clash = [name for name in _added_names(self._columns) if name in self.header]
        if clash:
            raise BulkError(f"the input already has a column {clash[0]!r} (from an earlier run?); rename it")

    def records(self) -> Iterator[_Record]:
        width = self._width
        delimiter = self._params["delimiter"]
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
            yield _Record(record.line, fields, problem)

    def names(self, record: _Record) -> list[str | None]:
        fields = record.data
        return [fields[i] for i in self._positions]

    def writer(self, out: TextIO) -> Callable[[_Record, Sequence[Cell]], None]:
        writer = csv.writer(out, lineterminator=self.newline, **self._params)
        writer.writerow(self.header + _added_names(self._columns))
        writerow = writer.writerow

        def write(record: _Record, cells: Sequence[Cell]) -> None:
            row = record.data  # the reader's own list, used once
            for found in cells:
                row.extend(found)
            writerow(row)

        return write


class _Jsonl:
    """JSON Lines: one object per line; the columns are its keys."""

    newline = "\n"

    def __init__(self, opened: _Input, columns: Sequence[str]) -> None:
        self._records = _jsonl_records(_Lines(opened))
        self._columns = list(columns)

    def check(self, first: Sequence[_Record]) -> None:
        """The columns against the keys of the first chunk's objects (JSONL has no header)."""
        objects = [r.data for r in first if r.problem is None or RAW_KEY not in r.data]
        keys = list(dict.fromkeys(key for obj in objects for key in obj))
        if keys:
            for column in self._columns:
                if column not in keys:
                    raise ColumnError(column, keys)
            clash = [name for name in _added_names(self._columns) if name in keys]
            if clash:
                raise BulkError(f"the input already has a key {clash[0]!r} (from an earlier run?); rename it")

    def records(self) -> Iterator[_Record]:
        return self._records

    def names(self, record: _Record) -> list[str | None]:
        names: list[str | None] = []
        for column in self._columns:
            value = record.data.get(column)
            names.append("" if value is None else value if isinstance(value, str) else None)
        return names

    def writer(self, out: TextIO) -> Callable[[_Record, Sequence[Cell]], None]:
        keys = [[f"{column}_{suffix}" for suffix in ADDED_COLUMNS] for column in self._columns]
        dumps = json.dumps

        def write(record: _Record, cells: Sequence[Cell]) -> None:
            obj = record.data  # the reader's own dict, used once
            for (k_norm, k_qid, k_label, k_score, k_method, k_status), found in zip(keys, cells, strict=True):
                obj[k_norm] = found.normalized
                obj[k_qid] = found.qid or None
                obj[k_label] = found.label or None
                obj[k_score] = float(found.score) if found.score else None
                obj[k_method] = found.method or None
                obj[k_status] = found.status
            out.write(dumps(obj, ensure_ascii=False) + "\n")

        return write


# --- Summary and progress ----------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """What a link_table run did. ``counts`` is per linked column, status → cells;
    ``malformed`` counts error rows from the reader; ``problems`` lists the first
    MAX_PROBLEMS of those and of failed lookups, as (line, what); ``lookups`` is
    how many distinct names were looked up."""

    rows: int
    columns: tuple[str, ...]
    counts: dict[str, dict[str, int]]
    malformed: int
    problems: tuple[tuple[int, str], ...]
    lookups: int
    seconds: float

    def total(self, status: str) -> int:
        """Cells with this status, over all linked columns."""
        return sum(counts[status] for counts in self.counts.values())

    @property
    def all_linked(self) -> bool:
        """True when every non-blank cell was linked (what --strict asks for)."""
        return not any(self.total(status) for status in (UNLINKED, AMBIGUOUS, ERROR))

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class TextSummary:
    """What a link_documents run did; ``problems`` as in Summary."""

    documents: int
    mentions: int
    problems: tuple[tuple[int, str], ...]
    errors: int
    seconds: float


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class Progress:
    """A one-line progress display for a terminal: rows and rows/s, and when the
    input's size is known, the share read and the time left. It redraws at most
    every ``interval`` seconds, so calling it often costs nothing."""

    def __init__(self, stream: TextIO, total_bytes: int | None = None, *, interval: float = 0.2) -> None:
        self._stream = stream
        self._total = total_bytes if total_bytes else None
        self._interval = interval
        self._start = time.monotonic()
        self._shown = 0.0
        self._width = 0

    def __call__(self, rows: int, bytes_read: int, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._shown < self._interval:
            return
        self._shown = now
        elapsed = max(now - self._start, 1e-9)
        line = f"{rows:,} rows  {rows / elapsed:,.0f} rows/s"
        if self._total:
            share = min(bytes_read / self._total, 1.0)
            line += f"  {share:.0%}"
            if share > 0:
                line += f"  ETA {_clock(elapsed * (1 - share) / share)}"
        self._stream.write("\r" + line.ljust(self._width))
        self._stream.flush()
        self._width = len(line)

    def close(self) -> None:
        """Erase the line, leaving the terminal for the summary."""
        if self._width:
            self._stream.write("\r" + " " * self._width + "\r")
            self._stream.flush()
            self._width = 0


# --- Linking a table ---------------------------------------------------------------------

_worker: tuple[Gazetteer, frozenset[str] | None, float | None, str | None] | None = None


def _start_worker(
    gazetteer: Gazetteer, types: frozenset[str] | None, threshold: float | None, lang: str | None
) -> None:
    """Pool initializer: the gazetteer arrives once per worker (inherited as is
    where processes fork, unpickled from its compiled index elsewhere)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and ends the pool
    global _worker
    _worker = (gazetteer, types, threshold, lang)


def _look_up_in_worker(names: list[str]) -> list[Cell]:
    assert _worker is not None, "the pool initializer did not run"
    gazetteer, types, threshold, lang = _worker
    return [look_up(gazetteer, name, types=types, threshold=threshold, lang=lang) for name in names]


def _types_set(types: Iterable[str] | str | None) -> frozenset[str] | None:
    if types is None:
        return None
    return frozenset({types} if isinstance(types, str) else types)


class _Tally:
    def __init__(self, columns: Sequence[str]) -> None:
        self.columns = tuple(columns)
        self.counts = [dict.fromkeys(STATUSES, 0) for _ in columns]
        self.rows = 0
        self.malformed = 0
        self.problems: list[tuple[int, str]] = []
        self.lookups = 0

    def problem(self, line: int, what: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append((line, what))

    def summary(self, seconds: float) -> Summary:
        return Summary(
            rows=self.rows,
            columns=self.columns,
            counts={column: dict(counts) for column, counts in zip(self.columns, self.counts, strict=True)},
            malformed=self.malformed,
            problems=tuple(self.problems),
            lookups=self.lookups,
            seconds=seconds,
        )


def link_table(
    source: BinaryIO,
    out: BinaryIO,
    columns: Sequence[str],
    *,
    gazetteer: Gazetteer | None = None,
    types: Iterable[str] | str | None = None,
    threshold: float | None = None,
    lang: str | None = None,
    format: str = "csv",
    delimiter: str | None = None,
    encoding: str | None = None,
    jobs: int = 1,
    on_progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Copy the table in ``source`` to ``out`` with six columns added for each
    of ``columns`` (see the module docstring), streaming, and say what it did.

    ``format`` is csv, tsv or jsonl, for the input and the output alike;
    ``delimiter`` overrides the comma or tab; ``encoding`` reads an input that
    is not UTF-8 (the output is always UTF-8). ``jobs`` > 1 looks names up in
    that many worker processes, the output in input order and byte for byte
    the same. ``on_progress(rows, bytes_read)`` is called after each chunk.

    Raises EncodingError, ColumnError or BulkError before anything is written
    when the input cannot be read as asked.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    if isinstance(columns, str) or not columns:
        raise ValueError("columns must be a non-empty list of column names")
    if not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a positive int, not {jobs!r}")
    started = time.perf_counter()
    columns = list(dict.fromkeys(columns))
    gazetteer = gazetteer if gazetteer is not None else Gazetteer.default()
    wanted_types = _types_set(types)
    gazetteer.link("", types=wanted_types, threshold=threshold, lang=lang)  # checks the arguments up front

    opened = _open_input(source, encoding)
    table: _Csv | _Jsonl
    if format == "jsonl":
        if delimiter is not None:
            raise BulkError("a delimiter applies to csv and tsv, not jsonl")
        table = _Jsonl(opened, columns)
    else:
        dialect = csv.excel_tab if format == "tsv" else csv.excel
        params: dict[str, Any] = {"dialect": dialect, "delimiter": delimiter or dialect.delimiter}
        try:
            csv.reader([], **params)
        except TypeError as error:
            raise BulkError(f"delimiter {delimiter!r}: {error}") from None
        table = _Csv(opened, columns, params)
    records = table.records()
    first = list(islice(records, CHUNK_ROWS))
    table.check(first)

    tally = _Tally(columns)
    cache = _NameCache(CACHE_SIZE)

    def local(name: str) -> Cell:
        return look_up(gazetteer, name, types=wanted_types, threshold=threshold, lang=lang)

    if opened.bom:
        out.write(codecs.BOM_UTF8)
    text_out = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        write = table.writer(text_out)
        counts = tally.counts
        names_of = table.names

        def prepare(chunk: list[_Record]) -> tuple[list[_Row], list[str]]:
            rows = [(record, names_of(record)) for record in chunk]
            ok = (names for record, names in rows if record.problem is None)
            wanted = cache.wanted(name for names in ok for name in names if name is not None)
            tally.lookups += len(wanted)
            return rows, wanted

        def finish(rows: list[_Row], wanted: list[str], found: list[Cell]) -> None:
            cache.store(wanted, found)
            get = cache.get
            for record, names in rows:
                if record.problem is not None:
                    cells = [ERROR_CELL] * len(names)
                    tally.malformed += 1
                    tally.problem(record.line, record.problem)
                else:
                    cells = [ERROR_CELL if name is None else get(name) or local(name) for name in names]
                for i, found_cell in enumerate(cells):
                    counts[i][found_cell.status] += 1
                    if found_cell.status == ERROR and record.problem is None:
                        what = f"column {columns[i]!r}: the value is not a name, or its lookup failed"
                        tally.problem(record.line, what)
                write(record, cells)
            tally.rows += len(rows)
            if on_progress is not None:
                on_progress(tally.rows, opened.source.bytes_read)

        chunks = _chunks(first, records)
        if jobs == 1:
            for chunk in chunks:
                rows, wanted = prepare(chunk)
                finish(rows, wanted, [local(name) for name in wanted])
        else:
            _link_in_pool(chunks, prepare, finish, jobs, (gazetteer, wanted_types, threshold, lang))
        text_out.flush()
    finally:
        with suppress(ValueError, OSError):
            text_out.detach()  # leave ``out`` open: it belongs to the caller
    return tally.summary(time.perf_counter() - started)


def _chunks(first: list[_Record], records: Iterator[_Record]) -> Iterator[list[_Record]]:
    if first:
        yield first
    while chunk := list(islice(records, CHUNK_ROWS)):
        yield chunk


def _link_in_pool(
    chunks: Iterator[list[_Record]],
    prepare: Callable[[list[_Record]], tuple[Any, list[str]]],
    finish: Callable[[Any, list[str], list[Cell]], None],
    jobs: int,
    initargs: tuple[Gazetteer, frozenset[str] | None, float | None, str | None],
) -> None:
    """Chunks looked up in ``jobs`` processes and finished in input order.

    A window of at most CHUNKS_PER_JOB × jobs chunks is in flight: Pool.imap
    would read its whole input ahead of the workers, a 5 GB file into memory.
    Only the names not yet cached travel to the workers.
    """
    import multiprocessing

    window: deque[tuple[Any, list[str], AsyncResult[list[Cell]] | None]] = deque()
    limit = CHUNKS_PER_JOB * jobs
    with multiprocessing.get_context().Pool(jobs, initializer=_start_worker, initargs=initargs) as pool:
        for chunk in chunks:
            rows, wanted = prepare(chunk)
            pending = pool.apply_async(_look_up_in_worker, (wanted,)) if wanted else None
            window.append((rows, wanted, pending))
            while window and (len(window) > limit or window[0][2] is None or window[0][2].ready()):
                rows, wanted, pending = window.popleft()
                finish(rows, wanted, pending.get() if pending is not None else [])
        while window:
            rows, wanted, pending = window.popleft()
            finish(rows, wanted, pending.get() if pending is not None else [])


# --- Running text ------------------------------------------------------------------------


def link_documents(
    source: BinaryIO,
    out: BinaryIO,
    *,
    gazetteer: Gazetteer | None = None,
    types: Iterable[str] | str | None = None,
    threshold: float | None = None,
    format: str = "text",
    encoding: str | None = None,
) -> TextSummary:
    """Write the linked mentions in each document of ``source`` as JSON Lines:
    ``{"doc", "start", "end", "surface", "qid", "label", "score"}``.

    A document is a line (``doc`` is its number, from 1), or with ``format``
    jsonl an object ``{"id": ..., "text": ...}`` (``doc`` is its id, else its
    line number). Offsets count characters of the document's text without its
    line ending. A JSONL line without a text is reported, not linked.
    """
    if format not in TEXT_FORMATS:
        raise ValueError(f"format must be one of {', '.join(TEXT_FORMATS)}, not {format!r}")
    started = time.perf_counter()
    gazetteer = gazetteer if gazetteer is not None else Gazetteer.default()
    wanted_types = _types_set(types)
    gazetteer.link("", types=wanted_types, threshold=threshold)  # checks the arguments up front
    lines = _Lines(_open_input(source, encoding))
    documents = mentions = errors = 0
    problems: list[tuple[int, str]] = []

    def problem(line: int, what: str) -> None:
        nonlocal errors
        errors += 1
        if len(problems) < MAX_PROBLEMS:
            problems.append((line, what))

    text_out = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        while True:
            lines.begin()
            try:
                text = next(lines)
            except StopIteration:
                break
            except (_Oversized, _TooLong):
                text = lines.taken[0]
            number = lines.start
            if lines.damaged:
                problem(number, str(lines.damage))
            text = text.rstrip("\r\n")
            doc: Any = number
            if format == "jsonl":
                if not text.strip():
                    continue
                try:
                    obj = json.loads(text)
                except ValueError:
                    obj = None
                if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                    problem(number, 'not a JSON object with a "text" string')
                    continue
                doc = obj.get("id", number)
                text = obj["text"]
            documents += 1
            for mention in gazetteer.iter_link_text(text, types=wanted_types, threshold=threshold):
                found = mention.link
                record = {
                    "doc": doc,
                    "start": mention.start,
                    "end": mention.end,
                    "surface": mention.surface,
                    "qid": found.qid,
                    "label": found.label,
                    "score": found.score,
                }
                text_out.write(json.dumps(record, ensure_ascii=False) + "\n")
                mentions += 1
        text_out.flush()
    finally:
        with suppress(ValueError, OSError):
            text_out.detach()
    return TextSummary(documents, mentions, tuple(problems), errors, time.perf_counter() - started)


# --- Output ------------------------------------------------------------------------------


def _new_file_mode() -> int:
    umask = os.umask(0)  # reading the umask means setting it; it is put back at once
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_output(path: str | Path) -> Iterator[BinaryIO]:
    """A binary file to write ``path`` through: a temporary file beside it,
    renamed over ``path`` only when the block completes. On any exception,
    Ctrl-C included, the temporary file is deleted and ``path`` is as it was:
    either untouched or complete, never half written. Input and output may be
    the same file."""
    target = Path(path)
    if not target.parent.is_dir():
        raise BulkError(f"{target}: the directory {target.parent} does not exist")
    if target.is_dir():
        raise BulkError(f"{target} is a directory; give a file name to write")
    mode = target.stat().st_mode & 0o7777 if target.exists() else _new_file_mode()
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
