#!/usr/bin/env python3
"""Generate ``gazetteers/generated/geography.jsonl``: cities of 100,000 people
and more, first-level subdivisions (states, provinces), seas and oceans,
mountain ranges, deserts, islands, peaks, rivers and lakes, with the QIDs and
Arabic-script names that Natural Earth gives them.

    python gazetteers/make_geography.py

Inputs (all in this repository): ``sources/naturalearth_geography.tsv``
(Natural Earth 5: QID and ar/fa/ur names per feature),
``sources/naturalearth_places.tsv`` (Natural Earth 4.0 10m populated places:
QID, population, position), ``sources/csc_cities.tsv``
(countries-states-cities: QID, position), ``generated/*.jsonl``
and ``curated/*.tsv`` (the QIDs and types other sources hold),
``namelink/data/lexicon.tsv`` (word frequencies).

* **Cities**: a populated place of Natural Earth 4.0 (10m) or 5 (50m) with
  ``pop_max`` >= 100,000, or a national or admin-1 capital whatever its size.
  Natural Earth states the QID; it is confirmed by countries-states-cities
  when a row there has the same QID, the same country and lies within 50 km.
  The city is left out (and listed in ``generated/geography_conflicts.tsv``)
  when countries-states-cities gives the QID only to places elsewhere, or
  when Natural Earth 4.0 and 5 put the QID in different countries or more
  than 50 km apart.  Names: Natural Earth 5's name_ar/fa/ur only (so a city
  of Natural Earth 4.0 alone, which has no Arabic-script names, is not
  there); countries-states-cities' "translations" are not used (machine
  transliterations and translations: North Bay = خليج الشمال, Singapore =
  جنگل‌ها, Taiyuan = تایوان).
* **Subdivisions** (Natural Earth 5 admin-1): left out (conflict) when
  ``generated/countries.jsonl`` holds the same ISO 3166-2 code under another
  QID.
* **Physical features** (marine areas, physical regions, region and
  elevation points, rivers and lake centerlines, lakes): Natural Earth 5
  alone.
* A QID that another source holds as a person or an organization is left out
  (conflict); so is, from every layer, the QID of a city in conflict.  A QID
  in two layers is one entity (the first layer's label and description;
  names unioned).
* **Names**: kept when make_breadth.clean_name accepts them (entirely Arabic
  script, no digits or punctuation), after dropping a comma and what follows
  (a Wikidata label's disambiguation: "تاريخا، بوليفيا" -> تاريخا).  A
  one-word name that is a frequent word (zipf >= ``FREQUENT_ZIPF`` in any of
  ar, fa, ur in the lexicon, after folding the letters these languages write
  differently: ك/ک, ي/ی, ة/ه, أ/ا ...) is dropped: a big gazetteer gives
  ordinary words more names to collide with; except for a prominent feature
  (popularity 55 or more: capitals, cities of a million, the largest seas,
  ranges and rivers), whose name is frequent because the feature is: تهران,
  بغداد, مشهد, نیل.  A physical feature below that keeps only English names of two
  words or more (the river "Xi" would catch Xi Jinping in Arabic text).
* **Popularity** (the prior, on the scale of gazetteers/README.md and of
  make_places.py): national capital 100; city of 1,000,000+ 60; other cities
  of 100,000+ 30; admin-1 capitals under 100,000 20.  Subdivisions 45 - 5 x
  Natural Earth's scalerank, between 20 and 30 (below the 40 of the
  sub-national entities of countries.jsonl, which win a shared name).
  Oceans and continents 150; other physical features 60 - 5 x scalerank,
  between 20 and 60 (the Mediterranean 60, a river of scalerank 8 20).
* **Minor features**: a city or subdivision of popularity 25 or less, and a
  physical feature of popularity 35 or less, keeps only its names of two
  words or more (tuned on the fit rows of tests/data/eval, never the test
  rows: their one-word names were most of the new false links).

Deterministic and atomic, like the other scripts here.
"""

from __future__ import annotations

import json
import math
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from make_breadth import clean_name, read_tsv, write_atomic  # noqa: E402

SOURCES = HERE / "sources"
GENERATED = HERE / "generated"
CURATED = HERE / "curated"
LEXICON = HERE.parent / "namelink" / "data" / "lexicon.tsv"
OUT = GENERATED / "geography.jsonl"
OUT_CONFLICTS = GENERATED / "geography_conflicts.tsv"

NE4 = "extract:martynafford/natural-earth-geojson@0b9a6ce"
NE5 = "extract:Raysphere24/NaturalEarthCsvTsv@7cc9ef2"
CSC = "extract:dr5hn/countries-states-cities-database@7fda0af"
AGREE_KM = 50.0
MIN_POP = 100_000
FREQUENT_ZIPF = 35  # zipf x 10, as lexicon.tsv stores it
MINOR = 25  # popularity of a minor city or subdivision: its one-word names are dropped
MINOR_FEATURE = 35  # the same for physical features (rivers, lakes, islands ...)
PROMINENT = 55  # popularity from which a frequent one-word name is kept
LANGS = ("ar", "fa", "ur")
# Natural Earth's featurecla -> the kind of feature (description).
KINDS = {
    "Range/mtn": "mountain range",
    "Pen/cape": "peninsula",
    "Geoarea": "region",
    "Island group": "island group",
    "island group": "island group",
    "spot elevation": "peak",
    "mountain": "mountain",
    "Lake Centerline": "lake",
    "River (Intermittent)": "intermittent river",
    "Alkaline Lake": "salt lake",
    "generic": "body of water",
}
CAPITALS = ("Admin-0 capital", "Admin-1 capital", "Admin-0 region capital", "Admin-1 region capital")


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def near(a: dict[str, str], b: dict[str, str]) -> bool:
    try:
        return km(float(a["lat"]), float(a["lon"]), float(b["lat"]), float(b["lon"])) <= AGREE_KM
    except (KeyError, ValueError):
        return False


# Letters that ar, fa and ur write differently, folded for the frequent-word
# check (کان "ear" in Urdu is كان "was" in Arabic; آنا is أنا "I").
FOLD = str.maketrans(
    {
        "ك": "ک",
        "ي": "ی",
        "ى": "ی",
        "ئ": "ی",
        "ے": "ی",
        "ة": "ه",
        "ۀ": "ه",
        "ۃ": "ه",
        "ہ": "ه",
        "ھ": "ه",
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ؤ": "و",
        "\u200c": None,
    }
)


def fold(word: str) -> str:
    return "".join(c for c in word.translate(FOLD) if not unicodedata.combining(c))


def frequent_words() -> set[str]:
    """Folded forms of the words of zipf >= FREQUENT_ZIPF in ar, fa or ur."""
    words = set()
    for row in read_tsv(LEXICON):
        if max(int(row[lang] or 0) for lang in LANGS) >= FREQUENT_ZIPF:
            words.add(fold(row["form"]))
    return words


def other_types() -> dict[str, str]:
    """QID -> type, of every other input of build_default.py."""
    types: dict[str, str] = {}
    for path in sorted(GENERATED.glob("*.jsonl")):
        if path == OUT:
            continue
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                types.setdefault(rec["qid"], rec["type"])
    for path in sorted(CURATED.glob("*.tsv")):
        for row in read_tsv(path):
            if row.get("qid") and row.get("type"):
                types.setdefault(row["qid"], row["type"])
    return types


def kind_of(featurecla: str) -> str:
    return KINDS.get(featurecla, featurecla.lower())


def build() -> int:
    frequent = frequent_words()
    types = other_types()
    by_iso: dict[str, str] = {}
    subdivision_qid: dict[str, str] = {}
    label: dict[str, str] = {}
    with open(GENERATED / "countries.jsonl", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            iso = rec.get("iso") or ""
            if len(iso) == 2:
                by_iso[iso] = rec["qid"]
                label[rec["qid"]] = rec["label"]
            elif "-" in iso:
                subdivision_qid[iso] = rec["qid"]

    def country(iso: str, fallback: str) -> str:
        return label.get(by_iso.get(iso, ""), fallback)

    def names_of(
        rows: list[dict[str, str]], langs: tuple[str, ...], popularity: int, minor: int
    ) -> dict[str, list[str]]:
        """The usable names of ``rows``, for a feature of ``popularity``: a
        minor one (``minor`` or less) keeps no one-word name; a prominent one
        (``PROMINENT`` or more) keeps its one-word names even when they are
        frequent words (تهران, بغداد, مشهد are frequent because the cities are)."""
        names: dict[str, list[str]] = {}
        for row in rows:
            for lang in langs:
                # a Wikidata label disambiguated by a comma: "تاريخا، بوليفيا"
                raw = (row.get(lang) or "").replace("،", ",").split(",")[0]
                name = clean_name(raw, person=False)
                if not name:
                    continue
                one_word = " " not in name and "-" not in name
                if one_word and popularity <= minor:
                    continue
                if one_word and popularity < PROMINENT and fold(name) in frequent:
                    continue
                if name not in names.setdefault(lang, []):
                    names[lang].append(name)
        return {k: v for k, v in names.items() if v}

    ne5 = read_tsv(SOURCES / "naturalearth_geography.tsv")
    ne4 = {r["qid"]: r for r in read_tsv(SOURCES / "naturalearth_places.tsv")}
    csc: dict[str, list[dict[str, str]]] = {}
    for row in read_tsv(SOURCES / "csc_cities.tsv"):
        csc.setdefault(row["qid"], []).append(row)

    # Natural Earth gives some subdivisions their parent's code (the cantons of
    # Bosnia and Herzegovina: BA-BIH): only a code of one feature identifies it.
    code_rows: dict[str, int] = {}
    for row in ne5:
        if row["layer"] == "admin_1" and row["iso_3166_2"]:
            code_rows[row["iso_3166_2"]] = code_rows.get(row["iso_3166_2"], 0) + 1
    out: dict[str, dict] = {}
    conflicts: list[tuple[str, str, str]] = []

    def add(rec: dict, layer: str) -> None:
        qid = rec["qid"]
        if any(c[0] == qid and c[1] == "city" for c in conflicts):
            return  # its QID is in doubt: left out of every layer
        other = types.get(qid)
        if other and other != "place":
            conflicts.append(
                (qid, layer, f"Natural Earth: {rec['label']} (place); another source: a {other}")
            )
            return
        if qid not in out:
            out[qid] = rec
            return
        have = out[qid]
        for lang, names in rec["names"].items():
            for name in names:
                if name not in have["names"].setdefault(lang, []):
                    have["names"][lang].append(name)
        have["popularity"] = max(have["popularity"], rec["popularity"])

    # ------------------------------------------------------------------ cities
    ne5_places = {r["qid"]: r for r in ne5 if r["layer"] == "populated_places"}
    for qid in sorted(set(ne4) | set(ne5_places), key=lambda q: int(q[1:])):
        old, new = ne4.get(qid), ne5_places.get(qid)
        ref = old or new
        pop = max(int((r or {}).get("pop_max") or 0) for r in (old, new))
        featurecla = ref["featurecla"]
        capital = any(c in featurecla for c in CAPITALS)
        if pop < MIN_POP and not capital:
            continue
        if old and new and not (old["iso_a2"] == new["iso_a2"] and near(old, new)):
            conflicts.append(
                (
                    qid,
                    "city",
                    f"Natural Earth 4.0: {old['name']} ({old['iso_a2']}); "
                    f"Natural Earth 5: {new['name']} ({new['iso_a2']}), not within {AGREE_KM:.0f} km",
                )
            )
            continue
        others = csc.get(qid, [])
        agree = [o for o in others if o["iso_a2"] == ref["iso_a2"] and near(o, ref)]
        if others and not agree:
            where = "; ".join(f"{o['name']} ({o['iso_a2']})" for o in others[:3])
            conflicts.append(
                (
                    qid,
                    "city",
                    f"Natural Earth: {ref['name']} ({ref['iso_a2']}); countries-states-cities: {where}",
                )
            )
            continue
        english = (new or {}).get("name_en") or ref.get("name_en") or ref["name"]
        national = "Admin-0 capital" in featurecla and "alt" not in featurecla
        where = country(ref["iso_a2"], ref["country"])
        popularity = 100 if national else 60 if pop >= 1_000_000 else 30 if pop >= MIN_POP else 20
        names = names_of([new] if new else [], LANGS, popularity, MINOR)
        if not names:
            continue
        names["en"] = list(
            dict.fromkeys(n for n in (english, ref["name"], (old or {}).get("name_en", "")) if n)
        )
        sources = [s for s, r in ((NE4, old), (NE5, new)) if r] + ([CSC] if agree else [])
        rec = {
            "qid": qid,
            "label": english,
            "type": "place",
            "classes": [],
            "description": f"capital of {where}"
            if national and where
            else f"city in {where}"
            if where
            else "city",
            "names": names,
            "popularity": popularity,
            "alt_qids": [],
        }
        if by_iso.get(ref["iso_a2"]):
            rec["country"] = [by_iso[ref["iso_a2"]]]
        rec["checked"] = " + ".join(sources) + f" ; names {NE5}"
        add(rec, "city")

    # ------------------------------------------- subdivisions and physical features
    for row in ne5:
        layer = row["layer"]
        if layer == "populated_places":
            continue
        qid = row["qid"]
        rank = int(row["scalerank"] or 10)
        if layer == "admin_1":
            iso2 = row["iso_3166_2"]
            if code_rows.get(iso2) == 1 and subdivision_qid.get(iso2, qid) != qid:
                conflicts.append(
                    (
                        qid,
                        layer,
                        f"Natural Earth: {row['name']} ({iso2}); "
                        f"countries.jsonl: {iso2} is {subdivision_qid[iso2]}",
                    )
                )
                continue
            where = country(row["iso_a2"], row["country"])
            kind = (row["type_en"].split("|")[0].strip() or "first-level subdivision").lower()
            description = f"{kind} of {where}" if where else kind
            popularity = max(20, min(30, 45 - 5 * rank))
        else:
            kind = kind_of(row["featurecla"])
            english = row["name_en"] or row["name"]
            where = row["region"] or row["country"]
            description = f"{kind} in {where}" if where and where.lower() != english.lower() else kind
            popularity = 150 if kind in ("ocean", "continent") else max(20, min(60, 60 - 5 * rank))
        names = names_of([row], LANGS, popularity, MINOR if layer == "admin_1" else MINOR_FEATURE)
        if not names:
            continue
        english = row["name_en"] or row["name"]
        if english.isupper():
            english = english.title()
        english_names = [n for n in (english, row["name"]) if n and not n.isupper()]
        if layer != "admin_1" and popularity < PROMINENT:
            # a Latin one-word name of a minor river or island ("Xi") would
            # catch Latin names in Arabic text (Xi Jinping)
            english_names = [n for n in english_names if " " in n or "-" in n]
        if english_names:
            names["en"] = list(dict.fromkeys(english_names))
        rec = {
            "qid": qid,
            "label": english,
            "type": "place",
            "classes": [],
            "description": description,
            "names": names,
            "popularity": popularity,
            "alt_qids": [],
        }
        if layer == "admin_1" and by_iso.get(row["iso_a2"]):
            rec["country"] = [by_iso[row["iso_a2"]]]
        rec["checked"] = f"{NE5} ({layer})"
        add(rec, layer)

    recs = [out[q] for q in sorted(out, key=lambda q: int(q[1:]))]
    write_atomic(OUT, "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in recs))
    conflicts.sort(key=lambda c: (int(c[0][1:]), c[1], c[2]))
    write_atomic(
        OUT_CONFLICTS,
        "# Natural Earth features left out because two sources disagree about their QID "
        "(generated by make_geography.py)\nqid\tlayer\twhy\n"
        + "".join(f"{q}\t{layer}\t{w}\n" for q, layer, w in conflicts),
    )
    print(f"wrote {OUT.name}: {len(recs)} places; {len(conflicts)} left out for disagreement")
    return 0


if __name__ == "__main__":
    sys.exit(build())
