"""link_text(): mentions in running text, with exact offsets into the caller's string."""

from __future__ import annotations

import tracemalloc

import pytest

from namelink import Gazetteer, Mention, iter_link_text, link, link_text

# QIDs of the embedded gazetteer's entries (see tests/data/default_links.tsv).
PUTIN, XI, SAMARKAND, CHINA, SCO, UKRAINE = "Q7747", "Q15031", "Q5753", "Q148", "Q485207", "Q212"
KAZAKHSTAN, US, RAISI, PELOSI, UZBEKISTAN = "Q232", "Q30", "Q5947347", "Q170581", "Q265"


def found(text: str, **kwargs: object) -> list[tuple[str, str]]:
    mentions = link_text(text, **kwargs)  # type: ignore[arg-type]
    for m in mentions:
        assert text[m.start : m.end] == m.surface
    return [(m.surface, m.link.qid) for m in mentions]


def test_multi_word_names_win_over_their_parts() -> None:
    text = "اجتمع قادة منظمة شنغهاي للتعاون في حضور شي جين بينغ وممثل عن الولايات المتحدة."
    assert found(text) == [("منظمة شنغهاي للتعاون", SCO), ("شي جين بينغ", XI), ("الولايات المتحدة", US)]


@pytest.mark.parametrize(
    ("word", "surface", "qid"),
    [
        ("وبوتين", "بوتين", PUTIN),
        ("لبوتين", "بوتين", PUTIN),
        ("بسمرقند", "سمرقند", SAMARKAND),
        ("للصين", "لصين", CHINA),
        ("فالصين", "الصين", CHINA),
        ("بأوزبكستان", "أوزبكستان", UZBEKISTAN),
    ],
)
def test_clitics_are_left_outside_the_span(word: str, surface: str, qid: str) -> None:
    assert found(f"وصل الوفد {word} أمس") == [(surface, qid)]


def test_a_name_glued_to_the_next_word_is_split_off() -> None:
    text = "مع الهجوم على أوكرانياخلفية القمة، وصل الوفد من كازاخستانلكنهم تأخروا."
    assert found(text) == [("أوكرانيا", UKRAINE), ("كازاخستان", KAZAKHSTAN)]


@pytest.mark.parametrize("word", ["الصينيين", "ایتالیایی", "الرياضيات"])
def test_a_word_that_begins_with_a_name_is_no_name_glued_to_another_word(word: str) -> None:
    # "the Chinese", "Italian", "mathematics": the lexicon lists each as one word,
    # and what follows China, Italy, Riyadh (يين, ایی, يات) is none
    assert found(f"قال {word} أمس") == []


def test_latin_names_inside_arabic_text_are_found() -> None:
    text = "التقى الرئيس الصيني Xi بنظيره في قمة SCO الأخيرة."
    assert found(text) == [("Xi", XI), ("SCO", SCO)]


def test_lowercase_short_latin_words_are_not_names() -> None:
    assert found("the talks between us and xi") == []


def test_a_short_form_after_the_full_name_links_to_the_same_person() -> None:
    text = "استقبل شي جين بينغ ضيفه فلاديمير بوتين. وقال شي إن بوتين صديق قديم."
    assert found(text) == [("شي جين بينغ", XI), ("فلاديمير بوتين", PUTIN), ("شي", XI), ("بوتين", PUTIN)]
    short = link_text(text)[2]
    assert short.link.method == "document"
    assert "earlier in the text" in short.link.explanation


def test_a_short_form_after_a_conjunction_links_when_the_document_named_the_person() -> None:
    text = "استقبل شي جين بينغ ضيفه. وقال بوتين وشي إن المحادثات مثمرة."
    assert found(text) == [("شي جين بينغ", XI), ("بوتين", PUTIN), ("شي", XI)]
    assert found("قال بوتين وشي إن المحادثات مثمرة.") == [("بوتين", PUTIN)]  # no document support


def test_the_official_name_of_a_state_is_one_mention_but_a_title_stays_outside() -> None:
    afghanistan = link_text("أفغانستان")[0].link.qid
    assert found("زار جمهورية أفغانستان الإسلامية أمس") == [("جمهورية أفغانستان الإسلامية", afghanistan)]
    assert found("زار اسلامی جمہوریہ افغانستان") == [("اسلامی جمہوریہ افغانستان", afghanistan)]
    assert found("وقال الرئيس بوتين") == [("بوتين", PUTIN)]


def test_a_short_form_that_is_a_common_word_needs_support() -> None:
    assert found("لا شي يمنع ذلك.") == []
    assert found("هذا هو السبب رئيسي في الأزمة.") == []
    assert found("وقال الرئيس رئيسي إن المحادثات مثمرة.") == [("رئيسي", RAISI)]


def test_adjectives_are_not_mentions_of_countries() -> None:
    assert found("قال الرئيس الروسي إن الشركات الصينية والأمريكية تتنافس.") == []


def test_the_seed_spellings_of_the_news_are_all_found() -> None:
    text = "التقى ڤلاديمير پوتن بنظيره شي جنپنگ في سامرقند، وانتقد زيارة نانسي پلوسي إلى تايوان."
    got = dict(found(text))
    assert got["ڤلاديمير پوتن"] == PUTIN
    assert got["شي جنپنگ"] == XI
    assert got["سامرقند"] == SAMARKAND
    assert got["نانسي پلوسي"] == PELOSI


def test_a_name_with_its_words_in_another_order_is_found_as_link_finds_it() -> None:
    # the gazetteer writes جزائر کوکوس; link() matches the other order by its word-order key
    cocos = link("جزائر کوکوس")
    assert cocos is not None
    assert found("اس نے کہا کہ کوکوس جزائر میں بارش ہوئی") == [("کوکوس جزائر", cocos.qid)]


def test_a_word_written_with_persian_letters_is_that_word_not_a_misspelled_name() -> None:
    # أولمپياد is أولمبياد "Olympiad" with پ for ب: no typo of Olympia
    assert found("حضر الزعيم الروسي افتتاح أولمپياد بكين قبل وقت قصير") == [("بكين", link("بكين").qid)]


def test_urdu_words_that_spell_a_sound_apart_from_a_name_stay_words_in_text() -> None:
    # "I ate two breads and, with mother, looked at the colours": not Mark Rutte (روٹے),
    # Amman (امان) or Rangoon (رنگون), whose normal forms these words share
    assert found("میں نے دو روٹی کھائیں اور اماں کے ساتھ رنگوں کو دیکھا") == []


def test_offsets_stay_exact_with_diacritics_tatweel_and_odd_spaces() -> None:
    text = "قال\u00a0فَلادِيمِير\u2009بُوتِـــين\u200f: إنّ «الصّين» شريك."
    mentions = link_text(text)
    assert [(m.surface, m.link.qid) for m in mentions] == [
        ("فَلادِيمِير\u2009بُوتِـــين", PUTIN),
        ("الصّين", CHINA),
    ]
    assert all(text[m.start : m.end] == m.surface for m in mentions)


def test_mixed_right_to_left_and_left_to_right_text_keeps_offsets() -> None:
    text = "Summit report: \u202bالتقى بوتين\u202c with Xi Jinping in Samarkand (سمرقند)."
    mentions = link_text(text)
    assert [m.link.qid for m in mentions] == [PUTIN, XI, SAMARKAND, SAMARKAND]
    assert all(text[m.start : m.end] == m.surface for m in mentions)


def test_text_with_no_arabic_at_all_works() -> None:
    assert found("Vladimir Putin met Xi Jinping in Samarkand.") == [
        ("Vladimir Putin", PUTIN),
        ("Xi Jinping", XI),
        ("Samarkand", SAMARKAND),
    ]


def test_types_filter_the_mentions() -> None:
    text = "زار بوتين الصين."
    assert found(text, types={"person"}) == [("بوتين", PUTIN)]
    assert found(text, types="place") == [("الصين", CHINA)]


def test_the_gazetteer_method_and_the_iterator_give_the_same_mentions() -> None:
    text = "زار بوتين الصين والتقى شي جين بينغ."
    default = Gazetteer.default()
    assert default.link_text(text) == link_text(text) == list(iter_link_text(text))
    assert all(isinstance(m, Mention) for m in link_text(text))


def test_empty_text_gives_no_mentions() -> None:
    assert link_text("") == []
    assert link_text("   \n\t ") == []


@pytest.mark.parametrize("bad", [None, 42, b"bytes", ["list"]])
def test_non_str_text_raises_type_error(bad: object) -> None:
    with pytest.raises(TypeError, match="text must be str"):
        link_text(bad)  # type: ignore[arg-type]


def test_ten_megabytes_of_text_stream_in_bounded_memory() -> None:
    paragraph = "التقى بوتين بالرئيس شي جين بينغ في سمرقند وناقشا الوضع في أوكرانيا. " * 20
    text = paragraph * (10_000_000 // len(paragraph.encode()) + 1)
    tracemalloc.start()
    count = 0
    for _ in iter_link_text(text):
        count += 1
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count > 100_000
    assert peak < 20_000_000  # the text itself is not copied; tokens stream through a small window


class CountingLookup:
    """The default gazetteer, counting what the reader asks of it: the full
    lookups (looked_up), and every question about a span (asked)."""

    def __init__(self) -> None:
        self.gazetteer = Gazetteer.default()
        self.looked_up: list[str] = []
        self.asked: list[str] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self.gazetteer, name)

    def link(self, name: str, **options: object) -> object:
        self.looked_up.append(name)
        self.asked.append(name)
        return self.gazetteer.link(name, **options)  # type: ignore[arg-type]

    def link_as_written(self, name: str, types: frozenset[str] | None, threshold: float | None) -> object:
        self.asked.append(name)
        return self.gazetteer.link_as_written(name, types, threshold)

    def holds_name(self, norm: str) -> bool:
        self.asked.append(norm)
        return self.gazetteer.holds_name(norm)

    def holds_key_of(self, norm: str) -> bool:
        self.asked.append(norm)
        return self.gazetteer.holds_key_of(norm)


def test_a_word_looked_up_as_a_variant_is_not_looked_up_again_as_a_typo() -> None:
    from namelink.text import read_mentions

    lookup = CountingLookup()
    word = "گيوانا"  # shares a key with names, and is long and unknown enough for a typo
    assert lookup.gazetteer.holds_key_of(word)
    list(read_mentions(f"وصل الوفد من {word} أمس ثم عاد إلى {word}", lookup, None, None))  # type: ignore[arg-type]
    assert lookup.looked_up.count(word) == 1


def test_words_that_start_no_name_ask_the_gazetteer_nothing() -> None:
    from namelink.text import read_mentions

    lookup = CountingLookup()
    text = "وقال المتحدث الاجتماع المقبل سيعقد يوم الخميس"
    assert not any(lookup.gazetteer.first_words().get(word) for word in text.split())
    assert list(read_mentions(text, lookup, None, None)) == []  # type: ignore[arg-type]
    assert lookup.asked == []


def test_a_word_that_starts_no_name_is_still_a_short_form_the_document_made() -> None:
    schroeder = "Q2530"
    assert not Gazetteer.default().first_words().get("شرودر")
    text = "استقبل الوفد غيرهارد شرودر أمس. وقال شرودر إن الاجتماع مهم، ثم تحدث وشرودر"
    assert found(text) == [("غيرهارد شرودر", schroeder), ("شرودر", schroeder), ("شرودر", schroeder)]


def test_a_name_inside_a_longer_name_the_gazetteer_lacks_is_not_even_looked_up() -> None:
    from namelink.text import read_mentions

    lookup = CountingLookup()
    assert lookup.gazetteer.holds_name("سمرقند")
    assert list(read_mentions("عبروا خليج سمرقند أمس", lookup, None, None)) == []  # type: ignore[arg-type]
    assert "سمرقند" not in lookup.asked


def test_documents_read_after_one_another_give_the_mentions_of_a_fresh_gazetteer() -> None:
    texts = [
        "وصل الوفد من قازاقستان ثم التقى اردوگان في انقرة.",
        "قال اردوگان إن قازاقستان شريك، وزار بوتين سمرقند.",
    ]
    gazetteer = Gazetteer.default()
    again = [gazetteer.link_text(text) for text in texts + texts]
    gazetteer.forget()
    fresh = [gazetteer.link_text(text) for text in texts]
    assert again == fresh + fresh
    assert any(m.link.method == "key" for mentions in fresh for m in mentions)
