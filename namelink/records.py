"""Results and entities: small frozen dataclasses that say how they matched."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["ENTITY_TYPES", "Entity", "Link", "Mention"]

ENTITY_TYPES = frozenset({"person", "place", "org", "other"})


@dataclass(frozen=True)
class Entity:
    """One gazetteer entry, in the shape of a line of the JSONL format."""

    qid: str
    label: str
    type: str
    classes: tuple[str, ...] = ()
    description: str = ""
    names: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, hash=False)
    popularity: int = 0
    alt_qids: tuple[str, ...] = ()

    def to_record(self) -> dict[str, object]:
        """The JSONL line of this entity, as a dict."""
        record: dict[str, object] = {
            "qid": self.qid,
            "label": self.label,
            "type": self.type,
            "classes": list(self.classes),
            "description": self.description,
            "names": {lang: list(names) for lang, names in self.names.items()},
            "popularity": self.popularity,
        }
        if self.alt_qids:
            record["alt_qids"] = list(self.alt_qids)
        return record


@dataclass(frozen=True)
class Link:
    """A name linked to a Wikidata entity, with how and how well it matched.

    ``score`` is in 0–1: exact > normalized > key > fuzzy, never saturating, so
    candidates stay ordered. ``runner_up`` is the best other entity when it is
    close enough to matter (see ``namelink.score.RUNNER_UP_WINDOW``).
    """

    qid: str
    label: str
    score: float
    matched_name: str
    matched_lang: str
    method: str
    type: str
    description: str
    explanation: str = ""
    popularity: int = 0
    runner_up: Link | None = None
    key: str = ""  # with method "key": which key kind matched (spelling, skeleton ...)


@dataclass(frozen=True)
class Mention:
    """A linked name in running text: ``text[start:end] == surface``."""

    start: int
    end: int
    surface: str
    link: Link
