"""`namelink serve` through its HTTP API, against the same lookups in-process, in one run.

Target (issue 16): at least 500 queries/s through the HTTP API, and a p95 latency of at
most 50 ms per 10-query batch, on the embedded gazetteer. The server is the command
as a user starts it (`python -m namelink serve --port 0`, a new process); the client
is httpx with one kept-alive connection, sending OpenRefine-shaped batches of 10 one
after another, as OpenRefine does. The baseline is the same batches answered by the
library in this process (candidates() and link() for each distinct name), so the
ratio says what HTTP, JSON and the protocol cost on top of the lookups.

The queries are the embedded gazetteer's Arabic-script names, noisy variants of them
(conftest.vary: harakat, tatweel, Persian letters) and names it does not know.

    python3 -m pytest benchmarks/test_serve_speed.py -s --benchmark-columns=mean
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import arabic_script_names, vary

from namelink import Gazetteer

httpx = pytest.importorskip("httpx")
pytest.importorskip("uvicorn")

BATCH = 10  # what OpenRefine sends
BATCHES = 400
WARMUP_BATCHES = 20
TARGET_QUERIES_PER_SECOND = 500
TARGET_P95_MS = 50
# Share of queries that are noisy variants, and of names the gazetteer does not know.
VARIANT_SHARE = 0.4
UNKNOWN_SHARE = 0.15
LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويپچگ"
REPO = Path(__file__).resolve().parents[1]

figures: dict[str, float] = {}


def batches(rng: random.Random, count: int) -> list[dict[str, dict[str, object]]]:
    base = arabic_script_names()
    out = []
    for _ in range(count):
        batch = {}
        for i in range(BATCH):
            roll = rng.random()
            if roll < UNKNOWN_SHARE:
                name = " ".join(
                    "".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 7))) for _ in range(2)
                )
            elif roll < UNKNOWN_SHARE + VARIANT_SHARE:
                name = vary(rng.choice(base), rng)
            else:
                name = rng.choice(base)
            query: dict[str, object] = {"query": name, "type_strict": "should"}
            if rng.random() < 0.5:
                query["type"] = rng.choice(["Q5", "Q2221906"])
            batch[f"q{i}"] = query
        out.append(batch)
    return out


@pytest.fixture(scope="module")
def workload() -> list[dict[str, dict[str, object]]]:
    return batches(random.Random(20261202), WARMUP_BATCHES + BATCHES)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "namelink", "serve", "--port", "0"]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stderr is not None
        yield process.stderr.readline().split()[2]
    finally:
        process.terminate()
        process.wait(timeout=30)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def report(benchmark, key: str, latencies: list[float]) -> None:
    seconds = sum(latencies)
    qps = BATCHES * BATCH / seconds
    p50, p95 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.95) * 1000
    figures[f"{key}_qps"] = qps
    benchmark.extra_info.update(queries_per_second=round(qps), p50_ms=round(p50, 2), p95_ms=round(p95, 2))
    line = f"\n{key}: {qps:,.0f} queries/s, per {BATCH}-query batch p50 {p50:.1f} ms, p95 {p95:.1f} ms"
    if key != "library" and "library_qps" in figures:
        ratio = figures["library_qps"] / qps
        benchmark.extra_info["times_the_library"] = round(ratio, 2)
        line += f"; {ratio:.2f}x the time of the same lookups in-process"
    print(line)


def run_library(workload: list[dict[str, dict[str, object]]]) -> list[float]:
    g = Gazetteer.default()
    kinds = {"Q5": "person", "Q2221906": "place"}
    latencies = []
    for number, batch in enumerate(workload):
        started = time.perf_counter()
        seen = set()
        for query in batch.values():
            name, kind = str(query["query"]), kinds.get(str(query.get("type")))
            if (name, kind) not in seen:
                seen.add((name, kind))
                g.candidates(name, types=kind, limit=5)
                g.link(name, types=kind)
        if number >= WARMUP_BATCHES:
            latencies.append(time.perf_counter() - started)
    return latencies


def run_http(url: str, workload: list[dict[str, dict[str, object]]]) -> list[float]:
    latencies = []
    with httpx.Client(timeout=30) as client:
        for number, batch in enumerate(workload):
            form = {"queries": json.dumps(batch, ensure_ascii=False)}
            started = time.perf_counter()
            response = client.post(url, data=form)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200 and len(response.json()) == BATCH
            if number >= WARMUP_BATCHES:
                latencies.append(elapsed)
    return latencies


@pytest.mark.benchmark(group="serve-10-query-batches")
def test_baseline_the_same_lookups_in_process(benchmark, workload):
    latencies = benchmark.pedantic(run_library, args=(workload,), rounds=1)
    report(benchmark, "library", latencies)


@pytest.mark.benchmark(group="serve-10-query-batches")
def test_namelink_serve_over_http(benchmark, server, workload):
    latencies = benchmark.pedantic(run_http, args=(server, workload), rounds=1)
    report(benchmark, "http", latencies)
    assert BATCHES * BATCH / sum(latencies) >= TARGET_QUERIES_PER_SECOND
    assert percentile(latencies, 0.95) * 1000 <= TARGET_P95_MS
