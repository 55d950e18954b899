"""A polite, cached SPARQL client for building gazetteers.

Public endpoints are shared and throttled, and a large scope takes hours, so
every request goes through one client that:

- names itself: a User-Agent with the namelink version and the caller's
  contact, as Wikimedia's User-Agent policy asks, sent to the endpoint's host
  and no other (redirects are not followed);
- sends one request at a time, with a pause between requests;
- retries 429 and 5xx answers, connection resets and truncated bodies with
  exponential backoff, and waits as long as a ``Retry-After`` header says;
- gives up on a request at a wall-clock deadline, however slowly the answer
  trickles in, and on an answer larger than ``max_response_bytes``, and tells
  the caller so, so that the caller can ask for less (the builder halves its
  batch);
- caches every good response on disk (namelink.wikidata.store: plain bytes
  in SQLite, hashed, never unpickled), keyed by endpoint and query and stamped
  with the time it was fetched, so that an interrupted build resumes where it
  stopped and a rebuild is instant; ``max_age`` ignores entries older than the
  caller wants.

A response is cached only after it parsed as SPARQL JSON results (and the
caller's ``keep`` check, if any, accepted it): a truncated body is never
mistaken for an answer. The endpoint is a parameter, never a global, so tests
point the client at a local server. The HTTP itself is in
namelink.wikidata.exchange.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from namelink import __version__
from namelink.wikidata import WDQS
from namelink.wikidata.exchange import (
    Retry,
    SparqlEndpointError,
    SparqlError,
    SparqlRefused,
    SparqlTimeout,
    SparqlTooLarge,
    SparqlUnreachable,
    TimedOut,
    exchange,
    is_select_result,
    parse_retry_after,
)
from namelink.wikidata.store import ResponseStore

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "WDQS",
    "ClientSettings",
    "SelectResult",
    "SparqlClient",
    "SparqlEndpointError",
    "SparqlError",
    "SparqlRefused",
    "SparqlThrottled",
    "SparqlTimeout",
    "SparqlTooLarge",
    "SparqlUnavailable",
    "SparqlUnreachable",
    "parse_retry_after",
    "strip_comments",
    "user_agent",
]

# Bump when the layout of a cache entry changes; old entries are then ignored.
CACHE_LAYOUT = "2"
# The largest answer accepted. A batch of 200 ids answers in 100-300 kB; an
# enumeration row is about 70 bytes of SPARQL JSON, so this takes a scope of
# some 1.8 million ids (the README's largest example, every human with an
# Arabic label, is several hundred thousand). Larger answers are refused:
# a batch is then halved, an enumeration needs --limit or a narrower scope.
DEFAULT_MAX_RESPONSE_BYTES = 128 * 2**20


class SparqlUnavailable(SparqlError):
    """Retries ran out on server errors, resets or truncated bodies."""


class SparqlThrottled(SparqlError):
    """The server keeps saying 429, or asks for a longer wait than we allow."""


# --- Settings and results -------------------------------------------------------------


@dataclass(frozen=True)
class ClientSettings:
    """How to reach an endpoint and how gently.

    The defaults are for a shared public service; tests pass ``pause=0`` and
    ``backoff=0``, a short ``timeout`` and a small ``max_response_bytes``.
    """

    endpoint: str = WDQS
    contact: str | None = None
    # WDQS stops a query after 60 s; waiting a little longer lets its own
    # timeout answer first, which says more than a dropped connection. This is
    # a wall-clock bound on the whole exchange, not on each read.
    timeout: float = 65.0
    # One request a second at most: well under any public service's limits.
    pause: float = 1.0
    max_retries: int = 5
    # First retry after 2 s, then 4, 8, 16, 32: about a minute in all.
    backoff: float = 2.0
    max_backoff: float = 120.0
    # A Retry-After longer than this stops the build (it can be resumed later)
    # rather than leaving it asleep for an unknown time.
    max_retry_after: float = 600.0
    # Ignore cached responses older than this many seconds (None: any age).
    max_age: float | None = None
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES


@dataclass(frozen=True)
class SelectResult:
    """The rows of a SELECT query, whether they came from the cache, and when
    they were fetched from the endpoint (seconds since the epoch)."""

    variables: tuple[str, ...]
    bindings: tuple[dict[str, Any], ...]
    cached: bool
    fetched_at: float


@dataclass
class ClientStats:
    """Counters for the manifest and the progress line."""

    requests: int = 0
    cache_hits: int = 0
    retries: int = 0
    waits: list[float] = field(default_factory=list)


def user_agent(contact: str | None) -> str:
    """``namelink/VERSION (CONTACT) Python/VERSION``, the form Wikimedia asks for."""
    who = f" ({contact.strip()})" if contact and contact.strip() else ""
    return f"namelink/{__version__}{who} Python/{platform.python_version()}"


def strip_comments(query: str) -> str:
    """``query`` without its whole-line comments and blank lines: what is sent and cached.

    Only lines that start with ``#`` go; a ``#`` inside a line may be part of
    an IRI (``<http://wikiba.se/ontology#>``) and stays.
    """
    lines = (line for line in query.splitlines() if line.strip() and not line.lstrip().startswith("#"))
    return "\n".join(lines) + "\n"


# --- The client -----------------------------------------------------------------------


class SparqlClient:
    """Cached, paced, retrying SELECT queries against one endpoint.

    ``cache_dir=None`` caches in memory only. ``sleep``, ``clock`` (monotonic,
    for pacing) and ``now`` (wall time, for cache ages) are injectable so that
    tests run the real retry logic without waiting for it.
    """

    def __init__(
        self,
        settings: ClientSettings,
        cache_dir: str | Path | None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self.user_agent = user_agent(settings.contact)
        self.stats = ClientStats()
        self._sleep = sleep
        self._clock = clock
        self._now = now
        self._last_request_end: float | None = None
        self._cache: ResponseStore | None = None

    # -- cache -------------------------------------------------------------------------

    def _open_cache(self) -> ResponseStore:
        if self._cache is None:
            self._cache = ResponseStore(self.cache_dir)
        return self._cache

    @property
    def cache_file(self) -> Path | None:
        """The file responses are cached in, or None when they are kept in memory only."""
        return self._open_cache().path

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()
            self._cache = None

    def __enter__(self) -> SparqlClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def cache_key(self, query: str, kind: str = "response") -> str:
        """The key of ``query`` on this endpoint: a hash, so any query length fits.

        Comment lines do not count, so rewording a query's documentation does
        not throw away the responses cached for it.
        """
        digest = hashlib.sha256(f"{self.settings.endpoint}\n{strip_comments(query)}".encode()).hexdigest()
        return f"sparql/{CACHE_LAYOUT}/{kind}/{digest}"

    def _fresh(self, fetched_at: float) -> bool:
        max_age = self.settings.max_age
        return max_age is None or self._now() - fetched_at <= max_age

    def _cached_result(self, query: str) -> SelectResult | None:
        entry = self._open_cache().get(self.cache_key(query))
        if entry is None or not self._fresh(entry.fetched_at):
            return None
        try:
            parsed = json.loads(entry.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
            return None  # an unreadable entry is refetched, never trusted
        if not is_select_result(parsed):
            return None
        return _result(parsed, cached=True, fetched_at=entry.fetched_at)

    def cached(self, query: str) -> bool:
        """Whether ``query`` would be answered from the cache."""
        return self._cached_result(query) is not None

    def remember(self, query: str, note: str) -> None:
        """Keep a note about ``query`` (the builder notes batches it had to split)."""
        self._open_cache().put(self.cache_key(query, note), self._now(), b"")

    def recalls(self, query: str, note: str) -> bool:
        entry = self._open_cache().get(self.cache_key(query, note))
        return entry is not None and self._fresh(entry.fetched_at)

    # -- queries -----------------------------------------------------------------------

    def select(
        self,
        query: str,
        *,
        retry_timeouts: bool = True,
        keep: Callable[[SelectResult], bool] | None = None,
    ) -> SelectResult:
        """The rows of ``query``, from the cache when fresh, else from the endpoint.

        Raises SparqlTimeout (when ``retry_timeouts`` is false, at the first
        timeout), SparqlRefused (SparqlTooLarge for an answer over the size
        cap), SparqlUnavailable, SparqlThrottled, SparqlEndpointError or
        SparqlUnreachable. A response is cached only when it parsed as SELECT
        results and ``keep``, if given, says it is worth keeping; the caller
        gets it either way.
        """
        hit = self._cached_result(query)
        if hit is not None:
            self.stats.cache_hits += 1
            return hit
        parsed = self._fetch(strip_comments(query), retry_timeouts=retry_timeouts)
        fetched_at = self._now()
        result = _result(parsed, cached=False, fetched_at=fetched_at)
        if keep is None or keep(result):
            body = json.dumps(parsed, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            self._open_cache().put(self.cache_key(query), fetched_at, body)
        return result

    def _pace(self) -> None:
        if self._last_request_end is None or self.settings.pause <= 0:
            return
        wait = self.settings.pause - (self._clock() - self._last_request_end)
        if wait > 0:
            self._sleep(wait)

    def _backoff(self, attempt: int) -> float:
        return float(min(self.settings.backoff * 2**attempt, self.settings.max_backoff))

    def _wait(self, seconds: float) -> None:
        self.stats.waits.append(seconds)
        if seconds > 0:
            self._sleep(seconds)

    def _fetch(self, query: str, *, retry_timeouts: bool) -> dict[str, Any]:
        settings = self.settings
        last = "no attempt"
        for attempt in range(settings.max_retries + 1):
            self._pace()
            self.stats.requests += 1
            try:
                return exchange(
                    settings.endpoint,
                    query,
                    self.user_agent,
                    timeout=settings.timeout,
                    max_bytes=settings.max_response_bytes,
                )
            except TimedOut as error:
                last = str(error)
                if not retry_timeouts or attempt == settings.max_retries:
                    raise SparqlTimeout(last) from None
                wait = self._backoff(attempt)
            except Retry as error:
                last = str(error)
                if error.retry_after is not None and error.retry_after > settings.max_retry_after:
                    raise SparqlThrottled(
                        f"{settings.endpoint} asks to wait {error.retry_after:.0f} s (Retry-After)"
                    ) from None
                if attempt == settings.max_retries:
                    kind = SparqlThrottled if error.throttled else SparqlUnavailable
                    raise kind(f"{last}, {attempt + 1} attempts") from None
                wait = error.retry_after if error.retry_after is not None else self._backoff(attempt)
            finally:
                self._last_request_end = self._clock()
            self.stats.retries += 1
            self._wait(wait)
        raise SparqlUnavailable(last)  # unreachable: the loop returns or raises


def _result(parsed: dict[str, Any], *, cached: bool, fetched_at: float) -> SelectResult:
    variables = tuple(str(v) for v in parsed.get("head", {}).get("vars", []))
    bindings = tuple(b for b in parsed["results"]["bindings"] if isinstance(b, dict))
    return SelectResult(variables=variables, bindings=bindings, cached=cached, fetched_at=fetched_at)
