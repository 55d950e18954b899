"""A polite, cached SPARQL client for building gazetteers.

Public endpoints are shared and throttled, and a large scope takes hours, so
every request goes through one client that:

- names itself: a User-Agent with the namelink version and the caller's
  contact, as Wikimedia's User-Agent policy asks;
- sends one request at a time, with a pause between requests;
- retries 429 and 5xx answers, connection resets and truncated bodies with
  exponential backoff, and waits as long as a ``Retry-After`` header says;
- gives up on a request after a timeout, and tells the caller it timed out,
  so that the caller can ask for less (the builder halves its batch);
- caches every good response on disk (diskcache), keyed by endpoint and query
  and stamped with the time it was fetched, so that an interrupted build
  resumes where it stopped and a rebuild is instant; ``max_age`` ignores
  entries older than the caller wants.

A response is cached only after it parsed as SPARQL JSON results: a truncated
body is never mistaken for an answer. The endpoint is a parameter, never a
global, so tests point the client at a local server.

SPARQLWrapper and diskcache are imported when the first query is sent, not at
import time.
"""

from __future__ import annotations

import email.utils
import hashlib
import http.client
import json
import socket
import time
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from namelink import __version__

__all__ = [
    "WDQS",
    "ClientSettings",
    "SelectResult",
    "SparqlClient",
    "SparqlEndpointError",
    "SparqlError",
    "SparqlRefused",
    "SparqlThrottled",
    "SparqlTimeout",
    "SparqlUnavailable",
    "parse_retry_after",
    "strip_comments",
    "user_agent",
]

# The public Wikidata Query Service (see namelink/wikidata/README.md for QLever).
WDQS = "https://query.wikidata.org/sparql"
# Bump when the layout of a cache entry changes; old entries are then ignored.
CACHE_LAYOUT = "1"
# Enough for the responses of a build of a few million entities (a batch of 200
# ids answers in about 100-300 kB); diskcache evicts the oldest beyond this.
CACHE_SIZE_LIMIT = 8 * 2**30

# WDQS reports a query that ran out of time either as an HTTP 500 or as a 200
# whose body stops with a Java stack trace naming this exception
# (osm-search/wikipedia-wikidata issue #4 shows the truncated-200 case).
_SERVER_TIMEOUT_MARKERS = ("TimeoutException", "QueryTimeoutException", "Query deadline is expired")
# Answers worth retrying as they are: the server was busy or failed, not the query.
_RETRY_STATUSES = frozenset({500, 502, 503, 504})
# Answers that say the request is too big or malformed for this server; a
# smaller batch may pass, the same one never will.
_REFUSED_STATUSES = frozenset({400, 408, 413, 414, 431})
# Answers that no batch size or retry can fix: wrong URL, no access.
_FATAL_STATUSES = frozenset({401, 403, 404, 405, 410})


# --- Errors ---------------------------------------------------------------------------


class SparqlError(Exception):
    """A query that did not produce an answer."""


class SparqlTimeout(SparqlError):
    """The query ran out of time, on the client's clock or the server's."""


class SparqlRefused(SparqlError):
    """The server refused the query as it is (too large, or malformed)."""


class SparqlUnavailable(SparqlError):
    """Retries ran out on server errors, resets or truncated bodies."""


class SparqlThrottled(SparqlError):
    """The server keeps saying 429, or asks for a longer wait than we allow."""


class SparqlEndpointError(SparqlError):
    """The endpoint cannot answer at all: wrong URL, no access, nothing listening."""


# --- Settings and results -------------------------------------------------------------


@dataclass(frozen=True)
class ClientSettings:
    """How to reach an endpoint and how gently.

    The defaults are for a shared public service; tests pass ``pause=0`` and
    ``backoff=0`` and a short ``timeout``.
    """

    endpoint: str = WDQS
    contact: str | None = None
    # WDQS stops a query after 60 s; waiting a little longer lets its own
    # timeout answer first, which says more than a dropped connection.
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
    """``namelink/VERSION (CONTACT) SPARQLWrapper/VERSION``, the form Wikimedia asks for."""
    try:
        from importlib.metadata import version

        wrapper = f" SPARQLWrapper/{version('SPARQLWrapper')}"
    except Exception:  # not installed as a distribution: leave it out
        wrapper = ""
    who = f" ({contact.strip()})" if contact and contact.strip() else ""
    return f"namelink/{__version__}{who}{wrapper}"


def strip_comments(query: str) -> str:
    """``query`` without its whole-line comments and blank lines: what is sent and cached.

    Only lines that start with ``#`` go; a ``#`` inside a line may be part of
    an IRI (``<http://wikiba.se/ontology#>``) and stays.
    """
    lines = (line for line in query.splitlines() if line.strip() and not line.lstrip().startswith("#"))
    return "\n".join(lines) + "\n"


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


# --- What one HTTP exchange can end in ------------------------------------------------


class _Retry(Exception):
    """Internal: worth retrying as it is, after ``retry_after`` seconds if given."""

    def __init__(self, message: str, retry_after: float | None = None, *, throttled: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.throttled = throttled


class _TimedOut(Exception):
    """Internal: the exchange ran out of time."""


def _looks_like_server_timeout(text: str) -> bool:
    return any(marker in text for marker in _SERVER_TIMEOUT_MARKERS)


def _post(endpoint: str, query: str, agent: str, timeout: float) -> bytes:
    """One POST through SPARQLWrapper; the raw body of a 200 answer."""
    from SPARQLWrapper import JSON, POST, SELECT, SPARQLWrapper

    wrapper = SPARQLWrapper(endpoint, agent=agent)
    wrapper.setMethod(POST)  # a batch of 200 ids is too long for a GET URL
    wrapper.setReturnFormat(JSON)
    # Content negotiation only: no format=json parameters that some servers reject.
    wrapper.setOnlyConneg(True)
    wrapper.setQuery(query)
    # setQuery() guesses the query form by searching the text for keywords, and
    # a word such as "drops" in a comment made it send a SELECT as an update.
    # This client only sends SELECT queries.
    wrapper.queryType = SELECT
    # setTimeout() truncates to whole seconds; urllib takes a float.
    wrapper.timeout = timeout  # type: ignore[assignment]
    result = wrapper.query()
    try:
        body: bytes = result.response.read()
    finally:
        result.response.close()
    return body


def _exchange(endpoint: str, query: str, agent: str, timeout: float) -> dict[str, Any]:
    """Send ``query`` once and return the parsed JSON, or raise what went wrong."""
    from SPARQLWrapper.SPARQLExceptions import (
        EndPointInternalError,
        EndPointNotFound,
        QueryBadFormed,
        Unauthorized,
        URITooLong,
    )

    try:
        body = _post(endpoint, query, agent, timeout)
    except urllib.error.HTTPError as error:
        text = _read_error(error)
        status = error.code
        if _looks_like_server_timeout(text):
            raise _TimedOut(f"the server ran out of time (HTTP {status})") from None
        if status == 429:
            after = parse_retry_after(error.headers.get("Retry-After") if error.headers else None)
            raise _Retry("HTTP 429 Too Many Requests", after, throttled=True) from None
        if status in _RETRY_STATUSES:
            after = parse_retry_after(error.headers.get("Retry-After") if error.headers else None)
            raise _Retry(f"HTTP {status}", after) from None
        if status in _FATAL_STATUSES:
            raise SparqlEndpointError(f"{endpoint} answered HTTP {status}: {text[:200]}") from None
        if status in _REFUSED_STATUSES or 400 <= status < 500:
            raise SparqlRefused(f"HTTP {status}: {text[:200]}") from None
        raise _Retry(f"HTTP {status}") from None
    except EndPointInternalError as error:  # SPARQLWrapper's name for HTTP 500
        if _looks_like_server_timeout(str(error)):
            raise _TimedOut("the server ran out of time (HTTP 500)") from None
        raise _Retry(f"HTTP 500: {_wrapped_body(error)}") from None
    except QueryBadFormed as error:
        if _looks_like_server_timeout(str(error)):
            raise _TimedOut("the server ran out of time (HTTP 400)") from None
        raise SparqlRefused(f"HTTP 400: {_wrapped_body(error)}") from None
    except URITooLong as error:
        raise SparqlRefused(f"HTTP 414: {_wrapped_body(error)}") from None
    except EndPointNotFound as error:
        raise SparqlEndpointError(f"{endpoint} answered HTTP 404: {_wrapped_body(error)}") from None
    except Unauthorized as error:
        raise SparqlEndpointError(f"{endpoint} answered HTTP 401: {_wrapped_body(error)}") from None
    except TimeoutError:
        raise _TimedOut(f"no answer within {timeout:g} s") from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise _TimedOut(f"no answer within {timeout:g} s") from None
        if isinstance(reason, (ConnectionRefusedError, socket.gaierror)):
            raise SparqlEndpointError(f"cannot reach {endpoint}: {reason}") from None
        raise _Retry(f"connection failed: {reason}") from None
    except (ConnectionError, http.client.HTTPException, OSError) as error:
        # Resets, a server that hung up mid-answer, a body shorter than announced.
        raise _Retry(f"connection failed: {type(error).__name__}: {error}") from None

    text = body.decode("utf-8", errors="replace")
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as error:
        if _looks_like_server_timeout(text):
            raise _TimedOut("the server ran out of time mid-answer") from None
        raise _Retry(f"truncated or invalid JSON ({error.msg} at byte {error.pos} of {len(body)})") from None
    if not _is_select_result(parsed):
        raise _Retry("the answer is JSON but not SPARQL SELECT results")
    return parsed  # type: ignore[no-any-return]


def _wrapped_body(error: Exception) -> str:
    """The server's answer inside one of SPARQLWrapper's exceptions, shortened."""
    text = str(error)
    _, found, body = text.partition("Response:\n")
    body = body if found else text
    if body.startswith(("b'", 'b"')):
        body = body[2:-1]
    return " ".join(body.split())[:200]


def _read_error(error: urllib.error.HTTPError) -> str:
    try:
        return error.read().decode("utf-8", errors="replace")
    except Exception:
        return ""


def _is_select_result(parsed: object) -> bool:
    if not isinstance(parsed, dict):
        return False
    head, results = parsed.get("head"), parsed.get("results")
    return (
        isinstance(head, dict)
        and isinstance(head.get("vars", []), list)
        and isinstance(results, dict)
        and isinstance(results.get("bindings"), list)
    )


# --- The client -----------------------------------------------------------------------


class SparqlClient:
    """Cached, paced, retrying SELECT queries against one endpoint.

    ``sleep``, ``clock`` (monotonic, for pacing) and ``now`` (wall time, for
    cache ages) are injectable so that tests run the real retry logic without
    waiting for it.
    """

    def __init__(
        self,
        settings: ClientSettings,
        cache_dir: str | Path,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.cache_dir = Path(cache_dir)
        self.user_agent = user_agent(settings.contact)
        self.stats = ClientStats()
        self._sleep = sleep
        self._clock = clock
        self._now = now
        self._last_request_end: float | None = None
        self._cache: Any = None

    # -- cache -------------------------------------------------------------------------

    def _open_cache(self) -> Any:
        if self._cache is None:
            import diskcache

            self.cache_dir.mkdir(parents=True, exist_ok=True)
            self._cache = diskcache.Cache(str(self.cache_dir), size_limit=CACHE_SIZE_LIMIT)
        return self._cache

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

    def _fresh(self, entry: object) -> bool:
        if not isinstance(entry, dict) or not isinstance(entry.get("fetched_at"), (int, float)):
            return False
        max_age = self.settings.max_age
        return max_age is None or self._now() - entry["fetched_at"] <= max_age

    def cached(self, query: str) -> bool:
        """Whether ``query`` would be answered from the cache."""
        return self._fresh(self._open_cache().get(self.cache_key(query)))

    def remember(self, query: str, note: str) -> None:
        """Keep a note about ``query`` (the builder notes batches it had to split)."""
        self._open_cache().set(self.cache_key(query, note), {"fetched_at": self._now()})

    def recalls(self, query: str, note: str) -> bool:
        return self._fresh(self._open_cache().get(self.cache_key(query, note)))

    # -- queries -----------------------------------------------------------------------

    def select(self, query: str, *, retry_timeouts: bool = True) -> SelectResult:
        """The rows of ``query``, from the cache when fresh, else from the endpoint.

        Raises SparqlTimeout (when ``retry_timeouts`` is false, at the first
        timeout), SparqlRefused, SparqlUnavailable, SparqlThrottled or
        SparqlEndpointError; a response is cached only when it parsed.
        """
        cache = self._open_cache()
        key = self.cache_key(query)
        entry = cache.get(key)
        if self._fresh(entry):
            try:
                parsed = json.loads(entry["body"])
                if _is_select_result(parsed):
                    self.stats.cache_hits += 1
                    return _result(parsed, cached=True, fetched_at=float(entry["fetched_at"]))
            except (KeyError, TypeError, json.JSONDecodeError):
                pass  # an unreadable entry is refetched, never trusted
        parsed = self._fetch(strip_comments(query), retry_timeouts=retry_timeouts)
        fetched_at = self._now()
        cache.set(
            key,
            {
                "fetched_at": fetched_at,
                "endpoint": self.settings.endpoint,
                "body": json.dumps(parsed, ensure_ascii=False, separators=(",", ":")),
            },
        )
        return _result(parsed, cached=False, fetched_at=fetched_at)

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
                return _exchange(settings.endpoint, query, self.user_agent, settings.timeout)
            except _TimedOut as error:
                last = str(error)
                if not retry_timeouts or attempt == settings.max_retries:
                    raise SparqlTimeout(last) from None
                wait = self._backoff(attempt)
            except _Retry as error:
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
