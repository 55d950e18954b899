"""The file commands of the namelink CLI, ``csv`` and ``text``: a thin adapter
over namelink.bulk that picks the formats from the file names, shows progress
on a terminal, and turns the library's complaints into the flag that fixes them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from namelink.arguments import bounded
from namelink.cli_common import (
    EXIT_OK,
    EXIT_UNLINKED,
    UsageError,
    check_lang,
    open_gazetteer,
    parse_delimiter,
    parse_jobs,
    parse_threshold,
    parse_types,
    silence_stdout,
    stdin_if_none,
)
from namelink.records import ENTITY_TYPES
from namelink.statuses import MAX_CANDIDATES

__all__ = ["cmd_csv", "cmd_text", "register"]

GAZETTEER_HELP = "a gazetteer directory or JSONL file (default: embedded)"
TYPES_HELP = "only these types: " + ", ".join(sorted(ENTITY_TYPES))


@contextmanager
def _input_file(name: str) -> Iterator[tuple[BinaryIO, int | None]]:
    """The input named on the command line, '-' for stdin, with its size when known."""
    if name == "-":
        yield sys.stdin.buffer, None
        return
    path = Path(name)
    if not path.is_file():
        raise UsageError(f"{name}: no such file" + (" (it is a directory)" if path.is_dir() else ""))
    with path.open("rb") as file:
        yield file, path.stat().st_size


@contextmanager
def _output_file(name: str | None) -> Iterator[BinaryIO]:
    """stdout for None or '-'; a file is written beside OUTPUT and renamed over it at the end."""
    from namelink.tables import atomic_output

    if name is None or name == "-":
        try:
            sys.stdout.flush()
            yield sys.stdout.buffer
            sys.stdout.buffer.flush()
        except OSError:  # a full disk or a closed pipe: main() says so, once
            silence_stdout()
            raise
        return
    path = Path(name)
    if path.is_dir():
        raise UsageError(f"-o {name}: is a directory; give a file name to write")
    if not path.parent.is_dir():
        what = "is not a directory" if path.parent.exists() else "no such directory"
        raise UsageError(f"-o {name}: {path.parent} {what}")
    with atomic_output(path) as file:
        yield file


def _bulk_errors(input_name: str, error: Exception) -> UsageError:
    """The library's complaint about the input, with the flag that fixes it."""
    from namelink.tables import ColumnError, EncodingError, FormatError

    if isinstance(error, EncodingError):
        fix = (
            f"read it with --encoding {error.guess}"
            if error.guess
            else "name its encoding with --encoding (cp1256 is Windows Arabic, utf-16 Excel's Unicode text)"
        )
        return UsageError(f"{input_name}: {error}\n  {fix}")
    if isinstance(error, FormatError):
        fix = f"\n  read it with --input-format {error.guess}" if error.guess else ""
        if error.guess == "xlsx":
            fix += " (or name it .xlsx); it needs pip install 'namelink[xlsx]'"
        return UsageError(f"{input_name}: {error}{fix}")
    if isinstance(error, ColumnError):
        columns = ", ".join(error.available) or "(none)"
        hint = ""
        if error.delimiter is not None:
            shown = "\\t" if error.delimiter == "\t" else error.delimiter
            hint = f"\n  the header is one field holding {shown!r}: is that the delimiter? "
            hint += f"try --delimiter '{shown}'"
        return UsageError(
            f"--column {error.column}: no such column in {input_name}\n  columns: {columns}{hint}"
            "\n  give a column name, a 1-based index, or a comma-separated list of those"
        )
    return UsageError(f"{input_name}: {error}")


def _print_problems(problems: Sequence[tuple[int, str]], count: int) -> None:
    for line, what in problems:
        print(f"    line {line}: {what}", file=sys.stderr)
    if count > len(problems):
        print(f"    ... and {count - len(problems):,} more", file=sys.stderr)


def _formats(args: argparse.Namespace) -> tuple[str, str]:
    """The input and output formats: the flags, else the file names' extensions."""
    from namelink.tables import known_format

    in_format = args.input_format or args.format or known_format(args.input) or "csv"
    named = known_format(args.output)
    out_format = args.output_format or args.format
    if out_format is not None and named is not None and named != out_format:
        raise UsageError(
            f"-o {args.output} names a {named} file but the output format is {out_format}; "
            f"rename it, or drop --output-format/--format"
        )
    if out_format is None:
        out_format = named or ("csv" if in_format == "xlsx" and args.output in (None, "-") else in_format)
    if out_format == "xlsx" and args.output in (None, "-") and sys.stdout.isatty():
        raise UsageError("a workbook is not for a terminal: write it to a file with -o OUTPUT.xlsx")
    return in_format, out_format


def cmd_csv(args: argparse.Namespace) -> int:
    from namelink.bulk import BulkError, Progress, link_table

    gazetteer = open_gazetteer(args.gazetteer)
    lang = check_lang(gazetteer, args.lang)
    in_format, out_format = _formats(args)
    with _input_file(args.input) as (source, size):
        show = args.progress if args.progress is not None else sys.stderr.isatty()
        # the share read is of the bytes decoded: a workbook is unzipped, not decoded
        progress = Progress(sys.stderr, size if in_format != "xlsx" else None) if show else None
        try:
            with _output_file(args.output) as out:
                summary = link_table(
                    source,
                    out,
                    args.columns,
                    gazetteer=gazetteer,
                    types=args.types,
                    threshold=args.threshold,
                    lang=lang,
                    input_format=in_format,
                    output_format=out_format,
                    delimiter=args.delimiter,
                    encoding=args.encoding,
                    header=args.header,
                    bom=args.bom,
                    review=args.review,
                    candidates=args.candidates,
                    jobs=args.jobs,
                    on_progress=progress,
                )
        except BulkError as error:
            raise _bulk_errors(args.input, error) from None
        finally:
            if progress is not None:
                progress.close()
    print(
        f"namelink csv: {summary.rows:,} rows in {summary.seconds:.1f} s "
        f"({summary.rows_per_second * 60:,.0f} rows/min), {summary.lookups:,} distinct names looked up",
        file=sys.stderr,
    )
    for column, counts in summary.counts.items():
        print(f"  {column}: " + ", ".join(f"{status} {n:,}" for status, n in counts.items()), file=sys.stderr)
    if summary.malformed:
        print(f"  {summary.malformed:,} malformed rows were written with status error:", file=sys.stderr)
    _print_problems(summary.problems, summary.malformed)
    return EXIT_UNLINKED if args.strict and not summary.all_linked else EXIT_OK


def cmd_text(args: argparse.Namespace) -> int:
    from namelink.bulk import BulkError, format_of, link_documents

    gazetteer = open_gazetteer(args.gazetteer)
    inputs = stdin_if_none(args.input, "FILE arguments")
    documents = mentions = errors = 0
    seconds = 0.0
    problems: list[tuple[str, int, str]] = []
    with _output_file(args.output) as out:
        for name in inputs:
            file_format = args.format or format_of(name, default="text")
            with _input_file(name) as (source, _):
                try:
                    summary = link_documents(
                        source,
                        out,
                        gazetteer=gazetteer,
                        types=args.types,
                        threshold=args.threshold,
                        format=file_format,
                        per_line=args.per_line,
                        encoding=args.encoding,
                        name=name,
                        file=name if len(inputs) > 1 else None,
                    )
                except BulkError as error:
                    raise _bulk_errors(name, error) from None
            documents += summary.documents
            mentions += summary.mentions
            errors += summary.errors
            seconds += summary.seconds
            problems += [(name, line, what) for line, what in summary.problems]
    found = f"{documents:,} documents, {mentions:,} mentions"
    print(f"namelink text: {found} in {seconds:.1f} s", file=sys.stderr)
    for name, line, what in problems:
        where = f"{name}: line {line}" if len(inputs) > 1 else f"line {line}"
        print(f"    {where}: {what}", file=sys.stderr)
    if errors > len(problems):
        print(f"    ... and {errors - len(problems):,} more", file=sys.stderr)
    return EXIT_OK


# --candidates N
parse_candidates = bounded(int, low=1, high=MAX_CANDIDATES, give=f"a count from 1 to {MAX_CANDIDATES}")


def register(commands: Any) -> None:
    """Add the csv and text commands to the CLI's subparsers."""
    from namelink.tables import FORMATS, TEXT_FORMATS

    p = commands.add_parser(
        "csv",
        help="normalize and link columns of names in a CSV, TSV, JSONL or xlsx file",
        description="Copy INPUT with six columns added for each --column: <col>_normalized, _qid, _label, "
        "_score, _method and _status (linked, ambiguous, unlinked, empty or error). Every row is kept; "
        "malformed rows get status error. The formats follow the file names' extensions. A summary goes "
        "to stderr.",
    )
    p.add_argument("input", metavar="INPUT", help="the file to read, or - for stdin")
    p.add_argument("-o", "--output", metavar="OUTPUT", help="default stdout; written beside it, then renamed")
    p.add_argument(
        "-c",
        "--column",
        action="append",
        required=True,
        dest="columns",
        metavar="COL",
        help="to link: a name, a 1-based index, or a comma-separated list; repeatable",
    )
    p.add_argument("--input-format", choices=FORMATS, help="default: by INPUT's extension, else csv")
    p.add_argument(
        "--output-format", choices=FORMATS, help="default: by OUTPUT's extension, else the input's"
    )
    p.add_argument("--format", choices=FORMATS, help="input and output format at once")
    p.add_argument(
        "-d", "--delimiter", type=parse_delimiter, metavar="CHAR", help="default: sniffed (csv), tab (tsv)"
    )
    p.add_argument(
        "-e", "--encoding", metavar="NAME", help="INPUT's if not UTF-8, e.g. cp1256 (output is UTF-8)"
    )
    p.add_argument(
        "--no-header",
        dest="header",
        action="store_false",
        help="the first row is data; columns are 1, 2, ...",
    )
    p.add_argument("--bom", action="store_true", help="start a CSV/TSV output with a UTF-8 BOM (for Excel)")
    p.add_argument(
        "--review",
        action="store_true",
        help="add _description, _type, _explanation and the runner-up; show a refused candidate too",
    )
    p.add_argument(
        "--candidates", type=parse_candidates, default=0, metavar="N", help="add the N best as JSON"
    )
    p.add_argument("--jobs", type=parse_jobs, default=1, metavar="N", help="look names up in N processes")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        help="a progress line on stderr (default: when stderr is a terminal)",
    )
    p.add_argument("--strict", action="store_true", help="exit 1 if any cell is unlinked, ambiguous or error")
    p.add_argument("--gazetteer", metavar="PATH", help=GAZETTEER_HELP)
    p.add_argument("--types", type=parse_types, metavar="T,T", help=TYPES_HELP)
    p.add_argument("--lang", metavar="CODE", help="prefer names in this language (ar, fa, ur, en ...)")
    p.add_argument("--threshold", type=parse_threshold, metavar="SCORE", help="auto-link score, 0-1")
    p.set_defaults(run=cmd_csv)

    p = commands.add_parser(
        "text",
        help="link the names in running text, as JSON Lines",
        description="Write each mention as a JSON line: doc (the file, its line number with --per-line, or "
        'the id of a JSONL document {"id": ..., "text": ...}), start, end, surface, qid, label, score, '
        "type, method, description. Each file is one document, so a full name supports its short form "
        "later in the file.",
    )
    p.add_argument("input", metavar="FILE", nargs="*", help="text or JSONL files; none or - for stdin")
    p.add_argument("--per-line", action="store_true", help="each line is a document of its own")
    p.add_argument("-o", "--output", metavar="OUTPUT", help="default stdout; written beside it, then renamed")
    p.add_argument("--format", choices=TEXT_FORMATS, help="default: jsonl for .jsonl and .ndjson, else text")
    p.add_argument("-e", "--encoding", metavar="NAME", help="FILE's encoding if not UTF-8, e.g. cp1256")
    p.add_argument("--gazetteer", metavar="PATH", help=GAZETTEER_HELP)
    p.add_argument("--types", type=parse_types, metavar="T,T", help=TYPES_HELP)
    p.add_argument("--threshold", type=parse_threshold, metavar="SCORE", help="auto-link score, 0-1")
    p.set_defaults(run=cmd_text)
