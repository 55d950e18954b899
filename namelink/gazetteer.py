"""Gazetteer: a set of entities with its compiled index, and the public lookups.

The lookup runs one way: normalize → keys → candidates (candidates.py, over the
index of index/) → evidence and calibrated probability (links.py, score.py) →
Link. The record format lives in records.py, running text in text.py; this
class only ties them together and checks the arguments.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from namelink import score as scoring
from namelink.candidates import Hit, ranked
from namelink.evidence import FEATURES
from namelink.index import Index, build_index, load_index
from namelink.keys import consonant_key, first_word_key, word_order_key
from namelink.lexicon import listing
from namelink.links import Weighed, decide, to_link, weighed, with_evidence
from namelink.normalize import check_str
from namelink.options import check_limit, check_threshold, check_types
from namelink.records import (
    ENTITIES_FILE,
    MANIFEST_FILE,
    Decision,
    Entity,
    GazetteerError,
    Link,
    Mention,
    entities_path,
    read_manifest,
    validate_records,
)
from namelink.text import read_mentions

__all__ = ["ENTITIES_FILE", "MANIFEST_FILE", "Gazetteer", "GazetteerError"]

# Spans of running text whose link_as_written() a gazetteer remembers, and
# spans whose holds_name() and holds_key_of() it remembers: most of a news
# corpus's names and words. A remembered Link is about 2.5 kB (see LINKS), so
# the links could take 160 MB if every remembered span linked; the two tests
# are a few hundred bytes a span.
TEXT_LINKS = 65_536
# Queries whose link() a gazetteer remembers, per (name, types, threshold,
# lang): a column, a stream of documents or a service names the same people and
# places again and again, and running text looks up its variant spellings
# through link(). A remembered Link costs about 2.5 kB (its explanation and
# evidence; measured with tracemalloc on the default gazetteer's names), so
# some 40 MB at most; a repeated name then costs a dictionary lookup.
LINKS = 16_384


class Gazetteer:
    """A set of entities with a compiled index, and the lookups over it.

    ``Gazetteer.default()`` is the embedded gazetteer; ``Gazetteer.load(path)``
    and ``Gazetteer.from_records(records)`` give the same methods for your data.
    """

    _default: Gazetteer | None = None
    _default_lock = threading.Lock()

    def __init__(self, index: Index, *, manifest: dict[str, Any] | None = None, path: Path | None = None):
        self._index = index
        self.manifest: dict[str, Any] = manifest or {}
        self.path = path
        # Both memos key their entries by lexicon.listing() too: the evaluation
        # hides held-out words from the lexicon, which changes the evidence.
        self._as_written = lru_cache(maxsize=TEXT_LINKS)(self._link_as_written)
        self._linked = lru_cache(maxsize=LINKS)(self._look_up)
        self._holds_key_of = lru_cache(maxsize=TEXT_LINKS)(self._key_held)
        self._holds_name = lru_cache(maxsize=TEXT_LINKS)(self._name_held)

    # -- construction ----------------------------------------------------------------

    @classmethod
    def load(cls, path: str | Path, *, cache_dir: str | Path | None = None) -> Gazetteer:
        """A gazetteer directory (entities.jsonl + manifest.json) or a JSONL file."""
        if not isinstance(path, (str, Path)):
            raise TypeError(f"path must be str or Path, not {type(path).__name__}")
        file = entities_path(path)
        if not file.is_file():
            raise GazetteerError(
                f"{path}: no gazetteer here (expected a directory with {ENTITIES_FILE} or a .jsonl file)"
            )
        return cls(load_index(file, cache_dir), manifest=read_manifest(path), path=Path(path))

    @classmethod
    def from_records(cls, records: Iterable[dict[str, Any]]) -> Gazetteer:
        """A gazetteer from dicts of exactly the JSONL shape (built in memory, not cached)."""
        if isinstance(records, (str, bytes, dict)):
            raise TypeError(f"records must be an iterable of dicts, not {type(records).__name__}")
        checked = validate_records(enumerate(records, 1), lambda i: f"record {i}", unit="record")
        return cls(build_index(checked))

    @classmethod
    def default(cls) -> Gazetteer:
        """The embedded default gazetteer, loaded once per process."""
        if cls._default is None:
            with cls._default_lock:
                if cls._default is None:
                    path = Path(str(resources.files("namelink") / "data" / "default"))
                    cls._default = cls.load(path)
        return cls._default

    # -- entities --------------------------------------------------------------------

    @property
    def is_default(self) -> bool:
        """Whether this is the embedded default gazetteer of this process."""
        return self is Gazetteer._default

    @property
    def index(self) -> Index:
        """The compiled index (namelink.index.Index): columns and postings, read-only."""
        return self._index

    def __len__(self) -> int:
        return len(self._index.qids)

    @property
    def name_count(self) -> int:
        return len(self._index.name_text)

    def __repr__(self) -> str:
        where = f" from {self.path}" if self.path else ""
        return f"<Gazetteer {len(self)} entities, {self.name_count} names{where}>"

    def entity(self, qid: str) -> Entity | None:
        """The entity with this QID (or accepted alternative QID), or None."""
        check_str(qid, "qid")
        found = self._index.qid_index.get(qid.strip().upper())
        return self._index.entity(found[0]) if found else None

    def entities(self) -> Iterator[Entity]:
        for i in range(len(self)):
            yield self._index.entity(i)

    def records(self) -> Iterator[dict[str, object]]:
        """Every entity as a dict of the JSONL shape, in gazetteer order."""
        for entity in self.entities():
            yield entity.to_record()

    # -- lookup ----------------------------------------------------------------------

    def first_words(self) -> Mapping[str, int]:
        """First word of every normalized name → the most words a name starting
        with it has: where link_text() may find a name, and how long it may be,
        and the decision's evidence that a lone word begins longer names (a given
        name). Compiled into the index."""
        return self._index.first_words

    def longest_first_word(self) -> int:
        """The letters of the longest first word of a name: how far into a glued
        token (وموسكو…) link_text() looks for one."""
        return self._index.longest_first_word

    def first_word_keys(self) -> Mapping[str, int]:
        """keys.first_word_key of the first word of every name → the most words a
        name starting so has: where link_text() may find a name spelled otherwise."""
        return self._index.first_keys

    def holds_key_of(self, norm: str) -> bool:
        """Whether a name of this gazetteer shares its skeleton or consonant key
        with the normalized ``norm`` (a spelling-key match shares the skeleton
        too), or, for several words, its word-order key (کوکوس جزائر): the cheap
        test before a full loose lookup in text. Remembered
        (TEXT_LINKS spans), like holds_name(): documents share their words."""
        return self._holds_key_of(norm)

    def _key_held(self, norm: str) -> bool:
        skeleton = first_word_key(norm)
        if self._index.keys[2].get(skeleton) or self._index.keys[3].get(consonant_key(skeleton)):
            return True
        # the same words in another order (کوکوس جزائر, جزایر کوکوس)
        return " " in norm and bool(self._index.keys[1].get(word_order_key(norm)))

    def holds_name(self, norm: str) -> bool:
        """Whether some name of this gazetteer has the normal form ``norm``."""
        return self._holds_name(norm)

    def _name_held(self, norm: str) -> bool:
        return bool(self._index.normalized.get(norm))

    def _weigh(
        self, name: str, found: list[tuple[int, Hit]], lang: str | None, top: int = scoring.CALIBRATED
    ) -> list[Weighed]:
        return weighed(self._index, name, found, lang, self.first_words(), top)

    def link_as_written(
        self, name: str, types: frozenset[str] | None, threshold: float | None
    ) -> Link | None:
        """link() by the normal form only (no key, no variant, no fuzzy stage): for
        a span of running text, which is no list of names. Remembered across
        calls (TEXT_LINKS distinct spans): news names the same people and places
        in document after document."""
        return self._as_written(name, types, threshold, listing())

    def _link_as_written(
        self, name: str, types: frozenset[str] | None, threshold: float | None, _listing: int
    ) -> Link | None:
        found = self._weigh(name, ranked(self._index, name, types, None, loose=False), None)
        return decide(self._index, found, name.strip(), check_threshold(threshold))

    def link_text(
        self,
        text: str,
        *,
        types: Iterable[str] | str | None = None,
        threshold: float | None = None,
    ) -> list[Mention]:
        """Every mention of a name of this gazetteer in ``text``, with offsets into
        ``text`` (namelink.text says how names are found in running text).

        >>> [m.surface for m in Gazetteer.default().link_text("التقى شي جين بينغ وبوتين في سمرقند")]
        ['شي جين بينغ', 'بوتين', 'سمرقند']
        """
        return list(self.iter_link_text(text, types=types, threshold=threshold))

    def iter_link_text(
        self,
        text: str,
        *,
        types: Iterable[str] | str | None = None,
        threshold: float | None = None,
    ) -> Iterator[Mention]:
        """link_text() as an iterator, for large texts: memory stays bounded by the
        number of distinct words and linked entities, not by the length of the text."""
        check_str(text, "text")
        wanted = check_types(types)
        if threshold is not None:
            check_threshold(threshold)
        return read_mentions(text, self, wanted, threshold)

    def candidates(
        self,
        name: str,
        *,
        types: Iterable[str] | str | None = None,
        limit: int = 5,
        lang: str | None = None,
    ) -> list[Link]:
        """Entities that ``name`` may denote, best first, below-threshold ones included."""
        shown_count = check_limit(limit)
        found = ranked(self._index, name, check_types(types), lang)
        best = self._weigh(name, found, lang, top=max(shown_count, scoring.CALIBRATED))
        shown = [w for w in best if w.probability >= scoring.CANDIDATE_CUTOFF]
        return [to_link(self._index, w, name.strip()) for w in shown[:shown_count]]

    def evidence(
        self,
        name: str,
        *,
        types: Iterable[str] | str | None = None,
        limit: int = scoring.CALIBRATED,
        lang: str | None = None,
    ) -> list[tuple[str, str, dict[str, float]]]:
        """What the decision weighs for each of the ``limit`` best candidates:
        (qid, method, {feature: value}) in namelink.evidence.FEATURES order, best
        stage score first. For looking inside a decision, and for fitting the model
        (gazetteers/fit_model.py)."""
        top = check_limit(limit)
        found = ranked(self._index, name, check_types(types), lang)
        return [
            (self._index.qids[w.entity], w.hit.method, dict(zip(FEATURES, w.evidence, strict=True)))
            for w in with_evidence(self._index, name, found, lang, top, self.first_words())
        ]

    def link(
        self,
        name: str,
        *,
        types: Iterable[str] | str | None = None,
        threshold: float | None = None,
        lang: str | None = None,
    ) -> Link | None:
        """The entity ``name`` denotes, or None when nothing clears ``threshold`` or
        the runner-up is too close to call."""
        cutoff = check_threshold(threshold)
        wanted = check_types(types)
        check_str(name, "name")  # before the memo: its key must be hashable
        if lang is not None:
            check_str(lang, "lang")
        return self._link(name, wanted, cutoff, lang)

    def forget(self) -> None:
        """Drop the remembered links (of link(), link_many() and link_text()): for
        timing a first lookup, or to free their memory."""
        self._linked.cache_clear()
        self._as_written.cache_clear()

    def _link(self, name: str, types: frozenset[str] | None, cutoff: float, lang: str | None) -> Link | None:
        """link() of checked arguments, remembered (LINKS queries)."""
        return self._linked(name, types, cutoff, lang, listing())

    def _look_up(
        self, name: str, types: frozenset[str] | None, cutoff: float, lang: str | None, _listing: int
    ) -> Link | None:
        found = ranked(self._index, name, types, lang)
        return decide(self._index, self._weigh(name, found, lang), name.strip(), cutoff)

    def decision(
        self,
        name: str,
        *,
        types: Iterable[str] | str | None = None,
        threshold: float | None = None,
        lang: str | None = None,
        candidates: bool = True,
    ) -> Decision:
        """link() with its reasons, from one lookup: the Link, or whether the name
        is ambiguous (known, but the two best are too close to call) rather than
        unknown, and the best candidates (namelink csv's statuses, review columns).

        ``candidates=False`` leaves ``Decision.candidates`` empty and makes Links
        only where the answer needs them: the two best (score.decide and
        score.ambiguous read no others), and only when they may link or together
        clear the threshold. Most names of a large column are unlinked and need none."""
        cutoff = check_threshold(threshold)
        found = ranked(self._index, name, check_types(types), lang)
        best = [w for w in self._weigh(name, found, lang) if w.probability >= scoring.CANDIDATE_CUTOFF]
        query = name.strip()
        if candidates:
            shown = [to_link(self._index, w, query) for w in best]
            return Decision(
                scoring.decide(shown[:2], cutoff), scoring.ambiguous(shown[:2], cutoff), tuple(shown)
            )
        link = decide(self._index, best, query, cutoff)
        if link is not None or len(best) < 2 or best[0].probability + best[1].probability < cutoff:
            return Decision(link, False)
        return Decision(None, scoring.ambiguous([to_link(self._index, w, query) for w in best[:2]], cutoff))

    def link_many(
        self,
        names: Iterable[str],
        *,
        types: Iterable[str] | str | None = None,
        threshold: float | None = None,
        lang: str | None = None,
    ) -> list[Link | None]:
        """link() for each name, in input order, linking each distinct name once."""
        if isinstance(names, str):
            raise TypeError("names must be an iterable of str, not a single str")
        wanted = check_types(types)
        cutoff = check_threshold(threshold)
        done: dict[str, Link | None] = {}
        out: list[Link | None] = []
        for name in names:
            check_str(name, "names[]")
            if name not in done:
                done[name] = self._link(name, wanted, cutoff, lang)
            out.append(done[name])
        return out
