"""From the rows of a fetch answer to gazetteer records.

``fetch_query`` asks, for a batch of ids, one fact per row (queries/fetch.rq);
``read_rows`` reads those rows into facts per id, leaving out (and saying so)
every value of the wrong type; ``make_record`` turns the facts of one id into
a record of the JSONL shape:

- ``type`` comes from the P31 classes through CLASS_TYPES, else the scope's;
- ``popularity`` is the sitelinks count, a whole number up to MAX_SITELINKS;
- ``names`` holds the label and aliases in each language asked for plus ``mul``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from namelink.records import validate_record
from namelink.wikidata.output import qid_number
from namelink.wikidata.scopes import fill, load_query

__all__ = [
    "CLASS_TYPES",
    "LABEL_LANGUAGE",
    "MAX_SITELINKS",
    "MUL",
    "Facts",
    "entity_type",
    "fetch_languages",
    "fetch_query",
    "make_record",
    "qid_of",
    "read_rows",
    "sitelinks_count",
]

# Every fetch asks for English too: it gives the `label` and `description`
# fields, as in the default gazetteer, even when no English names are wanted.
LABEL_LANGUAGE = "en"
# Wikidata's language-neutral label, asked for beside the requested languages.
MUL = "mul"
# The largest sitelinks count believed: an item has at most one sitelink per
# Wikimedia site (Wikidata's Help:Sitelinks: the language editions of
# Wikipedia, Wikisource, Wikiquote, Wikivoyage and the other projects, under a
# thousand in all); ten times that leaves room to grow and still rejects a
# count no item can have (10**10, "1e999").
MAX_SITELINKS = 10_000
# The longest label, alias or description Wikidata stores: Wikibase's string
# limit for multilingual terms is 250 characters. A longer one is not Wikidata's.
MAX_TERM_CHARS = 250
# The longest language tag kept: Wikidata's codes are at most a dozen characters
# (zh-classical, be-tarask, kk-arab); RFC 5646 tags stay under 35 in practice.
MAX_LANGUAGE_CHARS = 35
# Characters of a skipped value quoted in the manifest.
QUOTE_CHARS = 60

_ENTITY = re.compile(r"http://www\.wikidata\.org/entity/(Q[1-9][0-9]{0,11})")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# P31 class → gazetteer type. A class not listed here says nothing; Q5 (human)
# was verified for the default gazetteer. Each other QID was verified in two or
# more independent public SPARQL sources found with the search tool's
# find_string (quoted below); unverified classes are left out and map to the
# scope's type, else "other".
CLASS_TYPES: dict[str, str] = {
    "Q5": "person",  # human
    # country: `?country wdt:P31 wd:Q6256;  # Instance of country`; `wd:Q6256 . # country`
    "Q6256": "place",
    # sovereign state: `Q_COUNTRY = "wd:Q3624078"`; `?Stato_sovrano wdt:P31 wd:Q3624078`
    "Q3624078": "place",
    # dependent territory: `wd:Q161243 .  # Instance of dependent territory`; `# dependent territory`
    "Q161243": "place",
    # historical country: `Q_HIST_COUNTRY = "wd:Q3024240"`; `#not a former country ... wd:Q3024240`
    "Q3024240": "place",
    # city: `wd:Q515     # city`; `"wd:Q515",    // city`
    "Q515": "place",
    # big city: `wd:Q1549591   # big city`; `wdt:P31 wd:Q1549591 .  # big city`
    "Q1549591": "place",
    # human settlement: `wd:Q486972     # human settlement`; `wd:Q486972 .  # instance of human settlement`
    "Q486972": "place",
    # organization: `wd:Q43229 (organization)`; `wikidata_class = "wd:Q43229"  # organization`
    "Q43229": "org",
    # international organization: `wd:Q484652,   # international organization`;
    # `INTERNATION_ORGANIZATION = "wd:Q484652"`
    "Q484652": "org",
    # political party: `parties = { mainValue: "wd:Q7278"`; `?party wdt:P31 wd:Q7278`
    "Q7278": "org",
}
# When classes point two ways (a city that is also an organization, say), the
# first type here wins.
_TYPE_ORDER = ("person", "place", "org")


@dataclass
class Facts:
    """What the fetch query said about one id."""

    labels: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, set[str]] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    classes: set[str] = field(default_factory=set)
    sitelinks: int = 0
    redirect: str | None = None


# --- Queries ----------------------------------------------------------------------------


def fetch_languages(languages: Sequence[str]) -> tuple[str, ...]:
    """The languages a fetch asks for: those wanted, then mul, then English."""
    ordered = [*languages, MUL, LABEL_LANGUAGE]
    return tuple(dict.fromkeys(ordered))


def fetch_query(ids: Sequence[str], languages: Sequence[str]) -> str:
    """The fetch query (queries/fetch.rq) for a batch of ids."""
    return fill(
        load_query("fetch.rq"),
        {
            "items": " ".join(f"wd:{qid}" for qid in ids),
            "languages": ", ".join(f'"{lang}"' for lang in fetch_languages(languages)),
        },
    )


def qid_of(binding: dict[str, Any], name: str) -> str | None:
    term = binding.get(name)
    if not isinstance(term, dict) or term.get("type") != "uri":
        return None
    match = _ENTITY.fullmatch(str(term.get("value", "")))
    return match.group(1) if match else None


# --- Records ------------------------------------------------------------------------------


def entity_type(classes: Iterable[str], fallback: str = "other") -> str:
    """The gazetteer type that P31 ``classes`` imply, else ``fallback``."""
    found = {CLASS_TYPES[c] for c in classes if c in CLASS_TYPES}
    for kind in _TYPE_ORDER:
        if kind in found:
            return kind
    return fallback


def make_record(
    qid: str, facts: Facts, languages: Sequence[str], fallback_type: str
) -> dict[str, Any] | None:
    names: dict[str, list[str]] = {}
    for lang in (*languages, MUL):
        values = [facts.labels[lang]] if lang in facts.labels else []
        values += sorted(facts.aliases.get(lang, ()))
        kept = [v for v in dict.fromkeys(v.strip() for v in values) if v and not _CONTROL.search(v)]
        if kept:
            names[lang] = kept
    if not names:
        return None
    label = next(
        (
            facts.labels[lang]
            for lang in (LABEL_LANGUAGE, MUL, *languages)
            if facts.labels.get(lang, "").strip()
        ),
        next((v for _, v in sorted(facts.labels.items()) if v.strip()), qid),
    )
    description = next(
        (
            facts.descriptions[lang]
            for lang in (LABEL_LANGUAGE, *languages, MUL)
            if lang in facts.descriptions
        ),
        "",
    )
    classes = sorted(facts.classes, key=qid_number)
    record = {
        "qid": qid,
        "label": label.strip(),
        "type": entity_type(classes, fallback_type),
        "classes": classes,
        "description": description.strip(),
        "names": names,
        "popularity": facts.sitelinks,
    }
    validate_record(record, f"Wikidata {qid}")
    return record


_FIELDS = frozenset({"label", "alias", "description", "class", "sitelinks", "redirect"})
_TEXTS = frozenset({"label", "alias", "description"})
_COUNT = re.compile(r"[0-9]{1,12}")


def sitelinks_count(value: str) -> int | None:
    """``value`` as a sitelinks count: a whole number from 0 to MAX_SITELINKS, else None.

    Plain digits only: "1e999", "-3", "12.5" and "NaN" are no count.
    """
    text = value.strip()
    if not _COUNT.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_SITELINKS else None


def _quote(value: object) -> str:
    text = repr(value)
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def read_rows(bindings: Iterable[dict[str, Any]]) -> tuple[dict[str, Facts], list[tuple[str, str]]]:
    """The facts the rows of a fetch answer state, and the values skipped as (qid, reason).

    A row is skipped, and said so, when a term is not an RDF term with string
    parts, or a sitelinks count is not a bounded whole number; the rest of the
    entity is kept. A row for no readable item is skipped under ``?``.
    """
    facts: dict[str, Facts] = {}
    skipped: list[tuple[str, str]] = []
    for row in bindings:
        qid = qid_of(row, "item")
        if qid is None:
            skipped.append(("?", f"a row with no Wikidata ?item: {_quote(row.get('item'))}"))
            continue
        kind_term, term = row.get("field"), row.get("value")
        kind = kind_term.get("value") if isinstance(kind_term, dict) else None
        if kind not in _FIELDS:
            skipped.append((qid, f"a row whose ?field is not one of fetch.rq's: {_quote(kind_term)}"))
            continue
        if (
            not isinstance(term, dict)
            or not isinstance(term.get("value"), str)
            or not isinstance(term.get("xml:lang", ""), str)
        ):
            skipped.append((qid, f"{kind}: not an RDF term with a string value: {_quote(term)}"))
            continue
        value = term["value"]
        if kind in _TEXTS and len(value) > MAX_TERM_CHARS:
            skipped.append((qid, f"{kind}: {len(value):,} characters, over Wikidata's {MAX_TERM_CHARS}"))
            continue
        lang = term["xml:lang"].lower() if isinstance(term.get("xml:lang"), str) else ""
        if len(lang) > MAX_LANGUAGE_CHARS:
            skipped.append((qid, f"{kind}: a language tag of {len(lang):,} characters"))
            continue
        into = facts.setdefault(qid, Facts())
        if kind == "label":
            into.labels.setdefault(lang, value)
        elif kind == "alias":
            into.aliases.setdefault(lang, set()).add(value)
        elif kind == "description":
            into.descriptions.setdefault(lang, value)
        elif kind == "class":
            target = qid_of(row, "value")
            if target:
                into.classes.add(target)
        elif kind == "sitelinks":
            number = sitelinks_count(value)
            if number is None:
                skipped.append(
                    (qid, f"sitelinks: {_quote(value)} is not a count from 0 to {MAX_SITELINKS:,}")
                )
            else:
                into.sitelinks = max(into.sitelinks, number)
        elif kind == "redirect":
            into.redirect = qid_of(row, "value")
    return facts, skipped
