"""Loading gazetteers: cold (index compiled and cached) and warm (index read from cache).

Targets (issue: gazetteer): Gazetteer.default() ≤ 0.2 s warm and ≤ 2 s cold;
a gazetteer of 1M names ≤ 3 s warm. Times are seconds per load (``mean``).
"""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from namelink import Gazetteer

DEFAULT = Path(str(resources.files("namelink") / "data" / "default"))


@pytest.mark.benchmark(group="load-default")
def test_default_gazetteer_cold(benchmark, tmp_path):
    def cold():
        shutil.rmtree(tmp_path / "cache", ignore_errors=True)
        return Gazetteer.load(DEFAULT, cache_dir=tmp_path / "cache")

    benchmark.pedantic(cold, rounds=3, iterations=1)


@pytest.mark.benchmark(group="load-default")
def test_default_gazetteer_warm(benchmark, tmp_path):
    Gazetteer.load(DEFAULT, cache_dir=tmp_path / "cache")
    benchmark.pedantic(
        Gazetteer.load, args=(DEFAULT,), kwargs={"cache_dir": tmp_path / "cache"}, rounds=5, iterations=1
    )


@pytest.mark.parametrize("size", [10_000, 100_000, 1_000_000])
@pytest.mark.benchmark(group="load-warm-by-size")
def test_synthetic_gazetteer_warm(benchmark, gazetteer_dirs, tmp_path, size):
    directory = gazetteer_dirs[size]
    loaded = Gazetteer.load(directory, cache_dir=tmp_path / "cache")
    benchmark.extra_info["names"] = loaded.name_count
    benchmark.pedantic(
        Gazetteer.load, args=(directory,), kwargs={"cache_dir": tmp_path / "cache"}, rounds=3, iterations=1
    )
