"""One HTTP exchange with a SPARQL endpoint, bounded in time and in size.

The client (namelink.wikidata.sparql) decides what to retry; this module only
sends one POST and says how it ended. It speaks HTTP through ``http.client``
itself, not through urllib, because an endpoint must not be able to steer it:

- a wall-clock deadline covers the whole exchange (connect, headers, body): a
  watchdog thread shuts the socket down when it passes, so a server that drips
  one byte at a time cannot stretch ``--timeout``, which a per-read socket
  timeout alone would allow;
- the body is read in chunks and given up past ``max_bytes``, so a huge answer
  costs at most that much memory; a Content-Length over it is refused unread;
- a redirect is never followed: the User-Agent with the user's contact and the
  query go to the host the user named and nowhere else;
- a connection that cannot be made says why in words a user can act on
  (the network may be down) rather than as a wrong endpoint.
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import errno
import http.client
import json
import socket
import ssl
import threading
import time
import urllib.parse
import urllib.request
from typing import Any

__all__ = [
    "ERROR_BODY_BYTES",
    "READ_CHUNK",
    "Retry",
    "SparqlEndpointError",
    "SparqlError",
    "SparqlRefused",
    "SparqlTimeout",
    "SparqlTooLarge",
    "SparqlUnreachable",
    "TimedOut",
    "exchange",
    "is_select_result",
    "parse_retry_after",
    "printable",
]

# Bytes read per call: one socket read's worth; the deadline is checked between reads.
READ_CHUNK = 64 * 1024
# An error page says what went wrong in its first lines; more would only cost memory.
ERROR_BODY_BYTES = 64 * 1024
# WDQS reports a query that ran out of time either as an HTTP 500 or as a 200
# whose body stops with a Java stack trace naming this exception
# (osm-search/wikipedia-wikidata issue #4 shows the truncated-200 case).
_SERVER_TIMEOUT_MARKERS = ("TimeoutException", "QueryTimeoutException", "Query deadline is expired")
# Answers worth retrying as they are: the server was busy or failed, not the query.
_RETRY_STATUSES = frozenset({500, 502, 503, 504})
# Answers that no batch size or retry can fix: wrong URL, no access.
_FATAL_STATUSES = frozenset({401, 403, 404, 405, 410})
# Connection failures that mean "no route from here", as opposed to a wrong endpoint.
_NETWORK_ERRNOS = frozenset(
    {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN, errno.EHOSTDOWN, errno.ECONNREFUSED}
)


# --- Errors ---------------------------------------------------------------------------


class SparqlError(Exception):
    """A query that did not produce an answer."""


class SparqlTimeout(SparqlError):
    """The query ran out of time, on the client's clock or the server's."""


class SparqlRefused(SparqlError):
    """The server refused the query as it is (too large, or malformed)."""


class SparqlTooLarge(SparqlRefused):
    """The answer is larger than the client accepts; a smaller query may pass."""


class SparqlEndpointError(SparqlError):
    """The endpoint cannot answer at all: wrong URL, no access, a redirect, not SPARQL."""


class SparqlUnreachable(SparqlEndpointError):
    """No connection could be made: the name did not resolve, nothing answered, no route."""


class Retry(Exception):
    """Worth retrying as it is, after ``retry_after`` seconds if given."""

    def __init__(self, message: str, retry_after: float | None = None, *, throttled: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.throttled = throttled


class TimedOut(Exception):
    """The exchange ran out of time."""


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


def is_select_result(parsed: object) -> bool:
    """``parsed`` has the shape of SPARQL JSON SELECT results, every row an object."""
    if not isinstance(parsed, dict):
        return False
    head, results = parsed.get("head"), parsed.get("results")
    if not isinstance(head, dict) or not isinstance(head.get("vars", []), list):
        return False
    if not isinstance(results, dict) or not isinstance(results.get("bindings"), list):
        return False
    return all(isinstance(row, dict) for row in results["bindings"])


def printable(text: str, limit: int = 200) -> str:
    """``text`` as it may be shown on a terminal: whitespace runs as one space, other
    non-printable characters (escape sequences an endpoint could send) as "?", at most
    ``limit`` characters."""
    flat = " ".join(text.split())
    return "".join(c if c.isprintable() else "?" for c in flat[:limit])


def _server_timed_out(text: str) -> bool:
    return any(marker in text for marker in _SERVER_TIMEOUT_MARKERS)


# --- The exchange ---------------------------------------------------------------------


class _Watchdog:
    """Shuts the connection's socket down when the deadline passes."""

    def __init__(self, connection: http.client.HTTPConnection, seconds: float) -> None:
        self.fired = False
        self._connection = connection
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def _fire(self) -> None:
        self.fired = True
        sock = self._connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def _connection(endpoint: str, timeout: float) -> tuple[http.client.HTTPConnection, str, str, dict[str, str]]:
    """A connection for ``endpoint``, the request target, the endpoint's host, and headers for a proxy.

    An ``http_proxy`` / ``https_proxy`` from the environment is honoured (and
    ``no_proxy``), as urllib honours them: it is the user's own choice, not the
    endpoint's. HTTPS goes through it as a CONNECT tunnel.
    """
    parts = urllib.parse.urlsplit(endpoint)
    host = parts.hostname
    if parts.scheme not in ("http", "https") or not host:
        raise SparqlEndpointError(f"{endpoint} is not an http(s) URL")
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    proxy = urllib.request.getproxies().get(parts.scheme)
    via = None
    if proxy and not urllib.request.proxy_bypass(host):
        via = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    connect_host, connect_port = (via.hostname, via.port) if via and via.hostname else (host, parts.port)
    connection: http.client.HTTPConnection
    if parts.scheme == "https" and via is None:
        connection = http.client.HTTPSConnection(
            host, parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    elif parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            connect_host, connect_port, timeout=timeout, context=ssl.create_default_context()
        )
        connection.set_tunnel(host, parts.port, headers=_proxy_headers(via))
    else:
        connection = http.client.HTTPConnection(connect_host, connect_port, timeout=timeout)
        if via is not None:
            target = endpoint  # a plain-HTTP proxy takes the absolute URL
            return connection, target, host, _proxy_headers(via)
    return connection, target, host, {}


def _proxy_headers(via: urllib.parse.SplitResult | None) -> dict[str, str]:
    if via is None or via.username is None:
        return {}
    secret = f"{urllib.parse.unquote(via.username)}:{urllib.parse.unquote(via.password or '')}"
    return {"Proxy-Authorization": "Basic " + base64.b64encode(secret.encode()).decode("ascii")}


def _read(response: http.client.HTTPResponse, limit: int, deadline: float, timeout: float) -> bytes:
    """The body, or TimedOut past the deadline, or SparqlTooLarge past ``limit`` bytes."""
    body = bytearray()
    while True:
        if time.monotonic() > deadline:
            raise TimedOut(f"the answer did not arrive within {timeout:g} s")
        chunk = response.read1(READ_CHUNK)
        if not chunk:
            if time.monotonic() > deadline:  # the watchdog cut the connection: not the end
                raise TimedOut(f"the answer did not arrive within {timeout:g} s")
            if response.length:  # a Content-Length that was not met
                raise Retry(f"the answer stopped {response.length:,} bytes short of its Content-Length")
            return bytes(body)
        body += chunk
        if len(body) > limit:
            raise SparqlTooLarge(f"the answer is larger than {limit:,} bytes")


def exchange(endpoint: str, query: str, agent: str, *, timeout: float, max_bytes: int) -> dict[str, Any]:
    """POST ``query`` to ``endpoint`` once; the parsed SELECT results, or what went wrong.

    Raises TimedOut or Retry for the caller to retry, and SparqlTooLarge,
    SparqlRefused, SparqlEndpointError or SparqlUnreachable, which no retry of
    the same query can fix.
    """
    connection, target, host, proxy_headers = _connection(endpoint, timeout)
    form = urllib.parse.urlencode({"query": query}).encode("ascii")
    headers = {
        "User-Agent": agent,
        "Accept": "application/sparql-results+json",
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept-Encoding": "identity",
        **proxy_headers,
    }
    deadline = time.monotonic() + timeout
    watchdog = _Watchdog(connection, timeout)
    try:
        with watchdog:
            try:
                connection.request("POST", target, body=form, headers=headers)
                response = connection.getresponse()
                status = response.status
                content_type = response.getheader("Content-Type") or ""
                if status != 200:
                    _fail(endpoint, response, deadline, timeout)
                declared = response.getheader("Content-Length")
                if declared and declared.strip().isdigit() and int(declared) > max_bytes:
                    raise SparqlTooLarge(f"the answer announces {int(declared):,} bytes, over {max_bytes:,}")
                body = _read(response, max_bytes, deadline, timeout)
            except (SparqlError, TimedOut, Retry):
                raise
            except socket.gaierror as error:
                raise SparqlUnreachable(
                    f"cannot reach {endpoint}: the name {host} did not resolve ({error.strerror or error})"
                ) from None
            except ssl.SSLCertVerificationError as error:
                raise SparqlEndpointError(
                    f"{endpoint}: its TLS certificate did not verify ({error.verify_message})"
                ) from None
            except TimeoutError:
                raise TimedOut(f"no answer within {timeout:g} s") from None
            except OSError as error:
                if watchdog.fired:
                    raise TimedOut(f"no complete answer within {timeout:g} s") from None
                if isinstance(error, ConnectionRefusedError) or error.errno in _NETWORK_ERRNOS:
                    reason = error.strerror or str(error)
                    raise SparqlUnreachable(f"cannot reach {endpoint}: {reason}") from None
                raise Retry(f"connection failed: {type(error).__name__}: {error}") from None
            except http.client.HTTPException as error:
                if watchdog.fired:
                    raise TimedOut(f"no complete answer within {timeout:g} s") from None
                # A server that hung up mid-answer, a body shorter than announced.
                raise Retry(f"connection failed: {type(error).__name__}: {error}") from None
    finally:
        connection.close()
    return _parse(endpoint, body, content_type)


def _fail(endpoint: str, response: http.client.HTTPResponse, deadline: float, timeout: float) -> None:
    """Raise what a non-200 answer means."""
    status = response.status
    if 300 <= status < 400:
        location = printable(response.getheader("Location") or "nowhere")
        raise SparqlEndpointError(
            f"{endpoint} answered HTTP {status}, a redirect to {location}; namelink does not follow "
            "redirects (the query and your contact would go to another address): give the final "
            "URL as --endpoint"
        )
    try:
        text = _read(response, ERROR_BODY_BYTES, deadline, timeout).decode("utf-8", errors="replace")
    except SparqlTooLarge:
        text = ""
    if _server_timed_out(text):
        raise TimedOut(f"the server ran out of time (HTTP {status})")
    after = parse_retry_after(response.getheader("Retry-After"))
    if status == 429:
        raise Retry("HTTP 429 Too Many Requests", after, throttled=True)
    if status in _RETRY_STATUSES:
        raise Retry(f"HTTP {status}", after)
    short = printable(text)
    if status in _FATAL_STATUSES:
        raise SparqlEndpointError(f"{endpoint} answered HTTP {status}: {short}")
    if 400 <= status < 500:
        raise SparqlRefused(f"HTTP {status}: {short}")
    raise Retry(f"HTTP {status}")


def _parse(endpoint: str, body: bytes, content_type: str) -> dict[str, Any]:
    text = body.decode("utf-8", errors="replace")
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as error:
        if _server_timed_out(text):
            raise TimedOut("the server ran out of time mid-answer") from None
        if "json" not in content_type.lower():
            raise SparqlEndpointError(
                f"{endpoint} answered with {printable(content_type) or 'no content type'}, not SPARQL JSON "
                "results: it is not a SPARQL endpoint"
            ) from None
        raise Retry(f"truncated or invalid JSON ({error.msg} at byte {error.pos} of {len(body)})") from None
    except RecursionError:
        raise Retry("JSON nested too deeply to be SPARQL results") from None
    if not is_select_result(parsed):
        raise Retry("the answer is JSON but not SPARQL SELECT results")
    return parsed  # type: ignore[no-any-return]
