"""Shared inputs for the benchmarks: realistic names and gazetteers at scale.

Everything is generated deterministically from the embedded gazetteer's own
names, so the figures are comparable from run to run and need no download.
Run with:  python3 -m pytest benchmarks --benchmark-columns=mean,ops --benchmark-group-by=group
"""

from __future__ import annotations

import random

import pytest

from namelink import Gazetteer

# What real copy-pasted names carry: harakat, tatweel, invisible controls,
# Persian letters in Arabic text, hamza forms, stray punctuation.
NOISE = ["\u064e", "\u0650", "\u0651", "\u0640", "\u200c", "\u200f", "،", "«", "»"]
SWAPS = {"ب": "پ", "ف": "ڤ", "ي": "ی", "ك": "ک", "ا": "أ", "ه": "ة", "ج": "گ"}


def arabic_script_names() -> list[str]:
    names = []
    for entity in Gazetteer.default().entities():
        for lang, values in entity.names.items():
            if lang != "en":
                names.extend(values)
    return names


def vary(name: str, rng: random.Random) -> str:
    chars = []
    for char in name:
        if char in SWAPS and rng.random() < 0.2:
            char = SWAPS[char]
        chars.append(char)
        if rng.random() < 0.15:
            chars.append(rng.choice(NOISE))
    return "".join(chars)


@pytest.fixture(scope="session")
def names_100k() -> list[str]:
    rng = random.Random(20261122)
    base = arabic_script_names()
    return [vary(rng.choice(base), rng) for _ in range(100_000)]


def synthetic_records(n_names: int, seed: int = 7) -> list[dict[str, object]]:
    """A gazetteer of about ``n_names`` names, ~3 per entity, built by recombining
    the embedded gazetteer's Arabic-script words. QIDs are synthetic (Q9000000000+)."""
    rng = random.Random(seed)
    words = sorted({w for name in arabic_script_names() for w in name.split() if len(w) > 2})
    records = []
    qid = 9_000_000_000
    made = 0
    while made < n_names:
        first, last = rng.choice(words), rng.choice(words)
        names = [
            f"{first} {last}",
            last if rng.random() < 0.5 else f"{first}{last}",
            vary(f"{first} {last}", rng),
        ]
        records.append(
            {
                "qid": f"Q{qid}",
                "label": f"Synthetic {qid}",
                "type": rng.choice(["person", "place", "org"]),
                "names": {"ar": names},
                "popularity": rng.randint(0, 300),
            }
        )
        qid += 1
        made += len(names)
    return records


def write_records(directory, records) -> None:
    import json

    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "entities.jsonl").open("w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")


@pytest.fixture(scope="session")
def gazetteer_dirs(tmp_path_factory) -> dict[int, object]:
    """Synthetic gazetteer directories of 10k, 100k and 1M names."""
    dirs = {}
    for size in (10_000, 100_000, 1_000_000):
        directory = tmp_path_factory.mktemp(f"gazetteer-{size}")
        write_records(directory, synthetic_records(size))
        dirs[size] = directory
    return dirs
