#!/usr/bin/env python3
"""Generate ``gazetteers/generated/places.jsonl``: cities named by CLDR and the
UN M49 regions, with QIDs from the extracts in ``gazetteers/sources/``.

    python gazetteers/make_places.py

Inputs: ``sources/naturalearth_places.tsv`` (Natural Earth's populated places
and their Wikidata QIDs), ``sources/csc_cities.tsv`` and
``sources/csc_regions.tsv`` (countries-states-cities), ``generated/countries.jsonl``
(country QIDs by ISO code) and the CLDR data of the installed ``babel``
(pinned: ``EXPECTED_BABEL``).

* **Cities**: CLDR names a city for each time zone (its exemplar city, e.g.
  Asia/Tehran -> تهران, طهران, تہران ...). A zone's city is the one Natural
  Earth point in that zone whose English name is CLDR's English exemplar
  city; its QID is Natural Earth's. The QID counts as confirmed when
  countries-states-cities gives the same QID to a city of the same country
  within 50 km; when it gives that QID only to places elsewhere, the city is
  left out and listed in ``generated/places_conflicts.tsv``.
* **Regions**: the continents and subregions of countries-states-cities whose
  English name is CLDR's English name of a UN M49 region, with CLDR's names
  of that region.
* Names: CLDR's, in every locale written in Arabic script, kept only when
  written entirely in Arabic script (make_breadth.clean_name); a one-word
  name that is one of the language's most frequent words is dropped
  (CLDR's Arabic exemplar for Juneau is جوني).

Deterministic and atomic, like the other scripts here.
"""

from __future__ import annotations

import json
import math
import sys
from importlib.metadata import version as dist_version
from pathlib import Path

from babel import Locale, localedata
from babel.dates import get_timezone_location

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_breadth import clean_name, read_tsv, write_atomic  # noqa: E402

SOURCES = HERE / "sources"
COUNTRIES = HERE / "generated" / "countries.jsonl"
OUT = HERE / "generated" / "places.jsonl"
OUT_CONFLICTS = HERE / "generated" / "places_conflicts.tsv"
EXPECTED_BABEL = "2.19.0"

NE = "extract:martynafford/natural-earth-geojson@0b9a6ce"
CSC = "extract:dr5hn/countries-states-cities-database@7fda0af"
CLDR = f"pypi:babel=={EXPECTED_BABEL}"
AGREE_KM = 50.0
# The region QIDs also found in the reference list wikidata-popular-2015
# (google/language-resources hi_ur/data/wikidata_20150427.tsv), checked by hand
# on 2026-12-02; the others rest on countries-states-cities alone.
REGIONS_IN_POPULAR_2015 = {"Q15", "Q46", "Q48", "Q35942", "Q3359409"}
# CLDR's English names that countries-states-cities spells differently.
REGION_SPELLING = {"South-Eastern Asia": "Southeast Asia", "Micronesia": "Micronesian Region"}
# Locales (CLDR) whose names are kept, with the gazetteer's language key.
ARABIC_SCRIPT_LOCALES = {
    "ar": "ar",
    "fa": "fa",
    "ur": "ur",
    "ps": "ps",
    "ckb": "ckb",
    "ug": "ug",
    "sd": "sd",
    "pa_Arab": "pa-Arab",
    "uz_Arab": "uz-Arab",
}
# Left out: CLDR's smaller Arabic-script locales (trw, ks, bgn, kk_Arab ...),
# whose exemplar cities are often not the city's name (trw: Kabul = سیبل).
# Tiny frequent-word lists would make the build depend on wordfreq; CLDR's
# exemplar cities that are common words are few and listed by hand.
COMMON_WORDS = {"جوني", "نور", "الوادي", "المدينة", "مدينة", "العاصمة"}


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def locales() -> list[tuple[str, str]]:
    have = set(localedata.locale_identifiers())
    return [(loc, key) for loc, key in ARABIC_SCRIPT_LOCALES.items() if loc in have]


def cldr_names(lookup) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for loc, key in locales():
        try:
            raw = lookup(loc)
        except (KeyError, LookupError, ValueError):
            continue
        name = clean_name(raw or "", person=False)
        if not name or name in COMMON_WORDS:
            continue
        if name not in names.setdefault(key, []):
            names[key].append(name)
    return {k: v for k, v in names.items() if v}


def build() -> int:
    if dist_version("babel") != EXPECTED_BABEL:
        print(f"error: babel {dist_version('babel')} installed, {EXPECTED_BABEL} expected", file=sys.stderr)
        return 1
    by_iso: dict[str, str] = {}
    country_label: dict[str, str] = {}
    with open(COUNTRIES, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec.get("iso") and len(rec["iso"]) == 2:
                by_iso[rec["iso"]] = rec["qid"]
                country_label[rec["qid"]] = rec["label"]

    places = read_tsv(SOURCES / "naturalearth_places.tsv")
    csc: dict[str, list[dict[str, str]]] = {}
    for row in read_tsv(SOURCES / "csc_cities.tsv"):
        csc.setdefault(row["qid"], []).append(row)
    by_zone: dict[str, list[dict[str, str]]] = {}
    for row in places:
        if row["timezone"]:
            by_zone.setdefault(row["timezone"], []).append(row)

    out: list[dict] = []
    conflicts: list[tuple[str, str]] = []
    for zone in sorted(by_zone):
        try:
            english = get_timezone_location(zone, locale="en", return_city=True)
        except (KeyError, LookupError, ValueError):
            continue
        match = [r for r in by_zone[zone] if english in (r["name"], r["nameascii"], r["name_en"])]
        qids = {r["qid"] for r in match}
        if len(qids) != 1:
            continue
        row = match[0]
        others = csc.get(row["qid"], [])
        agree = [
            o
            for o in others
            if o["iso_a2"] == row["iso_a2"]
            and km(float(o["lat"]), float(o["lon"]), float(row["lat"]), float(row["lon"])) <= AGREE_KM
        ]
        if others and not agree:
            where = "; ".join(f"{o['name']} ({o['iso_a2']})" for o in others[:3])
            conflicts.append(
                (
                    row["qid"],
                    f"Natural Earth: {row['name']} ({row['iso_a2']}); countries-states-cities: {where}",
                )
            )
            continue
        names = cldr_names(lambda loc, zone=zone: get_timezone_location(zone, locale=loc, return_city=True))
        if not names:
            continue
        names["en"] = [english] + [n for n in (row["name"], row["name_en"]) if n and n != english]
        names["en"] = list(dict.fromkeys(names["en"]))
        cq = by_iso.get(row["iso_a2"], "")
        capital = "Admin-0 capital" in row["featurecla"]
        pop = int(row["pop_max"] or 0)
        rec = {
            "qid": row["qid"],
            "label": english,
            "type": "place",
            "classes": [],
            "description": f"capital of {country_label[cq]}"
            if capital
            else f"city in {country_label[cq]}"
            if cq
            else "city",
            "names": names,
            "popularity": 100 if capital else 60 if pop >= 1_000_000 else 30,
            "alt_qids": [],
        }
        if cq:
            rec["country"] = [cq]
        rec["checked"] = " + ".join([NE, CSC] if agree else [NE]) + f" ; names {CLDR} ({zone})"
        out.append(rec)

    english_m49 = {
        name: code
        for code, name in Locale("en").territories.items()
        if code.isdigit() and code not in ("001",)
    }
    for row in read_tsv(SOURCES / "csc_regions.tsv"):
        code = english_m49.get(REGION_SPELLING.get(row["name"], row["name"]))
        if not code:
            continue
        names = cldr_names(lambda loc, code=code: Locale.parse(loc).territories.get(code))
        if not names:
            continue
        english = Locale("en").territories[code]
        names["en"] = list(dict.fromkeys([english, row["name"]]))
        continent = row["kind"] == "regions"
        out.append(
            {
                "qid": row["qid"],
                "label": english,
                "type": "place",
                "classes": [],
                "description": f"{'continent' if continent else 'region of the world'} (UN M49 {code})",
                "names": names,
                "popularity": 150 if continent else 60,
                "alt_qids": [],
                "checked": CSC
                + (" + ref:wikidata-popular-2015" if row["qid"] in REGIONS_IN_POPULAR_2015 else "")
                + f" ; names {CLDR} (M49 {code})",
            }
        )

    out.sort(key=lambda r: int(r["qid"][1:]))
    seen: set[str] = set()
    unique = []
    for rec in out:
        if rec["qid"] not in seen:
            seen.add(rec["qid"])
            unique.append(rec)
    write_atomic(
        OUT, "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in unique)
    )
    write_atomic(
        OUT_CONFLICTS,
        "# Cities left out: countries-states-cities gives their Natural Earth QID only to places elsewhere "
        "(generated by make_places.py)\nqid\twhy\n" + "".join(f"{q}\t{why}\n" for q, why in conflicts),
    )
    print(f"wrote {OUT.name}: {len(unique)} places; {len(conflicts)} left out for disagreement")
    return 0


if __name__ == "__main__":
    sys.exit(build())
