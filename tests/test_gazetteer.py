"""Gazetteers and link(): the format, the cached index, and lookup."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import TWINS

import namelink.index as index_module
from namelink import Gazetteer, GazetteerError, Link, candidates, link, link_many
from namelink.score import LINK_THRESHOLD

DATA = Path(__file__).parent / "data"


def read_tsv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as f:
        return list(csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t"))


# Synthetic entities (QIDs in a range Wikidata has not reached) for behaviour that
# needs a controlled gazetteer; the embedded one is tested further down.
PUTIN = {
    "qid": "Q7747",
    "label": "Vladimir Putin",
    "type": "person",
    "classes": ["Q5"],
    "description": "President of Russia",
    "names": {
        "ar": ["فلاديمير بوتين", "بوتين", "بوتن"],
        "fa": ["ولادیمیر پوتین"],
        "en": ["Vladimir Putin", "Putin"],
    },
    "popularity": 250,
}
TWIN_A, TWIN_B = TWINS[:2]  # one name, nearly one popularity (tests/data/twins.jsonl)
BIG = {
    "qid": "Q990000003",
    "label": "Big Georgia",
    "type": "place",
    "names": {"ar": ["جورجيا"]},
    "popularity": 200,
}
SMALL = {
    "qid": "Q990000004",
    "label": "Small Georgia",
    "type": "place",
    "names": {"ar": ["جورجيا"]},
    "popularity": 20,
}
ORG = {
    "qid": "Q990000005",
    "label": "Putin Fan Club",
    "type": "org",
    "names": {"ar": ["بوتين"]},
    "popularity": 1,
}


@pytest.fixture
def small() -> Gazetteer:
    return Gazetteer.from_records([PUTIN, TWIN_A, TWIN_B, BIG, SMALL])


def write_gazetteer(directory: Path, records: list[dict[str, object]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    (directory / "entities.jsonl").write_text(lines, encoding="utf-8")
    (directory / "manifest.json").write_text(json.dumps({"name": "test"}), encoding="utf-8")
    return directory


# --- The embedded gazetteer ------------------------------------------------------------


@pytest.mark.parametrize("row", read_tsv("default_links.tsv"), ids=lambda row: f"{row['name']}:{row['note']}")
def test_every_variant_spelling_links_to_the_right_qid(row: dict[str, str]) -> None:
    found = link(row["name"])
    assert found is not None, f"{row['name']} was not linked; candidates: {candidates(row['name'])}"
    assert found.qid == row["qid"]


@pytest.mark.parametrize("row", read_tsv("nil_names.tsv"), ids=lambda row: row["note"])
def test_common_words_and_unknown_names_are_not_linked(row: dict[str, str]) -> None:
    assert link(row["name"]) is None


def test_the_default_gazetteer_is_large_and_loads_offline() -> None:
    default = Gazetteer.default()
    assert len(default) >= 1400
    assert default.manifest["name"] == "namelink-default"
    assert Gazetteer.default() is default  # loaded once per process


def test_nearly_every_entity_in_the_default_gazetteer_has_an_arabic_script_name() -> None:
    entities = list(Gazetteer.default().entities())
    with_arabic_script = [e for e in entities if any(lang != "en" for lang in e.names)]
    # A few sub-national regions have only an English name in the sources.
    assert len(with_arabic_script) >= 0.94 * len(entities)


def test_a_link_says_how_it_matched() -> None:
    found = link("وبوتين")
    assert found is not None
    assert found.method == "normalized"
    assert "clitic" in found.explanation
    assert found.matched_name == "بوتين"
    assert found.matched_lang == "ar"
    assert 0 < found.score < 1


# --- The format --------------------------------------------------------------------------


def test_from_records_takes_dicts_of_exactly_the_jsonl_shape(small: Gazetteer) -> None:
    entity = small.entity("Q7747")
    assert entity is not None
    assert entity.to_record()["names"] == PUTIN["names"]
    assert small.link("پوتن").qid == "Q7747"  # type: ignore[union-attr]


def test_a_corrupt_gazetteer_line_names_the_file_and_the_line(tmp_path: Path) -> None:
    directory = write_gazetteer(tmp_path / "g", [PUTIN])
    with (directory / "entities.jsonl").open("a", encoding="utf-8") as f:
        f.write('{"qid": "Q1", "label": "broken"\n')
    with pytest.raises(GazetteerError, match=r"entities\.jsonl:2: not valid JSON"):
        Gazetteer.load(directory, cache_dir=tmp_path / "cache")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"qid": "7747"}, "'qid' must look like Q42"),
        ({"type": "human"}, "'type' must be one of"),
        ({"names": {}}, "'names' must be a non-empty object"),
        ({"names": {"ar": "بوتين"}}, r"names\['ar'\] must be a list"),
        ({"popularity": -1}, "'popularity' must be a non-negative integer"),
    ],
)
def test_a_record_of_the_wrong_shape_is_refused_with_the_reason(
    change: dict[str, object], message: str
) -> None:
    with pytest.raises(GazetteerError, match=message):
        Gazetteer.from_records([{**PUTIN, **change}])


def test_a_missing_gazetteer_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError, match="no gazetteer here"):
        Gazetteer.load(tmp_path / "nowhere")


# --- The cached index ------------------------------------------------------------------------


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts how many times an index is compiled from records."""
    calls: list[int] = []
    original = index_module.build._compile

    def counting(records: object) -> object:
        calls.append(1)
        return original(records)  # type: ignore[arg-type]

    monkeypatch.setattr(index_module.build, "_compile", counting)
    return calls


def test_a_second_load_reads_the_cached_index(tmp_path: Path, builds: list[int]) -> None:
    directory = write_gazetteer(tmp_path / "g", [PUTIN])
    Gazetteer.load(directory, cache_dir=tmp_path / "cache")
    again = Gazetteer.load(directory, cache_dir=tmp_path / "cache")
    assert len(builds) == 1
    assert again.link("بوتين") is not None


def test_a_changed_gazetteer_is_reindexed(tmp_path: Path, builds: list[int]) -> None:
    directory = write_gazetteer(tmp_path / "g", [PUTIN])
    Gazetteer.load(directory, cache_dir=tmp_path / "cache")
    write_gazetteer(directory, [PUTIN, BIG])
    changed = Gazetteer.load(directory, cache_dir=tmp_path / "cache")
    assert len(builds) == 2
    assert changed.link("جورجيا") is not None


def test_a_corrupt_cache_entry_is_rebuilt_not_trusted(tmp_path: Path, builds: list[int]) -> None:
    directory = write_gazetteer(tmp_path / "g", [PUTIN])
    Gazetteer.load(directory, cache_dir=tmp_path / "cache")
    (entry,) = (tmp_path / "cache" / "indexes").iterdir()
    entry.write_bytes(b"not an index")
    rebuilt = Gazetteer.load(directory, cache_dir=tmp_path / "cache")
    assert len(builds) == 2
    assert rebuilt.link("بوتين") is not None
    assert entry.read_bytes().startswith(b"NLINDEX")


def test_an_index_written_beside_the_gazetteer_needs_no_compile(tmp_path: Path, builds: list[int]) -> None:
    directory = write_gazetteer(tmp_path / "g", [PUTIN])
    index_module.write_index(directory)
    loaded = Gazetteer.load(directory, cache_dir=tmp_path / "cache")
    assert len(builds) == 1  # the write; the load compiled nothing
    assert loaded.link("بوتين") is not None
    cache = tmp_path / "cache" / "indexes"
    assert not cache.exists() or not any(cache.iterdir())


def test_the_cache_directory_follows_the_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, builds: list[int]
) -> None:
    monkeypatch.setenv("NAMELINK_CACHE_DIR", str(tmp_path / "env-cache"))
    Gazetteer.load(write_gazetteer(tmp_path / "g", [PUTIN]))
    assert len(list((tmp_path / "env-cache" / "indexes").iterdir())) == 1


def test_an_unwritable_cache_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x")
    loaded = Gazetteer.load(write_gazetteer(tmp_path / "g", [PUTIN]), cache_dir=blocker)
    assert loaded.link("بوتين") is not None


# --- Lookup ---------------------------------------------------------------------------------


def test_exact_beats_normalized_beats_key(small: Gazetteer) -> None:
    exact = small.link("بوتين")
    normalized = small.link("بُوتِين")
    key = small.link("پوتين")
    assert exact and normalized and key
    assert (exact.method, normalized.method, key.method) == ("exact", "normalized", "key")
    # the score is a probability: a looser match is never more likely right, all else equal
    assert exact.score >= normalized.score >= key.score


def test_a_qid_as_input_returns_that_entity(small: Gazetteer) -> None:
    found = small.link("q7747")
    assert found is not None and (found.qid, found.method) == ("Q7747", "qid")
    assert small.link("Q123456789") is None


def test_candidates_too_close_to_call_give_none_and_candidates_shows_both(small: Gazetteer) -> None:
    assert small.link("توامستان") is None
    shown = [c.qid for c in small.candidates("توامستان")]
    assert shown[:2] == ["Q990000002", "Q990000001"]


def test_a_far_more_popular_entity_wins_a_close_call(small: Gazetteer) -> None:
    found = small.link("جورجيا")
    assert found is not None and found.qid == "Q990000003"
    assert "popularity" in found.explanation
    assert found.runner_up is not None and found.runner_up.qid == "Q990000004"


def test_types_filter_the_candidates() -> None:
    gazetteer = Gazetteer.from_records([PUTIN, ORG])
    assert gazetteer.link("بوتين", types={"org"}).qid == "Q990000005"  # type: ignore[union-attr]
    assert gazetteer.link("بوتين", types="person").qid == "Q7747"  # type: ignore[union-attr]
    assert gazetteer.link("بوتين", types={"place"}) is None


def test_candidates_are_ordered_best_first_and_include_below_threshold_ones(small: Gazetteer) -> None:
    found = small.candidates("جورجيا", limit=5)
    assert [c.score for c in found] == sorted((c.score for c in found), reverse=True)
    assert small.candidates("جورجيا", limit=1) == found[:1]


def test_a_threshold_can_refuse_a_link(small: Gazetteer) -> None:
    found = small.link("پوتين")
    assert found is not None and found.score >= LINK_THRESHOLD
    assert small.link("پوتين", threshold=0.99) is None


def test_link_many_keeps_input_order_and_links_each_distinct_name_once(small: Gazetteer) -> None:
    names = ["بوتين", "لا شيء هنا", "بوتين", "جورجيا"]
    found = small.link_many(names)
    assert [f.qid if f else None for f in found] == ["Q7747", None, "Q7747", "Q990000003"]
    assert found[0] is found[2]


def test_module_level_functions_accept_a_gazetteer(small: Gazetteer) -> None:
    assert link("جورجيا", gazetteer=small).qid == "Q990000003"  # type: ignore[union-attr]
    assert link_many(["بوتين"], gazetteer=small)[0].qid == "Q7747"  # type: ignore[union-attr]
    assert isinstance(candidates("بوتين", gazetteer=small)[0], Link)


def test_empty_and_punctuation_only_names_link_to_nothing(small: Gazetteer) -> None:
    assert small.link("") is None
    assert small.link(" ؟! ") is None
    assert small.candidates("") == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda g: g.link(None), "name must be str"),
        (lambda g: g.link(b"x"), "name must be str"),
        (lambda g: g.candidates("x", limit="5"), "limit must be int"),
        (lambda g: g.link("x", threshold="high"), "threshold must be a number"),
        (lambda g: g.link("x", types=5), "types must be"),
        (lambda g: g.link_many("بوتين"), "names must be an iterable of str"),
        (lambda g: g.link_many([1]), r"names\[\] must be str"),
        (lambda g: link("x", gazetteer="default"), "gazetteer must be a Gazetteer"),
    ],
)
def test_wrong_argument_types_raise_type_error_naming_the_argument(
    small: Gazetteer, call, message: str
) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TypeError, match=message):
        call(small)


def test_unknown_types_and_out_of_range_thresholds_are_value_errors(small: Gazetteer) -> None:
    with pytest.raises(ValueError, match="unknown types"):
        small.link("x", types={"human"})
    with pytest.raises(ValueError, match="between 0 and 1"):
        small.link("x", threshold=1.5)


# --- Remembered links -------------------------------------------------------------------


def test_a_repeated_link_is_remembered_and_equals_a_fresh_lookup(small: Gazetteer) -> None:
    first = small.link("پوتين", types=["person"], threshold=0.3)
    assert small.link("پوتين", types=["person"], threshold=0.3) is first
    small.forget()
    fresh = small.link("پوتين", types=["person"], threshold=0.3)
    assert fresh is not first and fresh == first


def test_a_remembered_link_is_kept_apart_per_threshold_types_and_language(small: Gazetteer) -> None:
    assert small.link("پوتين") is not None
    assert small.link("پوتين", threshold=0.99) is None
    assert small.link("پوتين", types=["place"]) is None
    with_lang = small.link("پوتين", lang="fa")
    small.forget()
    assert small.link("پوتين", lang="fa") == with_lang


def test_a_remembered_link_follows_the_lexicon_when_words_are_unlisted() -> None:
    from namelink.lexicon import unlisted

    gazetteer = Gazetteer.default()
    word = "انڈیا"  # Urdu "India": a listed word, so no link; unlisted, a variant of India
    assert gazetteer.link(word) is None
    with unlisted(["انديا"]):
        inside = gazetteer.link(word)
        gazetteer.forget()
        assert inside == gazetteer.link(word) and inside is not None
    assert gazetteer.link(word) is None


# --- Decisions -------------------------------------------------------------------------


def test_a_decision_refused_on_the_probabilities_makes_no_link(
    small: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import namelink.links as links

    made: list[str] = []
    real = links.to_link

    def counting(index: object, weighed: links.Weighed, query: str) -> Link:
        made.append(query)
        return real(index, weighed, query)  # type: ignore[arg-type]

    monkeypatch.setattr(links, "to_link", counting)
    assert small.link("پوتين", threshold=0.99) is None
    assert made == []
    assert small.link("پوتين") is not None and made == ["پوتين"]


@pytest.mark.parametrize("threshold", [0.2, LINK_THRESHOLD, 0.8])
def test_the_quick_refusal_decides_as_the_decision_over_links_does(threshold: float) -> None:
    from namelink import score as scoring
    from namelink.candidates import ranked
    from namelink.links import decide, to_link, weighed

    gazetteer = Gazetteer.default()
    names = [row["text"] for row in read_tsv("eval/words.tsv")[:300]]
    names += [row["text"] for row in read_tsv("eval/variants.tsv")[:300]]
    index = gazetteer.index
    for name in names:
        best = weighed(index, name, ranked(index, name, None, None), None, gazetteer.first_words())
        slow = scoring.decide([to_link(index, w, name.strip()) for w in best[:2]], threshold)
        assert decide(index, best, name.strip(), threshold) == slow, name
