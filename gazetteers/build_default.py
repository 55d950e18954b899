#!/usr/bin/env python3
"""Assemble namelink's default gazetteer from the sources in ``gazetteers/``.

    python gazetteers/build_default.py

Inputs:
  gazetteers/generated/countries.jsonl   (made by gazetteers/make_countries.py)
  gazetteers/generated/people.jsonl      (made by gazetteers/make_breadth.py)
  gazetteers/generated/parties.jsonl     (made by gazetteers/make_breadth.py)
  gazetteers/curated/*.tsv               (hand-curated, format in gazetteers/README.md)

Outputs (written atomically, byte-identical for identical inputs and date):
  namelink/data/default/entities.jsonl   one entity per line, sorted by QID number
  namelink/data/default/manifest.json    sources, date, counts, versions, licences

Records with the same QID (across files or within one) are merged: names are
unioned per language in first-seen order, popularity is the maximum, label and
description are the first non-empty ones (curated files are read before the
generated countries, so hand-written labels and descriptions win), classes and
alt_qids are unioned.
A record whose QID is another record's alternative QID (``alt_qids``) is merged
into that record.  The same QID with two different types is an error.

The build date is taken from SOURCE_DATE_EPOCH when set (reproducible builds),
otherwise it is today's date (UTC).

Exit status 1, with a message naming the file and line, on any invalid input.
"""

from __future__ import annotations

import ast
import datetime as _dt
import json
import os
import re
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
COUNTRIES = HERE / "generated" / "countries.jsonl"
# Generated from the Wikidata extracts in gazetteers/sources/ by make_breadth.py.
BREADTH = (
    HERE / "generated" / "people.jsonl",
    HERE / "generated" / "parties.jsonl",
    HERE / "generated" / "places.jsonl",  # by make_places.py
    HERE / "generated" / "geography.jsonl",  # by make_geography.py
)
CURATED = HERE / "curated"
OUT_DIR = ROOT / "namelink" / "data" / "default"
FORMAT = 1

QID_RE = re.compile(r"^Q[1-9][0-9]*$")
LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
TYPES = ("person", "place", "org", "other")
FIXED_COLUMNS = ("qid", "label", "type", "classes", "description", "popularity", "as_of", "checked")
CORE_FIELDS = ("qid", "label", "type", "classes", "description", "names", "popularity", "alt_qids")

LICENCES = {
    "wikidata": "Wikidata facts (QIDs, labels, descriptions): CC0 1.0",
    "cldr": "CLDR territory names via babel: Unicode License v3",
    "iso-codes": "ISO 3166 names and translations via pycountry (Debian iso-codes): LGPL-2.1-or-later",
    "rigour": "territory list, QIDs and alias names via rigour (OpenSanctions): MIT",
    "curated": "hand-curated names in gazetteers/curated/*.tsv: same licence as namelink",
    "everypolitician": "legislators and parties: Wikidata extracts in tijmenb/everypolitician-data "
    "(fork of everypolitician/everypolitician-data, 2015-11-30): Wikidata content, CC0 1.0",
    "natural-earth": "QIDs and Arabic-script names of cities, subdivisions and physical features: "
    "Natural Earth (public domain)",
    "countries-states-cities": "QID cross-check for cities, region QIDs: "
    "dr5hn/countries-states-cities-database, ODbL 1.0",
    "every-politician-scrapers": "office holders and their labels: Wikidata extracts in "
    "every-politician-scrapers/world-leaders-2021 and <country>-ministers (2022-07 to 2023-01): "
    "Wikidata content, CC0 1.0",
}
MAKERS = {
    "people.jsonl": "make_breadth.py",
    "parties.jsonl": "make_breadth.py",
    "places.jsonl": "make_places.py",
    "geography.jsonl": "make_geography.py",
}
# Natural Earth 4.0's populated places: the cities' QIDs (places.jsonl) and their
# cross-check (geography.jsonl).
NATURAL_EARTH_4 = {
    "repo": "martynafford/natural-earth-geojson (Natural Earth v4.0 populated places)",
    "commit": "0b9a6ceb0a7032713abd9460ac1e995a9c60cd1e",
    "date": "2024-01-24 (data of 2017)",
    "files": "10m/cultural/ne_10m_populated_places.7z",
    "licence": "Natural Earth: public domain; this conversion: CC0 1.0",
}
# Where each generated file comes from (upstream repository, commit, date, licence),
# copied into the manifest so that `namelink gazetteer info` can show it.
UPSTREAM = {
    "people.jsonl": [
        {
            "repo": "tijmenb/everypolitician-data",
            "commit": "0642e77ac8a13bcd8017b245825c3aba349d3e6a",
            "date": "2015-11-30",
            "files": "data/<Country>/<House>/sources/morph/wikidata.csv",
            "licence": "Wikidata content, CC0 1.0",
        },
        {
            "repo": "every-politician-scrapers/world-leaders-2021",
            "commit": "be7039cf5952d8121c4f1e24eea64cc5dd465633",
            "date": "2022-10-10",
            "files": "data/wikidata.csv",
            "licence": "Wikidata content, CC0 1.0",
        },
        {
            "repo": "every-politician-scrapers/<country>-ministers (19 repositories)",
            "commit": "pinned per repository in gazetteers/extract_sources.py",
            "date": "2022-07-23 to 2023-01-13",
            "files": "html/holders21.csv, html/legislators.csv, sources/*/wikidata.csv",
            "licence": "Wikidata content, CC0 1.0",
        },
    ],
    "places.jsonl": [
        NATURAL_EARTH_4,
        {
            "repo": "dr5hn/countries-states-cities-database",
            "commit": "7fda0afd3e75391d9480c22ed3a2b91f50e08eb6",
            "date": "2026-08-08",
            "files": "contributions/cities/*.json, json/regions.json, json/subregions.json",
            "licence": "ODbL 1.0 (QID cross-check and region QIDs; extract kept in gazetteers/sources/)",
        },
        {
            "repo": "CLDR via babel",
            "commit": "babel 2.19.0",
            "date": "2026",
            "files": "exemplar cities of time zones, M49 region names",
            "licence": "Unicode License v3",
        },
    ],
    "geography.jsonl": [
        {
            "repo": "Raysphere24/NaturalEarthCsvTsv (Natural Earth 5 attribute tables as TSV)",
            "commit": "7cc9ef2bd1e761f382238908066713be36dc30f0",
            "date": "2022-05-10",
            "files": "tsv_with_names/50m_cultural/ne_50m_populated_places.tsv, "
            "tsv_with_names/10m_cultural/ne_10m_admin_1_states_provinces.tsv, "
            "tsv_with_names/10m_physical/ne_10m_{geography_marine_polys,geography_regions_polys,"
            "geography_regions_points,geography_regions_elevation_points,rivers_lake_centerlines,lakes}.tsv",
            "licence": "Natural Earth: public domain (the conversion states no licence of its own)",
        },
        NATURAL_EARTH_4,
        {
            "repo": "dr5hn/countries-states-cities-database",
            "commit": "7fda0afd3e75391d9480c22ed3a2b91f50e08eb6",
            "date": "2026-08-08",
            "files": "contributions/cities/*.json",
            "licence": "ODbL 1.0 (QID cross-check only; extract kept in gazetteers/sources/)",
        },
    ],
    "parties.jsonl": [
        {
            "repo": "tijmenb/everypolitician-data",
            "commit": "0642e77ac8a13bcd8017b245825c3aba349d3e6a",
            "date": "2015-11-30",
            "files": "data/<Country>/<House>/sources/wikidata/groups.json",
            "licence": "Wikidata content, CC0 1.0",
        },
    ],
}
COUNTRIES_SCRIPT = HERE / "make_countries.py"


class BuildError(Exception):
    pass


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|") if part.strip()]


# ------------------------------------------------------------------ validation


def validate(rec: dict, where: str, complete: bool = True) -> None:
    """Check one record.  complete=False (a single input row that may still be
    merged with others) skips the label and at-least-one-name checks."""

    def fail(msg: str) -> None:
        raise BuildError(f"{where}: {msg}")

    qid = rec.get("qid")
    if not isinstance(qid, str) or not QID_RE.match(qid):
        fail(f"bad qid {qid!r} (expected Q followed by digits, no leading zero)")
    if rec.get("type") not in TYPES:
        fail(f"{qid}: bad type {rec.get('type')!r} (expected one of {', '.join(TYPES)})")
    label = rec.get("label")
    if not isinstance(label, str):
        fail(f"{qid}: label is not a string")
    if complete and not label.strip():
        fail(f"{qid}: empty label")
    for field in ("label", "description"):
        value = rec.get(field) or ""
        if not isinstance(value, str):
            fail(f"{qid}: {field} is not a string")
        if "\t" in value or "\n" in value or "\r" in value:
            fail(f"{qid}: tab or newline in {field}")
    pop = rec.get("popularity")
    if not isinstance(pop, int) or isinstance(pop, bool) or pop < 0:
        fail(f"{qid}: popularity must be a non-negative integer, got {pop!r}")
    for field in ("classes", "alt_qids"):
        values = rec.get(field)
        if not isinstance(values, list):
            fail(f"{qid}: {field} must be a list")
        for v in values:
            if not isinstance(v, str) or not QID_RE.match(v):
                fail(f"{qid}: bad QID {v!r} in {field}")
    names = rec.get("names")
    if not isinstance(names, dict):
        fail(f"{qid}: names must be an object of language -> list of names")
    count = 0
    for lang, ns in names.items():
        if not isinstance(lang, str) or not (LANG_RE.match(lang) or lang == "und"):
            fail(f"{qid}: bad language code {lang!r}")
        if not isinstance(ns, list):
            fail(f"{qid}: names[{lang!r}] must be a list")
        for n in ns:
            if not isinstance(n, str) or not n.strip():
                fail(f"{qid}: empty name in {lang}")
            if "\t" in n or "\n" in n or "\r" in n:
                fail(f"{qid}: tab or newline in {lang} name {n!r}")
            if n != n.strip():
                fail(f"{qid}: leading/trailing space in {lang} name {n!r}")
            count += 1
    if complete and count == 0:
        fail(f"{qid}: no names")


# --------------------------------------------------------------------- readers


def read_jsonl(path: Path) -> list[tuple[dict, str]]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            where = f"{_rel(path)}:{lineno}"
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BuildError(f"{where}: invalid JSON ({exc.msg})") from None
            if not isinstance(rec, dict):
                raise BuildError(f"{where}: not a JSON object")
            rec.setdefault("classes", [])
            rec.setdefault("alt_qids", [])
            rec.setdefault("description", "")
            # drop empty languages / names, as for the TSVs
            names = rec.get("names")
            if isinstance(names, dict):
                rec["names"] = {
                    lang: [n for n in ns if isinstance(n, str) and n.strip()] if isinstance(ns, list) else ns
                    for lang, ns in names.items()
                }
                rec["names"] = {k: v for k, v in rec["names"].items() if v != []}
            validate(rec, where, complete=False)
            out.append((rec, where))
    return out


def read_tsv(path: Path) -> tuple[list[tuple[dict, str]], str]:
    """Return records and the file's first comment line (its title)."""
    out = []
    header: list[str] | None = None
    title = ""
    with open(path, encoding="utf-8", newline="") as fh:
        text = fh.read()
    if text.startswith("\ufeff"):
        text = text[1:]
    for lineno, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        where = f"{_rel(path)}:{lineno}"
        if line.startswith("#"):
            if header is None and not title:
                title = line.lstrip("#").strip()
            continue
        if not line.strip():
            continue
        cells = line.split("\t")
        if header is None:
            header = [c.strip() for c in cells]
            missing = [c for c in FIXED_COLUMNS if c not in header]
            if missing:
                raise BuildError(f"{where}: header lacks column(s) {', '.join(missing)}")
            dupes = {c for c in header if header.count(c) > 1}
            if dupes:
                raise BuildError(f"{where}: duplicate column(s) {', '.join(sorted(dupes))}")
            for col in header:
                if col not in FIXED_COLUMNS and col != "alt_qids" and not LANG_RE.match(col) and col != "und":
                    raise BuildError(f"{where}: column {col!r} is neither a known field nor a language code")
            continue
        if len(cells) > len(header):
            raise BuildError(
                f"{where}: {len(cells)} cells but the header has {len(header)} columns (a stray tab?)"
            )
        cells += [""] * (len(header) - len(cells))
        row = dict(zip(header, cells, strict=True))
        pop_text = row["popularity"].strip()
        try:
            popularity = int(pop_text)
        except ValueError:
            raise BuildError(
                f"{where}: {row['qid'].strip() or 'row'}: popularity {pop_text!r} is not an integer"
            ) from None
        names: dict[str, list[str]] = {}
        for col in header:
            if col in FIXED_COLUMNS or col == "alt_qids":
                continue
            ns = []
            for n in _split(row[col]):
                if n not in ns:
                    ns.append(n)
            if ns:
                names[col] = ns
        rec = {
            "qid": row["qid"].strip(),
            "label": row["label"].strip(),
            "type": row["type"].strip(),
            "classes": _split(row["classes"]),
            "description": row["description"].strip(),
            "names": names,
            "popularity": popularity,
            "alt_qids": _split(row.get("alt_qids", "")),
        }
        if row["as_of"].strip():
            rec["as_of"] = row["as_of"].strip()
        if row["checked"].strip():
            rec["checked"] = row["checked"].strip()
        validate(rec, where, complete=False)
        out.append((rec, where))
    if header is None:
        raise BuildError(f"{_rel(path)}: no header line")
    return out, title


# ----------------------------------------------------------------------- merge


def _union(into: list, values: list) -> None:
    for v in values:
        if v not in into:
            into.append(v)


def merge_into(base: dict, rec: dict) -> None:
    for lang, ns in rec["names"].items():
        _union(base["names"].setdefault(lang, []), ns)
    base["popularity"] = max(base["popularity"], rec["popularity"])
    if not base["label"] and rec["label"]:
        base["label"] = rec["label"]
    if not base.get("description") and rec.get("description"):
        base["description"] = rec["description"]
    _union(base["classes"], rec["classes"])
    _union(base["alt_qids"], [a for a in rec["alt_qids"] if a != base["qid"]])
    if rec["qid"] != base["qid"]:
        _union(base["alt_qids"], [rec["qid"]])
    for key, value in rec.items():
        if key in CORE_FIELDS:
            continue
        if key not in base or base[key] in ("", None):
            base[key] = value
        elif key in ("checked", "as_of") and value and value not in base[key].split(" ; "):
            base[key] = f"{base[key]} ; {value}"
        elif isinstance(base[key], list) and isinstance(value, list):
            _union(base[key], value)  # held, country


def _copy(rec: dict) -> dict:
    out = dict(rec)
    out["names"] = {lang: list(ns) for lang, ns in rec["names"].items()}
    out["classes"] = list(rec["classes"])
    out["alt_qids"] = [a for a in rec["alt_qids"] if a != rec["qid"]]
    return out


def merge(records: list[tuple[dict, str]]) -> tuple[dict[str, dict], dict[str, list[str]], list[str]]:
    """Merge records by QID; return entities, the input lines of each, and notes."""
    notes: list[str] = []
    merged: dict[str, dict] = {}
    first_where: dict[str, str] = {}
    lines: dict[str, list[str]] = {}
    for rec, where in records:
        qid = rec["qid"]
        if qid not in merged:
            merged[qid] = _copy(rec)
            first_where[qid] = where
            lines[qid] = [where]
            continue
        lines[qid].append(where)
        base = merged[qid]
        if base["type"] != rec["type"]:
            raise BuildError(
                f"{qid} has type {base['type']!r} at {first_where[qid]} and type {rec['type']!r} at {where}"
            )
        merge_into(base, rec)

    # a record whose QID is another record's alternative QID is the same entity
    owner: dict[str, str] = {}
    for qid in sorted(merged, key=lambda q: int(q[1:])):
        for alt in merged[qid]["alt_qids"]:
            if alt in owner and owner[alt] != qid:
                raise BuildError(
                    f"alternative QID {alt} is claimed by both {owner[alt]} "
                    f"({first_where[owner[alt]]}) and {qid} ({first_where[qid]})"
                )
            owner[alt] = qid
    for alt, qid in sorted(owner.items(), key=lambda kv: int(kv[0][1:])):
        if alt not in merged:
            continue
        if merged[qid]["type"] != merged[alt]["type"]:
            raise BuildError(
                f"{alt} ({first_where[alt]}, type {merged[alt]['type']}) is an "
                f"alternative QID of {qid} ({first_where[qid]}, type "
                f"{merged[qid]['type']})"
            )
        if alt in owner.values():
            raise BuildError(
                f"{alt} ({first_where[alt]}) is an alternative QID of {qid} "
                f"but has alternative QIDs of its own"
            )
        notes.append(
            f"merged {alt} ({first_where[alt]}) into {qid}: it is listed as an alternative QID of {qid}"
        )
        merge_into(merged[qid], merged.pop(alt))
        lines[qid] += lines.pop(alt)
    return merged, lines, notes


# ----------------------------------------------------------------------- output


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _ordered(rec: dict) -> dict:
    out = {k: rec[k] for k in CORE_FIELDS}
    for key in sorted(k for k in rec if k not in CORE_FIELDS):
        out[key] = rec[key]
    return out


def countries_origin() -> str:
    """Describe countries.jsonl, with the source versions pinned in make_countries.py
    (read from its EXPECTED_VERSIONS literal, without importing the sources)."""
    versions = {}
    try:
        tree = ast.parse(COUNTRIES_SCRIPT.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "EXPECTED_VERSIONS" for t in node.targets
            ):
                versions = ast.literal_eval(node.value)
    except (OSError, SyntaxError, ValueError):
        versions = {}
    pinned = ", ".join(f"{pkg} {ver}" for pkg, ver in sorted(versions.items())) or "unknown versions"
    return (
        f"generated by gazetteers/make_countries.py ({pinned}): territories and QIDs "
        f"from rigour (MIT), names from babel/CLDR (Unicode License v3) and "
        f"pycountry/iso-codes (LGPL-2.1)"
    )


def build_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            stamp = int(epoch)
        except ValueError:
            raise BuildError(f"SOURCE_DATE_EPOCH={epoch!r} is not an integer") from None
        return _dt.datetime.fromtimestamp(stamp, tz=_dt.timezone.utc).date().isoformat()
    return _dt.datetime.now(tz=_dt.timezone.utc).date().isoformat()


# Names the sources attach to the wrong entity, found by reading the gold sets'
# failures; removed at assembly so that regenerating a source cannot bring them back.
SOURCE_ERRORS = {
    ("Q217", "المالديف"),  # Moldova: this is the Maldives' name (pycountry/CLDR data)
}


def drop_wrong_names(merged: dict[str, dict]) -> list[str]:
    """Remove names known to be wrong, and untagged (``und``) names written with
    the Arabic nisba ending ي that are the adjective of another name of the same
    entity: rigour's aliases list سوري beside سوريا. Only those: a name ending in
    Persian ی or in ه is often the name itself (Persian روسیه is Russia)."""
    sys.path.insert(0, str(ROOT))
    try:
        from namelink import normalize
        from namelink.morphology import adjective_bases
    finally:
        sys.path.pop(0)
    notes = []
    for qid, rec in merged.items():
        normal = {normalize(n) for ns in rec["names"].values() for n in ns}
        for lang, ns in rec["names"].items():
            keep = []
            for name in ns:
                if (qid, name) in SOURCE_ERRORS:
                    notes.append(f"{qid}: dropped {name!r} ({lang}), a known source error")
                elif (
                    lang == "und"
                    and name.endswith(("ي", "ية"))
                    and normal.intersection(adjective_bases(normalize(name)))
                ):
                    notes.append(f"{qid}: dropped {name!r} ({lang}), an adjective of another of its names")
                else:
                    keep.append(name)
            rec["names"][lang] = keep
        rec["names"] = {lang: ns for lang, ns in rec["names"].items() if ns}
    return notes


def namelink_versions() -> tuple[str, str]:
    sys.path.insert(0, str(ROOT))
    try:
        import namelink
        from namelink.keys import KEYS_VERSION

        version = namelink.__version__
    except (ImportError, AttributeError) as exc:
        raise BuildError(
            f"cannot read namelink.__version__ / namelink.keys.KEYS_VERSION "
            f"from {_rel(ROOT / 'namelink')}: {exc}"
        ) from None
    finally:
        sys.path.pop(0)
    return str(version), str(KEYS_VERSION)


def build() -> int:
    records: list[tuple[dict, str]] = []
    sources = []
    if not COUNTRIES.exists():
        raise BuildError(f"{_rel(COUNTRIES)} is missing: run gazetteers/make_countries.py")
    country_records = recs = read_jsonl(COUNTRIES)
    sources.append(
        {"file": _rel(COUNTRIES), "entities": len({r["qid"] for r, _ in recs}), "origin": countries_origin()}
    )
    breadth_records: list[tuple[dict, str]] = []
    for path in BREADTH:
        if not path.exists():
            raise BuildError(f"{_rel(path)} is missing: run gazetteers/make_breadth.py and make_places.py")
        recs = read_jsonl(path)
        breadth_records += recs
        sources.append(
            {
                "file": _rel(path),
                "entities": len({r["qid"] for r, _ in recs}),
                "origin": f"generated by gazetteers/{MAKERS[path.name]} from gazetteers/sources/",
                "upstream": UPSTREAM[path.name],
            }
        )
    for path in sorted(CURATED.glob("*.tsv")):
        recs, title = read_tsv(path)
        records += recs
        origin = "hand-curated TSV; each row's QID check is in its 'checked' field"
        if title:
            origin += f" ({title})"
        sources.append({"file": _rel(path), "entities": len({r["qid"] for r, _ in recs}), "origin": origin})
    # Hand-curated rows come first, so that their labels, descriptions and
    # preferred names win over the generated ones when rows merge.
    records += country_records
    records += breadth_records

    merged, lines, notes = merge(records)
    notes.extend(drop_wrong_names(merged))
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    entities = [_ordered(merged[q]) for q in sorted(merged, key=lambda q: int(q[1:]))]
    for rec in entities:
        validate(rec, ", ".join(lines[rec["qid"]]))

    by_type: dict[str, int] = {t: 0 for t in TYPES}
    by_lang: dict[str, int] = {}
    for rec in entities:
        by_type[rec["type"]] += 1
        for lang, ns in rec["names"].items():
            by_lang[lang] = by_lang.get(lang, 0) + len(ns)

    version, keys_version = namelink_versions()
    manifest = {
        "name": "namelink-default",
        "format": FORMAT,
        "date": build_date(),
        "namelink_version": version,
        "keys_version": keys_version,
        "source": sources,
        "counts": {
            "entities": len(entities),
            "names": sum(by_lang.values()),
            "by_type": by_type,
            "by_language": dict(sorted(by_lang.items())),
        },
        "licence": LICENCES,
    }

    # Compact lines: no spaces after separators, and the optional empty lists
    # (classes, alt_qids) left out: the loader defaults them.
    body = "".join(
        json.dumps(
            {k: v for k, v in rec.items() if not (k in ("classes", "alt_qids") and not v)},
            ensure_ascii=False,
            separators=(",", ":"),
        )
        + "\n"
        for rec in entities
    )
    _write_atomic(OUT_DIR / "entities.jsonl", body)
    _write_atomic(OUT_DIR / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    # the compiled index ships beside it: the first call needs no compile
    from namelink.index import write_index

    write_index(OUT_DIR)
    print(
        f"wrote {_rel(OUT_DIR / 'entities.jsonl')}: {len(entities)} entities, "
        f"{manifest['counts']['names']} names"
    )
    return 0


def main() -> int:
    try:
        return build()
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
