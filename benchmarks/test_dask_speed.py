"""Rows per second: namelink.dask.link_column on a LocalCluster of two worker
processes, against the single-process ``namelink csv``, on the same CSV file in
the same run.

Both read a CSV of a million rows and write the linked rows to disk, so each
figure is end to end: parsing, linking and writing. The Dask figure leaves out
starting the cluster (reported beside it), as a cluster outlives one job; the
``namelink csv`` figure includes starting the interpreter and loading the
gazetteer, as a command does. ``namelink csv --jobs 2`` is measured too: it is
the one-machine way to use two cores; so is link_column's ``distinct="global"``.

Two columns of names, because linking costs per distinct name and parsing per
row: "repeating" draws the rows from 3,000 names of the embedded gazetteer,
"noisy" from 100,000 misspelled, diacritized variants (conftest.vary).

Run with:  python3 -m pytest benchmarks/test_dask_speed.py -s --benchmark-columns=mean
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import arabic_script_names, vary

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from namelink.dask import link_column  # noqa: E402

ROWS = 1_000_000
# Partitions of the CSV for Dask: four tasks per worker, so that neither worker
# waits on the other at the end.
PARTITIONS = 8
DISTINCT = {"repeating": 3_000, "noisy": 100_000}
ROOT = Path(__file__).resolve().parent.parent
# Linked rows per column of names, by every runner: all must agree.
LINKED: dict[str, set[int]] = {}


def names_for(kind: str) -> list[str]:
    rng = random.Random(20261122)
    base = sorted(set(arabic_script_names()))
    if kind == "repeating":
        pool = base[:: max(1, len(base) // DISTINCT[kind])][: DISTINCT[kind]]
    else:
        pool = sorted({vary(rng.choice(base), rng) for _ in range(DISTINCT[kind])})
    picks = np.random.default_rng(7).integers(0, len(pool), ROWS)
    return list(np.array(pool, dtype=object)[picks])


@pytest.fixture(scope="module")
def csv_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    files = {}
    for kind in DISTINCT:
        path = tmp_path_factory.mktemp(kind) / "names.csv"
        pd.DataFrame({"id": np.arange(ROWS), "name": names_for(kind)}).to_csv(path, index=False)
        files[kind] = path
    return files


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    started = time.perf_counter()
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.startup_seconds = time.perf_counter() - started
        yield client


def check_linked(benchmark: Any, kind: str, linked: int) -> None:
    benchmark.extra_info["linked_rows"] = linked
    LINKED.setdefault(kind, set()).add(linked)
    assert len(LINKED[kind]) == 1, f"the runners disagree on how many rows link: {LINKED[kind]}"


def report(benchmark: Any, label: str, seconds: float, **extra: object) -> None:
    rate = ROWS / seconds
    benchmark.extra_info.update(rows=ROWS, rows_per_second=round(rate), **extra)
    print(f"\n{label}: {ROWS:,} rows in {seconds:.1f} s = {rate:,.0f} rows/s {extra or ''}")


def namelink_csv(source: Path, out: Path, jobs: int) -> float:
    command = [sys.executable, "-m", "namelink", "csv", str(source), "--column", "name", "-o", str(out)]
    command += ["--no-progress", "--jobs", str(jobs)]
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, capture_output=True)
    return time.perf_counter() - started


def dask_csv(client: Any, source: Path, out: Path, distinct: str) -> float:
    started = time.perf_counter()
    blocksize = source.stat().st_size // PARTITIONS + 1
    ddf = dd.read_csv(source, blocksize=blocksize)
    link_column(ddf, "name", distinct=distinct).to_csv(out / "part-*.csv", index=False)
    return time.perf_counter() - started


@pytest.mark.parametrize("kind", list(DISTINCT))
@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.benchmark(group="dask-vs-csv")
def test_namelink_csv(
    benchmark: Any, csv_files: dict[str, Path], tmp_path: Path, kind: str, jobs: int
) -> None:
    out = tmp_path / "linked.csv"
    benchmark.pedantic(namelink_csv, args=(csv_files[kind], out, jobs), rounds=1, iterations=1)
    report(benchmark, f"namelink csv --jobs {jobs} [{kind}]", benchmark.stats.stats.mean)
    statuses = pd.read_csv(out, usecols=["name_status"])["name_status"]
    check_linked(benchmark, kind, int((statuses == "linked").sum()))


@pytest.mark.parametrize("kind", list(DISTINCT))
@pytest.mark.parametrize("distinct", ["partition", "global"])
@pytest.mark.benchmark(group="dask-vs-csv")
def test_link_column_on_a_local_cluster(
    benchmark: Any, client: Any, csv_files: dict[str, Path], tmp_path: Path, kind: str, distinct: str
) -> None:
    out = tmp_path / "linked"
    out.mkdir()
    benchmark.pedantic(dask_csv, args=(client, csv_files[kind], out, distinct), rounds=1, iterations=1)
    report(
        benchmark,
        f"link_column distinct={distinct}, LocalCluster 2 workers [{kind}]",
        benchmark.stats.stats.mean,
        cluster_startup_seconds=round(client.startup_seconds, 1),
    )
    parts = sorted(out.glob("part-*.csv"))
    statuses = pd.concat(pd.read_csv(p, usecols=["status"]) for p in parts)["status"]
    assert len(statuses) == ROWS
    check_linked(benchmark, kind, int((statuses == "linked").sum()))
