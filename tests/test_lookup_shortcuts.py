"""The lookup's shortcuts give what the long way gives: remembered trigram
postings, the first place of fuzzy candidates, and name_apart over an entity's
own names instead of the postings."""

from __future__ import annotations

import random
from array import array

import pytest

import namelink.index.grams as grams_module
from namelink import Gazetteer
from namelink.index.compiled import GRAMS_REMEMBERED, RememberedPostings
from namelink.index.grams import most_shared
from namelink.links import name_apart
from namelink.morphology import SETTING_APART
from namelink.normalize import normalize


def test_remembered_postings_answer_as_the_postings_do_after_they_forget() -> None:
    index = Gazetteer.default().index
    grams = index.grams
    assert isinstance(grams, RememberedPostings) and GRAMS_REMEMBERED > 0
    small = RememberedPostings(grams, 3)
    keys = [*list(grams.keys)[:10], "not a trigram"]
    for key in keys * 2:
        assert list(small.get(key)) == list(grams.get(key))
    assert len(small) == len(grams) and list(small.keys)[:10] == keys[:10]


def test_fuzzy_candidates_are_ordered_by_first_place_across_many_lists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pytest.importorskip("numpy")
    monkeypatch.setattr(grams_module, "NUMPY_FROM", 0)
    rng = random.Random(3)
    for _ in range(50):
        lists = [array("I", sorted(rng.sample(range(400), rng.randint(1, 120)))) for _ in range(9)]
        for limit in (1, 7, 40, 500):
            expected = most_shared(lists, budget=10**6, min_lists=4, limit=limit, use_numpy=False)
            assert most_shared(lists, budget=10**6, min_lists=4, limit=limit) == expected


def _apart_by_postings(index, entity: int, name_id: int) -> str:
    name = normalize(index.name_text[name_id])
    for word in sorted(SETTING_APART):
        for form in (f"{word} {name}", f"{name} {word}"):
            for n in index.normalized.get(form):
                if index.name_entity[n] == entity:
                    return index.name_text[n]
    return ""


def test_name_apart_finds_the_name_the_postings_find() -> None:
    index = Gazetteer.default().index
    rng = random.Random(5)
    name_ids = rng.sample(range(len(index.name_text)), 2000)
    # and every name that some name of its entity sets apart
    name_ids += [
        n
        for n in range(len(index.name_text))
        if any(f"{word} " in normalize(index.name_text[n]) for word in ("مدينه", "العاصمه"))
    ]
    found = 0
    for name_id in name_ids:
        entity = index.name_entity[name_id]
        for n in range(index.first_name[entity], index.first_name[entity + 1]):
            expected = _apart_by_postings(index, entity, n)
            assert name_apart(index, entity, n) == expected
            found += bool(expected)
    assert found > 0
    assert name_apart(index, 0, -1) == ""
