"""`namelink csv` over 1M rows with 50k or 500k distinct names, beside a plain csv copy in the same run.

Target (issue: bulk CSV): at least 1M rows per minute on the 2-core CI machine.
The ratio to a plain ``csv.reader → csv.writer`` copy of the same file says what
the linking costs on top of reading and writing the CSV at all.

The file is generated from the embedded gazetteer: its Arabic-script names,
noisy variants of them (conftest.vary) and names it does not know, 50,000
distinct in all (or 500,000: issue 13's case, where every other row is a name
seen once and the lookups, not the CSV, are the work), spread over 1,000,000
rows by a Zipf law, the way real columns repeat a few names a lot and most
names rarely. Each run is the command as a user runs it (a new process, the
index from the disk cache).

    python3 -m pytest benchmarks/test_csv_speed.py -s --benchmark-columns=mean
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import arabic_script_names, vary

ROWS = 1_000_000
# Distinct names among the ROWS: a column of a few known names, and issue 13's
# column where half the rows are distinct.
DISTINCT = (50_000, 500_000)
# Share of the distinct names that are not in the gazetteer at all.
UNKNOWN_SHARE = 0.3
# Zipf exponent of name frequencies: about what person-name columns show (a few
# names in thousands of rows, a long tail seen once or twice).
ZIPF_S = 1.0
TARGET_ROWS_PER_MINUTE = 1_000_000
REPO = Path(__file__).resolve().parents[1]
LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهويپچگ"

timings: dict[str, float] = {}


def distinct_names(rng: random.Random, distinct: int) -> list[str]:
    base = sorted(set(arabic_script_names()))
    names = dict.fromkeys(base)
    unknown_wanted = int(distinct * UNKNOWN_SHARE)
    while len(names) < distinct - unknown_wanted:
        names.setdefault(vary(rng.choice(base), rng))
    while len(names) < distinct:
        words = [
            "".join(rng.choice(LETTERS) for _ in range(rng.randint(3, 8))) for _ in range(rng.randint(1, 3))
        ]
        names.setdefault(" ".join(words))
    return list(names)


@pytest.fixture(scope="module", params=DISTINCT, ids=lambda n: f"{n // 1000}k-distinct")
def million_rows(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    rng = random.Random(20261206)
    names = distinct_names(rng, request.param)
    rng.shuffle(names)
    weights = [1 / (rank**ZIPF_S) for rank in range(1, len(names) + 1)]
    column = names + rng.choices(names, weights=weights, k=ROWS - len(names))
    rng.shuffle(column)
    path = tmp_path_factory.mktemp("csv") / "names.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["id", "name", "source"])
        for i, name in enumerate(column):
            writer.writerow([i, name, rng.choice(("press", "registry", "scrape"))])
    return path


def plain_copy(source: Path, target: Path) -> None:
    with (
        source.open(encoding="utf-8", newline="") as inp,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        csv.writer(out).writerows(csv.reader(inp))


def namelink_csv(source: Path, target: Path, *extra: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [
        sys.executable,
        "-m",
        "namelink",
        "csv",
        str(source),
        "-o",
        str(target),
        "--column",
        "name",
        *extra,
    ]
    subprocess.run(command, check=True, env=env, stderr=subprocess.DEVNULL)


def timed(key: str, function, *args) -> None:
    started = time.perf_counter()
    function(*args)
    timings[key] = time.perf_counter() - started


def report(benchmark, key: str) -> None:
    seconds = timings[key]
    rows_per_minute = ROWS / seconds * 60
    benchmark.extra_info["rows_per_minute"] = round(rows_per_minute)
    benchmark.extra_info["seconds"] = round(seconds, 2)
    if "plain_copy" in timings and key != "plain_copy":
        ratio = seconds / timings["plain_copy"]
        benchmark.extra_info["times_plain_csv_copy"] = round(ratio, 2)
        speed = f"{rows_per_minute:,.0f} rows/min ({seconds:.1f} s)"
        print(f"\n{benchmark.name}: {speed}, {ratio:.1f}x a plain csv copy")
    else:
        print(f"\n{benchmark.name}: {rows_per_minute:,.0f} rows/min ({seconds:.1f} s)")


@pytest.mark.benchmark(group="csv-1M-rows")
def test_baseline_plain_csv_reader_writer_copy(benchmark, million_rows, tmp_path):
    benchmark.pedantic(timed, args=("plain_copy", plain_copy, million_rows, tmp_path / "copy.csv"), rounds=1)
    report(benchmark, "plain_copy")


@pytest.mark.benchmark(group="csv-1M-rows")
def test_namelink_csv_single_process(benchmark, million_rows, tmp_path):
    benchmark.pedantic(timed, args=("jobs_1", namelink_csv, million_rows, tmp_path / "out.csv"), rounds=1)
    report(benchmark, "jobs_1")
    assert ROWS / timings["jobs_1"] * 60 >= TARGET_ROWS_PER_MINUTE


@pytest.mark.benchmark(group="csv-1M-rows")
def test_namelink_csv_two_jobs(benchmark, million_rows, tmp_path):
    args = ("jobs_2", namelink_csv, million_rows, tmp_path / "out.csv", "--jobs", "2")
    benchmark.pedantic(timed, args=args, rounds=1)
    report(benchmark, "jobs_2")
    assert ROWS / timings["jobs_2"] * 60 >= TARGET_ROWS_PER_MINUTE
