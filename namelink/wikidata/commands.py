"""``namelink gazetteer build | count | merge``: the command-line side of the builder.

``register(sub)`` adds the three actions to the ``namelink gazetteer`` group of
namelink.cli. Importing this module is cheap: the builder, its client and
sqlite3 are imported when an action runs.

Exit codes follow the rest of the CLI: 0 done; 1 done in part (some ids could
not be fetched, or the endpoint stopped answering: run the same command again
to resume from the cache); 2 a usage, data or environment error (a wrong
endpoint, no network, a full or unwritable disk, no memory), with a message
saying what to change, never a traceback.
"""

from __future__ import annotations

import argparse
import ipaddress
import sys
import urllib.parse
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from namelink.arguments import bounded
from namelink.wikidata import WDQS
from namelink.wikidata.failures import (
    UsageError,
    endpoint_failed,
    out_of_memory,
    usage_error,
    write_failed,
)

if TYPE_CHECKING:  # the real imports happen when an action runs
    from namelink.wikidata.scopes import Scope
    from namelink.wikidata.sparql import SparqlClient

__all__ = ["main", "register"]

EXIT_OK = 0
EXIT_PARTIAL = 1

# The languages a build asks for when --lang is not given: namelink's own
# (Arabic, Persian, Urdu) and English for labels.
DEFAULT_LANGUAGES = "ar,fa,ur,en"
SECONDS_PER_DAY = 86_400
BYTES_PER_MB = 2**20
# namelink.wikidata.sparql.DEFAULT_MAX_RESPONSE_BYTES in MB (not imported: this
# module stays free of the client until an action runs); a test checks they agree.
DEFAULT_MAX_RESPONSE_MB = 128.0


def _progress(message: str) -> None:
    print(f"namelink: {message}", file=sys.stderr, flush=True)


# --- argument types -------------------------------------------------------------------


def _languages(value: str) -> tuple[str, ...]:
    languages = tuple(dict.fromkeys(x.strip().lower() for x in value.split(",") if x.strip()))
    if not languages:
        raise argparse.ArgumentTypeError(
            "give a comma-separated list of language codes, for example ar,fa,ur,en"
        )
    return languages


def _is_local(endpoint: str) -> bool:
    host = urllib.parse.urlsplit(endpoint).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _add_endpoint_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--scope",
        action="append",
        required=True,
        metavar="SCOPE",
        help="what to take in (repeatable): countries, cities[:MIN_POPULATION], heads:QID|world, "
        "ministers:QID, mps:QID, orgs, sparql:FILE.rq",
    )
    parser.add_argument("--endpoint", default=WDQS, metavar="URL", help=f"SPARQL endpoint (default {WDQS})")
    parser.add_argument(
        "--contact",
        metavar="EMAIL",
        help="how the endpoint's operators can reach you, sent in the User-Agent "
        "(required for public endpoints)",
    )
    parser.add_argument(
        "--cache-dir", metavar="DIR", help="where responses are cached (default: namelink's cache)"
    )
    parser.add_argument(
        "--refresh",
        type=bounded(float, low=0, give="a number of days, 0 or more"),
        metavar="DAYS",
        help="ignore cached responses older than DAYS (default: use any cached response)",
    )
    parser.add_argument(
        "--pause",
        type=bounded(float, low=0, give="seconds, 0 or more"),
        default=1.0,
        metavar="SECONDS",
        help="pause between requests (default 1.0)",
    )
    parser.add_argument(
        "--timeout",
        type=bounded(float, low=0.001, give="seconds, more than 0"),
        default=65.0,
        metavar="SECONDS",
        help="give up on a request after this long, however slowly it answers (default 65; WDQS "
        "stops queries at 60)",
    )
    parser.add_argument(
        "--max-response-mb",
        type=bounded(float, low=0.001, give="megabytes, more than 0"),
        default=DEFAULT_MAX_RESPONSE_MB,
        metavar="MB",
        help=f"refuse answers larger than this; a batch is then halved (default {DEFAULT_MAX_RESPONSE_MB:g})",
    )


def register(gazetteer_subparsers: Any) -> None:
    """Add ``build``, ``count`` and ``merge`` to the ``namelink gazetteer`` sub-parser group."""
    p = gazetteer_subparsers.add_parser(
        "build",
        help="build a gazetteer from Wikidata over SPARQL (cached and resumable)",
        description="Build a gazetteer from Wikidata: enumerate the ids of each scope, fetch their labels, "
        "aliases, descriptions, classes and sitelinks in batches, and write entities.jsonl and "
        "manifest.json. "
        "Every response is cached: an interrupted build resumes when run again.",
    )
    _add_endpoint_options(p)
    p.add_argument(
        "--lang",
        type=_languages,
        default=_languages(DEFAULT_LANGUAGES),
        metavar="L,L",
        help=f"languages of the names to keep, besides mul (default {DEFAULT_LANGUAGES})",
    )
    p.add_argument(
        "--out", required=True, metavar="DIR", help="the gazetteer directory to write (replaced whole)"
    )
    p.add_argument(
        "--limit",
        type=bounded(int, low=1, give="a whole number of ids, 1 or more"),
        metavar="N",
        help="at most N ids per scope, for trial runs",
    )
    p.add_argument(
        "--batch-size",
        type=bounded(int, low=1, give="a whole number of ids, 1 or more"),
        default=200,
        metavar="N",
        help="ids fetched per request (default 200)",
    )
    p.set_defaults(run=cmd_build)

    p = gazetteer_subparsers.add_parser(
        "count",
        help="count the ids in each scope without fetching them",
        description="Size a scope before building it.",
    )
    _add_endpoint_options(p)
    p.set_defaults(run=cmd_count)

    p = gazetteer_subparsers.add_parser(
        "merge",
        help="lay one gazetteer over another into a new one",
        description="Merge gazetteers, each laid over the ones before it: for an entity in several, the "
        "topmost one's label, type and description win and the names of all are kept. "
        "'default' stands for the embedded gazetteer.",
    )
    p.add_argument("gazetteers", nargs="+", metavar="GAZETTEER", help="base first, then what goes on top")
    p.add_argument("--out", required=True, metavar="DIR", help="the gazetteer directory to write")
    p.set_defaults(run=cmd_merge)


# --- actions --------------------------------------------------------------------------


def _client(args: argparse.Namespace) -> SparqlClient:
    """The SPARQL client the arguments describe."""
    from namelink.cache import default_cache_dir
    from namelink.wikidata.sparql import ClientSettings, SparqlClient

    endpoint = args.endpoint.strip()
    if urllib.parse.urlsplit(endpoint).scheme not in ("http", "https"):
        raise UsageError(
            f"--endpoint {endpoint}: give an http(s) URL, such as https://query.wikidata.org/sparql"
        )
    if not _is_local(endpoint) and not (args.contact and args.contact.strip()):
        raise UsageError(
            f"--endpoint {endpoint} is a shared service: pass --contact EMAIL (or a URL) so that its "
            "operators can reach you; it goes in the User-Agent, as Wikimedia's User-Agent policy asks"
        )
    settings = ClientSettings(
        endpoint=endpoint,
        contact=args.contact,
        timeout=args.timeout,
        pause=args.pause,
        max_age=args.refresh * SECONDS_PER_DAY if args.refresh is not None else None,
        max_response_bytes=int(args.max_response_mb * BYTES_PER_MB),
    )
    cache_dir = Path(args.cache_dir).expanduser() if args.cache_dir else default_cache_dir() / "sparql"
    return SparqlClient(settings, cache_dir)


def _scopes(args: argparse.Namespace) -> tuple[Scope, ...]:
    from namelink.wikidata.scopes import ScopeError, parse_scope

    try:
        return tuple(parse_scope(spec) for spec in args.scope)
    except ScopeError as error:
        raise UsageError(str(error)) from None


def cmd_build(args: argparse.Namespace) -> int:
    from namelink.wikidata.builder import BuildConfig, BuildError, BuildStopped, build
    from namelink.wikidata.sparql import SparqlEndpointError

    try:
        config = BuildConfig(
            scopes=_scopes(args),
            languages=args.lang,
            out=Path(args.out),
            limit=args.limit,
            batch_size=args.batch_size,
        )
        client = _client(args)
    except (UsageError, BuildError) as error:
        return usage_error(str(error))
    with client:
        try:
            report = build(config, client, progress=_progress)
        except SparqlEndpointError as error:
            return endpoint_failed(error)
        except BuildStopped as error:
            print(
                f"namelink: stopped: {error}\n  everything fetched so far is cached: "
                "run the same command again to resume",
                file=sys.stderr,
            )
            return EXIT_PARTIAL
        except BuildError as error:
            return usage_error(str(error))
        except OSError as error:
            return write_failed(error, "check that --out and --cache-dir can be written")
        except MemoryError:
            return out_of_memory()
    print(f"{report.out}\t{report.entities} entities\t{report.names} names")
    _progress(
        f"{report.enumerated} ids in scope: {report.entities} written, "
        f"{len(report.no_names)} without names in {','.join(config.languages)}, "
        f"{len(report.missing)} missing, {len(report.redirected)} redirected, "
        f"{len(report.failed)} failed; {report.requests} requests, {report.cache_hits} from cache, "
        f"{report.seconds:.1f} s"
    )
    if report.skipped:
        entities = len({qid for qid, _ in report.skipped})
        print(
            f"namelink: {len(report.skipped)} values of {entities} entities were not usable and were "
            f"left out (a count that is no count, a malformed term); they are listed under 'skipped' in "
            f"{report.out / 'manifest.json'}, and those answers were not cached",
            file=sys.stderr,
        )
    if report.failed:
        print(
            f"namelink: {len(report.failed)} ids could not be fetched; they are listed under 'failed' in "
            f"{report.out / 'manifest.json'}. Run the same command again to retry them (the rest comes "
            "from the cache)",
            file=sys.stderr,
        )
        return EXIT_PARTIAL
    return EXIT_OK


def cmd_count(args: argparse.Namespace) -> int:
    from namelink.wikidata.builder import BuildStopped, count
    from namelink.wikidata.sparql import SparqlEndpointError, SparqlError

    try:
        scopes = _scopes(args)
        client = _client(args)
    except UsageError as error:
        return usage_error(str(error))
    with client:
        for scope in scopes:
            try:
                number = count(scope, client)
            except SparqlEndpointError as error:
                return endpoint_failed(error)
            except MemoryError:
                return out_of_memory()
            except (SparqlError, BuildStopped) as error:
                print(f"namelink: could not count --scope {scope.spec}: {error}", file=sys.stderr)
                return EXIT_PARTIAL
            print(f"{scope.spec}\t{number}")
    return EXIT_OK


def _layer(value: str) -> Path:
    path = Path(value).expanduser()
    if value == "default" and not path.exists():
        from importlib import resources

        return Path(str(resources.files("namelink") / "data" / "default"))
    return path


def cmd_merge(args: argparse.Namespace) -> int:
    from namelink.wikidata.builder import BuildError, merge

    if len(args.gazetteers) < 2:
        return usage_error("merge needs two or more gazetteers: the base first, then what goes on top")
    layers = [_layer(value) for value in args.gazetteers]
    for value, layer in zip(args.gazetteers, layers, strict=True):
        if not layer.exists():
            return usage_error(f"{value}: no such gazetteer (give a directory, a .jsonl file or 'default')")
    try:
        manifest = merge(layers, Path(args.out), names=args.gazetteers)
    except BuildError as error:
        return usage_error(str(error))
    except OSError as error:
        return write_failed(error, "check that --out can be written")
    except MemoryError:
        return out_of_memory()
    counts = manifest["counts"]
    print(f"{args.out}\t{counts['entities']} entities\t{counts['names']} names")
    return EXIT_OK


# --- standalone -----------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """The three actions on their own (``python -m namelink.wikidata build ...``)."""
    from importlib import resources

    parser = argparse.ArgumentParser(
        prog="namelink gazetteer",
        description="Build, count and merge gazetteers from Wikidata over SPARQL.",
        epilog="Endpoints, scopes, politeness, caching and limits: "
        f"{resources.files('namelink.wikidata') / 'README.md'}",
    )
    register(parser.add_subparsers(dest="gazetteer_command", required=True, metavar="ACTION"))
    args = parser.parse_args(argv)
    try:
        result: int = args.run(args)
        return result
    except KeyboardInterrupt:
        print("namelink: interrupted; run the same command again to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
