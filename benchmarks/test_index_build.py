"""Compiling an index, beside its floor (normalize + keys of every name) in the same run.

For synthetic gazetteers of 10k, 100k and 1M names (conftest.py), each round
runs ``python -m namelink.index DIR`` in a fresh process (so that its CPU time
and peak memory are its own) and, in this process, the floor: normalize() and
keys_of_normalized() of every name. Recorded in ``extra_info`` (medians):
build CPU s, floor CPU s and their ratio, µs per name (linear when it stays
flat), peak RSS of the build, and the index file's bytes (per name).

Targets (issue 13): 1M names in ≤ 60 s CPU and ≤ 1.5 GB, ≤ 5× the floor,
linear (±20%) from 100k to 1M.
Run:  python3 -m pytest benchmarks/test_index_build.py -s --benchmark-columns=mean
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

import pytest

from namelink.keys import keys_of_normalized
from namelink.normalize import normalize

ROUNDS = {10_000: 5, 100_000: 3, 1_000_000: 3}
# Peak memory from VmHWM: getrusage's ru_maxrss survives exec, so a child of a
# large pytest process would report its parent's size.
CHILD = """
import sys, time
from namelink.index import write_index
start = time.process_time()
written = write_index(sys.argv[1])
cpu = time.process_time() - start
peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(cpu, peak, written.stat().st_size)
"""


def names_of(directory) -> list[str]:
    names = []
    with (directory / "entities.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            for values in json.loads(line)["names"].values():
                names.extend(values)
    return names


def floor(names: list[str]) -> float:
    start = time.process_time()
    for name in names:
        keys_of_normalized(normalize(name))
    return time.process_time() - start


def build(directory) -> tuple[float, int, int]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(directory)], capture_output=True, text=True, env=env, check=True
    ).stdout.split()
    return float(out[0]), int(out[1]) * 1024, int(out[2])


@pytest.mark.parametrize("size", [10_000, 100_000, 1_000_000])
@pytest.mark.benchmark(group="index-build")
def test_index_build_against_its_floor(benchmark, gazetteer_dirs, size):
    directory = gazetteer_dirs[size]
    names = names_of(directory)
    runs: list[tuple[float, int, int]] = []
    floors: list[float] = []

    def one_round():
        floors.append(floor(names))
        runs.append(build(directory))

    benchmark.pedantic(one_round, rounds=ROUNDS[size], iterations=1)
    (directory / "entities.index").unlink()
    cpu = statistics.median(r[0] for r in runs)
    base = statistics.median(floors)
    benchmark.extra_info.update(
        names=len(names),
        build_cpu_s=round(cpu, 2),
        floor_cpu_s=round(base, 2),
        build_over_floor=round(cpu / base, 2),
        build_us_per_name=round(1e6 * cpu / len(names), 1),
        peak_rss_mb=round(max(r[1] for r in runs) / 2**20),
        index_bytes=runs[0][2],
        index_bytes_per_name=round(runs[0][2] / len(names)),
    )
    print(f"\n{benchmark.name}: {benchmark.extra_info}")
