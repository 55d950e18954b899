"""Suggest: auto-completion of entities and types, for OpenRefine's search boxes.

An entity prefix is read against the normal forms of every name (built on the first
request, then a binary search); a QID returns its entity, and a prefix that starts no
name falls back on the lookup's own candidates (a variant spelling still completes).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from namelink import Entity, normalize
from namelink.serve.service import QID, TYPE_IDS, TYPE_LABELS, Reconciler, pick_name

__all__ = ["MAX_SUGGEST", "SUGGEST_LIMIT", "SUGGEST_SCAN", "Suggester", "Suggestion"]

# How many suggestions by default and at most (OpenRefine's box shows about ten).
SUGGEST_LIMIT = 10
MAX_SUGGEST = 50
# How many prefix hits are read before ranking them by popularity: a one-letter
# prefix must not read every name of a large gazetteer.
SUGGEST_SCAN = 2000


@dataclass(frozen=True)
class Suggestion:
    """One entity suggested for a prefix, with the name to show."""

    entity: Entity
    name: str
    name_lang: str | None


class Suggester:
    """Suggestions over the gazetteer of a Reconciler."""

    def __init__(self, reconciler: Reconciler):
        self.reconciler = reconciler
        self._prefixes: tuple[list[str], list[tuple[int, str]]] | None = None

    def types(self, prefix: str, limit: int, offset: int = 0) -> list[str]:
        """Gazetteer types whose id, Wikidata name or own name starts with ``prefix``."""
        wanted = prefix.strip().casefold()
        found = [
            kind
            for kind in self.reconciler.types_held()
            if any(
                text.casefold().startswith(wanted)
                for text in (TYPE_IDS[kind], TYPE_LABELS[TYPE_IDS[kind]], kind)
            )
        ]
        return found[offset : offset + limit]

    def _prefix_table(self) -> tuple[list[str], list[tuple[int, str]]]:
        """Every normal form of every name, sorted, beside (−popularity, qid): built on
        the first suggest request (a pass over the gazetteer's names)."""
        if self._prefixes is None:
            rows = sorted(
                (norm, -entity.popularity, entity.qid)
                for entity in self.reconciler.gazetteer.entities()
                for names in entity.names.values()
                for name in names
                if (norm := normalize(name))
            )
            self._prefixes = ([row[0] for row in rows], [(row[1], row[2]) for row in rows])
        return self._prefixes

    def entities(
        self,
        prefix: str,
        limit: int,
        offset: int = 0,
        languages: Sequence[str] = (),
        types: frozenset[str] | None = None,
    ) -> list[Suggestion]:
        """Entities for an auto-complete ``prefix``, of ``types`` (gazetteer types; None:
        any): the entity itself for a QID, then names starting with the prefix, most
        popular first, then the lookup's own candidates for a prefix no name starts
        with (a variant spelling)."""
        g = self.reconciler.gazetteer
        qids: dict[str, None] = {}
        stripped = prefix.strip()
        if QID.fullmatch(stripped):
            entity = g.entity(stripped)
            if entity is not None:
                qids[entity.qid] = None
        norm = normalize(stripped)
        if norm:
            names, owners = self._prefix_table()
            start = bisect_left(names, norm)
            hits: set[tuple[int, str]] = set()
            for i in range(start, min(start + SUGGEST_SCAN, len(names))):
                if not names[i].startswith(norm):
                    break
                hits.add(owners[i])
            qids.update((qid, None) for _, qid in sorted(hits))
            if len(qids) < offset + limit:
                qids.update(
                    (link.qid, None) for link in g.candidates(stripped, types=types, limit=offset + limit)
                )
        entities = [entity for qid in qids if (entity := g.entity(qid)) is not None]
        if types is not None:
            entities = [entity for entity in entities if entity.type in types]
        chosen = entities[offset : offset + limit]
        return [Suggestion(entity, *pick_name(entity, languages)) for entity in chosen]
