"""Build a gazetteer from Wikidata, and merge gazetteers.

A build runs one way:

    scopes → enumerate ids (one query per scope) → batches of ids
           → fetch each batch (halved when it times out or is refused)
           → records of the JSONL shape → entities.jsonl + manifest.json,
             written beside --out and renamed into place

Every response goes through the client's disk cache, so a build that stops
(killed, throttled, offline) resumes where it stopped when run again, and a
rebuild of the same scope sends no request at all. Batches are cut from the
sorted ids, so the same scope always asks the same queries. Ids that could not
be fetched are listed in the manifest, with the reason, never dropped quietly.

The records are those of the default gazetteer (namelink.gazetteer): ``type``
comes from the P31 classes through CLASS_TYPES, ``popularity`` is the
sitelinks count, ``names`` holds the label and aliases in each language asked
for plus ``mul``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from namelink import __version__
from namelink.wikidata.scopes import Scope, fill, load_query
from namelink.wikidata.sparql import (
    SparqlClient,
    SparqlEndpointError,
    SparqlError,
    SparqlRefused,
    SparqlTimeout,
    SparqlUnavailable,
)
from namelink.keys import KEYS_VERSION
from namelink.records import (
    ENTITIES_FILE,
    FORMAT_VERSION,
    MANIFEST_FILE,
    GazetteerError,
    read_manifest,
    read_records,
    validate_record,
)

__all__ = [
    "CLASS_TYPES",
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
# Every fetch asks for English too: it gives the `label` and `description`
# fields, as in the default gazetteer, even when no English names are wanted.
LABEL_LANGUAGE = "en"
# Wikidata's language-neutral label, asked for beside the requested languages.
MUL = "mul"

_ENTITY = re.compile(r"http://www\.wikidata\.org/entity/(Q[1-9][0-9]{0,11})")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]{1,8})*")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# P31 class → gazetteer type. A class not listed here says nothing; Q5 (human)
# was verified for the default gazetteer. Each other QID was verified in two or
# more independent public SPARQL sources found with the search tool's
# find_string (quoted below); unverified classes are left out and map to the
# scope's type, else "other".
CLASS_TYPES: dict[str, str] = {
    "Q5": "person",  # human
    # country: `?country wdt:P31 wd:Q6256;  # Instance of country`; `wd:Q6256 . # country`
    "Q6256": "place",
    # sovereign state: `Q_COUNTRY = "wd:Q3624078"`; `?Stato_sovrano wdt:P31 wd:Q3624078`
    "Q3624078": "place",
    # dependent territory: `wd:Q161243 .  # Instance of dependent territory`; `# dependent territory`
    "Q161243": "place",
    # historical country: `Q_HIST_COUNTRY = "wd:Q3024240"`; `#not a former country ... wd:Q3024240`
    "Q3024240": "place",
    # city: `wd:Q515     # city`; `"wd:Q515",    // city`
    "Q515": "place",
    # big city: `wd:Q1549591   # big city`; `wdt:P31 wd:Q1549591 .  # big city`
    "Q1549591": "place",
    # human settlement: `wd:Q486972     # human settlement`; `wd:Q486972 .  # instance of human settlement`
    "Q486972": "place",
    # organization: `wd:Q43229 (organization)`; `wikidata_class = "wd:Q43229"  # organization`
    "Q43229": "org",
    # international organization: `wd:Q484652,   # international organization`;
    # `INTERNATION_ORGANIZATION = "wd:Q484652"`
    "Q484652": "org",
    # political party: `parties = { mainValue: "wd:Q7278"`; `?party wdt:P31 wd:Q7278`
    "Q7278": "org",
}
# When classes point two ways (a city that is also an organization, say), the
# first type here wins.
_TYPE_ORDER = ("person", "place", "org")


class BuildError(Exception):
    """A build that cannot start or finish as asked; the message says what to change."""


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
    requests: int
    cache_hits: int
    seconds: float

    @property
    def complete(self) -> bool:
        """Every id in scope was fetched (some may still have had no names)."""
        return not self.failed


@dataclass
class _Facts:
    """What the fetch query said about one id."""

    labels: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, set[str]] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    classes: set[str] = field(default_factory=set)
    sitelinks: int = 0
    redirect: str | None = None


# --- Queries ----------------------------------------------------------------------------


def fetch_languages(languages: Sequence[str]) -> tuple[str, ...]:
    """The languages a fetch asks for: those wanted, then mul, then English."""
    ordered = [*languages, MUL, LABEL_LANGUAGE]
    return tuple(dict.fromkeys(ordered))


def fetch_query(ids: Sequence[str], languages: Sequence[str]) -> str:
    """The fetch query (queries/fetch.rq) for a batch of ids."""
    return fill(
        load_query("fetch.rq"),
        {
            "items": " ".join(f"wd:{qid}" for qid in ids),
            "languages": ", ".join(f'"{lang}"' for lang in fetch_languages(languages)),
        },
    )


def _qid_number(qid: str) -> int:
    return int(qid[1:])


def _qid_of(binding: dict[str, Any], name: str) -> str | None:
    term = binding.get(name)
    if not isinstance(term, dict) or term.get("type") != "uri":
        return None
    match = _ENTITY.fullmatch(str(term.get("value", "")))
    return match.group(1) if match else None


# --- Records ------------------------------------------------------------------------------


def entity_type(classes: Iterable[str], fallback: str = "other") -> str:
    """The gazetteer type that P31 ``classes`` imply, else ``fallback``."""
    found = {CLASS_TYPES[c] for c in classes if c in CLASS_TYPES}
    for kind in _TYPE_ORDER:
        if kind in found:
            return kind
    return fallback


def _record(qid: str, facts: _Facts, languages: Sequence[str], fallback_type: str) -> dict[str, Any] | None:
    names: dict[str, list[str]] = {}
    for lang in (*languages, MUL):
        values = [facts.labels[lang]] if lang in facts.labels else []
        values += sorted(facts.aliases.get(lang, ()))
        kept = [v for v in dict.fromkeys(v.strip() for v in values) if v and not _CONTROL.search(v)]
        if kept:
            names[lang] = kept
    if not names:
        return None
    label = next(
        (
            facts.labels[lang]
            for lang in (LABEL_LANGUAGE, MUL, *languages)
            if facts.labels.get(lang, "").strip()
        ),
        next((v for _, v in sorted(facts.labels.items()) if v.strip()), qid),
    )
    description = next(
        (
            facts.descriptions[lang]
            for lang in (LABEL_LANGUAGE, *languages, MUL)
            if lang in facts.descriptions
        ),
        "",
    )
    classes = sorted(facts.classes, key=_qid_number)
    record = {
        "qid": qid,
        "label": label.strip(),
        "type": entity_type(classes, fallback_type),
        "classes": classes,
        "description": description.strip(),
        "names": names,
        "popularity": facts.sitelinks,
    }
    validate_record(record, f"Wikidata {qid}")
    return record


def _absorb(facts: dict[str, _Facts], bindings: Iterable[dict[str, Any]]) -> None:
    """Add the rows of a fetch answer to ``facts``."""
    for row in bindings:
        qid = _qid_of(row, "item")
        kind = row.get("field", {}).get("value")
        term = row.get("value", {})
        if qid is None or not isinstance(term, dict):
            continue
        into = facts.setdefault(qid, _Facts())
        value = str(term.get("value", ""))
        lang = str(term.get("xml:lang", "")).lower()
        if kind == "label":
            into.labels.setdefault(lang, value)
        elif kind == "alias":
            into.aliases.setdefault(lang, set()).add(value)
        elif kind == "description":
            into.descriptions.setdefault(lang, value)
        elif kind == "class":
            target = _qid_of(row, "value")
            if target:
                into.classes.add(target)
        elif kind == "sitelinks":
            with contextlib.suppress(ValueError):  # a count that is not a number says nothing
                into.sitelinks = max(into.sitelinks, int(float(value)))
        elif kind == "redirect":
            into.redirect = _qid_of(row, "value")


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
    _check_replaceable(config.out)  # before any request: a bad --out should fail fast
    listed = _enumerate(config, client, progress)
    ids = sorted(listed.origin, key=_qid_number)
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

    facts: dict[str, _Facts] = field(default_factory=dict)
    failed: list[tuple[str, str]] = field(default_factory=list)
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
        except SparqlError as error:
            raise BuildStopped(
                f"could not list the ids of --scope {scope.spec}: {error}. A scope too large for the "
                "endpoint's time limit needs --limit, a narrower scope or a faster endpoint (QLever)"
            ) from None
        listed.fetched_at.append(result.fetched_at)
        ids = [qid for qid in (_qid_of(row, "item") for row in result.bindings) if qid]
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
        try:
            result = client.select(query, retry_timeouts=len(batch) == 1)
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
        _absorb(fetched.facts, result.bindings)

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
        elif (record := _record(qid, item, languages, origin[qid])) is None:
            assembled.no_names.append(qid)
        else:
            assembled.records.append(record)
    return assembled


def count(scope: Scope, client: SparqlClient) -> int:
    """The number of distinct ids in ``scope``, asked of the endpoint without fetching them."""
    result = client.select(scope.count_query(), retry_timeouts=True)
    for row in result.bindings:
        term = row.get("count")
        if isinstance(term, dict):
            try:
                return int(float(term.get("value", "")))
            except ValueError:
                break
    raise BuildStopped(f"the endpoint gave no count for --scope {scope.spec}")


# --- Manifests --------------------------------------------------------------------------------


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"namelink": __version__, "keys": KEYS_VERSION, "python": sys.version.split()[0]}
    for package in ("SPARQLWrapper", "diskcache"):
        with contextlib.suppress(PackageNotFoundError):
            found[package] = version(package)
    return found


def _iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).isoformat(timespec="seconds")


def _counts(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    by_type = dict.fromkeys(("person", "place", "org", "other"), 0)
    by_language: dict[str, int] = {}
    for record in records:
        by_type[record["type"]] += 1
        for lang, values in record["names"].items():
            by_language[lang] = by_language.get(lang, 0) + len(values)
    return {
        "entities": len(records),
        "names": sum(by_language.values()),
        "by_type": by_type,
        "by_language": dict(sorted(by_language.items())),
    }


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
        "built_at": _iso(now),
        "namelink_version": __version__,
        "keys_version": KEYS_VERSION,
        "source": "Wikidata, over SPARQL",
        "endpoint": client.settings.endpoint,
        "scopes": [scope.spec for scope in config.scopes],
        "languages": list(config.languages),
        "limit": config.limit,
        "batch_size": config.batch_size,
        "data_fetched": {
            "oldest": _iso(min(fetched_at)) if fetched_at else None,
            "newest": _iso(max(fetched_at)) if fetched_at else None,
        },
        "queries": {"enumerate": listed.queries, "fetch": fetch_template},
        "counts": {
            "enumerated": len(listed.origin),
            "by_scope": listed.by_scope,
            **_counts(assembled.records),
        },
        "failed": [{"qid": qid, "reason": reason} for qid, reason in fetched.failed],
        "missing": assembled.missing,
        "redirected": dict(assembled.redirected),
        "no_names": assembled.no_names,
        "requests": {
            "sent": client.stats.requests,
            "from_cache": client.stats.cache_hits,
            "retries": client.stats.retries,
        },
        "versions": _versions(),
        "licence": {"wikidata": "Wikidata facts (QIDs, labels, descriptions): CC0 1.0"},
    }


# --- Writing, atomically -------------------------------------------------------------------------

_GAZETTEER_FILES = frozenset({ENTITIES_FILE, MANIFEST_FILE})


def _check_replaceable(out: Path) -> None:
    """Refuse to put a gazetteer where it would destroy something else."""
    if not out.exists():
        return
    if not out.is_dir():
        raise BuildError(
            f"--out {out} is a file; give a directory (it will hold {ENTITIES_FILE} and {MANIFEST_FILE})"
        )
    others = sorted(p.name for p in out.iterdir() if p.name not in _GAZETTEER_FILES)
    if others:
        raise BuildError(
            f"--out {out} holds other files ({', '.join(others[:5])}); a gazetteer build replaces the "
            "whole directory, so give a new directory or an existing gazetteer"
        )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _leftovers(out: Path, kind: str) -> list[tuple[Path, int]]:
    found = []
    for path in out.parent.glob(f".{out.name}.{kind}-*"):
        match = re.fullmatch(rf"\.{re.escape(out.name)}\.{kind}-(\d+)-.*", path.name)
        if match and not _pid_alive(int(match.group(1))):
            found.append((path, int(match.group(1))))
    return found


def _recover(out: Path) -> None:
    """Clean up after a writer that died: drop its partial output, put back a moved gazetteer."""
    for path, _ in _leftovers(out, "partial"):
        shutil.rmtree(path, ignore_errors=True)
    for path, _ in _leftovers(out, "old"):
        if not out.exists():
            os.rename(path, out)
        else:
            shutil.rmtree(path, ignore_errors=True)


def _fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform; the renames still order the writes
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _line(record: dict[str, Any]) -> str:
    shaped = {
        "qid": record["qid"],
        "label": record["label"],
        "type": record["type"],
        "classes": list(record.get("classes", [])),
        "description": record.get("description", ""),
        "names": record["names"],
        "popularity": record.get("popularity", 0),
    }
    if record.get("alt_qids"):
        shaped["alt_qids"] = list(record["alt_qids"])
    return json.dumps(shaped, ensure_ascii=False) + "\n"


def write_gazetteer(out: Path, records: Iterable[dict[str, Any]], manifest: dict[str, Any]) -> None:
    """Write ``records`` and ``manifest`` as a gazetteer directory at ``out``, atomically.

    The files are written to a hidden directory beside ``out`` and renamed into
    place only when complete, so a crash leaves either the old gazetteer or the
    new one, never half of one. An existing gazetteer at ``out`` is moved aside
    for the instant between the two renames and removed after; a writer that
    dies in that instant has it put back by the next write.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _recover(out)
    _check_replaceable(out)
    pid = os.getpid()
    partial = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-{pid}-", dir=out.parent))
    try:
        entities = partial / ENTITIES_FILE
        with entities.open("w", encoding="utf-8", newline="\n") as handle:
            for record in records:
                handle.write(_line(record))
        _fsync_file(entities)
        manifest_file = partial / MANIFEST_FILE
        manifest_file.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        _fsync_file(manifest_file)
        _fsync_dir(partial)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-{pid}-", dir=out.parent))
            os.rmdir(old)
            os.rename(out, old)
            os.rename(partial, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(partial, out)
        _fsync_dir(out.parent)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


# --- Merging ----------------------------------------------------------------------------------------


def merge(layers: Sequence[Path], out: Path, *, names: Sequence[str] | None = None) -> dict[str, Any]:
    """Lay gazetteers over one another, later over earlier, and write the result to ``out``.

    An entity in several layers (matched by QID or alternative QID) takes its
    label, type, classes, description and popularity from the topmost layer
    that has it; its names are the union of all layers', topmost first, so that
    names curated in a lower layer (the default gazetteer's spellings) survive
    a fresh Wikidata build laid over it. Returns the manifest written.
    """
    if len(layers) < 2:
        raise BuildError("merge needs at least two gazetteers: the base first, then what goes on top")
    merged: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    sources = []
    for position, layer in enumerate(layers):
        try:
            records = list(read_records(layer))
            manifest = read_manifest(layer)
        except GazetteerError as error:
            raise BuildError(str(error)) from None
        label = names[position] if names else str(layer)
        sources.append(
            {
                "gazetteer": label,
                "name": manifest.get("name"),
                "date": manifest.get("date"),
                "endpoint": manifest.get("endpoint"),
                "entities": len(records),
            }
        )
        for record in records:
            ids = [record["qid"], *record.get("alt_qids", [])]
            hit = next((index[i] for i in ids if i in index), None)
            if hit is None:
                merged.append(record)
                slot = len(merged) - 1
            else:
                merged[hit] = _lay_over(merged[hit], record)
                slot = hit
            for i in (merged[slot]["qid"], *merged[slot].get("alt_qids", [])):
                index[i] = slot
    merged.sort(key=lambda r: _qid_number(r["qid"]))
    now = time.time()
    manifest = {
        "name": out.name,
        "format": FORMAT_VERSION,
        "date": dt.datetime.fromtimestamp(now, dt.timezone.utc).date().isoformat(),
        "built_at": _iso(now),
        "namelink_version": __version__,
        "keys_version": KEYS_VERSION,
        "merged_from": sources,
        "merge_rule": "later layers on top: their fields win; names are the union, top layer first",
        "counts": _counts(merged),
        "versions": _versions(),
    }
    write_gazetteer(out, merged, manifest)
    return manifest


def _lay_over(below: dict[str, Any], above: dict[str, Any]) -> dict[str, Any]:
    names: dict[str, list[str]] = {}
    for lang in dict.fromkeys([*above["names"], *below["names"]]):
        values = [*above["names"].get(lang, []), *below["names"].get(lang, [])]
        names[lang] = list(dict.fromkeys(values))
    ids = [above["qid"], *above.get("alt_qids", []), below["qid"], *below.get("alt_qids", [])]
    alt = [i for i in dict.fromkeys(ids) if i != above["qid"]]
    return {**above, "names": names, "alt_qids": alt}
