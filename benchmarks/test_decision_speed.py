"""What the calibrated decision costs: link() and link_text() against the previous
release's code, in the same run, on the same gazetteer and inputs.

The previous release (PREVIOUS, the last commit before the calibrated decision)
is checked out into a temporary git worktree and timed in a subprocess beside
this tree's code, alternately, ROUNDS times; the figures are the medians. The
queries mix held-out frequent words and real variant spellings
(tests/data/eval); the texts are the suite's running text (dense with names
and variants) and the varied news corpus of benchmarks/test_text_speed.py. Both load the embedded
default gazetteer of this tree from its files.

    python3 -m pytest benchmarks/test_decision_speed.py -s
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PREVIOUS = "b5c472f"  # the last landed commit before the calibrated decision
ROUNDS = 3
# The budget: at most this much slower than the previous release.
MAX_SLOWDOWN = 1.5

TIMER = r"""
import json, sys, time
from pathlib import Path
from namelink import Gazetteer
root = Path(sys.argv[1])
g = Gazetteer.load(root / "namelink" / "data" / "default", cache_dir=sys.argv[2])
eval_dir = root / "tests" / "data" / "eval"
words = [l.split("\t")[0] for l in (eval_dir / "words.tsv").read_text("utf-8").splitlines()[1:1501]]
variants = [l.split("\t")[1] for l in (eval_dir / "variants.tsv").read_text("utf-8").splitlines()[1:]]
queries = words + variants
text = "\n".join(l.split("\t")[2] for l in (eval_dir / "text.tsv").read_text("utf-8").splitlines()[1:])
for q in queries[:100]:
    g.link(q)
g.link_text(text[:20000])
start = time.process_time()
for q in queries:
    g.link(q)
per_link = (time.process_time() - start) / len(queries)
def mb_per_s(text):
    best = float("inf")
    for _ in range(2):
        start = time.process_time()
        g.link_text(text)
        best = min(best, time.process_time() - start)
    return len(text.encode()) / best / 1e6
sys.path.insert(0, str(root / "benchmarks"))
from test_text_speed import corpus  # the varied news corpus of the text benchmark
news = corpus(1)
g.link_text(news[:20000])
print(json.dumps({"link_us": per_link * 1e6, "text_mb_s": mb_per_s(text), "news_mb_s": mb_per_s(news)}))
"""


def _time(code: Path, tmp: Path, name: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run(
        [sys.executable, "-c", TIMER, str(ROOT), str(tmp / f"cache-{name}")],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to build the previous release beside this one")
    where = tmp_path_factory.mktemp("previous") / "tree"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), PREVIOUS], check=True)
    yield where
    subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(where)], check=False)


def test_link_and_link_text_stay_within_their_budget_of_the_previous_release(
    previous: Path, tmp_path: Path
) -> None:
    old: list[dict[str, float]] = []
    new: list[dict[str, float]] = []
    for _ in range(ROUNDS):
        old.append(_time(previous, tmp_path, "old"))
        new.append(_time(ROOT, tmp_path, "new"))
    link_old = statistics.median(r["link_us"] for r in old)
    link_new = statistics.median(r["link_us"] for r in new)
    print(f"\nlink(): {link_new:.0f} µs vs previous {link_old:.0f} µs ({link_new / link_old:.2f}×)")
    assert link_new / link_old <= MAX_SLOWDOWN
    for which in ("text_mb_s", "news_mb_s"):
        text_old = statistics.median(r[which] for r in old)
        text_new = statistics.median(r[which] for r in new)
        print(
            f"link_text() on {which[:-5]}: {text_new:.2f} MB/s vs previous {text_old:.2f} MB/s "
            f"({text_old / text_new:.2f}× slower)"
        )
        assert text_old / text_new <= MAX_SLOWDOWN
