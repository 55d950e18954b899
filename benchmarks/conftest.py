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
