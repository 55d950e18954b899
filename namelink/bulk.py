"""Bulk linking: columns of names in a CSV, TSV, JSONL or xlsx file, and
running text, streamed.

This is how most people meet namelink: a spreadsheet export, a scrape or a
database dump with a column of names, which should come back as the same file
with each name normalized and linked. Files like that run to gigabytes and
repeat the same names over and over, so the input is read record by record,
linked in chunks and written as each chunk is done, and each distinct name is
looked up once. Memory is bounded by the chunk window and the name cache, not
by the size of the file. Reading and writing (encodings, malformed rows,
formats, atomic output) is ``namelink.tables``; the statuses and cells of one
name are ``namelink.statuses``; the name cache and the summary
``namelink.tally``; running text ``namelink.documents`` (``link_documents``,
re-exported here). This module runs the table jobs.

``link_table`` adds six columns for each linked column ``<col>``:
``<col>_normalized``, ``<col>_qid``, ``<col>_label``, ``<col>_score``,
``<col>_method`` and ``<col>_status`` (linked, ambiguous, unlinked, empty or
error: ``namelink.statuses`` says what each means).

With ``review=True`` the columns a person needs to decide follow:
``_description``, ``_type``, ``_explanation``, ``_runner_up_qid``,
``_runner_up_label`` and ``_runner_up_score``, and an ambiguous or unlinked
name shows its best candidate in ``_qid`` ... ``_method`` (only status linked
is a link). ``candidates=N`` adds ``_candidates``: the N best as one JSON list
of [qid, label, score].

Nothing is lost: the output has one row per input row (a blank line is not a
row), in order, and a row that is malformed or fails in any other way is
written with status error. The Summary counts the statuses and lists the first
problems with their line numbers.
"""

from __future__ import annotations

import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from multiprocessing.pool import AsyncResult
from typing import Any, BinaryIO

from namelink.documents import link_documents
from namelink.gazetteer import Gazetteer
from namelink.options import check_threshold, check_types
from namelink.progress import Progress
from namelink.statuses import (
    ADDED_COLUMNS,
    AMBIGUOUS,
    CANDIDATES_COLUMN,
    EMPTY,
    ERROR,
    LINKED,
    MAX_CANDIDATES,
    REVIEW_COLUMNS,
    STATUS_AT,
    STATUSES,
    UNLINKED,
    Cell,
    Options,
    added_suffixes,
    classify,
    error_cell,
    look_up,
)
from namelink.tables import (
    FORMATS,
    RAW_KEY,
    TEXT_FORMATS,
    BulkError,
    ColumnError,
    EncodingError,
    FormatError,
    Record,
    atomic_output,
    format_of,
)
from namelink.tables.formats import check_format, check_objects, open_reader, open_writer
from namelink.tables.table import resolve_columns
from namelink.tally import MAX_PROBLEMS, NameCache, Summary, Tally, TextSummary

__all__ = [
    "ADDED_COLUMNS",
    "AMBIGUOUS",
    "CANDIDATES_COLUMN",
    "EMPTY",
    "ERROR",
    "FORMATS",
    "LINKED",
    "MAX_PROBLEMS",
    "RAW_KEY",
    "REVIEW_COLUMNS",
    "STATUSES",
    "TEXT_FORMATS",
    "UNLINKED",
    "BulkError",
    "Cell",
    "ColumnError",
    "EncodingError",
    "FormatError",
    "Progress",
    "Summary",
    "TextSummary",
    "added_suffixes",
    "atomic_output",
    "classify",
    "format_of",
    "link_documents",
    "link_table",
    "look_up",
]

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


# --- Workers -----------------------------------------------------------------------------

_worker: tuple[Gazetteer, Options] | None = None


def _start_worker(gazetteer: Gazetteer, options: Options) -> None:
    """Pool initializer: the gazetteer arrives once per worker (inherited as is
    where processes fork, unpickled from its compiled index elsewhere)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and ends the pool
    global _worker
    _worker = (gazetteer, options)


def _look_up_in_worker(names: list[str]) -> list[tuple[str, ...]]:
    assert _worker is not None, "the pool initializer did not run"
    gazetteer, options = _worker
    return [look_up(gazetteer, name, **options._asdict()) for name in names]


def _local_names(
    kind: str, typed: bool, keys: Sequence[str], positions: Sequence[int]
) -> Callable[[Record], list[str | None]]:
    """The names in a record's linked columns; None for a value that is not text."""
    if kind == "objects":

        def of_object(record: Record) -> list[str | None]:
            data = record.data
            names: list[str | None] = []
            for key in keys:
                value = data.get(key)
                names.append("" if value is None else value if isinstance(value, str) else None)
            return names

        return of_object

    if typed:  # a workbook's cells: numbers and dates read as text

        def of_cells(record: Record) -> list[str | None]:
            fields = record.data
            return [_cell_name(fields[i]) for i in positions]

        return of_cells

    if len(positions) == 1:  # the common case, on the hot path
        (only,) = positions
        return lambda record: [record.data[only]]
    return lambda record: [record.data[i] for i in positions]


def _cell_name(value: Any) -> str:
    """A field as a name: text as it is (CSV), a workbook's number or date as it reads."""
    if isinstance(value, str):
        return value
    return "" if value is None else str(value)


def link_table(
    source: BinaryIO,
    out: BinaryIO,
    columns: Sequence[str | int],
    *,
    gazetteer: Gazetteer | None = None,
    types: Iterable[str] | str | None = None,
    threshold: float | None = None,
    lang: str | None = None,
    format: str | None = None,
    input_format: str | None = None,
    output_format: str | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    header: bool = True,
    bom: bool = False,
    review: bool = False,
    candidates: int = 0,
    jobs: int = 1,
    on_progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Copy the table in ``source`` to ``out`` with six columns added for each
    of ``columns`` (see the module docstring), streaming, and say what it did.

    ``columns`` are names, 1-based indexes or comma-separated lists of those.
    ``input_format`` and ``output_format`` are csv, tsv, jsonl or xlsx
    (``format`` sets both; the output's defaults to the input's); ``delimiter``
    overrides the sniffed one (CSV) or the tab; ``header=False`` reads a file
    whose first row is data, its columns numbered from 1; ``encoding`` reads an
    input that is not UTF-8. The output is UTF-8, with a BOM when ``bom`` is
    set or the input was not UTF-8. ``review`` and ``candidates`` add the
    columns to decide close calls by. ``jobs`` > 1 looks names up in that many
    worker processes, the output in input order and byte for byte the same.
    ``on_progress(rows, bytes_read)`` is called after each chunk.

    Raises EncodingError, FormatError, ColumnError or BulkError before anything
    is written when the input cannot be read as asked.
    """
    in_format = check_format(input_format or format or "csv", "input_format")
    out_format = check_format(output_format or format or in_format, "output_format")
    if isinstance(columns, (str, int)) or not columns:
        raise ValueError("columns must be a non-empty list of column names or 1-based indexes")
    if not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be a positive int, not {jobs!r}")
    if not isinstance(candidates, int) or not 0 <= candidates <= MAX_CANDIDATES:
        raise ValueError(f"candidates must be an int from 0 to {MAX_CANDIDATES}, not {candidates!r}")
    started = time.perf_counter()
    gazetteer = gazetteer if gazetteer is not None else Gazetteer.default()
    options = Options(check_types(types), threshold, lang, bool(review), candidates)
    check_threshold(threshold)
    gazetteer.link("", types=options.types, threshold=threshold, lang=lang)  # checks the arguments up front

    opened = open_reader(source, in_format, delimiter=delimiter, encoding=encoding, header=header)
    reader = opened.reader
    records = reader.records()
    first = list(islice(records, CHUNK_ROWS))
    if reader.kind == "objects":
        check_objects(first)
        reader.set_header(first)
    if reader.kind == "objects" and not reader.header:
        names = [str(c) for c in columns]  # no object to check the keys against
        positions: list[int] = []
    else:
        positions = resolve_columns(columns, reader.header, opened.delimiter)
        names = [reader.header[i] for i in positions]
    suffixes = added_suffixes(options.review, options.candidates)
    added = [f"{name}_{suffix}" for name in names for suffix in suffixes]
    clash = [name for name in added if name in reader.header] if reader.has_header else []
    if clash:
        raise BulkError(f"the input already has a column {clash[0]!r} (from an earlier run?); rename it")

    tally = Tally(names)
    cache = NameCache(CACHE_SIZE)
    failed = error_cell(options)
    lookup_options = options._asdict()

    def local(name: str) -> tuple[str, ...]:
        return look_up(gazetteer, name, **lookup_options)

    output = open_writer(
        out, out_format, opened, added, list(suffixes) * len(names), input_format=in_format, bom=bom
    )
    write = output.writer.write
    names_of = _local_names(reader.kind, getattr(reader, "typed", False), names, positions)
    counts = tally.counts

    def row_names(record: Record) -> list[str | None]:
        try:
            return names_of(record)
        except Exception:  # a record no reader foresaw: an error row, not a failed run
            return [None] * len(names)

    def prepare(chunk: list[Record]) -> tuple[list[tuple[Record, list[str | None]]], list[str]]:
        rows = [(record, row_names(record)) for record in chunk]
        ok = (found for record, found in rows if record.problem is None)
        wanted = cache.wanted(name for found in ok for name in found if name is not None)
        tally.lookups += len(wanted)
        return rows, wanted

    def finish(rows: list[tuple[Record, list[str | None]]], wanted: list[str], found: list[Any]) -> None:
        cache.store(wanted, found)
        get = cache.get
        for record, row in rows:
            if record.problem is not None:
                cells = [failed] * len(row)
                tally.malformed += 1
                tally.problem(record.line, record.problem)
            else:
                cells = [failed if name is None else get(name) or local(name) for name in row]
            for i, cell in enumerate(cells):
                status = cell[STATUS_AT]
                counts[i][status] += 1
                if status == ERROR and record.problem is None:
                    what = f"column {names[i]!r}: the value is not a name, or its lookup failed"
                    tally.problem(record.line, what)
            try:
                write(record, cells)
            except (OSError, MemoryError):
                raise
            except Exception as error:  # a value no writer foresaw: an error row, never a dropped one
                _write_error_row(write, record, cells, failed, tally, error)
        tally.rows += len(rows)
        if on_progress is not None:
            on_progress(tally.rows, opened.bytes_read)

    try:
        chunks = _chunks(first, records)
        if jobs == 1:
            for chunk in chunks:
                rows, wanted = prepare(chunk)
                finish(rows, wanted, [local(name) for name in wanted])
        else:
            _link_in_pool(chunks, prepare, finish, jobs, (gazetteer, options))
        output.finish()
    except BaseException:
        output.abandon()
        raise
    return tally.summary(time.perf_counter() - started)


def _write_error_row(
    write: Callable[[Record, Sequence[Sequence[str]]], None],
    record: Record,
    cells: list[Any],
    failed: tuple[str, ...],
    tally: Tally,
    error: Exception,
) -> None:
    """Write a row that could not be written as it is as an error row of its raw text."""
    tally.malformed += 1
    tally.problem(record.line, f"the row could not be written ({type(error).__name__}: {error})")
    if isinstance(record.data, dict):
        data: Any = {RAW_KEY: repr(record.data)}
    else:
        data = [repr(record.data)] + [""] * (len(record.data) - 1)
    write(Record(record.line, data, "unwritable"), [failed] * len(cells))


def _chunks(first: list[Record], records: Iterator[Record]) -> Iterator[list[Record]]:
    if first:
        yield first
    while chunk := list(islice(records, CHUNK_ROWS)):
        yield chunk


def _link_in_pool(
    chunks: Iterator[list[Record]],
    prepare: Callable[[list[Record]], tuple[Any, list[str]]],
    finish: Callable[[Any, list[str], list[Any]], None],
    jobs: int,
    initargs: tuple[Gazetteer, Options],
) -> None:
    """Chunks looked up in ``jobs`` processes and finished in input order.

    A window of at most CHUNKS_PER_JOB × jobs chunks is in flight: Pool.imap
    would read its whole input ahead of the workers, a 5 GB file into memory.
    Only the names not yet cached travel to the workers.
    """
    import multiprocessing

    window: deque[tuple[Any, list[str], AsyncResult[list[tuple[str, ...]]] | None]] = deque()
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
