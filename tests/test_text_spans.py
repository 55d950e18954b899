"""link_text(): how far a mention reaches, in real strings of the open-world
eval (issue 11): the designators and territory words of an official name, and
names joined by و or spelled otherwise, are one mention."""

from __future__ import annotations

from namelink import link, link_text


def found(text: str) -> list[tuple[str, str]]:
    mentions = link_text(text)
    for m in mentions:
        assert text[m.start : m.end] == m.surface
    return [(m.surface, m.link.qid) for m in mentions]


def qid(name: str) -> str:
    linked = link(name)
    assert linked is not None
    return linked.qid


def test_a_territory_s_designator_before_its_name_is_part_of_the_mention() -> None:
    assert found("أين تقع مدينة الفاتيكان ؟") == [("مدينة الفاتيكان", qid("الفاتيكان"))]
    assert found("أين تقع دولة مدينة الفاتيكان ؟") == [("دولة مدينة الفاتيكان", qid("الفاتيكان"))]
    assert found("أين تقع إقليم جزر كوكوس ؟") == [("إقليم جزر كوكوس", qid("جزر كوكوس"))]


def test_a_state_s_official_name_with_its_qualifiers_is_one_mention() -> None:
    text = "وفاقی جمہوری جمہوریہ ایتھوپیا کی جنرل اسمبلی اعلان کرتی ہے کہ"
    assert found(text) == [("وفاقی جمہوری جمہوریہ ایتھوپیا", qid("ایتھوپیا"))]
    assert found("بزرگترین رباعی سرای جمهوری متحد تانزانیا کیه") == [("جمهوری متحد تانزانیا", qid("تانزانیا"))]
    text = "اولین نماز جمعه ایالات متحد مکزیک چه کسی امامت آن را بر عهده گرفت"
    assert found(text) == [("ایالات متحد مکزیک", qid("مکزیک"))]


def test_a_territory_word_after_a_name_is_part_of_the_mention() -> None:
    assert found("یہ حق جزیرہ نورفک خطہ میں") == [("جزیرہ نورفک خطہ", qid("جزیرہ نورفک"))]
    assert found("أين تقع دولة ساموا المستقلة ؟") == [("دولة ساموا المستقلة", qid("ساموا"))]


def test_a_designator_that_makes_another_entity_stays_that_entity() -> None:
    assert found("وصل الوفد إلى مدينة الكويت أمس") == [("مدينة الكويت", qid("مدينة الكويت"))]
    assert qid("مدينة الكويت") != qid("الكويت")


def test_a_common_noun_before_a_place_stays_outside_the_mention() -> None:
    text = "رئیس جمهور آمریکا که بمب اتمی را به روی مردم شهر هیروشیما ریخت که بود"
    assert ("هیروشیما", qid("هیروشیما")) in found(text)
