#!/usr/bin/env python3
"""Generate ``gazetteers/generated/countries.jsonl``: countries and territories.

Run from anywhere::

    python gazetteers/make_countries.py

Sources (all installed from PyPI; nothing else is read):

* ``rigour`` -- the list of territories (countries, dependent territories,
  sub-national entities, historical states) with their Wikidata QIDs, ISO-style
  codes, English display names and language-untagged alias names.
* ``babel`` -- CLDR territory display names, for every CLDR locale whose script
  is Arabic (explicitly, e.g. ``pa_Arab``, or by CLDR likely-subtags, e.g. ``ur``).
* ``pycountry`` -- ISO 3166-1/-2/-3 names (English) and their iso-codes gettext
  translations.

One JSON object per line, sorted by QID number, UTF-8, ``ensure_ascii=False``;
no header line.  The source versions are pinned in ``EXPECTED_VERSIONS`` (read
by build_default.py into the gazetteer manifest); a summary (versions, counts)
is printed to stdout and recorded in ``gazetteers/README.md``.

Policies (see gazetteers/README.md for the reasoning):

* The QID rigour gives as ``qid`` is the entity.  A small, hand-verified table
  (``ALT_QIDS``) adds alternative QIDs for the places where sources use two
  Wikidata items for the same place; rigour's own ``other_qids`` are NOT used,
  because they list related items (predecessors, capitals, constituent islands).
* rigour entries that are not places are excluded (``EXCLUDED``).
* Sub-national entries are kept with popularity 40, with their rigour display
  name, ISO 3166-2 names and only the Arabic-script rigour aliases: the Latin
  alias lists for them mix in neighbouring entities (cities, oblasts, free-trade
  zones).
* Non-English names are kept only when they are written entirely in Arabic script.
* rigour alias names (no language tag) go under ``und``; only Latin- or
  Arabic-script ones are kept, and an ``und`` or derived name is dropped when it
  collides with a name of another entity in this file.
"""

from __future__ import annotations

import gettext
import json
import os
import re
import sys
import tempfile
import unicodedata
from importlib.metadata import version as dist_version
from pathlib import Path

import pycountry
from babel import Locale, localedata
from babel.core import get_global
from rigour._core import territories_jsonl
from rigour.territories import get_territories

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "generated" / "countries.jsonl"

SOURCE_VERSIONS = {
    "rigour": dist_version("rigour"),
    "babel": dist_version("babel"),
    "pycountry": dist_version("pycountry"),
}
# The versions countries.jsonl was generated and checked with; build_default.py
# copies them into the gazetteer manifest.  With other versions installed the
# script stops: review what changed, then update this table (and the README).
EXPECTED_VERSIONS = {"rigour": "2.6.1", "babel": "2.18.0", "pycountry": "26.2.16"}

# rigour entries that are not countries/territories in the sense of a place.
EXCLUDED = {
    "eu": "European Union: a supranational organisation (an org, not a place)",
    "un": "United Nations: an international organisation",
    "zz": "'Global' (the whole world)",
    "ip": "'Cyberspace': not a place",
}

# Dual-item policy: the entity is rigour's ``qid``; these alternative QIDs denote
# the same place in another source and are accepted as aliases of the entity.
# Each entry: rigour code -> (expected rigour qid, [(alt qid, how it was checked)]).
# The expected qid is asserted so that a rigour update cannot silently attach
# an alternative QID to a different item.
ALT_QIDS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "dk": (
        "Q756617",
        [
            (
                "Q35",
                "ref:country-codes (DK) + ref:wikidata-popular-2015 (Denmark) + "
                "search:europeana/metis-framework:metis-enrichment/metis-enrichment-service/"
                "src/main/resources/wkd2org.xsl + codeledge/entitree:src/constants/countries.ts",
            )
        ],
    ),
    "nl": (
        "Q29999",
        [
            (
                "Q55",
                "search:europeana/metis-framework:metis-enrichment/metis-enrichment-service/"
                "src/main/resources/wkd2org.xsl + codeledge/entitree:src/constants/countries.ts",
            )
        ],
    ),
    "ps": (
        "Q219060",
        [
            (
                "Q407199",
                "search:europeana/metis-framework:metis-enrichment/metis-enrichment-service/"
                "src/main/resources/wkd2org.xsl (PS) + usc-isi-i2/t2wml:backend/causx/"
                "country_entities.py (Palestinian territories)",
            )
        ],
    ),
    "sj": (
        "Q25231",
        [
            (
                "Q842829",
                "ref:country-codes (SJ) + search:europeana/metis-framework:metis-enrichment/"
                "metis-enrichment-service/src/main/resources/wkd2org.xsl (SJ)",
            )
        ],
    ),
}

# rigour marks Palestine as not a country (is_country false, no parent); it is a
# UN observer state recognised by most UN members and central to Arabic news, so
# it gets the sovereign-country popularity.
SOVEREIGN_OVERRIDE = {"ps"}

# Descriptions where the generic wording would be wrong for the QID rigour uses.
DESCRIPTION_OVERRIDE = {
    # rigour lists Kurdistan (Q41470, the whole region) under Iraq.
    "iq-kr": "geographic and cultural region in Western Asia",
}

# rigour "strong" alias names that are not names of the place (jokes, demonyms,
# language names).  Compared case-insensitively.
DROP_ALIASES = {
    "best korea",
    "aquaserbia",
    "lietuvių kalba",
    "internet",
    "online",
    "russian",
    "estonian",
    "qatari",
    "gabonais",
    "gabonese",
    "israelite",
    "yisraeli",
    "israélienne",
    "iraki",
    # rigour lists the later Federal Republic (1992-2003) under the SFRY item
    "fr yugoslavia",
    "federal republic of yugoslavia",
    # "Southern Kurdistan" (the Kurdistan Region of Iraq) under Q41470, all of Kurdistan
    "باشووری کوردستان",
}
# Words marking an alias as a phrase in another language ("Burkina Faso nutome", Ewe).
DROP_ALIAS_WORDS = {"nutome"}

POP_SOVEREIGN = 200
POP_DEPENDENT = 60
POP_SUBNATIONAL = 40
POP_HISTORICAL = 60

_PAREN = re.compile(r"^(.*?\S)\s*\(.*\)\s*$")
_SPACES = re.compile(r"\s+")
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")


# --------------------------------------------------------------------------- text


def clean(name: str | None) -> str:
    if not name:
        return ""
    name = unicodedata.normalize("NFC", name)
    name = name.replace("\u200f", "").replace("\u200e", "")
    return _SPACES.sub(" ", name).strip()


def _letters(name: str):
    for ch in name:
        cat = unicodedata.category(ch)
        if cat[0] in "LM":
            yield ch


def is_arabic_script(name: str) -> bool:
    letters = list(_letters(name))
    return bool(letters) and all(unicodedata.name(ch, "").startswith("ARABIC") for ch in letters)


def is_latin_script(name: str) -> bool:
    letters = list(_letters(name))
    return bool(letters) and all(
        unicodedata.name(ch, "").startswith(("LATIN", "COMBINING", "MODIFIER LETTER")) for ch in letters
    )


def norm(name: str) -> str:
    """Comparison form: casefolded, Arabic vowel marks and tatweel removed."""
    name = unicodedata.normalize("NFKC", name).casefold()
    name = _ARABIC_MARKS.sub("", name)
    return _SPACES.sub(" ", name).strip()


def paren_base(name: str) -> str | None:
    """'Myanmar (Burma)' -> 'Myanmar'."""
    m = _PAREN.match(name)
    return m.group(1) if m else None


# ---------------------------------------------------------------------- sources


def arabic_babel_locales() -> dict[str, list[str]]:
    """Language key -> babel locale identifiers whose script is Arabic."""
    likely = get_global("likely_subtags")
    out: dict[str, list[str]] = {}
    for ident in sorted(localedata.locale_identifiers()):
        loc = Locale.parse(ident)
        default = likely.get(loc.language, "")
        default_script = default.split("_")[1] if default.count("_") >= 1 else None
        script = loc.script or default_script
        if script != "Arab":
            continue
        out.setdefault(lang_key(loc.language, default_script), []).append(ident)
    # base locale first, then regional variants, for a stable preferred name
    for idents in out.values():
        idents.sort(key=lambda i: (i.count("_"), i))
    return out


def lang_key(language: str, default_script: str | None) -> str:
    """'ur' -> 'ur'; 'pa' (default Gurmukhi) -> 'pa-Arab'."""
    return language if default_script == "Arab" else f"{language}-Arab"


def pycountry_lang_key(locale_dir_name: str) -> str:
    base = re.split(r"[_@]", locale_dir_name)[0]
    likely = get_global("likely_subtags").get(base, "")
    default_script = likely.split("_")[1] if "_" in likely else None
    return lang_key(base, default_script)


def pycountry_catalogs(domain: str) -> dict[str, gettext.NullTranslations]:
    out = {}
    for name in sorted(os.listdir(pycountry.LOCALES_DIR)):
        mo = Path(pycountry.LOCALES_DIR) / name / "LC_MESSAGES" / f"{domain}.mo"
        if mo.exists():
            with open(mo, "rb") as fh:
                out[name] = gettext.GNUTranslations(fh)
    return out


def historic_country(codes: set[str], primary: str):
    for h in pycountry.historic_countries:
        if h.alpha_4.lower() in codes:
            return h
    matches = [h for h in pycountry.historic_countries if h.alpha_2.lower() == primary]
    return matches[0] if len(matches) == 1 else None


def historic_english(name: str) -> list[str]:
    """'USSR, Union of Soviet Socialist Republics' -> both parts; drop 'Republic of' tails."""
    parts = [p.strip() for p in name.split(", ")]
    out = [parts[0]]
    for p in parts[1:]:
        if p.startswith("(") or p.endswith(" of") or not p:
            continue
        out.append(p)
    return out


def historic_translated(name: str) -> list[str]:
    """Translated 'X, Y' historic names: X, plus later parts of two or more words."""
    parts = [p.strip() for p in re.split(r"\s*[,\u060c]\s*", name) if p.strip()]
    return parts[:1] + [p for p in parts[1:] if len(p.split()) >= 2]


def is_demonym(name: str, others: set[str]) -> bool:
    """Arabic-script nisba adjective of another name: مصري from مصر, لبناني from لبنان."""
    if not is_arabic_script(name) or name[-1] not in "\u064a\u06cc":
        return False
    stem = name[:-1]
    return any(
        o in (stem, "\u0627\u0644" + stem) or o.replace("\u0625", "\u0627") == stem
        for o in others
        if o != name
    )


# ------------------------------------------------------------------------ build


# How much a name is trusted, used when two entities of this file share a name
# (compared across languages after norm()).  Lower is better.
R_PRIMARY = 0  # rigour display name; CLDR in en/ar/fa/ur/ps/ckb/ug; ISO 3166 English
R_SECONDARY = 1  # CLDR in other languages; iso-codes translations of short names
R_OFFICIAL = 2  # iso-codes translations of official names (where most errors are)
R_ALIAS = 3  # rigour aliases (und) and names derived by dropping "(...)"
CORE_LANGS = {"en", "ar", "fa", "ur", "ps", "ckb", "ug"}


class Names:
    """Ordered, de-duplicated names per language, each with its best rank."""

    def __init__(self) -> None:
        self.by_lang: dict[str, list[str]] = {}
        self.rank: dict[tuple[str, str], int] = {}

    def add(self, lang: str, name: str | None, rank: int) -> None:
        name = clean(name)
        if not name:
            return
        if lang != "en" and lang != "und":
            if not is_arabic_script(name):
                return
        elif lang == "und" and not (is_arabic_script(name) or is_latin_script(name)):
            return
        names = self.by_lang.setdefault(lang, [])
        if name not in names:
            names.append(name)
        key = (lang, name)
        self.rank[key] = min(rank, self.rank.get(key, rank))

    def add_with_base(self, lang: str, name: str | None, rank: int) -> None:
        self.add(lang, name, rank)
        base = paren_base(clean(name)) if name else None
        if base:
            self.add(lang, base, R_ALIAS)

    def best_rank(self) -> dict[str, int]:
        """norm(name) -> best rank of that name in any language."""
        out: dict[str, int] = {}
        for (_lang, name), rank in self.rank.items():
            key = norm(name)
            out[key] = min(rank, out.get(key, rank))
        return out


def classify(t) -> str:
    if t.is_historical:
        return "historical"
    if t.code in SOVEREIGN_OVERRIDE or (t.is_country and t.parent is None):
        return "sovereign"
    if "-" in t.code:
        return "subnational"
    return "dependent"


def describe(t, kind: str) -> str:
    if t.code in DESCRIPTION_OVERRIDE:
        return DESCRIPTION_OVERRIDE[t.code]
    parent = t.parent
    if kind == "sovereign":
        return f"country in {t.subregion}" if t.subregion else "country"
    if kind == "dependent":
        if parent is not None:
            return f"territory of {parent.name}"
        return f"territory in {t.subregion}" if t.subregion else "territory"
    if kind == "subnational":
        if parent is not None:
            return f"region of {parent.name}"
        return f"region in {t.subregion}" if t.subregion else "region"
    # historical
    if parent is not None and parent.is_historical:
        return f"former constituent of {parent.name}"
    if t.is_country and parent is None:
        return "former country"
    return "former territory"


def main() -> int:
    wrong = [
        f"{pkg} {SOURCE_VERSIONS[pkg]} is installed, EXPECTED_VERSIONS says {want}"
        for pkg, want in EXPECTED_VERSIONS.items()
        if SOURCE_VERSIONS[pkg] != want
    ]
    if wrong:
        print(
            "error: " + "; ".join(wrong) + ". Install those versions, or review the "
            "new data and update EXPECTED_VERSIONS and gazetteers/README.md.",
            file=sys.stderr,
        )
        return 1

    raw = {}
    for line in territories_jsonl().splitlines():
        if line.strip():
            d = json.loads(line)
            raw[d["code"]] = d

    babel_locales = arabic_babel_locales()
    cat1 = pycountry_catalogs("iso3166-1")
    cat2 = pycountry_catalogs("iso3166-2")
    cat3 = pycountry_catalogs("iso3166-3")
    en_cldr = Locale.parse("en").territories
    cldr = {ident: Locale.parse(ident).territories for idents in babel_locales.values() for ident in idents}

    records: dict[str, dict] = {}
    names_of: dict[str, Names] = {}
    seen_qids: dict[str, str] = {}

    for t in get_territories():
        if t.code in EXCLUDED:
            continue
        if not re.fullmatch(r"Q[1-9][0-9]*", t.qid or ""):
            raise SystemExit(f"rigour territory {t.code}: bad QID {t.qid!r}")
        if t.qid in seen_qids:
            raise SystemExit(f"QID {t.qid} used by {seen_qids[t.qid]} and {t.code}")
        seen_qids[t.qid] = t.code
        kind = classify(t)
        data = raw[t.code]
        names = Names()

        # ---- English: rigour display name, CLDR, ISO 3166
        base = paren_base(clean(t.name))
        if base:  # "Crimea (Occupied Ukraine)": "Crimea", unless another entity has it
            names.add("en", base, R_ALIAS)
        names.add("en", t.name, R_PRIMARY)
        if t.full_name and "(" not in t.full_name:
            names.add("en", t.full_name, R_PRIMARY)

        iso = None
        iso2 = t.code.upper() if re.fullmatch(r"[a-z]{2}", t.code) else None
        country = pycountry.countries.get(alpha_2=iso2) if iso2 else None
        historic = None
        subdivision = None
        if kind == "historical" and "-" not in t.code:
            historic = historic_country(t.codes, t.code)
        if kind == "subnational":
            subdivision = pycountry.subdivisions.get(code=t.code.upper())

        if country is not None:
            iso = country.alpha_2
        elif historic is not None:
            iso = historic.alpha_4
        elif subdivision is not None:
            iso = subdivision.code

        if iso2 and kind != "historical":
            names.add_with_base("en", en_cldr.get(iso2), R_PRIMARY)
        if country is not None:
            for attr in ("name", "official_name", "common_name"):
                names.add("en", getattr(country, attr, None), R_PRIMARY)
        if historic is not None:
            for n in historic_english(historic.name):
                names.add("en", n, R_PRIMARY)
        if subdivision is not None:
            names.add("und", subdivision.name, R_SECONDARY)

        # ---- Arabic-script languages: CLDR (babel) then iso-codes (pycountry)
        if iso2 and kind != "historical":
            for lang, idents in babel_locales.items():
                rank = R_PRIMARY if lang in CORE_LANGS else R_SECONDARY
                for ident in idents:
                    names.add_with_base(lang, cldr[ident].get(iso2), rank)
        for obj, catalogs in ((country, cat1), (historic, cat3), (subdivision, cat2)):
            if obj is None:
                continue
            msgids = [
                (getattr(obj, a, None), R_OFFICIAL if a == "official_name" else R_SECONDARY)
                for a in ("name", "official_name", "common_name")
            ]
            for loc_name, catalog in catalogs.items():
                lang = pycountry_lang_key(loc_name)
                for msgid, rank in msgids:
                    if msgid:
                        translated = catalog.gettext(msgid)
                        if translated == msgid:
                            continue
                        if obj is historic:
                            for part in historic_translated(translated):
                                names.add(lang, part, rank)
                        else:
                            names.add_with_base(lang, translated, rank)

        # ---- rigour alias names (no language tag) -> und
        if kind == "subnational":
            # only the Arabic-script ones: "Dubai (UAE)"-style Latin aliases are noisy
            for n in data.get("names_strong", []) + data.get("names_weak", []):
                n = clean(n)
                n = paren_base(n) or n
                if is_arabic_script(n) and n.casefold() not in DROP_ALIASES:
                    names.add("und", n, R_ALIAS)
        else:
            for n in data.get("names_strong", []):
                n = clean(n)
                if "," in n or "(" in n or n.casefold() in DROP_ALIASES:
                    continue
                if any(w in DROP_ALIAS_WORDS for w in n.casefold().split()):
                    continue
                names.add("und", n, R_ALIAS)
            for n in data.get("names_weak", []):
                if is_arabic_script(clean(n)):
                    names.add("und", n, R_ALIAS)

        alt = []
        checked = f"pypi:rigour=={SOURCE_VERSIONS['rigour']}:{t.code}"
        if t.code in ALT_QIDS:
            expected, alts = ALT_QIDS[t.code]
            if t.qid != expected:
                raise SystemExit(
                    f"rigour {t.code} has QID {t.qid}, ALT_QIDS expects "
                    f"{expected}: re-verify the dual-item table"
                )
            for alt_qid, how in alts:
                alt.append(alt_qid)
                checked += f"; alt {alt_qid}: {how}"

        popularity = {
            "sovereign": POP_SOVEREIGN,
            "dependent": POP_DEPENDENT,
            "subnational": POP_SUBNATIONAL,
            "historical": POP_HISTORICAL,
        }[kind]
        rec = {
            "qid": t.qid,
            "label": clean(t.name),
            "type": "place",
            "classes": [],
            "description": describe(t, kind),
            "names": None,  # filled below
            "popularity": popularity,
            "alt_qids": alt,
        }
        if iso:
            rec["iso"] = iso
        rec["checked"] = checked
        records[t.qid] = rec
        names_of[t.qid] = names

    # alt QIDs must not be another entity's primary QID
    for rec in records.values():
        for a in rec["alt_qids"]:
            if a in records:
                raise SystemExit(f"alt QID {a} of {rec['qid']} is also a primary QID")

    # ---- drop und names that only repeat a name already given in a language,
    # demonyms among the und names, and names shared with another entity unless
    # this entity has the name from the most trusted source among the owners
    # (ties at R_OFFICIAL or worse are dropped everywhere: e.g. iso-codes gives
    # "Republic of Zambia" in Persian for both Gambia and Zambia).
    best = {qid: names.best_rank() for qid, names in names_of.items()}
    owners: dict[str, dict[str, int]] = {}
    for qid, ranks in best.items():
        for key, rank in ranks.items():
            owners.setdefault(key, {})[qid] = rank

    def shared_badly(qid: str, name: str) -> bool:
        ranks = owners[norm(name)]
        if len(ranks) == 1:
            return False
        top = min(ranks.values())
        if ranks[qid] > top:
            return True
        return top >= R_OFFICIAL and list(ranks.values()).count(top) > 1

    dropped_collisions = 0
    dropped_repeats = 0
    dropped_demonyms = 0
    for qid, names in names_of.items():
        tagged = {norm(n) for lang, ns in names.by_lang.items() if lang != "und" for n in ns}
        all_names = {n for ns in names.by_lang.values() for n in ns}
        final: dict[str, list[str]] = {}
        for lang in sorted(names.by_lang, key=lambda lang: (lang != "en", lang == "und", lang)):
            keep = []
            for n in names.by_lang[lang]:
                if lang == "und" and norm(n) in tagged:
                    dropped_repeats += 1
                    continue
                if lang == "und" and is_demonym(n, all_names):
                    dropped_demonyms += 1
                    continue
                if shared_badly(qid, n):
                    dropped_collisions += 1
                    continue
                keep.append(n)
            if keep:
                final[lang] = keep
        records[qid]["names"] = final

    out = [records[q] for q in sorted(records, key=lambda q: int(q[1:]))]
    for rec in out:
        if not rec["names"]:
            raise SystemExit(f"{rec['qid']} has no names")

    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=OUTPUT.parent, prefix=".countries.", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
        for rec in out:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600
    os.replace(tmp, OUTPUT)

    by_lang: dict[str, int] = {}
    for rec in out:
        for lang, ns in rec["names"].items():
            by_lang[lang] = by_lang.get(lang, 0) + len(ns)
    kinds: dict[int, int] = {}
    for rec in out:
        kinds[rec["popularity"]] = kinds.get(rec["popularity"], 0) + 1
    manifest = {
        "output": str(OUTPUT.relative_to(HERE.parent)),
        "sources": SOURCE_VERSIONS,
        "entities": len(out),
        "by_popularity": dict(sorted(kinds.items(), reverse=True)),
        "names": sum(by_lang.values()),
        "names_by_language": dict(sorted(by_lang.items())),
        "dropped_und_repeats": dropped_repeats,
        "dropped_colliding_aliases": dropped_collisions,
        "dropped_demonym_aliases": dropped_demonyms,
        "excluded": sorted(EXCLUDED),
    }
    print(json.dumps(manifest, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
