"""Properties of the embedded default gazetteer's data (namelink/data/default),
and of the scripts in gazetteers/ that build it."""

from __future__ import annotations

import importlib.util
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "namelink" / "data" / "default"
GAZ = ROOT / "gazetteers"
QID_RE = re.compile(r"^Q[1-9][0-9]*$")
# Name keys that are not Arabic-script languages.
NON_ARABIC_KEYS = {"en", "und"}
GENERATED = ("people.jsonl", "parties.jsonl", "places.jsonl", "geography.jsonl")


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, GAZ / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def entities() -> list[dict]:
    with open(DEFAULT / "entities.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((DEFAULT / "manifest.json").read_text(encoding="utf-8"))


def _generated(name: str) -> list[dict]:
    with open(GAZ / "generated" / name, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def test_every_qid_is_well_formed_and_unique(entities):
    qids = [e["qid"] for e in entities]
    assert all(QID_RE.match(q) for q in qids)
    assert len(qids) == len(set(qids))
    alts = [a for e in entities for a in e.get("alt_qids", [])]
    assert all(QID_RE.match(a) for a in alts)
    assert not set(alts) & set(qids), "an alternative QID is never a second entity"


def test_entities_are_sorted_by_qid_number(entities):
    numbers = [int(e["qid"][1:]) for e in entities]
    assert numbers == sorted(numbers)


def test_every_entity_says_how_its_qid_was_checked(entities):
    unchecked = [e["qid"] for e in entities if not str(e.get("checked", "")).strip()]
    assert unchecked == []


def test_country_and_class_fields_hold_qids(entities):
    for e in entities:
        for field in ("country", "classes"):
            assert all(QID_RE.match(q) for q in e.get(field, [])), (e["qid"], field)


def test_counts_in_the_manifest_match_the_file(entities, manifest):
    by_type = Counter(e["type"] for e in entities)
    by_lang: Counter = Counter()
    for e in entities:
        for lang, names in e["names"].items():
            by_lang[lang] += len(names)
    counts = manifest["counts"]
    assert counts["entities"] == len(entities)
    assert {k: v for k, v in counts["by_type"].items() if v} == dict(by_type)
    assert counts["by_language"] == dict(sorted(by_lang.items()))
    assert counts["names"] == sum(by_lang.values())


def test_counts_per_type(entities):
    by_type = Counter(e["type"] for e in entities)
    assert by_type["person"] >= 2500
    assert by_type["place"] >= 1200
    assert by_type["org"] >= 140
    assert set(by_type) <= {"person", "place", "org", "other"}


def test_manifest_names_each_source_with_its_commit_and_licence(manifest):
    files = {s["file"]: s for s in manifest["source"]}
    for name in GENERATED:
        source = files[f"gazetteers/generated/{name}"]
        assert source["upstream"]
        for upstream in source["upstream"]:
            assert upstream["repo"] and upstream["commit"] and upstream["date"] and upstream["licence"]
    assert all(isinstance(v, str) and v for v in manifest["licence"].values())


def test_no_name_has_control_characters(entities):
    for e in entities:
        for lang, names in e["names"].items():
            for name in names:
                assert name == name.strip() and name, (e["qid"], lang, name)
                assert not any(unicodedata.category(c) in ("Cc", "Cf") and c != "\u200c" for c in name), (
                    e["qid"],
                    name,
                )


@pytest.mark.parametrize("name", GENERATED)
def test_generated_names_carry_no_bracketed_disambiguator(name):
    for rec in _generated(name):
        for lang, names in rec["names"].items():
            for n in names:
                assert not re.search(r"[()\[\]{}]", n) or lang == "en", (rec["qid"], lang, n)


def test_arabic_script_languages_hold_no_latin_letters(entities):
    for e in entities:
        for lang, names in e["names"].items():
            if lang in NON_ARABIC_KEYS:
                continue
            for name in names:
                latin = [c for c in name if c.isalpha() and "LATIN" in unicodedata.name(c, "")]
                assert not latin, (e["qid"], lang, name)


@pytest.mark.parametrize("name", GENERATED)
def test_generated_names_are_in_arabic_script_except_english(name):
    for rec in _generated(name):
        for lang, names in rec["names"].items():
            if lang == "en":
                continue
            for n in names:
                letters = [c for c in n if c.isalpha()]
                assert letters and all("ARABIC" in unicodedata.name(c, "") for c in letters), (rec["qid"], n)


def test_generated_people_carry_no_bare_given_name():
    for rec in _generated("people.jsonl"):
        for lang, names in rec["names"].items():
            if lang == "en":
                continue
            for n in names:
                assert len(re.split(r"[ \-]+", n)) >= 2, (rec["qid"], lang, n)


def test_generated_parties_carry_no_generic_party_word_as_a_name():
    breadth = _load("make_breadth")
    for rec in _generated("parties.jsonl"):
        for lang, names in rec["names"].items():
            if lang != "en":
                assert not any(breadth.generic_party_name(n) for n in names), (rec["qid"], names)
    assert "الحزب" in breadth.GENERIC_PARTY_WORDS
    assert breadth.generic_party_name("الحزب الديمقراطي")
    assert not breadth.generic_party_name("حزب الشعب الباكستاني")


def test_name_cleaning_keeps_names_and_drops_junk():
    breadth = _load("make_breadth")
    clean = breadth.clean_name
    assert clean("حضرت علی (سیاستمدار افغان)", person=True) == "حضرت علی"
    assert clean("\u200fنبيه بري\u200e", person=True) == "نبيه بري"
    assert clean("محمد", person=True) is None  # a bare given name
    assert clean("Nabih Berri", person=True) is None
    assert clean("علی 2", person=True) is None
    assert clean("الشيخ الدكتور أحمد ناصر المحمد الصباح", person=True) == "أحمد ناصر المحمد الصباح"
    assert clean("سیاست‌مدار اهل ارمنستان", person=True) is None
    assert clean("سید محمد خاتمی", person=True) == "سید محمد خاتمی"
    assert clean("الشيخ محمد", person=True) is None
    assert clean("الجماعة الإسلامية فى باكستان(ك)", person=False) is None or "(" not in clean(
        "الجماعة الإسلامية فى باكستان(ك)", person=False
    )


def test_office_facts_carry_dates(entities):
    held = [(e["qid"], h) for e in entities for h in e.get("held", [])]
    assert len(held) >= 400
    for qid, fact in held:
        assert re.search(r"\b(1[89]\d\d|20\d\d|\?)–((19|20)\d\d)?$", fact), (qid, fact)
    for e in entities:
        if e.get("held"):
            assert e.get("as_of"), e["qid"]


def test_famous_outrank_obscure(entities):
    pop = {e["qid"]: e["popularity"] for e in entities}
    # Angela Merkel (Q567) over a backbench member of the same source with few sitelinks.
    people = [e for e in entities if e["type"] == "person" and "everypolitician" in e.get("checked", "")]
    assert pop["Q567"] >= 150
    assert sorted(e["popularity"] for e in people)[len(people) // 2] < pop["Q567"]


@pytest.mark.parametrize(
    ("surname", "qid"),
    [("ترامب", "Q22686"), ("ترامپ", "Q22686"), ("نتنياهو", "Q43723"), ("ميركل", "Q567"), ("بوتين", "Q7747")],
)
def test_the_surname_alone_of_a_leader_the_news_names_so_links(surname, qid):
    from namelink import link

    found = link(surname)
    assert found is not None and found.qid == qid


def test_make_breadth_is_deterministic(tmp_path, monkeypatch):
    breadth = _load("make_breadth")
    for attr, name in (("OUT_PEOPLE", "people.jsonl"), ("OUT_PARTIES", "parties.jsonl")):
        monkeypatch.setattr(breadth, attr, tmp_path / name)
    monkeypatch.setattr(breadth, "OUT_CONFLICTS", tmp_path / "breadth_conflicts.tsv")
    assert breadth.build() == 0
    for name in ("people.jsonl", "parties.jsonl", "breadth_conflicts.tsv"):
        assert (tmp_path / name).read_bytes() == (GAZ / "generated" / name).read_bytes(), name


def test_build_default_reproduces_the_shipped_files(tmp_path, monkeypatch, manifest):
    build = _load("build_default")
    monkeypatch.setattr(build, "OUT_DIR", tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert build.build() == 0
    assert (tmp_path / "entities.jsonl").read_bytes() == (DEFAULT / "entities.jsonl").read_bytes()
    rebuilt = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    rebuilt.pop("date")
    shipped = dict(manifest)
    shipped.pop("date")
    assert rebuilt == shipped


def test_curated_office_holders_are_office_holders_of_the_extracts():
    """Every row of curated/office_holders.tsv names a QID that office_holders.tsv
    (a Wikidata extract) states for an office holder with that English label."""
    breadth = _load("make_breadth")
    offices = breadth.read_tsv(GAZ / "sources" / "office_holders.tsv")
    labels: dict[str, set[str]] = {}
    for row in offices:
        labels.setdefault(row["qid"], set()).add(row["label"])
    curated = breadth.read_tsv(GAZ / "curated" / "office_holders.tsv")
    assert len(curated) >= 250
    for row in curated:
        assert row["qid"] in labels, row["qid"]
        assert row["label"] in labels[row["qid"]], (row["qid"], row["label"])
        assert row["checked"].startswith("extract:"), row["qid"]


def test_make_places_is_deterministic(tmp_path, monkeypatch):
    places = _load("make_places")
    monkeypatch.setattr(places, "OUT", tmp_path / "places.jsonl")
    monkeypatch.setattr(places, "OUT_CONFLICTS", tmp_path / "places_conflicts.tsv")
    assert places.build() == 0
    for name in ("places.jsonl", "places_conflicts.tsv"):
        assert (tmp_path / name).read_bytes() == (GAZ / "generated" / name).read_bytes(), name


def test_places_include_the_regions_and_capitals_of_the_news(entities):
    by_qid = {e["qid"]: e for e in entities}
    for region in _generated("places.jsonl"):
        assert region["qid"] in by_qid
    central_asia = [p for p in _generated("places.jsonl") if p["label"] == "Central Asia"]
    assert central_asia and "آسیای مرکزی" in central_asia[0]["names"]["fa"]
