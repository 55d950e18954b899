"""The evidence of a person's name (issue 11): the words of the query against
the words of the name, the name parts a word spells, and what the decision
makes of a given name alone, a surname alone and a stranger's full name."""

from __future__ import annotations

import pytest

from namelink import link, normalize
from namelink.evidence import FEATURES, features
from namelink.lexicon import name_items


def evidence(
    query: str, name: str, *, method: str = "fuzzy", opens: int = 0, entity_type: str = "person"
) -> dict[str, float]:
    form, matched = normalize(query), normalize(name)
    values = features(
        query=form,
        raw=query,
        form=form,
        name=matched,
        name_lang="ar",
        method=method,
        similarity=0.8,
        variant="",
        popularity=10,
        rival_popularity=0,
        entity_type=entity_type,
        lang=None,
        gap=0.3,
        opens=opens,
    )
    return dict(zip(FEATURES, values, strict=True))


def test_the_words_of_a_query_are_counted_on_its_normal_form_not_its_spaceless_key() -> None:
    found = evidence("جيم نايت", "جيم رايت")
    assert found["words"] == 0.5 and found["name_words"] == 0.5
    assert found["first_word"] == 1.0 and found["last_word"] == 0.0


def test_a_stranger_who_shares_a_given_name_leaves_one_word_unmatched() -> None:
    stranger = evidence("جيم نايت", "جيم رايت")
    variant = evidence("مايكل مارتين", "مايكل مارتن")
    assert stranger["weakest_word"] < 0.8 <= variant["weakest_word"] == 1.0


def test_a_name_written_without_its_space_is_the_name_word_for_word() -> None:
    found = evidence("شهبازشريف", "شهباز شريف", method="spelling")
    assert found["weakest_word"] == found["weakest_name_word"] == 1.0
    assert found["alone_first"] == found["alone_last"] == 0.0


def test_spellings_of_one_given_name_share_its_name_item_and_two_names_share_none() -> None:
    assert name_items(normalize("فلاديمير")) & name_items(normalize("ولاديمير"))
    assert name_items(normalize("كتاب")) == frozenset()


def test_words_that_spell_different_names_say_another_person() -> None:
    assert name_items(normalize("دونالد")) and name_items(normalize("جاستن"))
    other = evidence("جاستن ترامب", "دونالد ترامب")
    same = evidence("ولاديمير بوتين", "فلاديمير بوتين")
    assert other["names_differ"] == 1.0 and same["names_differ"] == 0.0 and same["names_agree"] > 0


def test_different_given_names_say_another_person_only_of_a_person() -> None:
    person = evidence("جاستن ترامب", "دونالد ترامب")
    place = evidence("جاستن ترامب", "دونالد ترامب", entity_type="place")
    assert person["person_differs"] == person["names_differ"] == 1.0
    assert place["person_differs"] == 0.0 < place["names_differ"]


def test_a_person_shaped_query_that_loses_words_to_a_place_says_so() -> None:
    assert name_items(normalize("جرج")) and name_items(normalize("آلن"))
    place = evidence("جرج آلن", "جرجان", entity_type="place")
    assert place["name_share"] == place["shape_lost"] == 1.0
    # the same words reaching a person, or a place of as many words, do not
    assert evidence("جرج آلن", "جرجان")["shape_lost"] == 0.0
    assert evidence("جرج آلن", "جرج الن", entity_type="place")["shape_lost"] == 0.0


def test_a_lone_given_name_matched_loosely_is_marked_as_such_and_an_exact_name_is_not() -> None:
    loose = evidence("فلاديمير", "فلاديمير بوتين", opens=2)
    assert loose["alone_first"] == loose["opens_names"] == loose["name_part"] == 1.0
    exact = evidence("فلاديمير", "فلاديمير", method="exact", opens=2)
    assert exact["opens_names"] == exact["name_part"] == 0.0


def test_a_lone_surname_is_told_from_a_lone_given_name() -> None:
    found = evidence("ميشوستن", "ميخائيل ميشوستين")
    assert found["alone_last"] == 1.0 and found["alone_first"] == 0.0


@pytest.mark.parametrize("given", ["فلاديمير", "دونالد", "إيمانويل", "جاستن"])
def test_a_bare_given_name_of_a_known_person_does_not_link(given: str) -> None:
    assert link(given) is None


@pytest.mark.parametrize(
    ("surname", "label"), [("بوتين", "Vladimir Putin"), ("ميشوستين", "Mikhail Mishustin")]
)
def test_a_known_persons_surname_alone_still_links(surname: str, label: str) -> None:
    found = link(surname)
    assert found is not None and found.label == label


def test_a_stranger_with_a_known_persons_given_name_does_not_link() -> None:
    assert link("دونالد سميث") is None and link("إيمانويل فالس") is None
