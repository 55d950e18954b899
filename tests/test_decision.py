"""The calibrated decision: the lexicon's evidence, the model file's checks, and
probabilities that behave as probabilities."""

from __future__ import annotations

import json
import math
import random
from importlib import resources

import pytest

from namelink import Gazetteer, candidates, link, link_text, normalize
from namelink.evidence import FEATURES
from namelink.lexicon import derived_from, script_lang, unlisted, word_zipf, zipf
from namelink.normalize import keeps_apart
from namelink.records import Link
from namelink.score import LINK_THRESHOLD, SET_APART_SHARE, Model, ModelError, ambiguous, coherent, read_model
from namelink.text import TEXT_VARIANT_THRESHOLD
from namelink.wordness import wordness

SHIPPED = (resources.files("namelink") / "data" / "model.json").read_text(encoding="utf-8")


# --- The lexicon ---------------------------------------------------------------------------


def test_a_frequent_word_has_a_high_zipf_and_a_made_up_one_none() -> None:
    assert zipf(normalize("من")) > 6
    assert zipf("ققققق") == 0.0


def test_an_unlisted_inflection_borrows_the_frequency_of_its_base_less_a_step() -> None:
    base = normalize("الجديدة")
    with unlisted(["والجديدة"]):
        inflected = word_zipf(normalize("والجديدة"))
    assert 0 < inflected < word_zipf(base)


def test_unlisted_hides_a_word_inside_the_block_only() -> None:
    form = normalize("كيف")
    before = zipf(form)
    with unlisted([form]):
        assert zipf(form) == 0.0
    assert zipf(form) == before > 0


@pytest.mark.parametrize(
    ("form", "name"),
    [("الصينيين", "الصين"), ("ايراني", "ايران"), ("الروسيه", "روسيا"), ("الصينيون", "الصين")],
)
def test_adjectives_and_plurals_of_a_name_are_derived_from_it(form: str, name: str) -> None:
    assert derived_from(normalize(form), normalize(name))


def test_a_name_with_a_clitic_is_not_derived_from_it() -> None:
    assert not derived_from(normalize("للصين"), normalize("الصين"))
    assert not derived_from(normalize("الصين"), normalize("الصين"))


def test_letters_only_urdu_or_persian_writes_tell_the_language() -> None:
    assert script_lang("ہے") == "ur"
    assert script_lang("میں") == "ur"  # ں
    assert script_lang("ایران") == "fa"  # the Persian ی (Urdu writes it too)
    assert script_lang("بوتين") == "ar"
    assert script_lang("پوتن") is None  # پ is written in Arabic too, in foreign names


@pytest.mark.parametrize("word", ["سواحل", "پرونده", "طراحان", "القاهرة"])
def test_words_and_names_of_the_language_are_spelled_like_its_words(word: str) -> None:
    assert wordness(normalize(word)) > 0


@pytest.mark.parametrize("name", ["ريجا", "مونخ", "بوتن", "کرپشن"])
def test_transliterated_names_and_loanwords_are_spelled_like_names(name: str) -> None:
    assert wordness(normalize(name)) < 0


def test_wordness_is_the_mean_over_every_word_of_a_phrase_and_nothing_for_nothing() -> None:
    assert wordness("") == 0.0
    assert min(wordness("سواحل"), wordness("ريجا")) < wordness("سواحل ريجا") < wordness("سواحل")


@pytest.mark.parametrize("word", ["برنامه", "پرونده", "دادستان", "فكيف"])
def test_words_the_lexicon_does_not_list_stay_unlinked_when_spelled_like_words(word: str) -> None:
    # each linked to a name it resembles (Baburnama, Børge Brende, Dagestan, Kyiv)
    # before the decision weighed how the string is spelled
    with unlisted([normalize(word)]):
        assert link(word) is None


def test_a_word_in_persian_letters_is_weighed_as_a_word_of_urdu_too() -> None:
    # کارکنان "workers", as if unlisted: its base کارکن is listed in Urdu only. ی and
    # ک are Urdu's letters as much as Persian's, so that weighs against Gorgan (گرگان)
    word = normalize("کارکنان")
    with unlisted([word]):
        assert word_zipf(word, "fa") == 0 < word_zipf(word, "ur")
        assert link("کارکنان") is None


def test_an_entitys_name_in_the_querys_own_language_is_the_one_weighed() -> None:
    # ایران is Iran's name in Urdu and, once normalized, its Arabic name إيران too:
    # weighed against the Arabic name, an Urdu query looked "written for another language"
    found = link("اسلامی جمہوریہ ایران")
    assert found is not None and found.qid == "Q794" and found.matched_lang == "ur"
    assert "another language" not in found.explanation
    # but only a name the query writes: میں "in" does not write مین, Maine in Urdu
    assert link("میں") is None


@pytest.mark.parametrize(
    ("word", "name"),
    [("روٹی", "روٹے"), ("اماں", "امان"), ("دو", "ڈو"), ("اقلیت", "اقلیټ")],
)
def test_a_word_that_spells_a_sound_apart_from_a_name_is_not_that_name_normalized(
    word: str, name: str
) -> None:
    # Urdu "bread", "mother", "two", "minority": one normal form with Mark Rutte's,
    # Amman's, the Doubs' and Iqaluit's names, but ٹ, ں, ڈ and ے are sounds Urdu
    # writes apart from ت, ن, د and ی
    assert normalize(word) == normalize(name) and keeps_apart(word, name)
    assert link(word) is None


def test_spellings_that_write_the_same_sounds_still_match_by_normal_form() -> None:
    # Urdu ہالینڈ and Pashto هالېنډ: ڈ and ډ are one sound, ہ and ه one letter
    found = link("ہالینڈ")
    assert found is not None and found.label == "Netherlands" and found.method == "normalized"
    trump = link("ٹرمپ")  # ٹ and Arabic ترامب's ت: Urdu has no other letter for Trump's t
    assert trump is not None and trump.label == "Donald Trump"


# --- The model file ------------------------------------------------------------------------


def test_the_shipped_model_names_exactly_this_versions_features() -> None:
    model = read_model(SHIPPED)
    assert model.features == FEATURES and model.trees


def test_a_model_with_other_features_is_refused() -> None:
    data = json.loads(SHIPPED)
    data["features"] = data["features"][:-1]
    with pytest.raises(ModelError, match="refit"):
        read_model(json.dumps(data))


@pytest.mark.parametrize(
    "damage",
    [
        lambda t: t["left"].__setitem__(0, 0),  # a child before its parent: a walk that never ends
        lambda t: t["feature"].__setitem__(0, 999),  # a feature that does not exist
        lambda t: t["value"].__setitem__(-1, float("nan")),  # not a finite number
        lambda t: t["threshold"].pop(),  # arrays of different lengths
    ],
)
def test_a_damaged_tree_is_refused_not_walked(damage: object) -> None:
    data = json.loads(SHIPPED)
    tree = next(t for t in data["trees"] if t["feature"][0] >= 0)
    damage(tree)  # type: ignore[operator]
    with pytest.raises(ModelError):
        read_model(json.dumps(data))


def plain_walk(model: Model, x: tuple[float, ...]) -> float:
    """The trees walked one by one, node by node, as their arrays say."""
    total = model.base
    for tree in model.trees:
        i = 0
        while tree.feature[i] >= 0:
            i = tree.left[i] if x[tree.feature[i]] <= tree.threshold[i] else tree.right[i]
        total += tree.value[i]
    return model.scale * total + model.shift


def evidence_near_the_thresholds(model: Model, count: int) -> list[tuple[float, ...]]:
    """Feature vectors whose values are often exactly a threshold, or next to one."""
    rng = random.Random(13)
    thresholds = sorted({t for tree in model.trees for t in tree.threshold})
    values = [*thresholds, *(math.nextafter(t, math.inf) for t in thresholds), 0.0, 1.0, -1.0]
    return [
        tuple(rng.choice(values) if rng.random() < 0.7 else rng.random() for _ in FEATURES)
        for _ in range(count)
    ]


def test_the_shipped_model_reads_every_tree_at_once_to_the_very_leaf_a_plain_walk_reaches() -> None:
    model = read_model(SHIPPED)
    for x in evidence_near_the_thresholds(model, 3000):
        assert model.log_odds(x) == plain_walk(model, x)


def test_a_model_with_trees_too_big_for_one_segment_is_walked_tree_by_tree_to_the_same_sum() -> None:
    data = json.loads(SHIPPED)
    # a chain of 70 tests on one feature: 71 leaves, more than a 64-bit segment holds
    n = 70
    data["trees"][0] = {
        "feature": [*([3] * n), *([-1] * (n + 1))],
        "threshold": [*(i / n for i in range(n)), *([0.0] * (n + 1))],
        "left": [*(n + i for i in range(n)), *([0] * (n + 1))],
        "right": [*(i + 1 for i in range(n - 1)), 2 * n, *([0] * (n + 1))],
        "value": [*([0.0] * n), *(i / 10 for i in range(n + 1))],
    }
    model = read_model(json.dumps(data))
    for x in evidence_near_the_thresholds(model, 300):
        assert model.log_odds(x) == plain_walk(model, x)


def test_a_model_that_is_not_json_is_refused() -> None:
    with pytest.raises(ModelError, match="not valid JSON"):
        read_model("{" * 100_000)


# --- Probabilities -------------------------------------------------------------------------


def test_candidates_of_one_query_add_up_to_at_most_one() -> None:
    for name in ("بوتين", "دمسق", "جورجيا", "دبي", "محمد علي"):
        assert sum(c.score for c in Gazetteer.default().candidates(name, limit=10)) <= 1.0 + 1e-6


def test_two_entities_one_name_share_its_probability_by_popularity() -> None:
    shared = [(0.8, ("exact", 1.0, "")), (0.7, ("exact", 1.0, "")), (0.1, ("fuzzy", 0.7, ""))]
    out = coherent([p for p, _ in shared], [e for _, e in shared], [200, 20, 50])
    assert out[0] / out[1] == pytest.approx(201 / 21, rel=1e-3)
    assert sum(out) == pytest.approx(1.0, abs=1e-5)


def test_a_place_the_gazetteer_names_apart_is_the_lesser_reading_of_the_bare_name() -> None:
    shared = [(0.4, ("exact", 1.0, "")), (0.4, ("exact", 1.0, ""))]
    plain = coherent([p for p, _ in shared], [e for _, e in shared], [200, 100])
    apart = coherent([p for p, _ in shared], [e for _, e in shared], [200, 100], [False, True])
    assert plain[0] / plain[1] == pytest.approx(201 / 101, rel=1e-3)
    assert apart[0] / apart[1] == pytest.approx(201 / (101 * SET_APART_SHARE), rel=1e-3)
    assert sum(apart) == pytest.approx(sum(plain), abs=1e-5)


@pytest.mark.parametrize(
    ("name", "country", "capital"),
    [
        ("تونس", "Q948", "Q3572"),
        ("کویت", "Q817", "Q35178"),
        ("غواتيمالا", "Q774", "Q1555"),
        ("الجزائر", "Q262", "Q3561"),
    ],
)
def test_a_countrys_bare_name_links_the_country_and_not_its_capital_named_apart(
    name: str, country: str, capital: str
) -> None:
    found = link(name)
    assert found is not None and found.qid == country
    assert found.runner_up is not None and found.runner_up.qid == capital


def test_places_that_share_a_name_pool_what_the_name_is_worth_as_one_entity() -> None:
    # the country and its capital, weighed as one entity against the rest, are what
    # the name alone would be; each weighed against the other, they were worth far less
    pooled = sum(c.score for c in candidates("الجزائر", limit=2))
    assert pooled > 0.8 > LINK_THRESHOLD


def test_namesakes_are_not_pooled_as_one_entity() -> None:
    # a given name shared by two people stays as doubtful as the model makes it
    assert link("هاوارد") is None


def test_the_explanation_names_what_set_the_capital_apart() -> None:
    assert "; another of this name is named apart (تونس العاصمة); " in link("تونس").explanation
    assert "named apart" not in link("تونس العاصمة").explanation


def test_the_capital_named_apart_still_links_by_that_name() -> None:
    assert link("تونس العاصمة").qid == "Q3572"
    assert link("مدينة الكويت").qid == "Q35178"


def _link(qid: str, score: float) -> Link:
    return Link(qid, qid, score, "x", "ar", "exact", "place", "")


def test_two_close_plausible_candidates_are_ambiguous_and_a_lone_weak_one_is_not() -> None:
    assert ambiguous([_link("Q1", 0.45), _link("Q2", 0.40)], LINK_THRESHOLD)
    assert not ambiguous([_link("Q1", 0.30), _link("Q2", 0.01)], LINK_THRESHOLD)
    assert not ambiguous([_link("Q1", 0.97), _link("Q2", 0.02)], 1.0)


def test_every_score_is_a_probability() -> None:
    for name in ("بوتين", "من", "كازاختسان", "Q7747", "ﷲ", "x" * 200):
        for c in Gazetteer.default().candidates(name, limit=10):
            assert 0.0 <= c.score <= 1.0 and math.isfinite(c.score)


# --- Words of the language stay unlinked --------------------------------------------------


@pytest.mark.parametrize(
    "word",
    [
        "من",
        "إلى",
        "لا",
        "غير",
        "لأن",
        "ماں",
        # Urdu "in": normalized, the Arabic مين of Maine; across languages its frequency as a
        # word of Urdu is evidence, as it would be against an Urdu name
        "میں",
        "الصينيين",
        "كامل",
        "كتبت",
    ],
)
def test_frequent_words_and_their_inflections_do_not_link(word: str) -> None:
    assert link(word) is None


def test_a_link_carries_the_evidence_it_was_decided_on() -> None:
    found = link("بوتن")
    assert found is not None
    evidence = dict(found.evidence)
    assert {"similarity", "zipf_gap", "wordness", "gap", "popularity_prior"} <= evidence.keys()


def test_the_explanation_says_when_a_query_is_spelled_like_a_word() -> None:
    (best, *_) = candidates("پرونده", limit=1)
    assert "spelled like a word of the language" in best.explanation


# --- Running text ---------------------------------------------------------------------------


def mentions(text: str) -> list[tuple[str, str]]:
    return [(m.surface, m.link.qid) for m in link_text(text)]


def test_variant_spellings_link_in_running_text() -> None:
    putin, kazakhstan = link("بوتين"), link("كازاخستان")
    assert putin and kazakhstan
    found = mentions("زار بوتيين قازاقستان أمس")
    assert ("بوتيين", putin.qid) in found and ("قازاقستان", kazakhstan.qid) in found


def test_a_clitic_on_the_first_word_of_a_longer_name_is_left_outside_the_span() -> None:
    un = link("الأمم المتحدة")
    assert un is not None
    assert ("الأمم المتحدة", un.qid) in mentions("وقالت والأمم المتحدة إن")


def test_ordinary_words_in_running_text_stay_unlinked() -> None:
    assert mentions("كيف حالك؟ هذا مصدر رئيسي وأمل كبير") == []


@pytest.mark.parametrize("name", ["آمریکا", "آسیا", "کراچی", "مکه"])
def test_a_frequent_name_is_no_word_for_being_more_frequent_than_official_or_foreign_names(name: str) -> None:
    # Persian آمریکا beside ایالات متحده آمریکا; آسیا, کراچی, مکه beside Uyghur ئاسىيا,
    # كاراچى and Kurdish مەککە: neither an official name of several words nor a spelling
    # of another language is an everyday rival, so their frequency says nothing of a word
    found = link(name)
    assert found is not None
    assert mentions(f"او دیروز به {name} رفت") == [(name, found.qid)]


def test_persian_and_urdu_write_no_arabic_clitic_on_a_name() -> None:
    # کوین (Kevin, a given name) is no ك "like" + وین (Vienna), in a list or in text
    with unlisted([normalize("کوین")]):
        assert link("کوین") is None
    assert mentions("دیروز کوین به خانه رفت") == []


def test_running_text_weighs_a_span_as_the_text_writes_it() -> None:
    # normalized, کوین را دید ("saw Kevin") is كوين را ديد, Arabic-looking, a skeleton
    # key of Kevin Rudd at 0.91; as written it is Persian, and link() weighs it below
    # the threshold of running text
    assert link("کوین را دید", threshold=TEXT_VARIANT_THRESHOLD) is None
    assert mentions("او کوین را دید") == []


def test_a_place_inside_a_longer_name_it_does_not_know_is_no_mention() -> None:
    japan = link("اليابان")
    assert japan is not None
    assert (("اليابان", japan.qid)) not in mentions("في بحر اليابان")
    assert (("اليابان", japan.qid)) not in mentions("في روسيا وبحر اليابان")  # the head with a clitic
    assert ("اليابان", japan.qid) in mentions("في اليابان")


def test_a_clitic_inside_a_ligature_never_gives_an_empty_mention() -> None:
    for text in ("ﰈوسكو", "وﰈوسكو", "قال ﰈوسكو"):
        for m in link_text(text):
            assert m.start < m.end and text[m.start : m.end] == m.surface


def test_the_explanation_says_what_weighed_against_a_word() -> None:
    maine = Gazetteer.default().candidates("من", limit=1)[0]
    assert "frequent word (zipf" in maine.explanation and maine.score < 0.02
    assert maine.explanation.endswith(f"probability {maine.score:.2f}")


def test_the_explanation_of_a_link_ends_with_its_probability() -> None:
    found = link("كازاختسان")
    assert found is not None and found.explanation.endswith(f"probability {found.score:.2f}")
