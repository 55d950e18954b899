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
    assert found("بزرگترین رباعی سرای جمهوری متحد تانزانیا کیه") == [
        ("جمهوری متحد تانزانیا", qid("تانزانیا"))
    ]
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


def test_names_joined_by_and_are_one_mention_when_the_whole_is_a_name() -> None:
    sao_tome_and_principe = qid("سائوتومه و پرینسیپ")
    assert sao_tome_and_principe != qid("سائوتومه")
    text = "سازمان جاسوسی سائوتومه و پرنسیپ چه نام دارد"
    assert found(text) == [("سائوتومه و پرنسیپ", sao_tome_and_principe)]
    assert found("أين تقع ساو تومي وبرينسيب ؟") == [("ساو تومي وبرينسيب", sao_tome_and_principe)]


def test_a_name_that_starts_with_a_frequent_word_is_found_when_spelled_word_for_word() -> None:
    assert found("مشرقی تیمور کی جنرل اسمبلی اعلان کرتی ہے کہ") == [("مشرقی تیمور", qid("مَشرِقی تایمور"))]
    text = "سینٹ پیئر و میکوئیلون کی جنرل اسمبلی اعلان کرتی ہے کہ"
    assert found(text) == [("سینٹ پیئر و میکوئیلون", qid("سینٹ پیئر و میکیلون"))]


def test_a_frequent_word_before_a_name_or_glued_into_one_is_no_variant_of_it() -> None:
    assert found("کلمه مادر و زن هر دو کلمه مقدسی هستند") == []  # not مادورو
    text = "ایسے افعال کی وجہ سے عمل میں آتی ہیں جو جزیرہ آئرلینڈ کے مقاصد اور اُصول کے خلاف ہیں۔"
    assert [surface for surface, _ in found(text)] == ["جزیرہ آئرلینڈ"]
    assert found("مراحل ساخت اولین کامپیوتر") == []  # not سيخوت ألين


def test_a_word_of_a_name_written_as_two_is_still_the_name() -> None:
    assert found("کرسمس آئ لینڈ کی جنرل اسمبلی اعلان کرتی ہے کہ") == [("کرسمس آئ لینڈ", qid("کرسمس آئلینڈ"))]


def test_a_name_that_is_only_designators_is_those_of_the_name_after_it() -> None:
    mexico, png = qid("میکسیکو"), qid("پاپوا نیو گنی")
    assert found("ریاستہائے متحدہ میکسیکو کی جنرل اسمبلی") == [("ریاستہائے متحدہ میکسیکو", mexico)]
    text = "وہ آزاد ریاستِ پاپوا نیو گنی کے اشتراکِ عمل سے"
    assert found(text) == [("آزاد ریاستِ پاپوا نیو گنی", png)]
    assert found("ریاستہائے متحدہ کی جنرل اسمبلی") == [("ریاستہائے متحدہ", qid("ریاستہائے متحدہ"))]


def test_a_city_state_s_designator_is_part_of_its_name() -> None:
    text = "چیزی درباره جنگ\u200cهای داخلی دولت\u200cشهر واتیکان میدونی"
    assert found(text) == [("دولت\u200cشهر واتیکان", qid("واتیکان"))]


def test_a_word_that_begins_names_does_so_behind_its_clitics_too() -> None:
    from namelink.spans import begins_names

    assert [begins_names(word) for word in ("جزر", "وجزر", "بجزر", "وبحر")] == [True] * 4
    assert not begins_names("سمرقند") and not begins_names("وسمرقند") and not begins_names("")
