#!/usr/bin/env python3
"""Trim the public Wikidata extracts that the breadth gazetteer uses into
``gazetteers/sources/*.tsv``.

    python gazetteers/extract_sources.py MIRROR_DIR [everypolitician|offices|places ...]

MIRROR_DIR holds bare git copies of the repositories listed in ``REPOS``,
one per ``owner+name/repo`` directory (the layout of a plain
``git clone --mirror`` renamed, or of the search tool's fetch).  Every file is
read at the pinned commit, so a newer clone gives the same output; a missing
commit stops the script.  Only the columns namelink uses are kept, and only
rows that the later steps can use (see each writer).  The output files carry
their provenance (repository, commit, path) and licence in their header
comments, and are committed, so that ``make_breadth.py`` and
``build_default.py`` need nothing but this repository.

Deterministic: rows are sorted, and rerunning on the same commits writes
identical files.  Atomic: each file is written to a temporary file and
renamed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "sources"

EVERYPOLITICIAN = ("tijmenb/everypolitician-data", "0642e77ac8a13bcd8017b245825c3aba349d3e6a")
WORLD_LEADERS = ("every-politician-scrapers/world-leaders-2021", "be7039cf5952d8121c4f1e24eea64cc5dd465633")
# every-politician-scrapers/<country>-ministers: Wikidata office holders (html/holders21.csv,
# html/legislators.csv) and, for some, Wikidata extracts with local-language labels.
# value: (commit, country name as world-leaders-2021 spells it, language of its
# Arabic-script fallback labels)
MINISTERS = {
    "every-politician-scrapers/algeria-cabinet": (
        "a23de8549333fc55f861cc856d499acb9cd255de",
        "Algeria",
        "ar",
    ),
    "every-politician-scrapers/bahrain": ("d9163a148f80f34a6e043641de9adba473f576da", "Bahrain", "ar"),
    "every-politician-scrapers/egypt-ministers": ("f3820a30ce92a8557e3503202fed731e9d91275c", "Egypt", "ar"),
    "every-politician-scrapers/iran-ministers": ("a8e7c2fb16372b8b77a09303ae27d46a9ea21e67", "Iran", "fa"),
    "every-politician-scrapers/iraq-ministers": ("ab7f90c8298be91e36248b2ca5d7f268cee0b173", "Iraq", "ar"),
    "every-politician-scrapers/israel-ministers": ("81da8707e865df568c7ba8b0b89bf95e7ffd4ae1", "Israel", ""),
    "every-politician-scrapers/jordan-ministers": (
        "34bc64166cbe64a6a784a7b134f2fd55872fa5f7",
        "Jordan",
        "ar",
    ),
    "every-politician-scrapers/kuwait-ministers": (
        "e663bce8539370de83f3f06eecb0e8d4ec50b14e",
        "Kuwait",
        "ar",
    ),
    "every-politician-scrapers/morocco-ministers": (
        "b5246271b46859298b816869fd8c3ae7f658afd8",
        "Morocco",
        "ar",
    ),
    "every-politician-scrapers/oman": ("c736fb96b1acbd3f0c652b278222e43118015cdb", "Oman", "ar"),
    "every-politician-scrapers/pakistan-ministers": (
        "065accdb5d8d693e89c0bc559862c10f66d443d1",
        "Pakistan",
        "ur",
    ),
    "every-politician-scrapers/russia-cabinet": ("3871831d9846a16c5017acc229e003ab706202ab", "Russia", ""),
    "every-politician-scrapers/saudi-ministers": (
        "566c58806bee4d91167f3dcbd19abbb596e65497",
        "Saudi Arabia",
        "ar",
    ),
    "every-politician-scrapers/syria": ("08fddba7b3f3beef8ac10a7201ef1ff1cc7318af", "Syria", "ar"),
    "every-politician-scrapers/tunisia-ministers": (
        "6e35fc4e7f3d8c1f0bbb453d3b522177a7820dfe",
        "Tunisia",
        "ar",
    ),
    "every-politician-scrapers/turkey-ministers": ("288fbd45ee3fa59f8a226437bf43d726c9845f4f", "Turkey", ""),
    "every-politician-scrapers/uae-ministers": (
        "9478e53b0ada6f31a1877fddb499f33207efa368",
        "United Arab Emirates",
        "ar",
    ),
    "every-politician-scrapers/us-cabinet": (
        "0d5e73cb24ba9f78bc36f6cd0fbe9839e6cd8600",
        "United States of America",
        "",
    ),
    "every-politician-scrapers/sudan": ("bd56d436414d49f53c21baf0601962478a431ac2", "Sudan", "ar"),
    "every-politician-scrapers/mauritania": ("d3f467cdef94a4ec1525fbbb0444977df7af0ecc", "Mauritania", "ar"),
    "every-politician-scrapers/somalia-cabinet": (
        "7b5980d7c4b80241f31b9ceb82b601906656559b",
        "Somalia",
        "ar",
    ),
    "every-politician-scrapers/yemen": ("993e1a6176b9082c7053cd67ff59dc52ee71f71b", "Yemen", "ar"),
}
# Natural Earth 10m populated places (public domain; this GeoJSON conversion CC0),
# the 2017 version with Wikidata QIDs; countries-states-cities (ODbL 1.0), used
# only to cross-check those QIDs and for the QIDs of the UN M49 regions.
NATURAL_EARTH = ("martynafford/natural-earth-geojson", "0b9a6ceb0a7032713abd9460ac1e995a9c60cd1e")
CSC = ("dr5hn/countries-states-cities-database", "7fda0afd3e75391d9480c22ed3a2b91f50e08eb6")
# Natural Earth 5.x (converted 2022-05): its attribute tables (the shapefiles'
# DBF) as TSV, with the `wikidataid` and `name_ar`/`name_fa`/`name_ur` columns
# that Natural Earth took from Wikidata for each feature (4.1 and later; the
# GeoJSON copy above is 4.0, whose layers other than populated places have no
# QID, and none has Arabic-script names).  Its 10m populated places table is
# not in the snapshot (too large), so the 50m one is read.
NATURAL_EARTH_5 = ("Raysphere24/NaturalEarthCsvTsv", "7cc9ef2bd1e761f382238908066713be36dc30f0")
REPOS = dict([EVERYPOLITICIAN, WORLD_LEADERS, NATURAL_EARTH, NATURAL_EARTH_5, CSC]) | {
    repo: v[0] for repo, v in MINISTERS.items()
}

# Wikidata language codes whose default script is Arabic (everypolitician's
# name__<code> columns; be_x_old-style codes are mapped with "_" -> "-").
ARABIC_SCRIPT_LANGS = (
    "ar",
    "arz",
    "ary",
    "arq",
    "acm",
    "apc",
    "ajp",
    "fa",
    "ur",
    "ps",
    "ckb",
    "ug",
    "sd",
    "azb",
    "mzn",
    "glk",
    "lrc",
    "pnb",
    "ks",
    "bal",
    "bqi",
    "skr",
    "khw",
    "bgn",
    "ota",
    "ku-arab",
    "kk-arab",
)
QID_RE = re.compile(r"^Q[1-9][0-9]*$")
QID_IN_URL = re.compile(r"(Q[1-9][0-9]*)$")

LICENCE_WIKIDATA = (
    "Wikidata content, CC0 1.0 (these files are SPARQL extracts of Wikidata keyed by QID; "
    "the repository has no licence file of its own)"
)


class ExtractError(Exception):
    pass


class Mirror:
    def __init__(self, root: Path, repo: str, commit: str) -> None:
        self.repo = repo
        self.commit = commit
        self.git = root / repo.replace("/", "+") / "repo"
        if not self.git.exists():
            raise ExtractError(f"{self.git} is missing: clone {repo} there")
        ok = subprocess.run(
            ["git", "-C", str(self.git), "cat-file", "-e", f"{commit}^{{commit}}"], capture_output=True
        )
        if ok.returncode != 0:
            raise ExtractError(f"{repo}: commit {commit} is not in {self.git}")

    def files(self) -> list[str]:
        out = subprocess.run(
            ["git", "-C", str(self.git), "ls-tree", "-r", "--name-only", self.commit],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return sorted(out.splitlines())

    def history(self, path: str) -> list[str]:
        """The commits that changed ``path``, newest first, up to the pinned commit."""
        out = subprocess.run(
            ["git", "-C", str(self.git), "log", "--format=%H", self.commit, "--", path],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return out.split()

    def read(self, path: str, commit: str | None = None) -> str:
        res = subprocess.run(
            ["git", "-C", str(self.git), "show", f"{commit or self.commit}:{path}"], capture_output=True
        )
        if res.returncode != 0:
            raise ExtractError(f"{self.repo}@{self.commit[:7]}: cannot read {path}")
        return res.stdout.decode("utf-8")

    def csv(self, path: str, commit: str | None = None) -> list[dict[str, str]]:
        return list(csv.DictReader(io.StringIO(self.read(path, commit))))


def clean(cell: str | None) -> str:
    return " ".join((cell or "").replace("\t", " ").split())


def write_tsv(path: Path, header_lines: list[str], columns: list[str], rows: list[list[str]]) -> None:
    buf = io.StringIO()
    for line in header_lines:
        buf.write(f"# {line}\n")
    buf.write("\t".join(columns) + "\n")
    for row in rows:
        buf.write("\t".join(clean(c) for c in row) + "\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(buf.getvalue())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    print(f"wrote {path.relative_to(HERE.parent)}: {len(rows)} rows")


# ------------------------------------------------------------- everypolitician


def everypolitician(root: Path) -> None:
    """Legislators and parties of every legislature in the everypolitician data
    (2015 snapshot), with their Wikidata labels in Arabic-script languages.
    Keeps rows with at least one Arabic-script label; the cleaning (script
    check, bracketed disambiguators, single-word names) is make_breadth.py's."""
    m = Mirror(root, *EVERYPOLITICIAN)
    files = m.files()
    persons: dict[str, dict] = {}
    for path in files:
        if not path.endswith("sources/morph/wikidata.csv"):
            continue
        _, country, house = path.split("/")[:3]
        for row in m.csv(path):
            qid = (row.get("id") or "").strip()
            if not QID_RE.match(qid):
                continue
            names = {}
            for col, value in row.items():
                if col and col.startswith("name__") and clean(value):
                    lang = col[len("name__") :].replace("_", "-").lower()
                    if lang in ARABIC_SCRIPT_LANGS:
                        names[lang] = clean(value)
            if not names:
                continue
            wikis = sum(
                1
                for col, value in row.items()
                if col
                and col.startswith("wikipedia__")
                and clean(value)
                and not col.endswith(("wikiquote", "wikisource", "wikinews", "commons"))
                and col != "wikipedia__commons"
            )
            labels = sum(1 for col, value in row.items() if col and col.startswith("name__") and clean(value))
            rec = persons.setdefault(
                qid,
                {"en": "", "houses": [], "sitelinks": 0, "labels": 0, "names": {}},
            )
            rec["en"] = rec["en"] or clean(row.get("name__en")) or clean(row.get("name"))
            house_id = f"{country}/{house}"
            if house_id not in rec["houses"]:
                rec["houses"].append(house_id)
            rec["sitelinks"] = max(rec["sitelinks"], wikis)
            rec["labels"] = max(rec["labels"], labels)
            for lang, name in names.items():
                rec["names"].setdefault(lang, name)
    langs = sorted({lang for rec in persons.values() for lang in rec["names"]})
    rows = [
        [qid, rec["en"], " | ".join(rec["houses"]), str(rec["sitelinks"]), str(rec["labels"])]
        + [rec["names"].get(lang, "") for lang in langs]
        for qid, rec in sorted(persons.items(), key=lambda kv: int(kv[0][1:]))
    ]
    write_tsv(
        OUT / "everypolitician_persons.tsv",
        [
            "Legislators with a Wikidata label in an Arabic-script language, from the everypolitician data",
            f"source: {m.repo} @ {m.commit} (2015-11-30), data/<Country>/<House>/sources/morph/wikidata.csv",
            f"licence: {LICENCE_WIKIDATA}",
            "columns: qid, English label, houses (Country/House), Wikipedia sitelinks, number of labels, "
            "then one column per language (Wikidata label)",
            "generated by gazetteers/extract_sources.py; do not edit",
        ],
        ["qid", "en", "houses", "sitelinks", "labels", *langs],
        rows,
    )

    parties: dict[str, dict] = {}
    for path in files:
        if not path.endswith("sources/wikidata/groups.json"):
            continue
        _, country, house = path.split("/")[:3]
        data = json.loads(m.read(path))
        for group in data.values() if isinstance(data, dict) else data:
            qids = [
                i.get("identifier", "")
                for i in group.get("identifiers", [])
                if i.get("scheme") == "wikidata" and QID_RE.match(i.get("identifier", ""))
            ]
            if len(qids) != 1:
                continue
            names: dict[str, str] = {}
            en = ""
            for other in group.get("other_names", []):
                lang = (other.get("lang") or "").replace("_", "-").lower()
                name = clean(other.get("name"))
                if not name:
                    continue
                if lang == "en":
                    en = name
                elif lang in ARABIC_SCRIPT_LANGS:
                    names.setdefault(lang, name)
            if not names or not en:
                continue
            rec = parties.setdefault(qids[0], {"en": en, "houses": [], "labels": 0, "names": {}})
            house_id = f"{country}/{house}"
            if house_id not in rec["houses"]:
                rec["houses"].append(house_id)
            rec["labels"] = max(rec["labels"], len(group.get("other_names", [])))
            for lang, name in names.items():
                rec["names"].setdefault(lang, name)
    langs = sorted({lang for rec in parties.values() for lang in rec["names"]})
    rows = [
        [qid, rec["en"], " | ".join(rec["houses"]), str(rec["labels"])]
        + [rec["names"].get(lang, "") for lang in langs]
        for qid, rec in sorted(parties.items(), key=lambda kv: int(kv[0][1:]))
    ]
    write_tsv(
        OUT / "everypolitician_parties.tsv",
        [
            "Parties and parliamentary groups with a Wikidata label in an Arabic-script language, "
            "from the everypolitician data",
            f"source: {m.repo} @ {m.commit} (2015-11-30), "
            "data/<Country>/<House>/sources/wikidata/groups.json",
            f"licence: {LICENCE_WIKIDATA}",
            "columns: qid, English label, houses, number of labels, then one column per language",
            "generated by gazetteers/extract_sources.py; do not edit",
        ],
        ["qid", "en", "houses", "labels", *langs],
        rows,
    )


# --------------------------------------------------------------- office holders

# Offices kept as `held` facts: heads of state and of government, foreign
# ministers and speakers (English position labels as the sources write them).
OFFICE_RE = re.compile(
    r"^(president|prime minister|king|queen|emir|amir|sultan|supreme leader|monarch|chancellor|"
    r"federal chancellor|crown prince|head of state|chairman of the presidential|"
    r"minister of foreign affairs|federal minister of foreign affairs|foreign minister|"
    r"minister for foreign affairs|secretary of state|speaker|vice president|deputy prime minister|"
    r"first deputy prime minister|taoiseach|member of the governing council)\b",
    re.IGNORECASE,
)


def offices(root: Path) -> None:
    wl = Mirror(root, *WORLD_LEADERS)
    country_qid: dict[str, str] = {}
    rows: list[list[str]] = []
    # Every version of data/wikidata.csv up to the pinned commit (2021-08 to
    # 2022-10): an office holder who left office in that time is only in the
    # older versions.  The newest version's row (and label) wins.
    seen: dict[tuple[str, ...], list[str]] = {}
    pinned: set[tuple[str, ...]] = set()
    for commit in wl.history("data/wikidata.csv"):
        for row in wl.csv("data/wikidata.csv", commit):
            if "countryid" not in row:  # the first version had other column names
                continue
            cq, pq, person = row["countryid"].strip(), row["position"].strip(), row["officeholder"].strip()
            if not (QID_RE.match(cq) and QID_RE.match(pq) and QID_RE.match(person)):
                continue
            position, start, end = (
                clean(row["positionLabel"]),
                clean(row["start_year"]),
                clean(row["end_year"]),
            )
            # Older versions matched generic positions ("emir", "military
            # leader") and list holders from the 9th century: keep the
            # national offices ("President of ...") held since 1900.
            if (
                (" of " not in position and position != "Taoiseach")
                or not start.isdigit()
                or int(start) < 1900
            ):
                continue
            country_qid.setdefault(row["country"].strip(), cq)
            label = clean(row["officeholderLabel"])
            if QID_RE.match(label):  # the extract had no English label
                label = ""
            key = (person, position, pq, cq, start, end)
            if key not in seen:
                seen[key] = [person, label, position, pq, cq, start, end, "world-leaders-2021"]
            if commit == wl.commit:
                pinned.add(key)
    # A row that only an older version has counts when that version dates its
    # end (the holder left office, and the extract said so): rows that vanish
    # while still "in office" are Wikidata vandalism or mistakes that were
    # removed (a German actor was "President of East Timor" for a month).
    rows += [row for key, row in seen.items() if key in pinned or row[6]]
    for repo, (commit, country, _lang) in sorted(MINISTERS.items()):
        m = Mirror(root, repo, commit)
        cq = country_qid.get(country, "")
        short = repo.split("/")[1]
        have = set(m.files())
        for path in ("html/holders21.csv", "html/legislators.csv"):
            if path not in have:
                continue
            for row in m.csv(path):
                person = (row.get("personID") or "").strip()
                position = clean(row.get("position"))
                if not QID_RE.match(person) or not OFFICE_RE.match(position):
                    continue
                rows.append(
                    [
                        person,
                        clean(row.get("person")),
                        position,
                        "",
                        cq,
                        row.get("start", ""),
                        row.get("end", ""),
                        short,
                    ]
                )
    rows = sorted(
        {tuple(clean(c) for c in r) for r in rows}, key=lambda r: (int(r[0][1:]), r[4], r[5], r[2], r[7], r)
    )
    write_tsv(
        OUT / "office_holders.tsv",
        [
            "Holders of national offices (heads of state and government, foreign ministers, speakers, "
            "vice presidents), as Wikidata dated them",
            f"source: {wl.repo} @ {wl.commit} (2022-10-10), data/wikidata.csv, "
            "every version since 2021-08-26",
            "source: every-politician-scrapers/<country>-ministers html/holders21.csv and "
            "html/legislators.csv, commits pinned in gazetteers/extract_sources.py (2022-07 to 2023-01)",
            f"licence: {LICENCE_WIKIDATA}",
            "columns: person QID, person label (English, or the fallback label Wikidata gave), "
            "position label, position QID (world-leaders only), country QID, start, "
            "end (empty: in office when extracted), source",
            "generated by gazetteers/extract_sources.py; do not edit",
        ],
        ["qid", "label", "position", "position_qid", "country", "start", "end", "source"],
        [list(r) for r in rows],
    )

    # Arabic-script labels of people that the ministers repositories carry:
    # Wikidata extracts with the local-language label (itemLabel), and the
    # holders/legislators tables, whose label falls back to the local language
    # when Wikidata has no English one.
    labels: set[tuple[str, ...]] = set()
    arabic = re.compile(r"[\u0600-\u06FF]")
    for repo, (commit, country, lang) in sorted(MINISTERS.items()):
        if not lang:
            continue
        m = Mirror(root, repo, commit)
        short = repo.split("/")[1]
        for path in m.files():
            if not path.endswith(".csv") or path.endswith(("diff.csv", "scraped.csv")):
                continue
            if not (path.startswith("html/") or path.endswith("/wikidata.csv")):
                continue
            for row in m.csv(path):
                qid = (row.get("personID") or row.get("item") or row.get("id") or "").strip()
                match = QID_IN_URL.search(qid)
                qid = match.group(1) if match else ""
                name = clean(row.get("person") or row.get("itemLabel") or row.get("name"))
                if QID_RE.match(qid) and name and arabic.search(name):
                    # what the file says the person was: its position column, or
                    # the office its folder is named for (sources/wpoffice/<office>/)
                    role = clean(row.get("position"))
                    if not role and path.endswith("/wikidata.csv"):
                        folder = path.split("/")[-2]
                        if folder == "assembly-11":
                            role = "member of the 11th Islamic Consultative Assembly"
                        else:
                            role = folder.removesuffix("-arwiki").replace("-", " ")
                    labels.add((qid, lang, name, country_qid.get(country, ""), role, f"{short}:{path}"))
    write_tsv(
        OUT / "ministers_local_labels.tsv",
        [
            "Arabic-script Wikidata labels of office holders and legislators, from the "
            "every-politician-scrapers ministers repositories (the label language is the country's: "
            "fa for Iran, ur for Pakistan, ar otherwise)",
            "source: every-politician-scrapers/<country>-ministers, "
            "commits pinned in gazetteers/extract_sources.py",
            f"licence: {LICENCE_WIKIDATA}",
            "columns: qid, language, label, country QID, role (the file's position column or the office "
            "its folder is named for), file",
            "generated by gazetteers/extract_sources.py; do not edit",
        ],
        ["qid", "lang", "name", "country", "role", "file"],
        [list(r) for r in sorted(labels, key=lambda r: (int(r[0][1:]), *r[1:]))],
    )


# ----------------------------------------------------------------------- places


# The Natural Earth 5 layers read by geography(): (layer, path in the repository).
GEOGRAPHY_LAYERS = (
    ("populated_places", "tsv_with_names/50m_cultural/ne_50m_populated_places.tsv"),
    ("admin_1", "tsv_with_names/10m_cultural/ne_10m_admin_1_states_provinces.tsv"),
    ("marine", "tsv_with_names/10m_physical/ne_10m_geography_marine_polys.tsv"),
    ("regions", "tsv_with_names/10m_physical/ne_10m_geography_regions_polys.tsv"),
    ("region_points", "tsv_with_names/10m_physical/ne_10m_geography_regions_points.tsv"),
    ("elevation_points", "tsv_with_names/10m_physical/ne_10m_geography_regions_elevation_points.tsv"),
    ("rivers", "tsv_with_names/10m_physical/ne_10m_rivers_lake_centerlines.tsv"),
    ("lakes", "tsv_with_names/10m_physical/ne_10m_lakes.tsv"),
)
GEOGRAPHY_COLUMNS = [
    "layer",
    "qid",
    "featurecla",
    "name",
    "name_en",
    "country",
    "iso_a2",
    "iso_3166_2",
    "type_en",
    "region",
    "subregion",
    "scalerank",
    "min_label",
    "pop_max",
    "capital",
    "lat",
    "lon",
    "ar",
    "fa",
    "ur",
]


def _number(cell: str | None, fmt: str) -> str:
    try:
        return format(float(cell or ""), fmt)
    except ValueError:
        return ""


def geography(root: Path) -> set[str]:
    """Natural Earth 5's features that have a QID, from the layers of
    ``GEOGRAPHY_LAYERS``: the columns make_geography.py uses.  A river of many
    segments (rows) is one row here: the lowest scalerank, then the first
    row in the file's order.  Returns the QIDs of the populated places."""
    ne = Mirror(root, *NATURAL_EARTH_5)
    rows: list[list[str]] = []
    for layer, path in GEOGRAPHY_LAYERS:
        lines = ne.read(path).split("\n")
        table = csv.DictReader(
            [line.rstrip("\r") for line in lines if line], delimiter="\t", quoting=csv.QUOTE_NONE
        )
        best: dict[str, tuple[int, int, list[str]]] = {}
        for i, raw in enumerate(table):
            p = {k.lower(): (v or "") for k, v in raw.items() if k}
            qid = p.get("wikidataid", "").strip()
            if not QID_RE.match(qid):
                continue
            names = [p.get("name_ar", ""), p.get("name_fa", ""), p.get("name_ur", "")]
            if not any(n.strip() for n in names):
                continue
            rank = _number(p.get("scalerank"), ".0f")
            row = [
                layer,
                qid,
                p.get("featurecla", ""),
                p.get("name", ""),
                p.get("name_en", ""),
                p.get("adm0name") or p.get("admin") or p.get("nation1") or "",
                p.get("iso_a2", ""),
                p.get("iso_3166_2", ""),
                p.get("type_en", ""),
                p.get("region", ""),
                p.get("subregion", ""),
                rank,
                _number(p.get("min_label"), ".1f"),
                _number(p.get("pop_max"), ".0f") if layer == "populated_places" else "",
                _number(p.get("adm0cap"), ".0f") if layer == "populated_places" else "",
                _number(p.get("latitude") or p.get("lat_y"), ".4f"),
                _number(p.get("longitude") or p.get("long_x"), ".4f"),
                *names,
            ]
            key = (int(rank) if rank else 99, i)
            if qid not in best or key < best[qid][:2]:
                best[qid] = (*key, row)
        rows += [v[2] for v in best.values()]
    order = {layer: i for i, (layer, _) in enumerate(GEOGRAPHY_LAYERS)}
    rows.sort(key=lambda r: (order[r[0]], int(r[1][1:])))
    write_tsv(
        OUT / "naturalearth_geography.tsv",
        [
            "Natural Earth 5 features with a Wikidata QID and an Arabic-script name: populated places (50m), "
            "admin-1 states and provinces, marine areas, physical regions, region and elevation points, "
            "rivers and lake centerlines, lakes (10m); the QID and the names are Natural Earth's "
            "(wikidataid, name_ar, name_fa, name_ur, taken from Wikidata by Natural Earth)",
            f"source: {ne.repo} @ {ne.commit} (2022-05-10), "
            + ", ".join(path for _, path in GEOGRAPHY_LAYERS),
            "licence: Natural Earth is public domain; the TSV conversion is a mechanical copy of its DBF "
            "attribute tables (that repository states no licence of its own)",
            "columns: layer, wikidataid, featurecla, name, name_en, country (ADM0NAME / admin / nation1), "
            "iso_a2, iso_3166_2, type_en, region, subregion, scalerank, min_label, pop_max, adm0cap, "
            "latitude, longitude, name_ar, name_fa, name_ur; one row per layer and QID "
            "(the lowest scalerank)",
            "generated by gazetteers/extract_sources.py; do not edit",
        ],
        GEOGRAPHY_COLUMNS,
        rows,
    )
    return {r[1] for r in rows if r[0] == "populated_places"}


def places(root: Path, more_qids: set[str] = frozenset()) -> None:
    """Natural Earth's populated places that have a QID (the columns make_places.py
    uses), and the countries-states-cities rows with the same QIDs or with one
    of ``more_qids`` (for the cross-check), and its UN M49 regions."""
    ne = Mirror(root, *NATURAL_EARTH)
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "places.7z"
        archive.write_bytes(
            subprocess.run(
                ["git", "-C", str(ne.git), "show", f"{ne.commit}:10m/cultural/ne_10m_populated_places.7z"],
                capture_output=True,
                check=True,
            ).stdout
        )
        try:
            subprocess.run(["7z", "x", "-y", f"-o{tmp}", str(archive)], capture_output=True, check=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            raise ExtractError(
                f"cannot unpack {archive.name} with 7z (apt-get install p7zip-full): {exc}"
            ) from None
        features = json.loads((Path(tmp) / "ne_10m_populated_places.json").read_text(encoding="utf-8"))[
            "features"
        ]
    rows = []
    for feature in features:
        p = feature["properties"]
        qid = (p.get("wikidataid") or "").strip()
        if not QID_RE.match(qid):
            continue
        rows.append(
            [
                qid,
                p.get("NAME") or "",
                p.get("NAMEASCII") or "",
                p.get("NAME_EN") or "",
                p.get("ISO_A2") or "",
                p.get("ADM0NAME") or "",
                p.get("FEATURECLA") or "",
                str(int(p.get("POP_MAX") or 0)),
                p.get("TIMEZONE") or "",
                f"{float(p.get('LATITUDE') or 0):.4f}",
                f"{float(p.get('LONGITUDE') or 0):.4f}",
            ]
        )
    rows.sort(key=lambda r: (int(r[0][1:]), r[1]))
    write_tsv(
        OUT / "naturalearth_places.tsv",
        [
            "Natural Earth 10m populated places with a Wikidata QID (Natural Earth v4.0, 2017)",
            f"source: {ne.repo} @ {ne.commit} (2024-01-24), 10m/cultural/ne_10m_populated_places.7z",
            "licence: Natural Earth is public domain; this GeoJSON conversion is CC0 1.0",
            "columns: qid, NAME, NAMEASCII, NAME_EN, ISO_A2, ADM0NAME, FEATURECLA, POP_MAX, TIMEZONE, "
            "LATITUDE, LONGITUDE",
            "generated by gazetteers/extract_sources.py; do not edit",
        ],
        [
            "qid",
            "name",
            "nameascii",
            "name_en",
            "iso_a2",
            "country",
            "featurecla",
            "pop_max",
            "timezone",
            "lat",
            "lon",
        ],
        rows,
    )

    wanted = {r[0] for r in rows} | set(more_qids)
    csc = Mirror(root, *CSC)
    found = []
    for path in csc.files():
        if not (path.startswith("contributions/cities/") and path.endswith(".json")):
            continue
        try:
            cities = json.loads(csc.read(path))
        except (ExtractError, json.JSONDecodeError):
            continue  # files over the snapshot's size limit are absent
        for city in cities:
            qid = (city.get("wikiDataId") or "").strip()
            if qid in wanted:
                found.append(
                    [
                        qid,
                        city.get("name") or "",
                        city.get("country_code") or "",
                        f"{float(city.get('latitude') or 0):.4f}",
                        f"{float(city.get('longitude') or 0):.4f}",
                    ]
                )
    found.sort(key=lambda r: (int(r[0][1:]), r[1], r[2]))
    regions = []
    for path in ("json/regions.json", "json/subregions.json"):
        for region in json.loads(csc.read(path)):
            qid = (region.get("wikiDataId") or "").strip()
            if QID_RE.match(qid):
                regions.append([qid, region.get("name") or "", path.split("/")[1].removesuffix(".json")])
    header = [
        f"source: {csc.repo} @ {csc.commit} (2026-08-08)",
        "licence: Open Database License (ODbL) 1.0, countries-states-cities-database by dr5hn "
        "(https://github.com/dr5hn/countries-states-cities-database); "
        "this extract is shared under the same licence",
    ]
    write_tsv(
        OUT / "csc_cities.tsv",
        [
            "countries-states-cities: the cities whose wikiDataId is a QID of naturalearth_places.tsv "
            "or of a populated place of naturalearth_geography.tsv (used to cross-check Natural Earth's "
            "QIDs: same QID, same country, within 50 km)",
            header[0]
            + ", contributions/cities/<CC>.json (files of 4 MB and more are absent from the snapshot)",
            header[1],
            "columns: qid, name, country code, latitude, longitude",
            "generated by gazetteers/extract_sources.py; do not edit",
        ],
        ["qid", "name", "iso_a2", "lat", "lon"],
        found,
    )
    write_tsv(
        OUT / "csc_regions.tsv",
        [
            "countries-states-cities: continents and UN M49 subregions with their Wikidata QIDs",
            header[0] + ", json/regions.json and json/subregions.json",
            header[1],
            "columns: qid, English name, file",
            "generated by gazetteers/extract_sources.py; do not edit",
        ],
        ["qid", "name", "kind"],
        sorted(regions, key=lambda r: int(r[0][1:])),
    )


PARTS = ("everypolitician", "offices", "places")


def main(argv: list[str]) -> int:
    parts = argv[2:] or list(PARTS)
    if len(argv) < 2 or not set(parts) <= set(PARTS):
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    root = Path(argv[1])
    try:
        if "everypolitician" in parts:
            everypolitician(root)
        if "offices" in parts:
            offices(root)
        if "places" in parts:  # Natural Earth, countries-states-cities
            places(root, geography(root))
    except ExtractError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
