"""The namelink command: a thin adapter over the library.

Results go to stdout, diagnostics to stderr. Exit codes: 0 ok, 1 something was
not linked (where the command says so), 2 a usage or data error, with a message
that says how to fix it. Flags carry the names of the library's keyword
arguments (--threshold, --types, --limit, --lang, --gazetteer).
"""

from __future__ import annotations

import argparse
import errno
import sys
from collections.abc import Sequence
from typing import Any

from namelink import __version__
from namelink.cli_common import (
    EXIT_OK,
    EXIT_UNLINKED,
    EXIT_USAGE,
    UsageError,
    check_lang,
    link_record,
    open_gazetteer,
    parse_threshold,
    parse_types,
    read_names,
    silence_stdout,
    stdin_if_none,
    write_json,
)
from namelink.cli_files import register as register_file_commands
from namelink.gazetteer import GazetteerError
from namelink.normalize import normalize
from namelink.records import ENTITY_TYPES
from namelink.wikidata.commands import register as register_build_actions

# The shared helpers live in cli_common; they are re-exported here for the
# commands registered from elsewhere (the builder's, serve) that import them from namelink.cli.
__all__ = [
    "EXIT_OK",
    "EXIT_UNLINKED",
    "EXIT_USAGE",
    "UsageError",
    "build_parser",
    "check_lang",
    "link_record",
    "main",
    "open_gazetteer",
    "parse_threshold",
    "parse_types",
    "read_names",
    "write_json",
]


# --- commands -------------------------------------------------------------------------


def cmd_normalize(args: argparse.Namespace) -> int:
    for text in read_names(stdin_if_none(args.text, "TEXT arguments"), sys.stdin):
        if args.json:
            from namelink.keys import keys

            write_json(sys.stdout, {"text": text, "normalized": normalize(text), "keys": list(keys(text))})
        else:
            print(normalize(text))
    return EXIT_OK


def cmd_link(args: argparse.Namespace) -> int:
    gazetteer = open_gazetteer(args.gazetteer)
    lang = check_lang(gazetteer, args.lang)
    names = list(read_names(stdin_if_none(args.name, "NAME arguments"), sys.stdin))
    links = gazetteer.link_many(names, types=args.types, threshold=args.threshold, lang=lang)
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
    lang = check_lang(gazetteer, args.lang)
    for name in read_names(stdin_if_none(args.name, "NAME arguments"), sys.stdin):
        found = gazetteer.candidates(name, types=args.types, limit=args.limit, lang=lang)
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


def _gazetteer_path(args: argparse.Namespace) -> str | None:
    """PATH as an argument or as --gazetteer PATH (both are accepted; not two different ones)."""
    given = {p for p in (getattr(args, "path", None), getattr(args, "gazetteer", None)) if p is not None}
    if len(given) > 1:
        raise UsageError(
            f"two gazetteers given ({', '.join(sorted(given))}); give one, as PATH or --gazetteer"
        )
    return given.pop() if given else None


def gazetteer_counts(gazetteer: Any) -> dict[str, Any]:
    """Entities and names per type and per language: the manifest's counts when it
    records them, else counted from the gazetteer."""
    recorded = gazetteer.manifest.get("counts")
    if isinstance(recorded, dict) and {"by_type", "by_language"} <= recorded.keys():
        return {"by_type": dict(recorded["by_type"]), "by_language": dict(recorded["by_language"])}
    by_type: dict[str, int] = {}
    by_language: dict[str, int] = {}
    for entity in gazetteer.entities():
        by_type[entity.type] = by_type.get(entity.type, 0) + 1
        for lang, names in entity.names.items():
            by_language[lang] = by_language.get(lang, 0) + len(names)
    return {"by_type": by_type, "by_language": by_language}


def _sources(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    sources = manifest.get("source") or manifest.get("sources") or []
    return [s for s in sources if isinstance(s, dict)] if isinstance(sources, list) else []


def cmd_gazetteer_info(args: argparse.Namespace) -> int:
    gazetteer = open_gazetteer(_gazetteer_path(args))
    manifest = gazetteer.manifest
    counts = gazetteer_counts(gazetteer)
    types = dict(sorted(counts["by_type"].items()))
    langs = dict(sorted(counts["by_language"].items(), key=lambda item: (-item[1], item[0])))
    path = str(gazetteer.path) if gazetteer.path else None
    if args.json:
        info = {"path": path, "entities": len(gazetteer), "names": gazetteer.name_count, "types": types}
        write_json(sys.stdout, {**info, "languages": langs, "manifest": manifest})
        return EXIT_OK
    print(f"path:      {path}")
    print(f"entities:  {len(gazetteer):,}")
    print(f"names:     {gazetteer.name_count:,}")
    print("types:     " + ", ".join(f"{t} {n:,}" for t, n in types.items()))
    print("languages: " + ", ".join(f"{lang} {n:,}" for lang, n in langs.items()) + " (names)")
    for field in ("name", "date", "namelink_version", "keys_version"):
        if field in manifest:
            print(f"{field + ':':<10} {manifest[field]}")
    sources = _sources(manifest)
    if sources:
        print("sources:")
    for source in sources:
        what = source.get("file") or source.get("name") or source.get("query") or "(unnamed)"
        facts = [f"{source['entities']:,} entities" if isinstance(source.get("entities"), int) else ""]
        facts += [
            f"{key} {source[key]}" for key in ("date", "retrieved", "licence", "license") if source.get(key)
        ]
        for key in ("by_type", "by_language"):
            if isinstance(source.get(key), dict):
                facts.append(", ".join(f"{k} {v}" for k, v in source[key].items()))
        print(f"  {what}: " + "; ".join(f for f in facts if f))
        if source.get("origin"):
            print(f"    {source['origin']}")
    licence = manifest.get("licence") or {}
    for holder, terms in (licence if isinstance(licence, dict) else {"licence": licence}).items():
        print(f"licence:   {holder}: {terms}")
    return EXIT_OK


def cmd_gazetteer_export(args: argparse.Namespace) -> int:
    gazetteer = open_gazetteer(_gazetteer_path(args))
    out = sys.stdout
    out.write("qid\tlabel\ttype\tlang\tname\n")
    for entity in gazetteer.entities():
        for lang, names in entity.names.items():
            for name in names:
                out.write(f"{entity.qid}\t{entity.label}\t{entity.type}\t{lang}\t{name}\n")
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
    p.add_argument("text", nargs="*", help="text to normalize; none or - to read lines from stdin")
    p.add_argument("--json", action="store_true", help="JSON Lines with the normal form and the keys")
    p.set_defaults(run=cmd_normalize)

    p = commands.add_parser("link", help="link each name to a Wikidata QID (exit 1 if any is not linked)")
    p.add_argument("name", nargs="*", help="names to link; none or - to read names from stdin, one per line")
    _add_lookup_options(p)
    p.set_defaults(run=cmd_link)

    p = commands.add_parser("candidates", help="show the ranked candidates for each name")
    p.add_argument("name", nargs="*", help="names; none or - to read names from stdin, one per line")
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

    register_file_commands(commands)

    g = commands.add_parser("gazetteer", help="inspect, export, build and merge gazetteers")
    sub = g.add_subparsers(dest="gazetteer_command", required=True, metavar="ACTION")
    p = sub.add_parser("info", help="counts and provenance of a gazetteer")
    p.add_argument("path", nargs="?", help="gazetteer directory or JSONL file (default: embedded)")
    p.add_argument("--gazetteer", metavar="PATH", help="the same as PATH")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_gazetteer_info)
    p = sub.add_parser("export", help="write every name as TSV: qid, label, type, lang, name")
    p.add_argument("path", nargs="?", help="gazetteer directory or JSONL file (default: embedded)")
    p.add_argument(
        "--gazetteer", metavar="PATH", help="gazetteer directory or JSONL file (default: embedded)"
    )
    p.set_defaults(run=cmd_gazetteer_export)
    register_build_actions(sub)

    from namelink.serve.command import register as register_serve

    register_serve(commands)
    return parser


def _mark_parsers(parser: argparse.ArgumentParser) -> None:
    """Each parser records itself as the default of ``_parser``, so that the
    innermost one given (the subcommand's) reports an unknown flag with its own
    usage rather than the top level's."""
    parser.set_defaults(_parser=parser)
    for action in parser._actions:  # argparse lists a parser's arguments there and nowhere public
        choices = action.choices
        if isinstance(choices, dict):  # a subcommand: its parsers by name (aliases repeat them)
            for sub in dict.fromkeys(choices.values()):
                if isinstance(sub, argparse.ArgumentParser):
                    _mark_parsers(sub)


# What an OSError means to the user, by errno: the run stopped and OUTPUT (if
# any) is as it was; these are faults of the place written to, not bugs.
FAULTS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file is larger than this system or its limits allow (see ulimit -f)",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.EISDIR: "it is a directory",
    errno.EIO: "an input/output error",
}


def _fault(error: OSError) -> str | None:
    reason = FAULTS.get(error.errno or 0)
    if reason is None:
        return None
    where = f" ({error.filename})" if error.filename else ""
    room = error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
    fix = "free some space or write elsewhere (-o OUTPUT)" if room else "write elsewhere (-o OUTPUT)"
    kept = "nothing was written: an output file is as it was before the run"
    return f"{reason}{where}; {kept}\n  {fix}, and run again"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    _mark_parsers(parser)
    args, extras = parser.parse_known_args(argv)
    if extras:
        args._parser.error(f"unrecognized arguments: {' '.join(extras)}")
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
        silence_stdout()
        return EXIT_OK
    except KeyboardInterrupt:
        print("namelink: interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print(
            "namelink: error: out of memory; give the process more memory, or split the input "
            "(namelink text --per-line reads one line at a time)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except OSError as error:
        message = _fault(error)
        if message is None:
            raise
        print(f"namelink: error: {message}", file=sys.stderr)
        return EXIT_USAGE
