"""A real SPARQL server and a fault-injecting proxy for the gazetteer builder's tests.

``start_oxigraph`` loads RDF files into an Oxigraph store and serves it on
127.0.0.1 at a free port (the ``oxigraph`` command comes from PyPI's
``oxigraph`` package). ``FaultProxy`` is a small threaded HTTP server that
forwards SPARQL requests to it, logs each one (query, User-Agent), and on
demand answers a given request with a fault instead: 429 with Retry-After, 500,
a stall past the client's timeout, a connection reset, or truncated JSON; and
the hostile ones: an answer dripped a byte at a time (in the body or in the
headers), a huge answer (300 MB, with or without a Content-Length), a
redirect to another address, an HTML page, a 404. ``tamper`` rewrites the
real answers (to plant wrong-typed values). It can also hold every request
after the n-th until released, which is how a test kills a build at a known
point. Every hostile answer is bounded: it stops after ``stall_seconds``, at
``huge_bytes``, or when the client hangs up.

Nothing here reaches beyond the loopback interface.
"""

from __future__ import annotations

import contextlib
import http.server
import shutil
import socket
import struct
import subprocess
import sys
import sysconfig
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from namelink.wikidata.sparql import ClientSettings, SparqlClient

FAULTS = (
    "429",
    "500",
    "stall",
    "reset",
    "truncate",
    "400",
    "404",
    "drip",
    "drip-headers",
    "huge",
    "huge-unannounced",
    "redirect",
    "html",
)
# The size of a "huge" answer: the 300 MB. The client hangs up long before.
HUGE_BYTES = 300 * 10**6
# Seconds between the bytes of a dripped answer.
DRIP_INTERVAL = 0.05
# Seconds to wait for a fresh Oxigraph to answer; it is ready in well under one.
SERVER_START_TIMEOUT = 30.0


def oxigraph_executable() -> str | None:
    """The ``oxigraph`` command: on PATH, or beside this Python (a venv not activated)."""
    found = shutil.which("oxigraph")
    if found:
        return found
    for directory in (Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))):
        candidate = shutil.which("oxigraph", path=str(directory))
        if candidate:
            return candidate
    return None


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class SparqlServer:
    """A running Oxigraph server; ``url`` is its SPARQL query endpoint."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _answers(url: str) -> bool:
    data = urllib.parse.urlencode({"query": "ASK {}"}).encode()
    request = urllib.request.Request(url, data=data, headers={"Accept": "application/sparql-results+json"})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def start_oxigraph(files: Sequence[Path], workdir: Path) -> SparqlServer:
    """Load ``files`` into a new store under ``workdir`` and serve it on 127.0.0.1."""
    executable = oxigraph_executable()
    if executable is None:
        raise RuntimeError("the oxigraph command is not installed (pip install oxigraph)")
    store = workdir / "store"
    loaded = subprocess.run(
        [executable, "load", "--location", str(store), "--file", *map(str, files)],
        capture_output=True,
        text=True,
    )
    if loaded.returncode != 0:
        raise RuntimeError(f"oxigraph load failed:\n{loaded.stdout}\n{loaded.stderr}")
    for _attempt in range(3):  # another process may take the free port first
        port = free_port()
        log = workdir / f"oxigraph-{port}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [executable, "serve", "--location", str(store), "--bind", f"127.0.0.1:{port}"],
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        server = SparqlServer(process, f"http://127.0.0.1:{port}/query", log)
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            if _answers(server.url):
                return server
            time.sleep(0.05)
        server.stop()
    raise RuntimeError(f"oxigraph did not start:\n{log.read_text(errors='replace')}")


# --- The proxy ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Logged:
    """One request the proxy received."""

    number: int
    query: str
    user_agent: str
    fault: str | None


class FaultProxy:
    """Forwards SPARQL requests to ``upstream``, injecting faults on demand."""

    def __init__(
        self,
        upstream: str,
        *,
        retry_after: str = "1",
        stall_seconds: float = 5.0,
        redirect_to: str = "http://127.0.0.1:9/elsewhere",
    ) -> None:
        self.upstream = upstream
        self.retry_after = retry_after
        self.stall_seconds = stall_seconds
        self.redirect_to = redirect_to
        # Rewrites the body of every forwarded answer: (query, body) -> body.
        self.tamper: Callable[[str, bytes], bytes] | None = None
        self.log: list[Logged] = []
        self._lock = threading.Lock()
        self._by_number: dict[int, str] = {}
        self._rules: list[tuple[Callable[[str], bool], str]] = []
        self._hold_after: int | None = None
        self._released = threading.Event()
        self._stopped = threading.Event()
        self._count = 0
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                proxy._serve(self, body)

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        path = urllib.parse.urlsplit(upstream).path
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}{path}"

    # -- controls ----------------------------------------------------------------------

    def inject(self, faults: dict[int, str]) -> None:
        """Answer request number n (counting from 1 since the proxy started) with a fault."""
        assert set(faults.values()) <= set(FAULTS), faults
        with self._lock:
            self._by_number.update(faults)

    def fail_when(self, matches: Callable[[str], bool], fault: str) -> None:
        """Answer every query for which ``matches(query)`` holds with ``fault``."""
        with self._lock:
            self._rules.append((matches, fault))

    def clear_faults(self) -> None:
        with self._lock:
            self._by_number.clear()
            self._rules.clear()

    def hold_after(self, n: int) -> None:
        """Answer the next n requests, then hold every later one until release();
        held ones then get no answer (their sender is gone by then)."""
        with self._lock:
            self._hold_after = self._count + n
            self._released.clear()

    def release(self) -> None:
        with self._lock:
            self._hold_after = None
        self._released.set()

    def queries(self) -> list[str]:
        with self._lock:
            return [entry.query for entry in self.log]

    def wait_for_requests(self, n: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.log) >= n:
                    return
            time.sleep(0.02)
        raise AssertionError(f"the proxy saw {len(self.log)} requests, not {n}, within {timeout} s")

    def stop(self) -> None:
        self._stopped.set()
        self._released.set()
        self._server.shutdown()
        self._server.server_close()

    # -- serving -----------------------------------------------------------------------

    def _serve(self, handler: http.server.BaseHTTPRequestHandler, body: bytes) -> None:
        query = urllib.parse.parse_qs(body.decode("ascii", errors="replace")).get("query", [""])[0]
        with self._lock:
            self._count += 1
            number = self._count
            fault = self._by_number.pop(number, None)
            if fault is None:
                fault = next((f for matches, f in self._rules if matches(query)), None)
            held = self._hold_after is not None and number > self._hold_after
            self.log.append(Logged(number, query, handler.headers.get("User-Agent", ""), fault))
        if held:
            self._released.wait(timeout=120)
            handler.close_connection = True
            return  # abandoned by the build that sent it: no answer
        if fault == "429":
            self._reply(handler, 429, b"fixture: slow down", {"Retry-After": self.retry_after})
        elif fault == "500":
            self._reply(handler, 500, b"fixture: injected server error")
        elif fault == "400":
            self._reply(handler, 400, b"fixture: injected refusal")
        elif fault == "stall":
            self._stopped.wait(timeout=self.stall_seconds)
            handler.close_connection = True
        elif fault == "404":
            self._reply(handler, 404, b"fixture: no such endpoint")
        elif fault == "redirect":
            self._reply(handler, 307, b"", {"Location": self.redirect_to})
        elif fault == "html":
            page = b"<!doctype html><html><body>Welcome to a web site</body></html>"
            self._reply(handler, 200, page, {"Content-Type": "text/html; charset=utf-8"})
        elif fault in ("drip", "drip-headers"):
            self._drip(handler, in_headers=fault == "drip-headers")
        elif fault in ("huge", "huge-unannounced"):
            self._huge(handler, announced=fault == "huge")
        elif fault == "reset":
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.connection.close()
            handler.close_connection = True
        else:
            status, content_type, answer = self._forward(handler, body)
            if fault == "truncate":
                answer = answer[: len(answer) // 2]
            elif self.tamper is not None and status == 200:
                answer = self.tamper(query, answer)
            self._reply(handler, status, answer, {"Content-Type": content_type})

    def _drip(self, handler: http.server.BaseHTTPRequestHandler, *, in_headers: bool) -> None:
        """A 200 that never finishes: a byte every DRIP_INTERVAL for stall_seconds."""
        head = b"HTTP/1.1 200 OK\r\n"
        if not in_headers:
            head += b"Content-Type: application/sparql-results+json\r\nContent-Length: 100000\r\n\r\n"
        else:
            head += b"X-Slow: "
        deadline = time.monotonic() + self.stall_seconds
        try:
            handler.wfile.write(head)
            while time.monotonic() < deadline and not self._stopped.is_set():
                handler.wfile.write(b" " if not in_headers else b"a")
                handler.wfile.flush()
                time.sleep(DRIP_INTERVAL)
        except OSError:
            pass  # the client hung up: what it should do
        handler.close_connection = True

    def _huge(self, handler: http.server.BaseHTTPRequestHandler, *, announced: bool) -> None:
        """A 200 of HUGE_BYTES, with or without a Content-Length saying so."""
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\nConnection: close\r\n"
        if announced:
            head += f"Content-Length: {HUGE_BYTES}\r\n".encode()
        chunk = b'{"head":{"vars":["item"]},"results":{"bindings":[' + b" " * (64 * 1024 - 49)
        sent = 0
        try:
            handler.wfile.write(head + b"\r\n")
            while sent < HUGE_BYTES and not self._stopped.is_set():
                handler.wfile.write(chunk)
                sent += len(chunk)
        except OSError:
            pass  # the client hung up: what it should do
        handler.close_connection = True

    def _forward(self, handler: http.server.BaseHTTPRequestHandler, body: bytes) -> tuple[int, str, bytes]:
        headers = {
            "Content-Type": handler.headers.get("Content-Type", "application/x-www-form-urlencoded"),
            "Accept": handler.headers.get("Accept", "application/sparql-results+json"),
        }
        request = urllib.request.Request(self.upstream, data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Content-Type", "text/plain"), error.read()

    @staticmethod
    def _reply(
        handler: http.server.BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        headers: dict[str, str] | None = None,
    ) -> None:
        try:
            handler.send_response(status)
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.send_header("Content-Length", str(len(body)))
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(body)
            handler.close_connection = True
        except OSError:
            pass  # the client gave up first


class Sleeps:
    """A stand-in for time.sleep that records what it was asked to wait."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def quick_client(endpoint: str, cache_dir: Path, **settings: object) -> SparqlClient:
    options: dict[str, object] = {
        "pause": 0.0,
        "backoff": 0.0,
        "timeout": 5.0,
        "contact": "tests@example.org",
    }
    options.update(settings)
    return SparqlClient(ClientSettings(endpoint=endpoint, **options), cache_dir, sleep=Sleeps())  # type: ignore[arg-type]


@contextlib.contextmanager
def proxy_for(upstream: str, **options: object) -> Iterator[FaultProxy]:
    proxy = FaultProxy(upstream, **options)  # type: ignore[arg-type]
    try:
        yield proxy
    finally:
        proxy.stop()
