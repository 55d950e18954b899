"""The Wikidata builder against hostile endpoints, damaged caches and failing disks.

Endpoints: a real Oxigraph server on 127.0.0.1 behind tests/build_support.FaultProxy,
which drips answers a byte at a time, sends 300 MB, redirects, answers HTML or
plants wrong-typed values. Every such answer is bounded on the proxy's side
too (stall_seconds, HUGE_BYTES), and the client's timeout and size cap are set
small here, so each test ends in about a second.

Disks: a file-size limit (RLIMIT_FSIZE, in a subprocess) gives a real EFBIG; a
64 kB tmpfs in a private mount namespace (``unshare --mount``, skipped where not
permitted) gives a real ENOSPC, and a read-only one a real EROFS; a path under
a regular file stands for a place that cannot be written (as root, chmod does
not stop writes).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from build_support import (
    FaultProxy,
    SparqlServer,
    oxigraph_executable,
    proxy_for,
    quick_client,
    start_oxigraph,
)

from namelink import Gazetteer
from namelink.records import read_manifest, read_records
from namelink.wikidata import output as output_module
from namelink.wikidata.builder import BuildConfig, build
from namelink.wikidata.commands import main as gazetteer_main
from namelink.wikidata.output import MAX_POPULARITY, write_gazetteer
from namelink.wikidata.scopes import MAX_QUERY_FILE_BYTES, ScopeError, parse_scope
from namelink.wikidata.sparql import DEFAULT_MAX_RESPONSE_BYTES, SparqlTimeout, SparqlTooLarge
from namelink.wikidata.store import CACHE_FILE, EVICT_EVERY, ResponseStore

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "data" / "wikidata_fixture.ttl"
HEADS_WORLD = {"Q7747", "Q15031", "Q990000012", "Q990000013", "Q990000014", "Q990000015"}
# Seconds the client waits in these tests, and the slack allowed on top of it
# for a loaded 2-core machine (thread start, Python's own overhead).
TIMEOUT = 0.5
SLACK = 1.0
# The size cap in these tests: larger than any fixture answer (a few kB).
CAP = 256 * 1024

needs_oxigraph = pytest.mark.skipif(
    oxigraph_executable() is None, reason="the oxigraph command is not installed (pip install oxigraph)"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparqlServer]:
    if oxigraph_executable() is None:
        pytest.skip("the oxigraph command is not installed (pip install oxigraph)")
    running = start_oxigraph([FIXTURE], tmp_path_factory.mktemp("oxigraph"))
    yield running
    running.stop()


@pytest.fixture
def proxy(server: SparqlServer) -> Iterator[FaultProxy]:
    with proxy_for(server.url, stall_seconds=3.0) as running:
        yield running


def config(out: Path, *scopes: str, batch_size: int = 200) -> BuildConfig:
    return BuildConfig(
        scopes=tuple(parse_scope(s) for s in scopes), languages=("ar", "fa"), out=out, batch_size=batch_size
    )


def cli(*argv: str) -> list[str]:
    return [*argv, "--pause", "0", "--contact", "tests@example.org"]


def small_layer(path: Path, popularity: int = 3) -> Path:
    record = {"qid": "Q990000777", "label": "Layer", "type": "other", "names": {"ar": ["طبقة"]}}
    write_gazetteer(path, [{**record, "popularity": popularity}], {"name": "layer"})
    return path


# --- A client that cannot be steered -----------------------------------------------------------


@needs_oxigraph
@pytest.mark.parametrize("fault", ["drip", "drip-headers"])
def test_an_answer_dripped_a_byte_at_a_time_ends_at_the_timeout(
    proxy: FaultProxy, tmp_path: Path, fault: str
) -> None:
    proxy.inject({1: fault})
    with quick_client(proxy.url, tmp_path, timeout=TIMEOUT) as client:
        started = time.monotonic()
        with pytest.raises(SparqlTimeout, match=r"0\.5 s"):
            client.select(parse_scope("orgs").query(), retry_timeouts=False)
        elapsed = time.monotonic() - started
    assert TIMEOUT <= elapsed < TIMEOUT + SLACK  # each byte came well within any per-read timeout
    assert len(proxy.log) == 1


@needs_oxigraph
@pytest.mark.parametrize("fault", ["huge", "huge-unannounced"])
def test_a_300_mb_answer_costs_at_most_the_size_cap_and_is_never_cached(
    proxy: FaultProxy, tmp_path: Path, fault: str
) -> None:
    proxy.inject({1: fault})
    query = parse_scope("orgs").query()
    with quick_client(proxy.url, tmp_path, max_response_bytes=CAP) as client:
        tracemalloc.start()
        try:
            with pytest.raises(SparqlTooLarge):
                client.select(query)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert len(proxy.log) == 1  # a size is not worth a retry
    assert peak < 4 * CAP  # the body buffer, the chunk being read, and the proxy's own chunk
    with quick_client(proxy.url, tmp_path, max_response_bytes=CAP) as client:
        assert not client.select(query).cached


@needs_oxigraph
def test_a_batch_whose_answer_is_too_large_is_halved(proxy: FaultProxy, tmp_path: Path) -> None:
    proxy.inject({2: "huge-unannounced"})
    with quick_client(proxy.url, tmp_path / "cache", max_response_bytes=CAP) as client:
        report = build(config(tmp_path / "g", "heads:world", batch_size=6), client)
    assert report.complete and {r["qid"] for r in read_records(tmp_path / "g")} == HEADS_WORLD
    assert [entry.fault for entry in proxy.log] == [None, "huge-unannounced", None, None]


@needs_oxigraph
def test_an_http_proxy_from_the_environment_is_used_as_urllib_would_use_it(
    proxy: FaultProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("no_proxy", "NO_PROXY", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", proxy.url.rsplit("/", 1)[0])
    with quick_client("http://sparql.example.invalid/query", tmp_path) as client:  # never resolved
        assert len(client.select(parse_scope("orgs").query()).bindings) == 2
    assert len(proxy.log) == 1


def test_the_command_lines_default_size_cap_is_the_clients() -> None:
    from namelink.wikidata.commands import BYTES_PER_MB, DEFAULT_MAX_RESPONSE_MB

    assert DEFAULT_MAX_RESPONSE_MB * BYTES_PER_MB == DEFAULT_MAX_RESPONSE_BYTES


@needs_oxigraph
def test_a_redirect_is_an_endpoint_error_not_followed_not_retried_and_the_contact_goes_nowhere_else(
    server: SparqlServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with (
        proxy_for(server.url) as elsewhere,
        proxy_for(server.url, redirect_to=elsewhere.url + "?\x1b[2J") as proxy,  # and a terminal escape
    ):
        proxy.fail_when(lambda query: True, "redirect")
        argv = cli("build", "--endpoint", proxy.url, "--scope", "orgs", "--out", str(tmp_path / "g"))
        assert gazetteer_main([*argv, "--cache-dir", str(tmp_path / "cache")]) == 2
        assert len(proxy.log) == 1 and elsewhere.log == []
    err = capsys.readouterr().err
    assert "HTTP 307, a redirect to " + elsewhere.url in err and "give the final URL as --endpoint" in err
    assert "\x1b" not in err and "??[2J" in err  # the escape arrived, and was shown as "?"


def _plant_wrong_types(query: str, body: bytes) -> bytes:
    answer = json.loads(body)
    rows = answer["results"]["bindings"]
    for row in rows:
        item, kind = row["item"]["value"].rsplit("/", 1)[1], row.get("field", {}).get("value")
        if item == "Q7747" and kind == "sitelinks":
            row["value"]["value"] = "1e999"
        elif item == "Q15031" and kind == "sitelinks":
            row["value"]["value"] = "10000000000"
        elif item == "Q990000012" and kind == "label" and row["value"].get("xml:lang") == "ar":
            row["value"] = "a string where a term belongs"
        elif item == "Q990000014" and kind == "alias":
            row["value"]["value"] = "ل" * 100_000
    if "VALUES ?item" in query:
        rows.append({"item": "not a term", "field": {"type": "literal", "value": "label"}})
    return json.dumps(answer).encode()


@needs_oxigraph
def test_wrong_typed_values_are_skipped_and_reported_per_entity_and_their_answer_is_not_cached(
    proxy: FaultProxy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proxy.tamper = _plant_wrong_types
    out = tmp_path / "g"
    argv = cli("build", "--endpoint", proxy.url, "--cache-dir", str(tmp_path / "cache"), "--out", str(out))
    argv += ["--scope", "heads:world", "--lang", "ar,fa"]
    assert gazetteer_main(argv) == 0
    assert "listed under 'skipped'" in capsys.readouterr().err
    records = {r["qid"]: r for r in read_records(out)}
    assert set(records) == HEADS_WORLD
    assert records["Q7747"]["popularity"] == 0 and records["Q15031"]["popularity"] == 0
    assert "ar" in records["Q990000012"]["names"] or "fa" in records["Q990000012"]["names"]
    skipped = read_manifest(out)["skipped"]
    assert set(skipped) == {"Q7747", "Q15031", "Q990000012", "Q990000014", "?"}
    assert "alias: 100,000 characters, over Wikidata's 250" in skipped["Q990000014"][0]
    assert "'1e999' is not a count" in skipped["Q7747"][0] and "10000000000" in skipped["Q15031"][0]
    assert Gazetteer.load(out, cache_dir=tmp_path / "index").link("بوتين").qid == "Q7747"  # type: ignore[union-attr]

    proxy.tamper = None
    sent = len(proxy.log)
    assert gazetteer_main(argv) == 0
    assert len(proxy.log) == sent + 1  # the enumeration came from the cache, the tampered batch did not
    assert {r["qid"]: r for r in read_records(out)}["Q7747"]["popularity"] == 250


@needs_oxigraph
def test_a_count_that_is_no_whole_number_stops_count_with_a_message(
    proxy: FaultProxy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proxy.tamper = lambda query, body: body.replace(b'"value":"2"', b'"value":"1e999"')
    argv = cli("count", "--endpoint", proxy.url, "--cache-dir", str(tmp_path), "--scope", "orgs")
    assert gazetteer_main(argv) == 1
    assert "gave no count (a whole number) for --scope orgs" in capsys.readouterr().err


def test_a_merged_popularity_too_large_for_the_index_is_clamped_so_the_gazetteer_loads(
    tmp_path: Path,
) -> None:
    layer = small_layer(tmp_path / "layer", popularity=10**10)
    assert (
        gazetteer_main(
            ["merge", str(small_layer(tmp_path / "base")), str(layer), "--out", str(tmp_path / "m")]
        )
        == 0
    )
    entity = Gazetteer.load(tmp_path / "m", cache_dir=tmp_path / "index").entity("Q990000777")
    assert entity is not None and entity.popularity == MAX_POPULARITY


# --- Query files ----------------------------------------------------------------------------------


def _parse_within(spec: str, seconds: float = 5.0) -> BaseException | None:
    """parse_scope(spec) in a thread, so that a read that blocks cannot hang the suite."""
    raised: list[BaseException] = []

    def run() -> None:
        try:
            parse_scope(spec)
        except BaseException as error:
            raised.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"parse_scope({spec!r}) still running after {seconds} s"
    return raised[0] if raised else None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_query_file_that_is_a_fifo_or_a_device_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "scope.rq"
    os.mkfifo(fifo)
    for spec in (f"sparql:{fifo}", "sparql:/dev/zero"):
        error = _parse_within(spec)
        assert isinstance(error, ScopeError) and "not a regular file" in str(error)


def test_a_query_file_over_the_size_cap_or_not_utf8_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.rq"
    big.write_bytes(b"#" * (MAX_QUERY_FILE_BYTES + 1))
    error = _parse_within(f"sparql:{big}")
    assert isinstance(error, ScopeError) and "over the 1,048,576" in str(error)
    latin = tmp_path / "latin.rq"
    latin.write_bytes(b'SELECT ?item WHERE { ?item rdfs:label "caf\xe9" }')
    error = _parse_within(f"sparql:{latin}")
    assert isinstance(error, ScopeError) and "not UTF-8" in str(error)


# --- The response cache ---------------------------------------------------------------------------


def _cache_rows(cache: Path) -> list[tuple[str, bytes]]:
    with sqlite3.connect(cache / CACHE_FILE) as db:
        return list(db.execute("SELECT key, body FROM responses WHERE length(body) > 0"))


class _WritesAFile:
    """Unpickling this creates ``path``: what a planted cache entry would do if unpickled."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (open, (str(self.path), "w"))


@needs_oxigraph
def test_a_planted_pickle_in_the_cache_is_never_unpickled_and_the_entry_is_refetched(
    server: SparqlServer, tmp_path: Path
) -> None:
    cache, marker = tmp_path / "cache", tmp_path / "pwned"
    payload = pickle.dumps(_WritesAFile(marker))
    pickle.loads(payload).close()  # the payload is live: unpickled, it writes the file
    assert marker.exists()
    marker.unlink()

    query = parse_scope("orgs").query()
    with quick_client(server.url, cache) as client:
        client.select(query)
    [(key, _)] = _cache_rows(cache)
    with sqlite3.connect(cache / CACHE_FILE) as db:  # the planter even fixes up the hash
        db.execute(
            "UPDATE responses SET body = ?, sha256 = ? WHERE key = ?",
            (payload, hashlib.sha256(payload).hexdigest(), key),
        )
    with quick_client(server.url, cache) as client:
        result = client.select(query)
        assert not result.cached and client.stats.requests == 1 and len(result.bindings) == 2
    assert not marker.exists()
    assert _cache_rows(cache)[0][1].startswith(b'{"head"')


@needs_oxigraph
def test_a_bit_flipped_cache_entry_fails_its_hash_and_is_refetched(
    server: SparqlServer, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    query = parse_scope("orgs").query()
    with quick_client(server.url, cache) as client:
        client.select(query)
    data = bytearray((cache / CACHE_FILE).read_bytes())
    where = data.index(b"entity/Q1065")
    data[where + 8] ^= 0x01  # Q1065 -> P1065: still valid JSON, no longer what was fetched
    (cache / CACHE_FILE).write_bytes(bytes(data))
    with quick_client(server.url, cache) as client:
        result = client.select(query)
        assert not result.cached and client.stats.requests == 1
    assert "http://www.wikidata.org/entity/Q1065" in {row["item"]["value"] for row in result.bindings}


@needs_oxigraph
@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_an_unreadable_cache_file_is_moved_aside_and_a_new_one_started(
    server: SparqlServer, tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    queries = [parse_scope(spec).query() for spec in ("orgs", "countries", "heads:world", "mps:Q159")]
    with quick_client(server.url, cache) as client:
        for query in queries:
            client.select(query)
    file = cache / CACHE_FILE
    if damage == "truncated":
        os.truncate(file, file.stat().st_size // 2)
    else:
        file.write_bytes(b"not a database, just bytes " * 200)
    with quick_client(server.url, cache) as client:
        assert [client.select(query).cached for query in queries] == [False] * len(queries)
    assert "moved it to" in caplog.text
    assert [p.name.split("-")[0] for p in cache.iterdir() if "unreadable" in p.name] == [
        f"{CACHE_FILE}.unreadable"
    ]
    with quick_client(server.url, cache) as client:
        assert all(client.select(query).cached for query in queries)


@needs_oxigraph
def test_a_cache_directory_others_can_write_is_refused_with_a_warning_and_the_cache_kept_in_memory(
    server: SparqlServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    query = parse_scope("orgs").query()
    with quick_client(server.url, shared) as client:
        assert client.cache_file is None
        assert not client.select(query).cached and client.select(query).cached  # in memory
    assert "writable by other users" in caplog.text
    assert list(shared.iterdir()) == []


def test_a_new_cache_directory_is_made_private(tmp_path: Path) -> None:
    with quick_client("http://127.0.0.1:9/query", tmp_path / "new") as client:
        assert client.cache_file == tmp_path / "new" / CACHE_FILE
    assert (tmp_path / "new").stat().st_mode & 0o777 == 0o700


def test_the_cache_drops_its_oldest_responses_beyond_its_size_limit(tmp_path: Path) -> None:
    store = ResponseStore(tmp_path, size_limit=10_000)
    try:
        for n in range(2 * EVICT_EVERY):
            store.put(f"k{n}", float(n), b"x" * 500)
        kept = set(store.keys())
    finally:
        store.close()
    assert len(kept) * 500 <= 10_000 and f"k{2 * EVICT_EVERY - 1}" in kept and "k0" not in kept


# --- Offline, or a wrong endpoint -----------------------------------------------------------------


def test_connection_refused_says_the_endpoint_could_not_be_reached_and_the_network_may_be_down(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from build_support import free_port

    url = f"http://127.0.0.1:{free_port()}/query"
    assert (
        gazetteer_main(cli("count", "--endpoint", url, "--cache-dir", str(tmp_path), "--scope", "orgs")) == 2
    )
    err = capsys.readouterr().err
    assert err.startswith("namelink: error: cannot reach") and "Connection refused" in err
    assert "the network may be down" in err and "check --endpoint" not in err


def test_a_name_that_does_not_resolve_says_the_network_may_be_down(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_dns(*args: object, **kwargs: object) -> Any:
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)  # what a machine with no network says
    url = "http://query.example.invalid/sparql"
    argv = cli("build", "--endpoint", url, "--cache-dir", str(tmp_path / "c"), "--out", str(tmp_path / "g"))
    assert gazetteer_main([*argv, "--scope", "orgs"]) == 2
    err = capsys.readouterr().err
    assert "query.example.invalid did not resolve" in err and "the network may be down" in err
    assert "check --endpoint" not in err


@needs_oxigraph
@pytest.mark.parametrize(("fault", "said"), [("404", "HTTP 404"), ("html", "not a SPARQL endpoint")])
def test_a_wrong_endpoint_keeps_the_advice_to_check_it_and_points_at_installed_docs(
    proxy: FaultProxy, tmp_path: Path, capsys: pytest.CaptureFixture[str], fault: str, said: str
) -> None:
    proxy.fail_when(lambda query: True, fault)
    argv = cli("count", "--endpoint", proxy.url, "--cache-dir", str(tmp_path), "--scope", "orgs")
    assert gazetteer_main(argv) == 2
    err = capsys.readouterr().err
    assert said in err and "check --endpoint" in err and "network" not in err
    assert "python -m namelink.wikidata --help" in err
    readme = err.rsplit(", and ", 1)[1].split(")")[0].strip()
    assert readme.endswith("namelink/wikidata/README.md") and Path(readme).is_file()
    assert len(proxy.log) == 1


# --- Disks that fail ------------------------------------------------------------------------------


def _merge_in_subprocess(
    argv: list[str], *, file_size_limit: int | None = None, prefix: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
        if file_size_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    command = [*(prefix or []), sys.executable, "-m", "namelink.wikidata", "merge", *argv]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, preexec_fn=limit)


def test_a_file_size_limit_ends_a_merge_with_a_message_and_no_half_written_output(tmp_path: Path) -> None:
    layer = small_layer(tmp_path / "layer")
    out = tmp_path / "m"
    done = _merge_in_subprocess(["default", str(layer), "--out", str(out)], file_size_limit=100_000)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("namelink: error: could not write") and "File too large" in done.stderr
    assert "file-size limit (ulimit -f)" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["layer"]


@pytest.mark.parametrize(
    ("options", "error", "advice"),
    [
        ("size=64k", "No space left on device", "the disk is full"),
        ("ro", "Read-only file system", "the filesystem is read-only"),
    ],
)
def test_a_full_or_read_only_disk_ends_a_merge_with_a_message_and_no_half_written_output(
    tmp_path: Path, options: str, error: str, advice: str
) -> None:
    layer = small_layer(tmp_path / "layer")
    disk = tmp_path / "disk"
    prefix = _tiny_disk(disk, options)
    done = _merge_in_subprocess(["default", str(layer), "--out", str(disk / "m")], prefix=prefix)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("namelink: error: could not write")
    assert error in done.stderr and advice in done.stderr and "Traceback" not in done.stderr


def _tiny_disk(disk: Path, options: str) -> list[str]:
    """A command prefix that runs the rest with a tmpfs mounted on ``disk`` with ``options``
    (size=64k, ro) in a private mount namespace; skips the test where that is not permitted."""
    disk.mkdir()
    mount = f'mount -t tmpfs -o {options} tmpfs "{disk}" && exec "$@"'
    prefix = ["unshare", "--mount", "sh", "-c", mount, "sh"]
    probe = subprocess.run([*prefix, "true"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {probe.stderr.strip()}")
    return prefix


@needs_oxigraph
def test_a_full_disk_under_the_cache_stops_the_caching_with_a_warning_not_the_build(
    server: SparqlServer, tmp_path: Path
) -> None:
    prefix = _tiny_disk(tmp_path / "disk", "size=64k")  # room to open the cache, not for every answer
    out = tmp_path / "g"
    argv = cli(
        "build", "--endpoint", server.url, "--cache-dir", str(tmp_path / "disk" / "c"), "--out", str(out)
    )
    for scope in ("orgs", "countries", "cities", "heads:world", "mps:Q159"):
        argv += ["--scope", scope]
    command = [*prefix, sys.executable, "-m", "namelink.wikidata", *argv, "--batch-size", "1"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "failed (database or disk is full); working in memory for this run" in done.stderr
    records = list(read_records(out))
    assert len(records) == 16 and "Q1065" in {r["qid"] for r in records}  # 17 ids, one without names


def test_an_out_directory_that_cannot_be_made_fails_before_any_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    url = "http://127.0.0.1:9/query"  # never reached: the check comes first
    argv = cli("build", "--endpoint", url, "--cache-dir", str(tmp_path / "c"), "--out", str(blocker / "g"))
    assert gazetteer_main([*argv, "--scope", "orgs"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("namelink: error: could not write") and "give --out under a directory" in err


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        (OSError(28, "No space left on device"), "the disk is full"),
        (OSError(30, "Read-only file system"), "the filesystem is read-only"),
        (MemoryError(), "ran out of memory"),
    ],
)
def test_a_write_that_fails_midway_is_a_message_with_exit_2_and_leaves_nothing_behind(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fault: BaseException,
    said: str,
) -> None:
    layer = small_layer(tmp_path / "layer")

    def fail(record: dict[str, object]) -> str:
        raise fault

    monkeypatch.setattr(output_module, "_line", fail)
    assert gazetteer_main(["merge", str(layer), str(layer), "--out", str(tmp_path / "m")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("namelink: error: ") and said in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["layer"]


def test_what_a_writer_killed_with_sigkill_left_is_removed_by_the_next_run(tmp_path: Path) -> None:
    code = (
        "import os, sys, time\n"
        "partial = os.path.join(sys.argv[1], f'.m.partial-{os.getpid()}-abc')\n"
        "os.mkdir(partial)\n"
        "open(os.path.join(partial, 'entities.jsonl'), 'w').write('{\"half')\n"
        "print(partial, flush=True)\n"
        "time.sleep(60)\n"
    )
    writer = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout is not None
        partial = Path(writer.stdout.readline().strip())
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
    assert partial.is_dir()
    layer = small_layer(tmp_path / "layer")
    assert gazetteer_main(["merge", str(layer), str(layer), "--out", str(tmp_path / "m")]) == 0
    assert not partial.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["layer", "m"]
