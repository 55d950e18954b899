"""namelink: link names written in Arabic script to Wikidata.

It sees that پوتن, بوتن and بوتين are one name, and that قازاقستان and
كازاخستان are one country, without merging names that differ:

    text → normalize() → keys() → gazetteer lookup → evidence → calibrated score → Link

A Link's ``score`` is the probability that it is right; ``link()`` returns None
rather than guess (a frequent word, an unknown person, two candidates too close
to call), and ``Gazetteer.decision()`` says which.

    >>> from namelink import link
    >>> link("پوتن").qid
    'Q7747'

Everything runs offline on an embedded gazetteer; ``Gazetteer.load(path)`` gives
the same methods on your own. Nothing heavy happens at import: the default
gazetteer loads on the first lookup.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from namelink.gazetteer import Gazetteer, GazetteerError
from namelink.keys import KEY_KINDS, KEYS_VERSION, keys
from namelink.morphology import strip_clitics
from namelink.normalize import normalize
from namelink.records import Decision, Entity, Link, Mention

__version__ = "0.1.0"

__all__ = [
    "KEYS_VERSION",
    "KEY_KINDS",
    "Decision",
    "Entity",
    "Gazetteer",
    "GazetteerError",
    "Link",
    "Mention",
    "__version__",
    "candidates",
    "iter_link_text",
    "keys",
    "link",
    "link_many",
    "link_text",
    "normalize",
    "strip_clitics",
]


def _gazetteer(gazetteer: Gazetteer | None) -> Gazetteer:
    if gazetteer is None:
        return Gazetteer.default()
    if not isinstance(gazetteer, Gazetteer):
        raise TypeError(f"gazetteer must be a Gazetteer, not {type(gazetteer).__name__}")
    return gazetteer


def link(
    name: str,
    *,
    gazetteer: Gazetteer | None = None,
    types: Iterable[str] | str | None = None,
    threshold: float | None = None,
    lang: str | None = None,
) -> Link | None:
    """The Wikidata entity ``name`` denotes, or None. See ``Gazetteer.link``."""
    return _gazetteer(gazetteer).link(name, types=types, threshold=threshold, lang=lang)


def candidates(
    name: str,
    *,
    gazetteer: Gazetteer | None = None,
    types: Iterable[str] | str | None = None,
    limit: int = 5,
    lang: str | None = None,
) -> list[Link]:
    """Ranked candidates for ``name``, best first. See ``Gazetteer.candidates``."""
    return _gazetteer(gazetteer).candidates(name, types=types, limit=limit, lang=lang)


def link_many(
    names: Iterable[str],
    *,
    gazetteer: Gazetteer | None = None,
    types: Iterable[str] | str | None = None,
    threshold: float | None = None,
    lang: str | None = None,
) -> list[Link | None]:
    """link() for each name, in order, each distinct name linked once."""
    return _gazetteer(gazetteer).link_many(names, types=types, threshold=threshold, lang=lang)


def link_text(
    text: str,
    *,
    gazetteer: Gazetteer | None = None,
    types: Iterable[str] | str | None = None,
    threshold: float | None = None,
) -> list[Mention]:
    """Every mention of a gazetteer name in ``text``, with offsets into ``text``.
    See ``Gazetteer.link_text``.

    >>> [m.surface for m in link_text("التقى شي جين بينغ وبوتين في سمرقند")]
    ['شي جين بينغ', 'بوتين', 'سمرقند']
    """
    return _gazetteer(gazetteer).link_text(text, types=types, threshold=threshold)


def iter_link_text(
    text: str,
    *,
    gazetteer: Gazetteer | None = None,
    types: Iterable[str] | str | None = None,
    threshold: float | None = None,
) -> Iterator[Mention]:
    """link_text() as an iterator, for large texts. See ``Gazetteer.iter_link_text``."""
    return _gazetteer(gazetteer).iter_link_text(text, types=types, threshold=threshold)
