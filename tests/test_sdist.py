"""The source distribution carries what its own tests need: built from this
tree, unpacked elsewhere, a part of its suite runs there and passes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Not copied into the tree the sdist is built from: what a build or a run leaves.
LEFT_BEHIND = ("*.egg-info", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".benchmarks")
# ... and at the top only: namelink/build is a package, not a build's output.
LEFT_AT_THE_TOP = {".git", "build", "dist"}
# The part of the suite run from the unpacked sdist: the modules that read
# tests/data (TSV golden files and the shared JSONL records), kept to a few seconds.
SUITE = ["tests/test_normalize.py", "tests/test_keys.py", "tests/test_matching.py", "tests/test_docs.py"]


def test_a_built_sdist_runs_its_own_tests(tmp_path: Path) -> None:
    pytest.importorskip("setuptools")
    tree = tmp_path / "tree"
    anywhere = shutil.ignore_patterns(*LEFT_BEHIND)

    def left_behind(directory: str, names: list[str]) -> set[str]:
        top = LEFT_AT_THE_TOP & set(names) if Path(directory) == ROOT else set()
        return set(anywhere(directory, names)) | top

    shutil.copytree(ROOT, tree, ignore=left_behind)
    dist = tmp_path / "dist"
    build = f"from setuptools import build_meta; print(build_meta.build_sdist({str(dist)!r}))"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    built = subprocess.run(
        [sys.executable, "-c", build], cwd=tree, capture_output=True, text=True, env=env, timeout=120
    )
    assert built.returncode == 0, built.stderr
    archive = dist / built.stdout.strip().splitlines()[-1]
    with tarfile.open(archive) as sdist:
        names = sdist.getnames()
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}  # Python 3.10.12+, 3.11.4+
        sdist.extractall(tmp_path / "unpacked", **safe)  # type: ignore[arg-type]
    top = names[0].split("/")[0]
    assert f"{top}/tests/data/twins.jsonl" in names and f"{top}/tests/data/dev_gold.tsv" in names
    modules = [path.relative_to(ROOT).as_posix() for path in (ROOT / "namelink").rglob("*.py")]
    assert [m for m in modules if f"{top}/{m}" not in names] == []
    unpacked = tmp_path / "unpacked" / top
    ran = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *SUITE],
        cwd=unpacked,
        capture_output=True,
        text=True,
        env={**env, "PYTHONPATH": str(unpacked)},
        timeout=300,
    )
    assert ran.returncode == 0, ran.stdout[-3000:] + ran.stderr[-2000:]
    assert (
        " passed" in ran.stdout
        and str(unpacked)
        in subprocess.run(
            [sys.executable, "-c", "import namelink; print(namelink.__file__)"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env={**env, "PYTHONPATH": str(unpacked)},
        ).stdout
    )
