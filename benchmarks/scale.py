"""Gazetteers at scale and the fuzzy query mixes, shared by the scale benchmarks.

A gazetteer of N names is the synthetic one of conftest.py (recombined words of
the embedded gazetteer) plus every embedded entity with one Arabic-script name
held out. Two query mixes, each with the entity it must find:

- ``typo``: a name of the synthetic part with one typo (a letter dropped,
  doubled, swapped, replaced, a long vowel dropped, a Persian letter);
- ``variant``: the held-out names, real variant spellings written by the
  sources (بوتن for بوتين, a Persian or Urdu spelling), whose normal form is no
  name of the gazetteer: found by a key or fuzzily, never exactly.

The brute force is rapidfuzz over every name's spelling key (the strongest
form of it: the same normalization and keys as namelink, the same scorer,
``Indel.normalized_similarity``): ``process.cdist(..., workers=2)`` over a batch
of queries, and ``process.extractOne``. Recall@k counts a query as found when
its entity is among the first k distinct entities. Times are wall (perf_counter)
and CPU (process_time; cdist's counts both its workers): on a shared machine
the CPU ratios are the steadier.

Run one size as a script:  python3 benchmarks/scale.py 100000
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Indel

from namelink import Gazetteer
from namelink.keys import keys_of_normalized
from namelink.normalize import normalize

sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import synthetic_records, write_records

QUERIES = 300
# Queries run once before namelink is timed: the first fuzzy query of a process
# imports numpy (~0.1 s), a one-off that is no query's cost.
WARM_UP = 10
BRUTE_BATCH = 25  # queries per cdist call: a 25 × 1M score matrix is 100 MB
LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
PERSIAN = {"ب": "پ", "ف": "ڤ", "ك": "گ", "ج": "چ", "ز": "ژ"}

Query = tuple[str, str]  # (query, QID of the entity it must find)


def typo(name: str, rng: random.Random) -> str:
    i = rng.randrange(1, max(2, len(name) - 1))
    kind = rng.choice(["drop", "double", "swap", "replace", "vowel", "persian"])
    if kind == "drop":
        return name[:i] + name[i + 1 :]
    if kind == "double":
        return name[:i] + name[i] + name[i:]
    if kind == "swap" and i + 1 < len(name):
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if kind == "vowel":
        for j in range(1, len(name) - 1):
            if name[j] in "اوي":
                return name[:j] + name[j + 1 :]
    if kind == "persian":
        for j, char in enumerate(name):
            if char in PERSIAN:
                return name[:j] + PERSIAN[char] + name[j + 1 :]
    return name[:i] + rng.choice(LETTERS) + name[i + 1 :]


def held_out_records(seed: int = 5) -> tuple[list[dict[str, object]], list[Query]]:
    """The embedded gazetteer's records, each with one Arabic-script name held
    out (when it has two or more), and the held-out names as queries."""
    rng = random.Random(seed)
    records, queries = [], []
    for entity in Gazetteer.default().entities():
        record = entity.to_record()
        names: dict[str, list[str]] = record["names"]  # type: ignore[assignment]
        arabic = [(lang, name) for lang, values in names.items() if lang != "en" for name in values]
        if len(arabic) >= 2:
            lang, name = rng.choice(arabic)
            names[lang] = [n for n in names[lang] if n != name]
            if not names[lang]:
                del names[lang]
            queries.append((name, entity.qid))
        records.append(record)
    return records, queries


def write_scale_gazetteer(directory: Path, size: int) -> list[Query]:
    """A gazetteer of about ``size`` names in ``directory``; returns the variant queries."""
    held, variants = held_out_records()
    write_records(directory, synthetic_records(size) + held)
    return variants


def query_mixes(gazetteer: Gazetteer, variants: list[Query], seed: int) -> dict[str, list[Query]]:
    index = gazetteer.index
    normal_forms = set(index.normalized.keys)
    rng = random.Random(seed)
    usable = [(q, qid) for q, qid in variants if normalize(q) not in normal_forms]
    names = index.name_text
    count: dict[str, int] = {}
    for name in names:
        count[name] = count.get(name, 0) + 1
    pool = [i for i in range(len(names)) if count[names[i]] == 1 and " " in names[i]]
    picked = rng.sample(pool, QUERIES)
    typos = [(typo(names[i], rng), index.qids[index.name_entity[i]]) for i in picked]
    return {"typo": typos, "variant": rng.sample(usable, min(QUERIES, len(usable)))}


def spelling(query: str) -> str:
    keys = keys_of_normalized(normalize(query))
    return keys[0] if keys else ""


def first_entities(ranked_names: Sequence[int], owners: Sequence[str], k: int) -> list[str]:
    found: list[str] = []
    for name_id in ranked_names:
        if owners[name_id] not in found:
            found.append(owners[name_id])
            if len(found) == k:
                break
    return found


def recall(found: list[list[str]], queries: list[Query], k: int) -> float:
    return sum(qid in got[:k] for got, (_, qid) in zip(found, queries, strict=True)) / len(queries)


def summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "ms_per_query": round(1000 * statistics.mean(times), 3),
        "p50_ms": round(1000 * statistics.median(ordered), 3),
        "p95_ms": round(1000 * ordered[int(0.95 * (len(ordered) - 1))], 3),
    }


def run_namelink(gazetteer: Gazetteer, queries: list[Query]) -> tuple[dict[str, float], list[list[str]]]:
    for query, _ in queries[:WARM_UP]:
        gazetteer.candidates(query, limit=5)
    times, found = [], []
    cpu = time.process_time()
    for query, _ in queries:
        start = time.perf_counter()
        links = gazetteer.candidates(query, limit=5)
        times.append(time.perf_counter() - start)
        found.append([link.qid for link in links])
    cpu = time.process_time() - cpu
    return {**summary(times), "cpu_ms_per_query": round(1000 * cpu / len(queries), 3)}, found


def brute_choices(gazetteer: Gazetteer) -> tuple[list[str], list[str]]:
    index = gazetteer.index
    return list(index.name_spelling), [index.qids[e] for e in index.name_entity]


def run_cdist(
    choices: list[str], owners: list[str], queries: list[Query]
) -> tuple[float, float, list[list[str]]]:
    """Seconds per query of process.cdist over every name with two workers (wall
    time, and CPU time of both), and its top 5."""
    import numpy as np

    found: list[list[str]] = []
    elapsed = cpu = 0.0
    for start in range(0, len(queries), BRUTE_BATCH):
        batch = queries[start : start + BRUTE_BATCH]
        began, began_cpu = time.perf_counter(), time.process_time()
        keys = [spelling(q) for q, _ in batch]
        scores = process.cdist(keys, choices, scorer=Indel.normalized_similarity, workers=2, dtype=np.float32)
        elapsed += time.perf_counter() - began
        cpu += time.process_time() - began_cpu
        for row in scores:
            top = np.argpartition(-row, 50)[:50]
            ranked = top[np.argsort(-row[top], kind="stable")]
            found.append(first_entities(ranked.tolist(), owners, 5))
    return elapsed / len(queries), cpu / len(queries), found


def run_extract_one(
    choices: list[str], owners: list[str], queries: list[Query]
) -> tuple[float, float, list[list[str]]]:
    """Seconds per query of process.extractOne (same scorer; wall and CPU time), and its top 1."""
    found: list[list[str]] = []
    began, began_cpu = time.perf_counter(), time.process_time()
    for query, _ in queries:
        _, _, position = process.extractOne(spelling(query), choices, scorer=Indel.normalized_similarity)
        found.append([owners[position]])
    wall, cpu = time.perf_counter() - began, time.process_time() - began_cpu
    return wall / len(queries), cpu / len(queries), found


def compare(gazetteer: Gazetteer, queries: list[Query], extract_one: int) -> dict[str, float]:
    """Every figure of one size and mix, each beside its same-run baseline."""
    ours, found = run_namelink(gazetteer, queries)
    choices, owners = brute_choices(gazetteer)
    cdist_s, cdist_cpu_s, cdist_found = run_cdist(choices, owners, queries)
    one_s, one_cpu_s, one_found = run_extract_one(choices, owners, queries[:extract_one])
    mean, cpu = ours["ms_per_query"] / 1000, ours["cpu_ms_per_query"] / 1000
    return {
        "names": len(choices),
        "queries": len(queries),
        **ours,
        "recall_at_1": round(recall(found, queries, 1), 3),
        "recall_at_5": round(recall(found, queries, 5), 3),
        "cdist_ms_per_query": round(1000 * cdist_s, 3),
        "cdist_recall_at_1": round(recall(cdist_found, queries, 1), 3),
        "cdist_recall_at_5": round(recall(cdist_found, queries, 5), 3),
        "vs_cdist": round(cdist_s / mean, 1),
        "cdist_cpu_ms_per_query": round(1000 * cdist_cpu_s, 3),
        # CPU time against CPU time (cdist's summed over its two workers), and
        # that halved: what two free cores would give cdist's wall time
        "vs_cdist_cpu": round(cdist_cpu_s / cpu, 1),
        "vs_cdist_cpu_halved": round(cdist_cpu_s / 2 / cpu, 1),
        "extract_one_ms_per_query": round(1000 * one_s, 3),
        "extract_one_recall_at_1": round(recall(one_found, queries[:extract_one], 1), 3),
        "recall_at_1_on_extract_one_queries": round(recall(found[:extract_one], queries[:extract_one], 1), 3),
        "vs_extract_one": round(one_s / mean, 1),
        "extract_one_cpu_ms_per_query": round(1000 * one_cpu_s, 3),
        "vs_extract_one_cpu": round(one_cpu_s / cpu, 1),
    }


def main(argv: Sequence[str]) -> None:
    import tempfile

    size = int(argv[0]) if argv else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        variants = write_scale_gazetteer(Path(tmp) / "g", size)
        gazetteer = Gazetteer.load(Path(tmp) / "g", cache_dir=Path(tmp) / "cache")
        for mix, queries in query_mixes(gazetteer, variants, seed=size).items():
            print(mix, compare(gazetteer, queries, extract_one=50 if size < 500_000 else 20), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])


__all__ = ["compare", "query_mixes", "write_scale_gazetteer"]
