"""Opening gazetteers: the default on an empty cache, and 10k–1M names from their index file.

Each measurement runs in a fresh process (so that nothing is warm but the OS
page cache, as for a user's second run):

- the default gazetteer's first ``link()`` on an empty cache (its shipped
  index is opened: no compile), beside ``import namelink`` in the same process;
- a synthetic gazetteer whose ``entities.index`` was written by
  ``namelink.index.write_index``: ``Gazetteer.load`` wall and CPU time, and the
  resident memory it adds once every page has been read (the open verifies the
  SHA-256 of every byte, which touches them all) and 200 lookups have run.

Targets (issue 13): default first call ≤ 0.3 s; 1M names open in ≤ 0.2 s and
≤ 300 bytes resident per name.
Run:  python3 -m pytest benchmarks/test_gazetteer_load.py -s --benchmark-columns=mean
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

import pytest

from namelink.index import write_index

FIRST_CALL = """
import time
start = time.perf_counter()
import namelink
imported = time.perf_counter()
namelink.link("بوتين")
print(imported - start, time.perf_counter() - imported)
"""
OPEN = """
import json, sys, time
def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) * 1024
from namelink import Gazetteer
before = rss()
wall, cpu = time.perf_counter(), time.process_time()
gazetteer = Gazetteer.load(sys.argv[1])
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
index = gazetteer.index
for i in range(0, len(index.name_text), max(1, len(index.name_text) // 200)):
    gazetteer.candidates(index.name_text[i][:-1], limit=5)
print(json.dumps({"wall_s": wall, "cpu_s": cpu, "rss_bytes": rss() - before, "names": len(index.name_text)}))
"""


def child(code: str, *args: str, cache: str) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "NAMELINK_CACHE_DIR": cache}
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=True
    ).stdout


@pytest.mark.benchmark(group="load-default")
def test_default_gazetteer_first_call_on_an_empty_cache(benchmark, tmp_path):
    runs: list[list[float]] = []

    def fresh():
        cache = tmp_path / f"cache-{len(runs)}"
        runs.append([float(x) for x in child(FIRST_CALL, cache=str(cache)).split()])
        assert not cache.exists()  # the shipped index was used: nothing compiled or cached

    benchmark.pedantic(fresh, rounds=5, iterations=1)
    benchmark.extra_info.update(
        import_s=round(statistics.median(r[0] for r in runs), 3),
        first_link_s=round(statistics.median(r[1] for r in runs), 3),
    )
    print(f"\n{benchmark.name}: {benchmark.extra_info}")


@pytest.mark.parametrize("size", [10_000, 100_000, 1_000_000])
@pytest.mark.benchmark(group="open-by-size")
def test_a_gazetteer_opens_from_its_index_file(benchmark, gazetteer_dirs, tmp_path, size):
    directory = gazetteer_dirs[size]
    written = write_index(directory)
    runs: list[dict[str, float]] = []

    def one():
        runs.append(json.loads(child(OPEN, str(directory), cache=str(tmp_path / "cache"))))

    benchmark.pedantic(one, rounds=5, iterations=1)
    size_on_disk = written.stat().st_size
    written.unlink()
    names = runs[0]["names"]
    benchmark.extra_info.update(
        names=names,
        open_wall_s=round(statistics.median(r["wall_s"] for r in runs), 3),
        open_cpu_s=round(statistics.median(r["cpu_s"] for r in runs), 3),
        resident_bytes_per_name=round(statistics.median(r["rss_bytes"] for r in runs) / names),
        index_bytes_per_name=round(size_on_disk / names),
    )
    print(f"\n{benchmark.name}: {benchmark.extra_info}")
