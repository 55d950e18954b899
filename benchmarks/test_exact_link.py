"""link() of a name the gazetteer holds exactly, beside its floor in the same run.

The floor is what an exact answer cannot do without: normalize() the query and
look its normal form up in the postings. Everything link() adds (the loose
stages, scoring, the Link) is the ratio. Measured on the 1M-name synthetic
gazetteer and on the default; names of one entity only, so the answer is sure.
Issue 13 measured 37–44× (0.20–0.35 ms). No loose stage may be skipped for an
exact hit: its hits are the second and third candidates, whose stage scores,
popularity and probabilities the exact candidate's evidence (gap, popularity
lead), its coherent probability and the runner-up depend on. What is cut is the
work whose result cannot change a hit (score.CEILING), and the cost of each
step (the trees read at once: namelink.trees).

Two figures: the first lookup of each name (Gazetteer.forget() before each
round: the whole lookup, what a column of distinct names pays), and the same
names again (what a repeated name pays: the gazetteer remembers LINKS links).
Times are CPU time, medians of the rounds.
Run:  python3 -m pytest benchmarks/test_exact_link.py -s --benchmark-columns=mean
"""

from __future__ import annotations

import random
import statistics
import time

import pytest

from namelink import Gazetteer
from namelink.normalize import normalize

QUERIES = 2_000


def per_call(function, names) -> float:
    start = time.process_time()
    for name in names:
        function(name)
    return (time.process_time() - start) / len(names)


@pytest.mark.parametrize("which", ["default", "1M"])
@pytest.mark.benchmark(group="exact-link")
def test_exact_link_against_its_floor(benchmark, gazetteer_dirs, tmp_path, which):
    if which == "default":
        gazetteer = Gazetteer.default()
    else:
        gazetteer = Gazetteer.load(gazetteer_dirs[1_000_000], cache_dir=tmp_path / "cache")
    index = gazetteer.index
    rng = random.Random(13)
    picks = (index.name_text[rng.randrange(len(index.name_text))] for _ in range(20 * QUERIES))
    names = [n for n in picks if len(index.normalized.get(normalize(n))) == 1][:QUERIES]
    postings = index.normalized

    def floor(name: str) -> object:
        return postings.get(normalize(name))

    links, again, floors = [], [], []

    def one_round():
        floors.append(per_call(floor, names))
        gazetteer.forget()
        links.append(per_call(gazetteer.link, names))
        again.append(per_call(gazetteer.link, names))

    benchmark.pedantic(one_round, rounds=5, iterations=1)
    link_s, again_s, floor_s = statistics.median(links), statistics.median(again), statistics.median(floors)
    assert all(gazetteer.link(n) is not None for n in names[:50])
    benchmark.extra_info.update(
        names=len(index.name_text),
        link_ms=round(1000 * link_s, 4),
        repeated_ms=round(1000 * again_s, 4),
        floor_ms=round(1000 * floor_s, 4),
        link_over_floor=round(link_s / floor_s, 1),
        repeated_over_floor=round(again_s / floor_s, 1),
    )
    print(f"\n{benchmark.name}: {benchmark.extra_info}")
