"""What the reconciliation service answers, apart from HTTP: queries in, candidates out.

The two protocol versions (0.2 at ``/reconcile``, the 1.0 draft at ``/reconcile/v1``)
parse their batches into the same ``Query`` and read the same ``Candidate``;
``Reconciler`` runs them on a Gazetteer through its public methods. A candidate's
``match`` is exactly ``Gazetteer.link()`` of the same name with the same types: the
calibrated decision, never a second opinion.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Indel

from namelink import Entity, Gazetteer, Link, normalize
from namelink.records import ENTITY_TYPES

__all__ = [
    "COUNTRY_PROPERTIES",
    "DEFAULT_LIMIT",
    "FEATURE_NAMES",
    "MAX_BATCH",
    "MAX_LIMIT",
    "QID",
    "TYPE_IDS",
    "TYPE_LABELS",
    "Candidate",
    "CountryCondition",
    "Query",
    "QueryError",
    "Reconciler",
    "accepted_languages",
    "entity_types",
    "pick_name",
    "resolve_types",
    "text_dir",
]

# The gazetteer's four types as the Wikidata classes OpenRefine shows and sends back.
# Q5 (human) is every person's P31 in the gazetteer itself. Q43229 (organization) is
# recorded with its sources in namelink/wikidata/facts.py (CLASS_TYPES). Q2221906
# (geographic location) and Q35120 (entity, the root class) were checked in public
# SPARQL sources with the search tool's find_string (`builder.set_parent_class(
# "wd:Q2221906") # geographic location`, `id: "wd:Q2221906", name: "geographic
# location"`; `wd:Q35120` — Wikidata "entity", `wd:Q35120 | entidad`). A query may
# name a type by this id or by the gazetteer's own name (person, place, org, other).
TYPE_IDS: dict[str, str] = {"person": "Q5", "place": "Q2221906", "org": "Q43229", "other": "Q35120"}
TYPE_LABELS: dict[str, str] = {
    "Q5": "human",
    "Q2221906": "geographic location",
    "Q43229": "organization",
    "Q35120": "entity",
}
_TYPE_BY_ID = {qid: kind for kind, qid in TYPE_IDS.items()}

# The properties a query may filter on: the countries an entity belongs to, which
# records.Entity.country holds (Wikidata P17 country, P27 citizenship for people).
COUNTRY_PROPERTIES: dict[str, str] = {"P17": "country", "P27": "country of citizenship"}

# Country names given as property values are linked once and remembered, up to this
# many (a country column holds a few hundred distinct values; the cap bounds memory).
MAX_COUNTRY_NAMES = 10_000
# OpenRefine sends 10 queries per batch (its default, and the 0.2 spec's example);
# 100 leaves room for scripts while the worst batch (100 fuzzy lookups, a few ms
# each on the 2-core CI machine) still answers in well under a second.
MAX_BATCH = 100
# Candidates per query when the query sets no limit: what Gazetteer.candidates() gives.
DEFAULT_LIMIT = 5
# A limit above this is cut to it. OpenRefine shows 3 candidates in a cell and asks
# for none beyond its default; 30 keeps the answer to a script asking for "all" small
# and is the pool the country filter draws from.
MAX_LIMIT = 30

# Matches one BCP 47 language range of an Accept-Language header (RFC 9110 §12.5.4).
_LANGUAGE_RANGE = re.compile(r"\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
# A header longer than this many ranges is read up to it: nobody prefers 20 languages.
MAX_LANGUAGES = 20
QID = re.compile(r"[Qq][1-9][0-9]{0,11}")
_FIRST_LETTER = re.compile(r"[^\W\d_]")

# What each feature is, for the 1.0 draft's `name`; evidence from the calibrated
# score that is not listed here is named after its id.
FEATURE_NAMES: dict[str, str] = {
    "similarity": "similarity of the query to the matched name (0-1)",
    "popularity": "popularity of the entity in the gazetteer",
    "runner_up_margin": "score minus the best other candidate's (0-1)",
    "country_match": "the entity's recorded country agrees with the query's",
    "variant_model": "score of the spelling-variant model (0-1)",
    "word_zipf": "Zipf frequency of the name as a common word",
}


class QueryError(ValueError):
    """A batch or a query the service cannot answer; the message says what to fix (HTTP 400)."""


@dataclass(frozen=True)
class CountryCondition:
    """A query's condition on the countries an entity belongs to (P17/P27)."""

    values: frozenset[str]  # QIDs; a name that links to no place stays as given and matches nothing
    quantifier: str = "any"  # any, all or none of the values
    required: bool = True  # a filter; False: only a feature

    def holds(self, countries: tuple[str, ...]) -> bool | None:
        """Whether ``countries`` satisfy the condition; None when the gazetteer records none."""
        if not countries:
            return None
        have = set(countries)
        if self.quantifier == "all":
            return self.values <= have
        if self.quantifier == "none":
            return not self.values & have
        return bool(self.values & have)


@dataclass(frozen=True)
class Query:
    """One reconciliation query, whichever version sent it."""

    text: str
    types: frozenset[str] | None = None  # gazetteer types; None: any; empty: none can match
    limit: int = DEFAULT_LIMIT
    lang: str | None = None  # prefer names in this language
    countries: tuple[CountryCondition, ...] = ()


@dataclass(frozen=True)
class Candidate:
    """One candidate of a result, as both versions serialize it."""

    qid: str
    name: str
    name_lang: str | None
    description: str
    score: float  # 0-100, the calibrated score as OpenRefine displays it
    match: bool
    type: str  # the gazetteer type
    features: tuple[tuple[str, float | bool], ...]


def text_dir(text: str) -> str:
    """ "rtl" when the first letter of ``text`` is of a right-to-left script, else "ltr"."""
    first = _FIRST_LETTER.search(text)
    if first and unicodedata.bidirectional(first.group()) in ("R", "AL"):
        return "rtl"
    return "ltr"


def accepted_languages(header: str | None) -> tuple[str, ...]:
    """The language ranges of an Accept-Language header, most wanted first ("*" kept,
    q=0 and malformed ranges dropped)."""
    if not header:
        return ()
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:MAX_LANGUAGES]):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip()
        if not _LANGUAGE_RANGE.fullmatch(tag):
            continue
        weight = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                continue
        if weight > 0:
            ranked.append((-weight, position, tag))
    return tuple(tag for _, _, tag in sorted(ranked))


def pick_name(entity: Entity, languages: Sequence[str]) -> tuple[str, str | None]:
    """The entity's name in the first of ``languages`` it has one in, else its label;
    with the language of the name (None when the label's language is not recorded)."""
    for wanted in languages:
        if wanted == "*":
            break
        for lang in dict.fromkeys((wanted, wanted.split("-")[0].lower())):
            names = entity.names.get(lang)
            if names:
                return names[0], lang
    label_lang = next((lang for lang, names in entity.names.items() if entity.label in names), None)
    return entity.label, label_lang


def entity_types(value: object, where: str) -> list[str]:
    """A query's ``type`` field (an id or a list of ids) as a list."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise QueryError(f"{where}: 'type' must be a type id such as Q5, or a list of them")


def resolve_types(values: Sequence[str], strict: str = "should") -> frozenset[str] | None:
    """Type ids (Q5, Q2221906, Q43229, Q35120) or names (person, place, org, other) as
    gazetteer types, under OpenRefine's ``type_strict``:

    - "should" (what OpenRefine sends): candidates of the known types only; a type this
      service does not know is ignored, and with none known every type is allowed;
    - "any": candidates of one of the types; an unknown type matches nothing;
    - "all": candidates of every type, which one entity of one type satisfies only when
      the types all name that one type.
    """
    if not values:
        return None
    known: set[str] = set()
    unknown = False
    for value in values:
        value = value.strip()
        kind = _TYPE_BY_ID.get(value.upper()) or (value.lower() if value.lower() in ENTITY_TYPES else None)
        if kind is None:
            unknown = True
        else:
            known.add(kind)
    if strict == "all":
        return frozenset(known) if not unknown and len(known) == 1 else frozenset()
    if strict == "any":
        return frozenset(known)
    return frozenset(known) if known else None


def _number(value: float | bool) -> bool:
    return isinstance(value, bool) or (isinstance(value, (int, float)) and math.isfinite(value))


class Reconciler:
    """The service's answers over one gazetteer."""

    def __init__(self, gazetteer: Gazetteer):
        if not isinstance(gazetteer, Gazetteer):
            raise TypeError(f"gazetteer must be a Gazetteer, not {type(gazetteer).__name__}")
        self.gazetteer = gazetteer
        self._types_held: tuple[str, ...] | None = None
        self._country_names: dict[str, str] = {}

    # -- reconciliation ---------------------------------------------------------------

    def reconcile(self, queries: Sequence[Query], languages: Sequence[str] = ()) -> list[list[Candidate]]:
        """The candidates of each query, in order. Each distinct (name, types, lang) is
        looked up once: ``candidates()`` for the ranking, ``link()`` for ``match``."""
        wanted: dict[tuple[str, frozenset[str] | None, str | None], int] = {}
        for query in queries:
            key = (query.text, query.types, query.lang)
            need = MAX_LIMIT if query.countries else max(query.limit, 2)  # 2: the runner-up margin
            wanted[key] = max(wanted.get(key, 0), need)
        looked_up: dict[tuple[str, frozenset[str] | None, str | None], tuple[list[Link], Link | None]] = {}
        g = self.gazetteer
        for (text, types, lang), need in wanted.items():
            found = g.candidates(text, types=types, limit=need, lang=lang)
            # No candidate at all: nothing reached CANDIDATE_CUTOFF, let alone the link threshold.
            decided = g.link(text, types=types, lang=lang) if found else None
            looked_up[text, types, lang] = (found, decided)
        return [
            self._result(query, *looked_up[query.text, query.types, query.lang], languages)
            for query in queries
        ]

    def _result(
        self, query: Query, found: list[Link], decided: Link | None, languages: Sequence[str]
    ) -> list[Candidate]:
        norm = normalize(query.text)
        scores = [link.score for link in found]
        out: list[Candidate] = []
        for position, link in enumerate(found):
            entity = self.gazetteer.entity(link.qid)
            assert entity is not None, link.qid  # a candidate is one of the gazetteer's entities
            agree = [condition.holds(entity.country) for condition in query.countries]
            required = (a for a, c in zip(agree, query.countries, strict=True) if c.required)
            if any(a is False for a in required):
                continue
            others = scores[:position] + scores[position + 1 :]
            features = self._features(link, norm, max(others, default=0.0), agree)
            name, name_lang = pick_name(entity, languages)
            out.append(
                Candidate(
                    qid=link.qid,
                    name=name,
                    name_lang=name_lang,
                    description=link.description,
                    score=round(link.score * 100, 2),
                    match=decided is not None and link.qid == decided.qid,
                    type=link.type,
                    features=features,
                )
            )
            if len(out) == min(query.limit, MAX_LIMIT):
                break
        return out

    def _features(
        self, link: Link, norm: str, best_other: float, agree: Sequence[bool | None]
    ) -> tuple[tuple[str, float | bool], ...]:
        """The evidence of the calibrated score (Link.evidence, when the library gives
        it), then how it matched, how close the names are and how far ahead it is."""
        features: dict[str, float | bool] = {}
        for name, value in getattr(link, "evidence", ()):
            if isinstance(name, str) and _number(value):
                features.setdefault(name, value)
        features[f"method_{link.method}"] = True
        if link.key:
            features[f"key_{link.key}"] = True
        if "similarity" not in features:
            matched = normalize(link.matched_name) if link.method != "qid" else norm
            features["similarity"] = round(Indel.normalized_similarity(norm, matched), 4)
        features.setdefault("popularity", link.popularity)
        features["runner_up_margin"] = round(link.score - best_other, 4)
        known = [a for a in agree if a is not None]
        if known:
            features["country_match"] = all(known)
        return tuple(features.items())

    # -- entities, types, countries --------------------------------------------------------

    def types_held(self) -> tuple[str, ...]:
        """The gazetteer types its entities have, person first (read once)."""
        if self._types_held is None:
            held = {entity.type for entity in self.gazetteer.entities()}
            self._types_held = tuple(kind for kind in TYPE_IDS if kind in held or kind == "person")
        return self._types_held

    def entity(self, qid: str) -> Entity | None:
        return self.gazetteer.entity(qid) if QID.fullmatch(qid.strip()) else None

    def resolve_countries(self, values: Iterable[object], where: str) -> frozenset[str]:
        """Property values as country QIDs: a QID, a reconciled value {"id": ...}, or a
        name, linked among places (a name that links to none matches nothing)."""
        out: set[str] = set()
        for value in values:
            if isinstance(value, dict):
                value = value.get("id")
                if not isinstance(value, str):
                    raise QueryError(f"{where}: a reconciled value needs an 'id' string")
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise QueryError(f"{where}: a property value must be a string, a number or {{'id': ...}}")
            text = str(value).strip()
            if QID.fullmatch(text):
                out.add(text.upper())
            elif text:
                if text not in self._country_names:
                    if len(self._country_names) >= MAX_COUNTRY_NAMES:
                        self._country_names.clear()
                    linked = self.gazetteer.link(text, types="place")
                    self._country_names[text] = linked.qid if linked is not None else text
                out.add(self._country_names[text])
        return frozenset(out)
