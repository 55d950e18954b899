"""Words of the news that are not names: data/common_words.tsv, loaded once."""

from __future__ import annotations

from functools import cache
from importlib import resources

from namelink.normalize import normalize

__all__ = ["common_words", "is_common_word"]


@cache
def common_words() -> frozenset[str]:
    """The normal forms of the words in namelink/data/common_words.tsv."""
    text = (resources.files("namelink") / "data" / "common_words.tsv").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return frozenset(normalize(row[0]) for row in rows[1:])


def is_common_word(norm: str) -> bool:
    """Whether normalized ``norm`` is a common word rather than a name."""
    return norm in common_words()
