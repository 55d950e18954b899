"""The Natural Earth layers of the default gazetteer (gazetteers/make_geography.py):
cities, subdivisions, seas, mountain ranges, rivers and lakes link to the QID
that their source row states."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import pytest

import namelink

ROOT = Path(__file__).resolve().parent.parent
GAZ = ROOT / "gazetteers"
SOURCE = GAZ / "sources" / "naturalearth_geography.tsv"
NE4 = GAZ / "sources" / "naturalearth_places.tsv"


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        lines = [line for line in fh.read().split("\n") if line and not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.fixture(scope="module")
def source() -> list[dict[str, str]]:
    return _rows(SOURCE)


@pytest.fixture(scope="module")
def generated() -> dict[str, dict]:
    with open(GAZ / "generated" / "geography.jsonl", encoding="utf-8") as fh:
        return {rec["qid"]: rec for rec in map(json.loads, fh)}


def _row(source: list[dict[str, str]], layer: str, featurecla: str, name_en: str) -> dict[str, str]:
    (row,) = [
        r for r in source if r["layer"] == layer and r["featurecla"] == featurecla and r["name_en"] == name_en
    ]
    return row


@pytest.mark.parametrize(
    ("layer", "featurecla", "name_en", "lang"),
    [
        ("marine", "sea", "Red Sea", "ar"),
        ("regions", "Range/mtn", "Himalayas", "fa"),
        ("populated_places", "Admin-1 capital", "Mashhad", "fa"),
        ("rivers", "River", "Nile", "ar"),
    ],
)
def test_a_sea_a_mountain_range_a_city_and_a_river_link_to_the_qid_of_their_source_row(
    source, layer, featurecla, name_en, lang
):
    row = _row(source, layer, featurecla, name_en)
    found = namelink.link(row[lang])
    assert found is not None and found.qid == row["qid"], (row[lang], found)


def test_every_generated_qid_is_the_qid_of_a_source_row_and_names_its_source(source, generated):
    stated = {r["qid"] for r in source} | {r["qid"] for r in _rows(NE4)}
    for qid, rec in generated.items():
        assert qid in stated, qid
        assert "NaturalEarthCsvTsv" in rec["checked"] or "natural-earth-geojson" in rec["checked"], qid


def test_a_qid_two_sources_disagree_on_is_left_out_and_listed(generated):
    conflicts = _rows(GAZ / "generated" / "geography_conflicts.tsv")
    assert conflicts
    for row in conflicts:
        # a city in conflict is not there at all (nor in another layer); a
        # subdivision in conflict may still be there as the city of its QID
        rec = generated.get(row["qid"])
        assert rec is None or (row["layer"] != "city" and f"({row['layer']})" not in rec["checked"]), row


def test_every_generated_place_is_in_the_default_gazetteer(generated):
    with open(ROOT / "namelink" / "data" / "default" / "entities.jsonl", encoding="utf-8") as fh:
        default = {rec["qid"]: rec for rec in map(json.loads, fh)}
    for qid in generated:
        assert default[qid]["type"] == "place", qid


def test_a_minor_feature_keeps_no_one_word_name(generated):
    geography = importlib.util.spec_from_file_location("make_geography", GAZ / "make_geography.py")
    module = importlib.util.module_from_spec(geography)
    geography.loader.exec_module(module)
    for rec in generated.values():
        if rec["popularity"] <= module.MINOR:
            for lang, names in rec["names"].items():
                if lang != "en":
                    assert all(" " in n or "-" in n for n in names), (rec["qid"], names)


def test_make_geography_is_deterministic(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("make_geography", GAZ / "make_geography.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "OUT", tmp_path / "geography.jsonl")
    monkeypatch.setattr(module, "OUT_CONFLICTS", tmp_path / "geography_conflicts.tsv")
    assert module.build() == 0
    for name in ("geography.jsonl", "geography_conflicts.tsv"):
        assert (tmp_path / name).read_bytes() == (GAZ / "generated" / name).read_bytes(), name
