"""The namelink command: a thin adapter over the library.

Results go to stdout, diagnostics to stderr. Exit codes: 0 ok, 1 something was
not linked (where the command says so), 2 a usage or data error, with a message
that says how to fix it. Flags carry the names of the library's keyword
arguments (--threshold, --types, --limit, --lang, --gazetteer).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from namelink import __version__
from namelink.gazetteer import Gazetteer, GazetteerError
from namelink.normalize import normalize
from namelink.records import ENTITY_TYPES, Link
from namelink.wikidata.commands import register as register_build_actions

EXIT_OK = 0
EXIT_UNLINKED = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """A problem the user can fix; main() prints it and exits 2."""


# --- shared helpers -----------------------------------------------------------------


def open_gazetteer(path: str | None) -> Gazetteer:
    if path is None:
        return Gazetteer.default()
    if not Path(path).exists():
        raise UsageError(f"--gazetteer {path}: no such file or directory")
    return Gazetteer.load(path)


def parse_types(value: str) -> frozenset[str]:
    types = frozenset(t.strip() for t in value.split(",") if t.strip())
    unknown = types - ENTITY_TYPES
    if unknown or not types:
        raise argparse.ArgumentTypeError(
            f"unknown type(s) {', '.join(sorted(unknown)) or '(none)'}; use a comma-separated list of "
            + ", ".join(sorted(ENTITY_TYPES))
        )
    return types


def parse_threshold(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number; give a score between 0 and 1") from None
    if not 0.0 <= number <= 1.0:
        raise argparse.ArgumentTypeError(f"{value} is outside 0–1; give a score between 0 and 1")
    return number


def link_record(name: str, link: Link | None) -> dict[str, Any]:
    """The JSON shape of one lookup result, shared by link, candidates and csv."""
    record: dict[str, Any] = {"name": name, "normalized": normalize(name), "qid": None}
    if link is not None:
        record.update(
            qid=link.qid,
            label=link.label,
            score=link.score,
            method=link.method,
            type=link.type,
            description=link.description,
            matched_name=link.matched_name,
            matched_lang=link.matched_lang,
            explanation=link.explanation,
        )
        if link.runner_up is not None:
            record["runner_up"] = {
                "qid": link.runner_up.qid,
                "label": link.runner_up.label,
                "score": link.runner_up.score,
            }
    return record


def write_json(out: TextIO, record: dict[str, Any]) -> None:
    out.write(json.dumps(record, ensure_ascii=False) + "\n")


def read_names(names: Sequence[str], stdin: TextIO) -> Iterator[str]:
    """The names given, with '-' standing for stdin, one name per line."""
    for name in names:
        if name == "-":
            for line in stdin:
                if line.strip():
                    yield line.rstrip("\r\n")
        else:
            yield name


# --- commands -------------------------------------------------------------------------


def cmd_normalize(args: argparse.Namespace) -> int:
    for text in read_names(args.text, sys.stdin):
        if args.json:
            from namelink.keys import keys

            write_json(sys.stdout, {"text": text, "normalized": normalize(text), "keys": list(keys(text))})
        else:
            print(normalize(text))
    return EXIT_OK


def cmd_link(args: argparse.Namespace) -> int:
    gazetteer = open_gazetteer(args.gazetteer)
    names = list(read_names(args.name, sys.stdin))
    links = gazetteer.link_many(names, types=args.types, threshold=args.threshold, lang=args.lang)
    for name, link in zip(names, links, strict=True):
        if args.json:
            write_json(sys.stdout, link_record(name, link))
        elif link is None:
            print(f"{name}\t-\tnot linked")
        else:
            print(f"{name}\t{link.qid}\t{link.label}\t{link.score:.3f}\t{link.method}\t{link.explanation}")
    return EXIT_OK if all(links) else EXIT_UNLINKED


def cmd_candidates(args: argparse.Namespace) -> int:
    gazetteer = open_gazetteer(args.gazetteer)
    for name in read_names(args.name, sys.stdin):
        found = gazetteer.candidates(name, types=args.types, limit=args.limit, lang=args.lang)
        if args.json:
            write_json(sys.stdout, {"name": name, "candidates": [link_record(name, c) for c in found]})
            continue
        print(name)
        for rank, c in enumerate(found, 1):
            matched = f"{c.matched_name} [{c.matched_lang}]"
            print(f"  {rank}. {c.qid}\t{c.label}\t{c.score:.3f}\t{c.method}\t{matched}")
        if not found:
            print("  (no candidates)")
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    from namelink.evaluate import EvalError, SuiteError, evaluate, evaluate_suite, read_gold

    gazetteer = open_gazetteer(args.gazetteer)
    if args.suite is not None:
        if args.gold is not None:
            raise UsageError("give either GOLD.tsv or --suite DIR, not both")
        try:
            suite = evaluate_suite(args.suite, gazetteer, split=args.split)
        except SuiteError as error:
            raise UsageError(f"{error}\n  --suite needs a directory like tests/data/eval") from None
        if args.json:
            write_json(sys.stdout, suite.to_dict())
        else:
            print(suite.table())
        return EXIT_OK
    if args.gold is None:
        raise UsageError("give a GOLD.tsv, or --suite DIR for the open-world suite")
    try:
        gold = read_gold(args.gold, encoding=args.encoding)
    except EvalError as error:
        raise UsageError(
            f"{error}\n  GOLD.tsv needs a header with the columns name, qid (and optionally type)"
        ) from None
    report = evaluate(gold, gazetteer)
    summary = report.summary()
    if args.json:
        write_json(sys.stdout, summary)
        return EXIT_OK
    print(f"rows            {summary['rows']} ({summary['should_link']} to link, {summary['nil']} NIL)")
    for figure in ("accuracy_at_1", "accuracy_at_5", "nil_precision", "nil_recall", "false_link_rate"):
        print(f"{figure:<15} {summary[figure]:.3f}")
    for kind, counts in summary["by_type"].items():  # type: ignore[attr-defined]
        print(f"  {kind:<13} accuracy@1 {counts['accuracy_at_1']:.3f} over {counts['rows']}")
    apart, linked = report.word_list_nil, report.word_list_nil_linked
    print(f"word-list NIL   {apart} rows not counted (the word lists decide them), {linked} linked")
    errors = summary["errors"]
    if errors:
        print(f"errors ({len(errors)}): name, expected, got, score")  # type: ignore[arg-type]
        for miss in errors:  # type: ignore[attr-defined]
            score = "-" if miss["score"] is None else f"{miss['score']:.3f}"
            expected = f"{miss['expected']} {miss['expected_label']}" if miss["expected"] else "NIL"
            got = f"{miss['got']} {miss['got_label']}" if miss["got"] else "NIL"
            print(f"  {miss['name']}\t{expected}\t{got}\t{score}")
    return EXIT_OK


def cmd_gazetteer_info(args: argparse.Namespace) -> int:
    gazetteer = open_gazetteer(args.path)
    by_type: dict[str, int] = {}
    for entity in gazetteer.entities():
        by_type[entity.type] = by_type.get(entity.type, 0) + 1
    manifest = gazetteer.manifest
    types = dict(sorted(by_type.items()))
    path = str(gazetteer.path) if gazetteer.path else None
    if args.json:
        info = {"path": path, "entities": len(gazetteer), "names": gazetteer.name_count, "types": types}
        write_json(sys.stdout, {**info, "manifest": manifest})
        return EXIT_OK
    print(f"path:      {path}")
    print(f"entities:  {len(gazetteer)}")
    print(f"names:     {gazetteer.name_count}")
    print("types:     " + ", ".join(f"{t} {n}" for t, n in types.items()))
    for field in ("name", "date", "namelink_version", "keys_version"):
        if field in manifest:
            print(f"{field + ':':<10} {manifest[field]}")
    licence = manifest.get("licence") or {}
    for source, terms in (licence if isinstance(licence, dict) else {"licence": licence}).items():
        print(f"licence:   {source}: {terms}")
    return EXIT_OK


def cmd_gazetteer_export(args: argparse.Namespace) -> int:
    gazetteer = open_gazetteer(args.gazetteer)
    out = sys.stdout
    out.write("qid\tlabel\ttype\tlang\tname\n")
    for entity in gazetteer.entities():
        for lang, names in entity.names.items():
            for name in names:
                out.write(f"{entity.qid}\t{entity.label}\t{entity.type}\t{lang}\t{name}\n")
    return EXIT_OK


# --- bulk: csv and text ------------------------------------------------------------------


def parse_jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number; give a count, e.g. 2") from None
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"{value} processes: give at least 1")
    return jobs


def parse_delimiter(value: str) -> str:
    """One character; \\t and "tab" stand for a tab, which a shell makes awkward to type."""
    value = "\t" if value in ("\\t", "tab") else value
    if len(value) != 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not one character; give e.g. ';' or '\\t'")
    return value


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
    from namelink.bulk import atomic_output

    if name is None or name == "-":
        sys.stdout.flush()
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    path = Path(name)
    if path.is_dir() or not path.parent.is_dir():
        raise UsageError(f"-o {name}: " + ("is a directory" if path.is_dir() else "no such directory"))
    with atomic_output(path) as file:
        yield file


def _bulk_errors(input_name: str, error: Exception) -> UsageError:
    """The library's complaint about the input, with the flag that fixes it."""
    from namelink.bulk import ColumnError, EncodingError

    if isinstance(error, EncodingError):
        fix = (
            f"read it with --encoding {error.guess}"
            if error.guess
            else "name its encoding with --encoding (cp1256 is Windows Arabic, utf-16 Excel's Unicode text)"
        )
        return UsageError(f"{input_name}: {error}\n  {fix}")
    if isinstance(error, ColumnError):
        columns = ", ".join(error.available) or "(none)"
        return UsageError(f"--column {error.column}: no such column in {input_name}\n  columns: {columns}")
    return UsageError(f"{input_name}: {error}")


def _print_problems(problems: Sequence[tuple[int, str]], count: int) -> None:
    for line, what in problems:
        print(f"    line {line}: {what}", file=sys.stderr)
    if count > len(problems):
        print(f"    ... and {count - len(problems):,} more", file=sys.stderr)


def cmd_csv(args: argparse.Namespace) -> int:
    from namelink.bulk import BulkError, Progress, format_of, link_table

    gazetteer = open_gazetteer(args.gazetteer)
    file_format = args.format or format_of(args.input)
    with _input_file(args.input) as (source, size):
        show = args.progress if args.progress is not None else sys.stderr.isatty()
        progress = Progress(sys.stderr, size) if show else None
        try:
            with _output_file(args.output) as out:
                summary = link_table(
                    source,
                    out,
                    args.columns,
                    gazetteer=gazetteer,
                    types=args.types,
                    threshold=args.threshold,
                    lang=args.lang,
                    format=file_format,
                    delimiter=args.delimiter,
                    encoding=args.encoding,
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
    file_format = args.format or format_of(args.input, default="text")
    with _input_file(args.input) as (source, _):
        try:
            with _output_file(args.output) as out:
                summary = link_documents(
                    source,
                    out,
                    gazetteer=gazetteer,
                    types=args.types,
                    threshold=args.threshold,
                    format=file_format,
                    encoding=args.encoding,
                )
        except BulkError as error:
            raise _bulk_errors(args.input, error) from None
    found = f"{summary.documents:,} documents, {summary.mentions:,} mentions"
    print(f"namelink text: {found} in {summary.seconds:.1f} s", file=sys.stderr)
    _print_problems(summary.problems, summary.errors)
    return EXIT_OK


# --- the parser -----------------------------------------------------------------------


def _add_lookup_options(parser: argparse.ArgumentParser, *, threshold: bool = True) -> None:
    parser.add_argument(
        "--gazetteer", metavar="PATH", help="a gazetteer directory or JSONL file (default: embedded)"
    )
    parser.add_argument(
        "--types",
        type=parse_types,
        metavar="T,T",
        help="only these types: " + ", ".join(sorted(ENTITY_TYPES)),
    )
    parser.add_argument("--lang", metavar="CODE", help="prefer names in this language (ar, fa, ur, en ...)")
    if threshold:
        parser.add_argument("--threshold", type=parse_threshold, metavar="SCORE", help="auto-link score, 0-1")
    parser.add_argument("--json", action="store_true", help="JSON Lines output")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="namelink", description="Link names written in Arabic script to Wikidata, offline."
    )
    parser.add_argument("--version", action="version", version=f"namelink {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = commands.add_parser("normalize", help="print the normal form of each text")
    p.add_argument("text", nargs="+", help="text to normalize, or - to read lines from stdin")
    p.add_argument("--json", action="store_true", help="JSON Lines with the normal form and the keys")
    p.set_defaults(run=cmd_normalize)

    p = commands.add_parser("link", help="link each name to a Wikidata QID (exit 1 if any is not linked)")
    p.add_argument("name", nargs="+", help="names to link, or - to read names from stdin, one per line")
    _add_lookup_options(p)
    p.set_defaults(run=cmd_link)

    p = commands.add_parser("candidates", help="show the ranked candidates for each name")
    p.add_argument("name", nargs="+", help="names, or - to read names from stdin, one per line")
    p.add_argument("--limit", type=int, default=5, help="how many candidates (default 5)")
    _add_lookup_options(p, threshold=False)
    p.set_defaults(run=cmd_candidates)

    p = commands.add_parser("eval", help="measure accuracy against a gold TSV (columns name, qid, type)")
    p.add_argument(
        "gold", metavar="GOLD.tsv", nargs="?", help="gold file; an empty qid marks a name that must not link"
    )
    p.add_argument("--suite", metavar="DIR", help="the open-world suite instead (e.g. tests/data/eval)")
    p.add_argument(
        "--split", choices=("test", "fit", "all"), default="test", help="suite rows (default: test)"
    )
    p.add_argument("--encoding", default="utf-8-sig", help="of GOLD.tsv (default utf-8, BOM skipped)")
    p.add_argument(
        "--gazetteer", metavar="PATH", help="a gazetteer directory or JSONL file (default: embedded)"
    )
    p.add_argument("--json", action="store_true", help="the figures and the errors as one JSON object")
    p.set_defaults(run=cmd_eval)

    from namelink.bulk import FORMATS, TEXT_FORMATS

    gazetteer_help = "a gazetteer directory or JSONL file (default: embedded)"
    types_help = "only these types: " + ", ".join(sorted(ENTITY_TYPES))
    p = commands.add_parser(
        "csv",
        help="normalize and link columns of names in a CSV, TSV or JSONL file",
        description="Copy INPUT with six columns added for each --column: <col>_normalized, _qid, _label, "
        "_score, _method and _status (linked, ambiguous, unlinked, empty or error). Every row is kept; "
        "malformed rows get status error. A summary goes to stderr.",
    )
    p.add_argument("input", metavar="INPUT", help="the file to read, or - for stdin")
    p.add_argument("-o", "--output", metavar="OUTPUT", help="default stdout; written beside it, then renamed")
    p.add_argument(
        "--column", action="append", required=True, dest="columns", metavar="NAME", help="to link; repeatable"
    )
    p.add_argument("--format", choices=FORMATS, help="of input and output (default: by INPUT's extension)")
    p.add_argument("--delimiter", type=parse_delimiter, metavar="CHAR", help="default , (csv) or tab (tsv)")
    p.add_argument("--encoding", metavar="NAME", help="INPUT's if not UTF-8, e.g. cp1256 (output is UTF-8)")
    p.add_argument("--jobs", type=parse_jobs, default=1, metavar="N", help="look names up in N processes")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        help="a progress line on stderr (default: when stderr is a terminal)",
    )
    p.add_argument("--strict", action="store_true", help="exit 1 if any cell is unlinked, ambiguous or error")
    p.add_argument("--gazetteer", metavar="PATH", help=gazetteer_help)
    p.add_argument("--types", type=parse_types, metavar="T,T", help=types_help)
    p.add_argument("--lang", metavar="CODE", help="prefer names in this language (ar, fa, ur, en ...)")
    p.add_argument("--threshold", type=parse_threshold, metavar="SCORE", help="auto-link score, 0-1")
    p.set_defaults(run=cmd_csv)

    p = commands.add_parser(
        "text",
        help="link the names in running text, one document per line, as JSON Lines",
        description="Write each mention as a JSON line: doc (the line number, or the id of a JSONL "
        'document {"id": ..., "text": ...}), start, end, surface, qid, label, score.',
    )
    p.add_argument("input", metavar="FILE", help="text, one document per line, or JSONL; - for stdin")
    p.add_argument("-o", "--output", metavar="OUTPUT", help="default stdout; written beside it, then renamed")
    p.add_argument("--format", choices=TEXT_FORMATS, help="default: jsonl for .jsonl and .ndjson, else text")
    p.add_argument("--encoding", metavar="NAME", help="FILE's encoding if not UTF-8, e.g. cp1256")
    p.add_argument("--gazetteer", metavar="PATH", help=gazetteer_help)
    p.add_argument("--types", type=parse_types, metavar="T,T", help=types_help)
    p.add_argument("--threshold", type=parse_threshold, metavar="SCORE", help="auto-link score, 0-1")
    p.set_defaults(run=cmd_text)

    g = commands.add_parser("gazetteer", help="inspect, export, build and merge gazetteers")
    sub = g.add_subparsers(dest="gazetteer_command", required=True, metavar="ACTION")
    p = sub.add_parser("info", help="counts and provenance of a gazetteer")
    p.add_argument("path", nargs="?", help="gazetteer directory or JSONL file (default: embedded)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_gazetteer_info)
    p = sub.add_parser("export", help="write every name as TSV: qid, label, type, lang, name")
    p.add_argument(
        "--gazetteer", metavar="PATH", help="gazetteer directory or JSONL file (default: embedded)"
    )
    p.set_defaults(run=cmd_gazetteer_export)
    register_build_actions(sub)

    from namelink.serve.command import register as register_serve

    register_serve(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.run(args)
        return result
    except UsageError as error:
        print(f"namelink: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except GazetteerError as error:
        print(
            f"namelink: error: {error}\n  fix the gazetteer file, or pass another with --gazetteer",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        print("namelink: interrupted", file=sys.stderr)
        return 130
