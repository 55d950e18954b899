"""Matching quality: fuzzy, cross-script, partial names, scores, explanations, evaluation."""

from __future__ import annotations

import importlib
import itertools
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from namelink import Gazetteer, candidates, link, normalize
from namelink.cli import main
from namelink.evaluate import evaluate, read_gold
from namelink.score import BANDS, CANDIDATE_CUTOFF, LINK_THRESHOLD

DATA = Path(__file__).parent / "data"
PUTIN, XI, KAZAKHSTAN, ZELENSKYY, SHOIGU, ERDOGAN = "Q7747", "Q15031", "Q232", "Q3874799", "Q32024", "Q39259"

# Synthetic entities (QIDs beyond Wikidata's range) for behaviour that needs control.
GABUEV = {
    "qid": "Q990000101",
    "label": "Alexander Gabuev",
    "type": "person",
    "names": {"en": ["Alexander Gabuev"]},
}
ARABIC_ONLY = {"qid": "Q990000102", "label": "Samir Haddad", "type": "person", "names": {"ar": ["سمير حداد"]}}
SAME_SCRIPT_GABUEV = {
    "qid": "Q990000103",
    "label": "Gabuev (Arabic)",
    "type": "person",
    "names": {"ar": ["جابويف"]},
}


@pytest.mark.parametrize(
    ("name", "qid"),
    [
        ("كازاختسان", KAZAKHSTAN),  # a typo: two letters swapped
        ("بوتيين", PUTIN),  # a doubled vowel
        ("فولوديمير زيلنسكي", ZELENSKYY),  # a transliteration
        ("سيرغي شويغو", SHOIGU),
        ("Xi", XI),  # Latin inside Arabic text
        ("Putin", PUTIN),
        ("Putin, Vladimir", PUTIN),  # either word order
        ("ERDOĞAN", ERDOGAN),  # casefolded, accent-free
        ("طيب أردوغان", ERDOGAN),  # part of the full name
        ("فلاديمير فلاديميروفيتش بوتين", PUTIN),  # the full name with a patronymic
    ],
)
def test_spellings_no_key_catches_still_link(name: str, qid: str) -> None:
    found = link(name)
    assert found is not None and found.qid == qid, candidates(name)


def test_arabic_script_reaches_a_latin_only_entity_through_the_romanized_key() -> None:
    gazetteer = Gazetteer.from_records([GABUEV])
    for spelling in ("گابويڤ", "جابويف"):
        found = gazetteer.link(spelling)
        assert found is not None and found.qid == "Q990000101"
        assert found.method == "cross_script"


def test_latin_reaches_an_arabic_only_entity_the_same_way() -> None:
    found = Gazetteer.from_records([ARABIC_ONLY]).link("Samir Haddad")
    assert found is not None and (found.qid, found.method) == ("Q990000102", "cross_script")


def test_a_cross_script_match_scores_below_a_same_script_match() -> None:
    cross = Gazetteer.from_records([GABUEV]).link("جابويف")
    same = Gazetteer.from_records([SAME_SCRIPT_GABUEV]).link("جابويف")
    assert cross is not None and same is not None
    assert cross.score < same.score


def test_exact_beats_normalized_beats_key_beats_fuzzy() -> None:
    ranked = [link("كازاخستان"), link("كَازَاخِسْتَان"), link("قازاقستان"), link("كازاختسان")]
    assert [r.method for r in ranked if r] == ["exact", "normalized", "key", "fuzzy"]
    scores = [r.score for r in ranked if r]
    # the score is a probability: a looser match is never more likely right, and the
    # typo (fuzzy) is less likely right than the exact name
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]


def test_method_bands_never_overlap_in_the_promised_order() -> None:
    order = ["exact", "normalized", "spelling", "skeleton", "consonants", "fuzzy"]
    for better, worse in itertools.pairwise(order):
        assert BANDS[better][0] >= BANDS[worse][1]
    assert BANDS["exact"][1] <= 1.0 and BANDS["cross_script"][1] < BANDS["fuzzy"][1]


def test_scores_never_saturate_so_candidates_stay_ordered() -> None:
    found = candidates("بوتين", limit=10)
    scores = [c.score for c in found]
    assert all(0 < s < 1 for s in scores)
    assert scores == sorted(scores, reverse=True)


def test_the_return_cutoff_is_separate_from_the_link_threshold() -> None:
    assert CANDIDATE_CUTOFF < LINK_THRESHOLD
    shown = candidates("دمسق", limit=5)  # a typo close to two cities
    assert shown and all(c.score >= CANDIDATE_CUTOFF for c in shown)
    assert any(c.score < LINK_THRESHOLD for c in candidates("كراتسي", limit=5))


def test_a_close_runner_up_makes_link_abstain_and_candidates_show_both() -> None:
    assert link("دمسق") is None  # دمشق (Damascus) and مسقط (Muscat) are equally close
    labels = {c.label for c in candidates("دمسق", limit=2)}
    assert labels == {"Damascus", "Muscat"}


def test_a_link_reports_its_runner_up_when_it_is_close() -> None:
    a = {"qid": "Q990000401", "label": "A", "type": "place", "names": {"ar": ["سمرقند"]}, "popularity": 50}
    b = {"qid": "Q990000402", "label": "B", "type": "place", "names": {"ar": ["سامرقند"]}, "popularity": 50}
    found = Gazetteer.from_records([a, b]).link("سمرقند")
    assert found is not None and found.qid == "Q990000401"
    assert found.runner_up is not None and found.runner_up.qid == "Q990000402"
    assert found.runner_up.score < found.score


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("ڤلاديمير بوتين", ["ڤ→ف", "spelling key"]),
        ("بوتيين", ["long vowel ي dropped", "skeleton key"]),
        ("كازاختسان", ["س moved", "fuzzy match"]),
        ("وبوتين", ["clitic و stripped"]),
        ("شي جينبينغ", []),
        ("أَرْدُوغَان", ["diacritics removed", "أ→ا"]),
        ("Putin, Vladimir", ["word-order key"]),
    ],
)
def test_the_explanation_says_which_steps_made_the_match(name: str, words: list[str]) -> None:
    found = link(name)
    assert found is not None and found.explanation
    for word in words:
        assert word in found.explanation, found.explanation


def test_popularity_is_a_prior_between_equally_good_matches() -> None:
    big = {
        "qid": "Q990000201",
        "label": "Big",
        "type": "place",
        "names": {"ar": ["مدينستان"]},
        "popularity": 300,
    }
    small = {
        "qid": "Q990000202",
        "label": "Small",
        "type": "place",
        "names": {"ar": ["مدينستان"]},
        "popularity": 5,
    }
    ranked = Gazetteer.from_records([small, big]).candidates("مدينستان")
    assert [c.qid for c in ranked] == ["Q990000201", "Q990000202"]


def test_a_language_hint_prefers_names_in_that_language() -> None:
    a = {"qid": "Q990000301", "label": "A", "type": "place", "names": {"fa": ["هرات"]}, "popularity": 10}
    b = {"qid": "Q990000302", "label": "B", "type": "place", "names": {"ar": ["هرات"]}, "popularity": 10}
    gazetteer = Gazetteer.from_records([a, b])
    assert gazetteer.candidates("هرات", lang="fa")[0].qid == "Q990000301"
    assert gazetteer.candidates("هرات", lang="ar")[0].qid == "Q990000302"


def test_types_restrict_what_links() -> None:
    assert link("بوتين", types={"person"}).qid == PUTIN  # type: ignore[union-attr]
    place = link("بوتين", types={"place"})
    assert place is None or place.type == "place"
    assert link("بوتين", types={"org"}) is None


@pytest.mark.parametrize("word", ["الروسي", "الصينية", "ایرانی", "تركي", "قمة", "رئیس", "الشيخ"])
def test_adjectives_and_common_words_do_not_link(word: str) -> None:
    assert link(word) is None


def test_a_common_word_links_only_when_spelled_exactly_as_a_name() -> None:
    assert link("ترکی").qid == "Q43"  # type: ignore[union-attr]  # Urdu: Türkiye
    assert link("تركي") is None  # Arabic: "Turkish"


def test_a_designator_before_a_name_is_dropped() -> None:
    found = link("ولاية تكساس")
    assert found is not None and found.label == "Texas"
    assert "ولايه dropped" in found.explanation


@pytest.mark.parametrize(
    ("official", "label"),
    [
        ("اسلامی جمہوریہ پاکستان", "Pakistan"),  # Urdu: Islamic Republic of
        ("فدراسیون روسیه", "Russia"),  # Persian: Federation of
        ("جمهورية تنزانيا الاتحادية", "Tanzania"),  # Arabic: the state's form after the name too
        ("ریاستِ اسرائیل", "Israel"),  # Urdu: State of
    ],
)
def test_the_official_name_of_a_state_reaches_the_state(official: str, label: str) -> None:
    found = candidates(official, limit=1)
    assert found and found[0].label == label
    assert "dropped" in found[0].explanation


def test_a_word_that_qualifies_a_state_is_dropped_only_beside_a_designator() -> None:
    from namelink.morphology import variants

    assert dict(variants("جمهوري خلق چين"))["چين"] == "جمهوري خلق dropped"
    assert all("dropped" not in why for _, why in variants("خلق الله"))  # "people" alone starts a phrase
    assert all("dropped" not in why for _, why in variants("ازاد كشمير"))


@pytest.mark.parametrize(
    ("designated", "qid"),
    [
        ("دولت کویت", "Q817"),  # Persian: the State of Kuwait, not Kuwait City
        ("جمہوریہ جبوتی", "Q977"),  # Urdu: the Republic of Djibouti, not Djibouti City
        ("سلطان‌نشین عُمان", "Q842"),  # Persian: the Sultanate of Oman, not Amman
        ("شهر گواتمالا", "Q1555"),  # Persian: Guatemala City, not Guatemala
        ("مدينة الكويت", "Q35178"),  # Arabic: Kuwait City
    ],
)
def test_a_designator_says_which_of_two_places_of_one_name_is_meant(designated: str, qid: str) -> None:
    found = link(designated)
    assert found is not None and found.qid == qid


def test_a_designator_of_another_kind_leaves_the_only_entity_it_reaches() -> None:
    from namelink.candidates import is_kind

    gazetteer = Gazetteer.default()
    texas = gazetteer.index.qid_index.get("Q1439")[0]
    assert not is_kind(gazetteer.index, texas, "state")
    found = link("دولة تكساس")  # "the state of Texas", with the word for a sovereign state
    assert found is not None and found.qid == "Q1439"


def test_the_kind_a_designator_names_is_that_of_the_first_one() -> None:
    from namelink.morphology import designators_dropped

    assert designators_dropped("اسلامي جمهوريه پاكستان") == ("پاكستان", "اسلامي جمهوريه dropped", "state")
    assert designators_dropped("ولايه تكساس") == ("تكساس", "ولايه dropped", "subdivision")
    assert designators_dropped("بوتين") is None


def test_a_qualifier_after_a_comma_is_dropped() -> None:
    found = link("Tehran, Iran")
    assert found is not None and found.qid == "Q3616"


# --- Bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [None, 1, b"x", ["بوتين"]])
def test_link_and_candidates_reject_non_str_naming_the_argument(bad: object) -> None:
    with pytest.raises(TypeError, match="name must be str"):
        link(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="name must be str"):
        candidates(bad)  # type: ignore[arg-type]


def test_empty_names_link_to_nothing() -> None:
    assert link("") is None and candidates("") == []


def test_a_hundred_kilobyte_name_finishes_at_once_with_a_bounded_result() -> None:
    huge = "بوتين " * 20_000
    start = time.perf_counter()
    assert link(huge) is None
    assert len(candidates(huge, limit=5)) <= 5
    assert time.perf_counter() - start < 2.0


# --- Evaluation ---------------------------------------------------------------------------------


def test_the_dev_gold_set_keeps_its_floors() -> None:
    report = evaluate(read_gold(DATA / "dev_gold.tsv"), Gazetteer.default())
    assert report.rows >= 400
    # The calibrated decision (0.944 when it shipped) trades three points of this
    # project-written set for false links on frequent words falling from 14% to
    # about 2% on held-out data (README, "How well it links"), and the wordness
    # evidence three rows more (0.941 → 0.933: واشنطون, غـزة and a Kurdish
    # spelling of el-Sisi now fall just under 0.5) for held-out words' false links
    # falling from 1.5% to 1.15%; the floors guard against regressions from there.
    assert report.accuracy_at_1 >= 0.93, report.summary()["errors"]
    assert report.false_link_rate <= 0.01, report.summary()["errors"]


def test_namelink_eval_prints_every_figure(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", str(DATA / "test_gold.tsv"), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    for figure in (
        "accuracy_at_1",
        "accuracy_at_5",
        "nil_precision",
        "nil_recall",
        "false_link_rate",
        "by_type",
    ):
        assert figure in summary
    assert all({"name", "expected", "got", "score"} <= set(e) for e in summary["errors"])


def test_a_gold_file_without_the_columns_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "gold.tsv"
    bad.write_text("label\tid\nبوتين\tQ7747\n", encoding="utf-8")
    assert main(["eval", str(bad)]) == 2
    assert "missing column" in capsys.readouterr().err


@pytest.mark.parametrize(
    "query",
    [
        # two names of the Bahamas share the query's words equally (كومنولث البهاما,
        # جزر البهاما): the tie went to whichever a set happened to yield first
        "كومنولث جزر البهاما",
        # fuzzy: trigram lists that tie on rarity were read in a set's order
        "أينار",
    ],
)
def test_a_link_is_the_same_in_every_process_whatever_its_hash_seed(query: str) -> None:
    code = f"from namelink import candidates; print(repr(candidates({query!r}, limit=3)))"
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(4)
    }
    assert len(seen) == 1


def test_the_uyghur_word_for_city_after_a_name_is_dropped() -> None:
    found = link("ئۈرۈمچى شەھىرى")

    assert found is not None and found.qid == link("ئۈرۈمچى").qid and "dropped" in found.explanation


def test_the_trailing_designators_are_the_normal_forms_of_the_words_they_stand_for() -> None:
    # written as normal forms, they go stale when normalize() changes (شەھىرى did)
    from namelink.morphology import TRAILING_DESIGNATORS

    assert {normalize(word) for word in ("شەھىرى", "شەھىر", "خطہ")} == TRAILING_DESIGNATORS


# --- The stages do no work whose result cannot change the hits ------------------------------

STAGES = importlib.import_module(
    "namelink.candidates"
)  # the module (namelink.candidates is also link's sibling)


def recorder(into: list[tuple[object, ...]]):  # type: ignore[no-untyped-def]
    return lambda *hit: into.append(hit)


def keeping_the_best(index, best: dict[int, object]):  # type: ignore[no-untyped-def]
    """An offer that keeps the best hit per entity, scored inside its method's band."""

    def offer(name_id: int, method: str, similarity: float, form: str, variant: str) -> None:
        low, high = BANDS[method]
        value = low + (high - low) * similarity * 0.999
        entity = index.name_entity[name_id]
        if entity not in best or value > best[entity].score:  # type: ignore[attr-defined]
            best[entity] = STAGES.Hit(value, name_id, method, similarity, form, variant)

    return offer


def counted_partial(index, norm: str, offer) -> None:  # type: ignore[no-untyped-def]
    """The word-subset stage as a count over every posting: what partial() must offer, in order."""
    from collections import Counter

    from rapidfuzz.distance import Indel

    from namelink.keys import skeleton_key, spelling_key
    from namelink.score import SURNAME_MIN_SIMILARITY

    query = [spelling_key(word) for word in norm.split(" ")]
    if len(query) == 1:
        ids = index.surnames.get(skeleton_key(query[0]))
        if len(ids) <= STAGES.MAX_POSTING:
            for name_id in ids:
                if Indel.normalized_similarity(query[0], index.name_last[name_id]) >= SURNAME_MIN_SIMILARITY:
                    offer(name_id, "partial", 2 / (1 + index.name_words[name_id]), norm, "")
        return
    words = list(dict.fromkeys(query))
    shared: Counter[int] = Counter()
    for word in words:
        ids = index.words.get(word)
        if len(ids) <= STAGES.MAX_POSTING:
            shared.update(ids)
    for name_id, count in shared.items():
        size = index.name_words[name_id]
        if count >= 2 and (count == len(words) or count == size) and index.name_last[name_id] == query[-1]:
            offer(name_id, "partial", 2 * count / (len(words) + size), norm, "")


def test_the_word_subset_stage_offers_what_a_count_over_every_posting_offers_in_its_order() -> None:
    index = Gazetteer.default().index
    names = [normalize(index.name_text[i]) for i in range(0, len(index.name_text), 7)]
    # the names themselves, their words recombined, and each last word alone
    queries = [*names, *(f"{a.split(' ')[0]} {b.split(' ')[-1]}" for a, b in itertools.pairwise(names))]
    queries += [name.split(" ")[-1] for name in names]
    for norm in filter(None, queries):
        offered: list[tuple[object, ...]] = []
        expected: list[tuple[object, ...]] = []
        STAGES.partial(index, norm, recorder(offered))
        counted_partial(index, norm, recorder(expected))
        assert offered == expected, norm


def test_skipping_what_a_stage_cannot_better_leaves_every_hit_as_offering_everything_does() -> None:
    index = Gazetteer.default().index
    for name in (index.name_text[i] for i in range(0, len(index.name_text), 11)):
        norm = normalize(name)
        if not norm:
            continue
        found = []
        for held in (True, False):
            best: dict[int, object] = {}
            offer = keeping_the_best(index, best)
            read = best if held else None
            STAGES.same_script(index, [(norm, "")], name, common=False, keyed=True, offer=offer, held=read)
            STAGES.partial(index, norm, offer, held=read)
            STAGES.cross_script(index, norm, offer, held=read)
            found.append(best)
        assert found[0] == found[1], name
