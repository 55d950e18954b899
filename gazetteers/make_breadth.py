#!/usr/bin/env python3
"""Generate ``gazetteers/generated/people.jsonl`` and ``generated/parties.jsonl``
from the trimmed Wikidata extracts in ``gazetteers/sources/``.

    python gazetteers/make_breadth.py

Inputs (committed; made by ``extract_sources.py`` from pinned commits):

* ``sources/everypolitician_persons.tsv`` -- legislators with Wikidata labels
  in Arabic-script languages, their sitelink and label counts;
* ``sources/everypolitician_parties.tsv`` -- parties, likewise;
* ``sources/ministers_local_labels.tsv`` -- Arabic-script Wikidata labels of
  office holders and legislators of Arabic-script countries;
* ``sources/office_holders.tsv`` -- national offices with their dates;
* ``curated/*.tsv`` and ``generated/countries.jsonl`` -- read only to attach
  office facts to people another source already holds, and to map country
  names to QIDs.

Rules (the reasons are in gazetteers/README.md):

* A name is kept only when, after removing bidi marks and a bracketed
  disambiguator ("حضرت علی (سیاستمدار افغان)"), it is written entirely in
  Arabic script; a person's name needs two words (a bare given name is not a
  name of one person); a party's name needs a word that is not a generic party
  word (حزب، الديمقراطي، الشعب ...).
* A QID whose English labels in two sources share no word is left out and
  listed in ``generated/breadth_conflicts.tsv``.
* Popularity: 20 + 2 x Wikipedia sitelinks (at most 150) where the source
  counts sitelinks, otherwise 20 + labels / 2 (at most 60); a head of state or
  government gets at least 60, one in office at the source date 100.
* ``held``: the offices from office_holders.tsv that overlap 2000-2026,
  "<position> <start>–<end>" (years; an empty end: in office on the source date,
  which is in ``as_of``).  ``country``: the QIDs of the countries the sources
  tie the person to.

Deterministic (sorted output, no clock) and atomic (temporary file + rename).
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
import tempfile
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
CURATED = HERE / "curated"
COUNTRIES = HERE / "generated" / "countries.jsonl"
OUT_PEOPLE = HERE / "generated" / "people.jsonl"
OUT_PARTIES = HERE / "generated" / "parties.jsonl"
OUT_CONFLICTS = HERE / "generated" / "breadth_conflicts.tsv"

EP = "extract:tijmenb/everypolitician-data@0642e77"
WL = "extract:every-politician-scrapers/world-leaders-2021@be7039c"
EP_DATE = "2015-11-30"
MINISTERS_DATE = "2022-08"
WL_DATE = "2022-10-10"

QID_RE = re.compile(r"^Q[1-9][0-9]*$")
BIDI = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"))
BRACKETED = re.compile(r"\s*[\(\[（][^\)\]）]*[\)\]）]\s*")
ZWNJ = "\u200c"

# Offices that make a head of state or government (position label prefixes).
HEAD_RE = re.compile(
    r"^(president|prime minister|king|queen|emir|amir|sultan|supreme leader|monarch|"
    r"federal chancellor|chancellor|taoiseach|head of state)\b",
    re.IGNORECASE,
)
# ... but not a deputy, a presiding officer of a court or chamber, or the head
# of a sub-national entity.
NOT_HEAD_RE = re.compile(
    r"\b(vice|deputy|court|council|assembly|senate|house|chamber|intelligence|commission|generalitat|"
    r"azad kashmir|crimea|bashkortostan|sakha|iraqi kurdistan|kurdistan|abu dhabi)\b",
    re.IGNORECASE,
)

# Words that name a kind of party, not a party: a party name made only of
# these is generic ("الحزب الديمقراطي", "حزب چپ") and is dropped.
GENERIC_PARTY_WORDS = {
    "حزب",
    "الحزب",
    "حركة",
    "الحركة",
    "جبهة",
    "الجبهة",
    "تجمع",
    "التجمع",
    "ائتلاف",
    "الائتلاف",
    "تحالف",
    "التحالف",
    "كتلة",
    "الكتلة",
    "قائمة",
    "القائمة",
    "اتحاد",
    "الاتحاد",
    "مؤتمر",
    "المؤتمر",
    "الشعب",
    "الديمقراطي",
    "الديموقراطي",
    "الديمقراطيون",
    "الجمهوري",
    "الاشتراكي",
    "الليبرالي",
    "المحافظين",
    "المحافظ",
    "العمال",
    "العمل",
    "الوسط",
    "اليسار",
    "اليمين",
    "الخضر",
    "البيئة",
    "الأحرار",
    "الوطني",
    "التقدمي",
    "الجديد",
    "الإصلاح",
    "الاصلاح",
    "الشعبي",
    "المسيحي",
    "المسيحيون",
    "الاجتماعي",
    "الاجتماعية",
    "الديمقراطية",
    "الشيوعي",
    "القومي",
    "المستقل",
    "المستقلون",
    "سياسي",
    "مستقل",
    "-",
    "و",
    "جنبش",
    "مردم",
    "دموکرات",
    "دموکراتیک",
    "لیبرال",
    "محافظه‌کار",
    "کارگر",
    "کارگران",
    "چپ",
    "راست",
    "مرکز",
    "مرکزی",
    "سبز",
    "ملی",
    "جمهوری‌خواه",
    "سوسیالیست",
    "سوسیال",
    "کمونیست",
    "مسیحی",
    "اصلاحات",
    "مترقی",
    "خلق",
    "جدید",
    "پیشروی",
    "مردم‌سالاری",
}
# Groups that everypolitician lists among parties but that are not organizations.
NOT_ORGS = {"Q327591"}  # independent politician

# everypolitician folder names that are not English country names of countries.jsonl.
FOLDER_ISO = {
    "UK": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern_Ireland": "GB",
    "United_States_of_America": "US",
    "Macedonia": "MK",
    "Czech_Republic": "CZ",
    "South_Korea": "KR",
    "North_Korea": "KP",
    "Hong_Kong": "HK",
    "Taiwan": "TW",
    "Russia": "RU",
}

# --------------------------------------------------------------------- helpers


# Country names written with "the" in "Prime Minister of the United Arab Emirates".
THE_COUNTRIES = {
    "United States",
    "United Kingdom",
    "United Arab Emirates",
    "Netherlands",
    "Philippines",
    "Bahamas",
    "Gambia",
    "Maldives",
    "Comoros",
    "Central African Republic",
    "Czech Republic",
    "Dominican Republic",
    "Marshall Islands",
    "Solomon Islands",
    "Seychelles",
}
# Wikidata's lower-case script subtags, spelled as the rest of the gazetteer spells them.
LANG_KEYS = {"kk-arab": "kk-Arab", "ku-arab": "ku-Arab"}


def is_arabic_letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LM" and "ARABIC" in unicodedata.name(ch, "")


# Titles that Wikidata labels sometimes carry before a person's name
# ("الشيخ الدكتور أحمد ناصر المحمد الصباح"): removed, since a title is not a name
# and would link every holder of it.  سيد/سید (a lineage name, part of most
# Persian labels of sayyids) and سردار (part of many Pashtun and Baloch names)
# are kept.
PERSON_TITLES = {
    "الشيخ",
    "الشيخة",
    "الدكتور",
    "الدكتورة",
    "المهندس",
    "المهندسة",
    "الأمير",
    "الأميرة",
    "الملك",
    "الملكة",
    "السلطان",
    "الرئيس",
    "اللواء",
    "العميد",
    "الفريق",
    "المشير",
    "الحاج",
    "الإمام",
    "شیخ",
    "دکتر",
    "مهندس",
    "آیت‌الله",
    "حجت‌الاسلام",
    "ڈاکٹر",
}
# Words of a description, not of a name: a label made of them is a Wikidata
# error ("سیاست‌مدار اهل ارمنستان", politician from Armenia).
DESCRIPTION_WORDS = {
    "سیاست‌مدار",
    "سیاستمدار",
    "سياسي",
    "سیاسی",
    "سياستمدار",
    "نماینده",
    "بازیکن",
    "خواننده",
    "بازیگر",
    "نویسنده",
    "اهل",
    "عضو",
    "نائب",
}


def clean_name(name: str, *, person: bool) -> str | None:
    """The name cleaned, or None when it is not a usable Arabic-script name."""
    name = name.translate(BIDI)
    name = BRACKETED.sub(" ", name)
    name = " ".join(name.split()).lstrip(
        "".join(chr(c) for c in range(0x0610, 0x061B))
        + "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0653\u0654\u0655\u0656\u0657\u0658\u0670"
    )
    if not name or any(c in name for c in "()[]{}（）«»\"'/\\:;,،؛!?؟") or any(c.isdigit() for c in name):
        return None
    for ch in name:
        if ch in (" ", ZWNJ, "\u200d", "-"):
            continue
        if is_arabic_letter(ch) or unicodedata.category(ch) == "Mn":
            continue
        return None
    if not any(is_arabic_letter(c) for c in name):
        return None
    words = [w for w in re.split(r"[ \-]+", name) if w]
    if person:
        if any(w in DESCRIPTION_WORDS for w in words):
            return None
        while words and words[0] in PERSON_TITLES:
            words = words[1:]
            name = name.split(" ", 1)[1] if " " in name else ""
        if len(words) < 2:
            return None
    return name


def generic_party_name(name: str) -> bool:
    words = [w for w in re.split(r"[ \-]+", name) if w]
    return all(w in GENERIC_PARTY_WORDS or w.replace(ZWNJ, "") in GENERIC_PARTY_WORDS for w in words)


def tokens(label: str) -> set[str]:
    text = unicodedata.normalize("NFKD", label.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return {t for t in re.split(r"[^a-z0-9]+", text) if len(t) > 1}


def read_tsv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        lines = [line for line in fh.read().split("\n") if line and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def year(date: str) -> int | None:
    m = re.match(r"^(\d{3,4})", date.strip())
    return int(m.group(1)) if m else None


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(HERE.parent))
    except ValueError:
        return str(path)


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------------- inputs


def country_maps() -> tuple[dict[str, str], dict[str, str]]:
    """English country name -> QID, and ISO code -> QID, from countries.jsonl."""
    by_name: dict[str, str] = {}
    by_iso: dict[str, str] = {}
    label: dict[str, str] = {}
    with open(COUNTRIES, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if rec.get("popularity", 0) < 60:
                continue  # sub-national entries are not countries here
            for name in rec["names"].get("en", []):
                by_name.setdefault(name, rec["qid"])
            if rec.get("iso"):
                by_iso[rec["iso"]] = rec["qid"]
            label[rec["qid"]] = rec["label"]
    return by_name, by_iso, label


def curated_people() -> dict[str, str]:
    """QID -> English label of the people in curated/*.tsv."""
    out: dict[str, str] = {}
    for path in sorted(CURATED.glob("*.tsv")):
        for row in read_tsv(path):
            if row.get("type", "").strip() == "person" and QID_RE.match(row.get("qid", "").strip()):
                out.setdefault(row["qid"].strip(), row.get("label", "").strip())
    return out


# ------------------------------------------------------------------------ build


def build() -> int:
    by_name, by_iso, country_label = country_maps()
    curated = curated_people()
    people: dict[str, dict] = {}
    labels_seen: dict[str, list[tuple[str, str]]] = {}  # qid -> [(source, english label)]

    def person(qid: str) -> dict:
        return people.setdefault(
            qid,
            {
                "qid": qid,
                "label": "",
                "type": "person",
                "classes": [],
                "description": "",
                "names": {},
                "popularity": 0,
                "alt_qids": [],
                "country": [],
                "held": [],
                "sources": [],
                "as_of": [],
                "houses": [],
                "heads": set(),
                "roles": [],
            },
        )

    def add_name(rec: dict, lang: str, raw: str) -> None:
        lang = LANG_KEYS.get(lang, lang)
        name = clean_name(raw, person=True)
        if name and name not in rec["names"].setdefault(lang, []):
            rec["names"][lang].append(name)

    def add_country(rec: dict, qid: str) -> None:
        if qid and qid not in rec["country"]:
            rec["country"].append(qid)

    # legislators (everypolitician)
    for row in read_tsv(SOURCES / "everypolitician_persons.tsv"):
        qid = row["qid"]
        rec = person(qid)
        rec["label"] = rec["label"] or row["en"]
        labels_seen.setdefault(qid, []).append((EP, row["en"]))
        for lang, value in row.items():
            if lang not in ("qid", "en", "houses", "sitelinks", "labels") and value:
                add_name(rec, lang, value)
        sitelinks, nlabels = int(row["sitelinks"] or 0), int(row["labels"] or 0)
        pop = min(150, 20 + 2 * sitelinks) if sitelinks else min(60, 20 + nlabels // 2)
        rec["popularity"] = max(rec["popularity"], pop)
        for house in row["houses"].split(" | "):
            folder, _, chamber = house.partition("/")
            cq = by_iso.get(FOLDER_ISO.get(folder, ""), "") or by_name.get(folder.replace("_", " "), "")
            add_country(rec, cq)
            rec["houses"].append((folder.replace("_", " "), chamber.replace("_", " ")))
        rec["sources"].append(EP)
        rec["as_of"].append(EP_DATE)

    # Arabic-script labels from the ministers repositories
    for row in read_tsv(SOURCES / "ministers_local_labels.tsv"):
        rec = person(row["qid"])
        add_name(rec, row["lang"], row["name"])
        src = "extract:every-politician-scrapers/" + row["file"].split(":")[0]
        if src not in rec["sources"]:
            rec["sources"].append(src)
        add_country(rec, row["country"])
        if row["role"] and row["role"] not in rec["roles"]:
            rec["roles"].append(row["role"])

    # office holders
    for row in read_tsv(SOURCES / "office_holders.tsv"):
        qid = row["qid"]
        start, end = year(row["start"]), year(row["end"])
        if end is not None and end < 2000:
            continue
        rec = person(qid)
        label = row["label"]
        latin = label and not any(is_arabic_letter(c) for c in label)
        if latin:
            rec["label"] = rec["label"] or label
            labels_seen.setdefault(qid, []).append((row["source"], label))
        cq = row["country"]
        add_country(rec, cq)
        position = row["position"]
        if cq in country_label and country_label[cq] not in position:
            where = country_label[cq]
            position = f"{position} of {'the ' if where in THE_COUNTRIES else ''}{where}"
        span = f"{start or '?'}–{end or ''}"
        fact = f"{position} {span}"
        if fact not in rec["held"]:
            rec["held"].append(fact)
        src = (
            WL
            if row["source"] == "world-leaders-2021"
            else f"extract:every-politician-scrapers/{row['source']}"
        )
        if src not in rec["sources"]:
            rec["sources"].append(src)
        date = WL_DATE if row["source"] == "world-leaders-2021" else MINISTERS_DATE
        if date not in rec["as_of"]:
            rec["as_of"].append(date)
        if HEAD_RE.match(row["position"]) and not NOT_HEAD_RE.search(row["position"]):
            rec["heads"].add(fact)

    # disagreements: English labels that share no word
    conflicts: list[tuple[str, str]] = []
    for qid, seen in sorted(labels_seen.items(), key=lambda kv: int(kv[0][1:])):
        if qid in curated:
            seen = [*seen, ("curated", curated[qid])]
        base = tokens(seen[0][1])
        for _src, label in seen[1:]:
            if base and tokens(label) and not base & tokens(label):
                conflicts.append((qid, "; ".join(f"{s}: {lab}" for s, lab in seen)))
                break

    conflict_qids = {q for q, _ in conflicts}
    out_people = []
    dropped_nameless = 0
    for qid in sorted(people, key=lambda q: int(q[1:])):
        rec = people[qid]
        if qid in conflict_qids:
            continue
        rec["names"] = {lang: ns for lang, ns in rec["names"].items() if ns}
        # An older extract saw an office as current ("... 2005–") that a newer
        # one dates ("... 2005–2021"): keep the dated fact only.
        closed = {fact.rsplit("–", 1)[0] for fact in rec["held"] if not fact.endswith("–")}
        rec["held"] = [f for f in rec["held"] if not (f.endswith("–") and f[:-1] in closed)]

        # "President of United States 2017–2021" (a ministers table: position
        # + country) and "President of the United States 2017–2021"
        # (world-leaders) are one fact: keep the longer wording.
        def words(fact: str) -> tuple[set[str], str]:
            position, _, span = fact.rpartition(" ")
            return set(position.casefold().split()) - {"the"}, span

        rec["held"] = [
            f
            for f in rec["held"]
            if not any(
                g != f and words(g)[1] == words(f)[1] and words(f)[0] <= words(g)[0] and len(g) > len(f)
                for g in rec["held"]
            )
        ]
        rec["held"].sort(key=lambda f: (f.rpartition(" ")[2], f))
        heads = rec["heads"].intersection(rec["held"])
        if heads:
            in_office = any(f.endswith("–") for f in heads)
            rec["popularity"] = max(rec["popularity"], 100 if in_office else 60)
        if not rec["names"] and qid not in curated:
            dropped_nameless += 1
            continue
        if QID_RE.match(rec["label"]):
            rec["label"] = ""
        if rec["label"]:
            rec["names"].setdefault("en", [rec["label"]])
        elif qid in curated:
            rec["label"] = curated[qid]
        else:
            # Wikidata has no English label: the display label is the first
            # Arabic-script one (Iran's 11th Majlis, most Yemeni deputies).
            rec["label"] = next(iter(rec["names"].values()))[0]
        if rec["held"]:
            heads = [f for f in rec["held"] if f in rec["heads"]]
            rec["description"] = (heads or rec["held"])[-1]
        elif rec["houses"]:
            country, chamber = rec["houses"][0]
            where = country_label.get(rec["country"][0], country) if rec["country"] else country
            rec["description"] = f"politician, member of the {chamber} ({where})"
        elif rec["roles"] or rec["country"]:
            where = country_label.get(rec["country"][0], "") if rec["country"] else ""
            role = rec["roles"][0] if rec["roles"] else "politician"
            rec["description"] = f"{role} ({where})" if where else role
        if not rec["popularity"]:
            rec["popularity"] = 30
        checked = " + ".join(rec["sources"])
        out = {k: rec[k] for k in ("qid", "label", "type", "classes", "description", "names", "popularity")}
        out["alt_qids"] = []
        if rec["country"]:
            out["country"] = rec["country"]
        if rec["held"]:
            out["held"] = rec["held"]
        out["as_of"] = " ; ".join(sorted(set(rec["as_of"])))
        out["checked"] = checked
        out_people.append(out)

    # parties
    out_parties = []
    for row in read_tsv(SOURCES / "everypolitician_parties.tsv"):
        qid = row["qid"]
        if qid in NOT_ORGS:
            continue
        names: dict[str, list[str]] = {"en": [row["en"]]}
        for lang, value in row.items():
            if lang in ("qid", "en", "houses", "labels") or not value:
                continue
            name = clean_name(value, person=False)
            if name and not generic_party_name(name):
                names.setdefault(LANG_KEYS.get(lang, lang), []).append(name)
        if len(names) < 2:
            continue
        countries = []
        for house in row["houses"].split(" | "):
            folder = house.partition("/")[0]
            cq = by_iso.get(FOLDER_ISO.get(folder, ""), "") or by_name.get(folder.replace("_", " "), "")
            if cq and cq not in countries:
                countries.append(cq)
        where = country_label.get(countries[0], "") if countries else ""
        rec = {
            "qid": qid,
            "label": row["en"],
            "type": "org",
            "classes": [],
            "description": f"political party in {where}" if where else "political party",
            "names": names,
            "popularity": min(60, 20 + int(row["labels"] or 0) // 2),
            "alt_qids": [],
        }
        if countries:
            rec["country"] = countries
        rec["as_of"] = EP_DATE
        rec["checked"] = EP
        out_parties.append(rec)

    def dump(recs: list[dict]) -> str:
        return "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in recs)

    write_atomic(OUT_PEOPLE, dump(out_people))
    write_atomic(OUT_PARTIES, dump(out_parties))
    write_atomic(
        OUT_CONFLICTS,
        "# QIDs left out: their English labels in two sources share no word (generated by make_breadth.py)\n"
        "qid\tlabels\n" + "".join(f"{q}\t{labels}\n" for q, labels in conflicts),
    )
    print(
        f"wrote {_rel(OUT_PEOPLE)}: {len(out_people)} people; "
        f"{_rel(OUT_PARTIES)}: {len(out_parties)} parties; "
        f"{len(conflicts)} conflicts left out; "
        f"{dropped_nameless} office holders without an Arabic-script name"
    )
    return 0


if __name__ == "__main__":
    sys.exit(build())
