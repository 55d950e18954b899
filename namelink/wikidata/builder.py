"""Build a gazetteer from Wikidata.

A build runs one way:

    scopes → enumerate ids (one query per scope) → batches of ids
           → fetch each batch (halved when it times out or is refused)
           → records of the JSONL shape → entities.jsonl + manifest.json,
             written beside --out and renamed into place

Every response goes through the client's disk cache, so a build that stops
(killed, throttled, offline) resumes where it stopped when run again, and a
rebuild of the same scope sends no request at all. Batches are cut from the
sorted ids, so the same scope always asks the same queries. Ids that could not
be fetched are listed in the manifest, with the reason, never dropped quietly;
values of the wrong type are listed there too, by entity.

The records are those of the default gazetteer (namelink.gazetteer), made by
namelink.wikidata.facts; writing and merging are in namelink.wikidata.output.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from namelink import __version__
from namelink.keys import KEYS_VERSION
from namelink.records import FORMAT_VERSION
from namelink.wikidata.facts import (
    Facts,
    entity_type,
    fetch_languages,
    fetch_query,
    make_record,
    qid_of,
    read_rows,
)
from namelink.wikidata.output import (
    BuildError,
    check_writable,
    counts,
    iso,
    merge,
    qid_number,
    versions,
    write_gazetteer,
)
from namelink.wikidata.scopes import Scope, fill, load_query
from namelink.wikidata.sparql import (
    SelectResult,
    SparqlClient,
    SparqlEndpointError,
    SparqlError,
    SparqlRefused,
    SparqlTimeout,
    SparqlTooLarge,
    SparqlUnavailable,
)

__all__ = [
    "BuildConfig",
    "BuildError",
    "BuildReport",
    "BuildStopped",
    "build",
    "entity_type",
    "fetch_query",
    "merge",
    "write_gazetteer",
]

# Batches of 200 ids, the figure: a VALUES list of about 3 kB, one
# request per 200 entities; a batch too heavy for the endpoint is halved.
DEFAULT_BATCH_SIZE = 200
# Single ids that fail one after another before the build stops: enough to ride
# out a bad patch, few enough not to send hundreds of doomed requests.
MAX_FAILURE_STREAK = 10
# The note a client keeps for a batch that had to be split, so that a resumed
# build goes straight to the halves.
SPLIT_NOTE = "split"
# Skipped values kept in the manifest for one entity: the first few say what
# is wrong; a broken endpoint must not make the manifest as large as the data.
MAX_SKIPPED_PER_ENTITY = 10
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")


class BuildStopped(BuildError):
    """The endpoint stopped cooperating; what was fetched is cached, so rerunning resumes."""


@dataclass(frozen=True)
class BuildConfig:
    """What to build: the scopes, the languages, where to write it."""

    scopes: tuple[Scope, ...]
    languages: tuple[str, ...]
    out: Path
    limit: int | None = None
    batch_size: int = DEFAULT_BATCH_SIZE

    def __post_init__(self) -> None:
        if not self.scopes:
            raise BuildError("give at least one --scope")
        if not self.languages:
            raise BuildError("give at least one language with --lang, for example --lang ar,fa")
        for lang in self.languages:
            if not _LANGUAGE.fullmatch(lang):
                raise BuildError(f"--lang: {lang!r} is not a language code like ar, fa, ur or kk-arab")
        if self.batch_size < 1:
            raise BuildError("--batch-size must be at least 1")
        if self.limit is not None and self.limit < 1:
            raise BuildError("--limit must be at least 1")


@dataclass(frozen=True)
class BuildReport:
    """What a build wrote and what it could not get."""

    out: Path
    entities: int
    names: int
    enumerated: int
    failed: tuple[tuple[str, str], ...]
    missing: tuple[str, ...]
    redirected: tuple[tuple[str, str], ...]
    no_names: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]  # (qid, reason): values left out of the records
    requests: int
    cache_hits: int
    seconds: float

    @property
    def complete(self) -> bool:
        """Every id in scope was fetched (some may still have had no names)."""
        return not self.failed


# --- The build ------------------------------------------------------------------------------


def _quiet(message: str) -> None:
    pass


def build(
    config: BuildConfig,
    client: SparqlClient,
    *,
    progress: Callable[[str], None] = _quiet,
    clock: Callable[[], float] = time.monotonic,
) -> BuildReport:
    """Build the gazetteer ``config`` asks for and write it to ``config.out``.

    Raises BuildStopped when the endpoint stops answering (everything fetched
    so far is cached: run the build again to resume), SparqlEndpointError when
    it cannot answer at all (wrong URL, no access), and BuildError when the
    output directory cannot be written as asked.
    """
    started = clock()
    check_writable(config.out)  # before any request: a bad --out should fail fast
    listed = _enumerate(config, client, progress)
    ids = sorted(listed.origin, key=qid_number)
    fetched = _fetch_all(ids, config, client, progress)
    assembled = _assemble(ids, listed.origin, fetched, config.languages)
    manifest = _build_manifest(config, client, listed, fetched, assembled)
    write_gazetteer(config.out, assembled.records, manifest)
    return BuildReport(
        out=config.out,
        entities=len(assembled.records),
        names=sum(len(v) for r in assembled.records for v in r["names"].values()),
        enumerated=len(ids),
        failed=tuple(fetched.failed),
        missing=tuple(assembled.missing),
        redirected=tuple(assembled.redirected),
        no_names=tuple(assembled.no_names),
        skipped=tuple(fetched.skipped),
        requests=client.stats.requests,
        cache_hits=client.stats.cache_hits,
        seconds=clock() - started,
    )


@dataclass
class _Listed:
    """Step 1: the ids of every scope."""

    origin: dict[str, str] = field(default_factory=dict)  # qid → fallback type of the first scope naming it
    by_scope: dict[str, int] = field(default_factory=dict)
    queries: dict[str, str] = field(default_factory=dict)
    fetched_at: list[float] = field(default_factory=list)


@dataclass
class _Fetched:
    """Step 2: what the fetch queries said, and the ids they could not get."""

    facts: dict[str, Facts] = field(default_factory=dict)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (qid, reason) of values left out
    fetched_at: list[float] = field(default_factory=list)
    streak: int = 0  # single ids failed one after another


@dataclass
class _Assembled:
    """Step 3: the records, and the ids that gave none."""

    records: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    redirected: list[tuple[str, str]] = field(default_factory=list)
    no_names: list[str] = field(default_factory=list)


def _enumerate(config: BuildConfig, client: SparqlClient, progress: Callable[[str], None]) -> _Listed:
    listed = _Listed()
    for scope in config.scopes:
        query = scope.query(config.limit)
        listed.queries[scope.spec] = query
        try:
            result = client.select(query, retry_timeouts=True)
        except SparqlEndpointError:
            raise
        except SparqlTooLarge as error:
            raise BuildStopped(
                f"could not list the ids of --scope {scope.spec}: {error}. Give --limit, a narrower "
                "scope, or a larger --max-response-mb"
            ) from None
        except SparqlError as error:
            raise BuildStopped(
                f"could not list the ids of --scope {scope.spec}: {error}. A scope too large for the "
                "endpoint's time limit needs --limit, a narrower scope or a faster endpoint (QLever)"
            ) from None
        listed.fetched_at.append(result.fetched_at)
        ids = [qid for qid in (qid_of(row, "item") for row in result.bindings) if qid]
        listed.by_scope[scope.spec] = len(set(ids))
        for qid in ids:
            listed.origin.setdefault(qid, scope.fallback_type)
        progress(f"{scope.spec}: {listed.by_scope[scope.spec]} ids{' (cached)' if result.cached else ''}")
    return listed


def _fetch_all(
    ids: Sequence[str], config: BuildConfig, client: SparqlClient, progress: Callable[[str], None]
) -> _Fetched:
    """Fetch ``ids`` in batches cut from their sorted order, halving what fails."""
    fetched = _Fetched()

    def fetch(batch: Sequence[str]) -> None:
        query = fetch_query(batch, config.languages)
        if len(batch) > 1 and client.recalls(query, SPLIT_NOTE):
            halves(batch)
            return
        read: list[tuple[dict[str, Facts], list[tuple[str, str]]]] = []

        def sound(answer: SelectResult) -> bool:
            # An answer with values that had to be skipped is used but not cached as a good one.
            read.append(read_rows(answer.bindings))
            return not read[-1][1]

        try:
            result = client.select(query, retry_timeouts=len(batch) == 1, keep=sound)
        except (SparqlTimeout, SparqlRefused, SparqlUnavailable) as error:
            if len(batch) > 1:
                progress(f"batch of {len(batch)} from {batch[0]}: {error}; splitting it in two")
                client.remember(query, SPLIT_NOTE)
                halves(batch)
                return
            fetched.failed.append((batch[0], str(error)))
            fetched.streak += 1
            if fetched.streak >= MAX_FAILURE_STREAK:
                raise BuildStopped(
                    f"{fetched.streak} ids in a row could not be fetched (last: {batch[0]}: {error}); "
                    "the endpoint may be down or refusing the query"
                ) from None
            return
        except SparqlEndpointError:
            raise
        except SparqlError as error:  # throttled past the allowed wait
            raise BuildStopped(str(error)) from None
        fetched.streak = 0
        fetched.fetched_at.append(result.fetched_at)
        facts, skipped = read[-1] if read else read_rows(result.bindings)
        fetched.facts.update(facts)
        fetched.skipped += skipped

    def halves(batch: Sequence[str]) -> None:
        middle = len(batch) // 2
        fetch(batch[:middle])
        fetch(batch[middle:])

    size = config.batch_size
    batches = [ids[i : i + size] for i in range(0, len(ids), size)]
    for number, batch in enumerate(batches, 1):
        fetch(batch)
        progress(
            f"batch {number}/{len(batches)}: {min(number * size, len(ids))}/{len(ids)} ids "
            f"({client.stats.requests} requests, {client.stats.cache_hits} from cache)"
        )
    return fetched


def _assemble(
    ids: Sequence[str], origin: dict[str, str], fetched: _Fetched, languages: Sequence[str]
) -> _Assembled:
    failed = {qid for qid, _ in fetched.failed}
    assembled = _Assembled()
    for qid in ids:
        if qid in failed:
            continue
        item = fetched.facts.get(qid)
        if item is None:
            assembled.missing.append(qid)
        elif item.redirect and not item.labels:
            assembled.redirected.append((qid, item.redirect))
        elif (record := make_record(qid, item, languages, origin[qid])) is None:
            assembled.no_names.append(qid)
        else:
            assembled.records.append(record)
    return assembled


def count(scope: Scope, client: SparqlClient) -> int:
    """The number of distinct ids in ``scope``, asked of the endpoint without fetching them."""
    result = client.select(scope.count_query(), retry_timeouts=True)
    for row in result.bindings:
        term = row.get("count")
        value = term.get("value") if isinstance(term, dict) else None
        if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
            return int(value.strip())
    raise BuildStopped(f"the endpoint gave no count (a whole number) for --scope {scope.spec}")


# --- Manifests --------------------------------------------------------------------------------


def _skipped_by_entity(skipped: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """The skipped values by entity, the first MAX_SKIPPED_PER_ENTITY of each, then a count."""
    found: dict[str, list[str]] = {}
    extra: dict[str, int] = {}
    for qid, reason in skipped:
        reasons = found.setdefault(qid, [])
        if len(reasons) < MAX_SKIPPED_PER_ENTITY:
            reasons.append(reason)
        else:
            extra[qid] = extra.get(qid, 0) + 1
    for qid, more in extra.items():
        found[qid].append(f"and {more} more")
    return found


def _build_manifest(
    config: BuildConfig, client: SparqlClient, listed: _Listed, fetched: _Fetched, assembled: _Assembled
) -> dict[str, Any]:
    now = time.time()
    fetch_template = fill(
        load_query("fetch.rq"),
        {"items": "{{items}}", "languages": ", ".join(f'"{x}"' for x in fetch_languages(config.languages))},
    )
    fetched_at = listed.fetched_at + fetched.fetched_at
    return {
        "name": config.out.name,
        "format": FORMAT_VERSION,
        "date": dt.datetime.fromtimestamp(now, dt.timezone.utc).date().isoformat(),
        "built_at": iso(now),
        "namelink_version": __version__,
        "keys_version": KEYS_VERSION,
        "source": "Wikidata, over SPARQL",
        "endpoint": client.settings.endpoint,
        "scopes": [scope.spec for scope in config.scopes],
        "languages": list(config.languages),
        "limit": config.limit,
        "batch_size": config.batch_size,
        "data_fetched": {
            "oldest": iso(min(fetched_at)) if fetched_at else None,
            "newest": iso(max(fetched_at)) if fetched_at else None,
        },
        "queries": {"enumerate": listed.queries, "fetch": fetch_template},
        "counts": {
            "enumerated": len(listed.origin),
            "by_scope": listed.by_scope,
            **counts(assembled.records),
        },
        "failed": [{"qid": qid, "reason": reason} for qid, reason in fetched.failed],
        "missing": assembled.missing,
        "redirected": dict(assembled.redirected),
        "no_names": assembled.no_names,
        "skipped": _skipped_by_entity(fetched.skipped),
        "requests": {
            "sent": client.stats.requests,
            "from_cache": client.stats.cache_hits,
            "retries": client.stats.retries,
        },
        "versions": versions(),
        "licence": {"wikidata": "Wikidata facts (QIDs, labels, descriptions): CC0 1.0"},
    }
