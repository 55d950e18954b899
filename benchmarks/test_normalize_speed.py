"""normalize() and keys() over 100k realistic names, against baselines in the same run.

Targets (issue: foundation): normalize ≥ 3× pyarabic's normalize_searchtext while
doing more; keys ≥ a CAMeL-style chain of dediacritize, alef, alef maksura, teh
marbuta. Compare the ``ops`` column within the group.
"""

from __future__ import annotations

import re

import pytest
from pyarabic.normalize import normalize_searchtext

from namelink import keys, normalize

_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_ALEF = re.compile("[إأآٱ]")


def camel_chain(text: str) -> str:
    """The CAMeL Tools style: dediacritize, then alef, alef maksura and teh marbuta."""
    text = _DIACRITICS.sub("", text)
    text = _ALEF.sub("ا", text)
    return text.replace("ى", "ي").replace("ة", "ه")


def run_all(function, names):
    for name in names:
        function(name)


@pytest.mark.benchmark(group="normalize-100k-names")
def test_baseline_pyarabic_normalize_searchtext(benchmark, names_100k):
    benchmark.pedantic(
        run_all, args=(normalize_searchtext, names_100k), rounds=5, iterations=1, warmup_rounds=1
    )


@pytest.mark.benchmark(group="normalize-100k-names")
def test_baseline_camel_style_chain(benchmark, names_100k):
    benchmark.pedantic(run_all, args=(camel_chain, names_100k), rounds=5, iterations=1, warmup_rounds=1)


@pytest.mark.benchmark(group="normalize-100k-names")
def test_namelink_normalize(benchmark, names_100k):
    benchmark.pedantic(run_all, args=(normalize, names_100k), rounds=5, iterations=1, warmup_rounds=1)


@pytest.mark.benchmark(group="normalize-100k-names")
def test_namelink_keys(benchmark, names_100k):
    benchmark.pedantic(run_all, args=(keys, names_100k), rounds=5, iterations=1, warmup_rounds=1)
