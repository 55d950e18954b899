"""normalize(): the orthographic normal form."""

from __future__ import annotations

import time
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from namelink import chars
from namelink.keys import keys
from namelink.normalize import FAST_ALPHABET, STEPS, normalize


def run_steps(text: str) -> str:
    for step in STEPS:
        text = step(text)
    return text


# Text drawn mostly from the Arabic blocks, with the marks and controls that
# real copy-pasted text carries, plus anything else Unicode has.
arabic_text = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x0600, max_codepoint=0x06FF),
        st.characters(min_codepoint=0xFB50, max_codepoint=0xFEFF),
        st.sampled_from(["\u200c", "\u200d", "\u200f", "\u202b", "\u2067", " ", "-", "،", "A", "é"]),
        st.characters(),
    ),
    max_size=40,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ﻻ", "لا"),  # lam-alef ligature from a PDF
        ("ﷲ", "الله"),
        ("ﻼ", "لا"),
        ("ﺑﻮﺗﻴﻦ", "بوتين"),  # presentation forms of each letter
        ("مُحَمَّدٌ", "محمد"),  # harakat, shadda, tanwin
        ("رحمٰن", "رحمن"),  # superscript alef
        ("بوتـــين", "بوتين"),  # tatweel
        ("بو\u200cتين\u200f", "بوتين"),  # ZWNJ and RLM
        ("\u2067بوتين\u2069", "بوتين"),  # bidi isolates
        ("أحمد إبراهيم آمنة ٱلله", "احمد ابراهيم امنه الله"),  # alef forms, teh marbuta
        ("مصطفى", "مصطفي"),  # alef maksura
        ("ایران", "ايران"),  # Farsi yeh
        ("کابل", "كابل"),  # keheh
        ("پاکستان", "پاكستان"),  # peh stays: it is a sound of its own
        ("ٹیلی ویژن", "تيلي ويژن"),  # Urdu tteh
        ("ڈھاکہ", "دهاكه"),  # Urdu ddal, heh doachashmee, heh goal
        ("پاڑا", "پارا"),  # Urdu rreh
        ("پاکستاں", "پاكستان"),  # noon ghunna
        ("ئۇيغۇر", "اويغور"),  # Uyghur u, and the hamza seat of a vowel-initial word
        ("کوردستانە", "كوردستانه"),  # Kurdish ae at a word's end
        ("مەسقەت", "ماسقات"),  # Kurdish ae within a word: a written vowel
        ("ئەسمەرە", "اسماره"),  # a seat and the vowel it carries are one alef
        ("ئاۋكلاند", "اوكلاند"),  # Uyghur ve on waw
        ("رئيس هيئة", "رئيس هيئه"),  # a seat within an Arabic word stays
        ("١٩٧٩ ۱۳۵۷", "1979 1357"),  # Arabic-Indic and Persian digits
        ("Erdoğan", "erdogan"),
        ("António Guterres", "antonio guterres"),
        ("ŁÓDŹ", "lodz"),
        ("Putin, Vladimir", "putin vladimir"),
        ("منظمة «شنغهاي» للتعاون!", "منظمه شنغهاي للتعاون"),
        ("  بوتين \t\n  شي  ", "بوتين شي"),
        ("", ""),
        ("؟!،.", ""),
    ],
)
def test_normalize_gives_the_orthographic_normal_form(text: str, expected: str) -> None:
    assert normalize(text) == expected


@pytest.mark.parametrize("cp", sorted(chars.FOLD_LETTERS))
def test_every_folded_letter_normalizes_to_its_documented_base(cp: int) -> None:
    base = chars.FOLD_LETTERS[cp] or ""
    assert normalize("ب" + chr(cp) + "ب") == normalize("ب" + base + "ب")


@pytest.mark.parametrize(
    ("vowelled", "arabic"),
    [("ئوسلو", "أوسلو"), ("کەنەدا", "كندا"), ("ئیرلەند", "إيرلندا"), ("مەسقەت", "مسقط")],
)
def test_kurdish_and_uyghur_spellings_share_a_key_with_the_arabic_one(vowelled: str, arabic: str) -> None:
    assert any(theirs == ours for theirs, ours in zip(keys(vowelled), keys(arabic), strict=True))


def test_pyarabic_diacritics_are_all_removed() -> None:
    araby = pytest.importorskip("pyarabic.araby")
    for mark in araby.DIACRITICS:
        assert normalize("ب" + mark + "ت") == "بت", unicodedata.name(mark)


def test_the_composed_table_equals_running_the_steps_one_by_one() -> None:
    samples = ["ﻻ ﷲ", "أَرْدُوغَان", "پوتـــين\u200c", "ÉRDOĞAN ١٢٣", "ڈھاکہ، ئۇيغۇر"]
    for text in samples:
        assert normalize(text) == run_steps(text)


@given(arabic_text)
@settings(max_examples=400, deadline=None)
def test_normalize_is_idempotent_and_never_raises(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


@given(arabic_text)
@settings(max_examples=200, deadline=None)
def test_normalize_equals_its_documented_steps(text: str) -> None:
    assert normalize(text) == run_steps(text)


FAST_CHARACTERS = sorted({chr(cp) for part in FAST_ALPHABET for cp in part})


def test_the_fast_codec_gives_the_documented_steps_for_every_character_it_covers() -> None:
    for char in FAST_CHARACTERS:
        for text in (char, "ب" + char + "ب", "ا" + char + "\u0653", char * 3 + " Putin"):
            assert normalize(text) == run_steps(text), (hex(ord(char)), text)


@given(st.text(alphabet=st.sampled_from(FAST_CHARACTERS), max_size=30))
@settings(max_examples=300, deadline=None)
def test_text_entirely_in_the_fast_alphabet_normalizes_as_the_documented_steps(text: str) -> None:
    assert normalize(text) == run_steps(text)


@pytest.mark.parametrize("bad", [None, 12, b"bytes", ["list"]])
def test_normalize_rejects_non_str_naming_the_argument(bad: object) -> None:
    with pytest.raises(TypeError, match=r"text must be str, not"):
        normalize(bad)  # type: ignore[arg-type]


def adversarial(size: int) -> str:
    unit = "ب\u064e\u0651ـ\u200c\u202bx é ٱ" + " " * 20 + "\u0300" * 5
    return (unit * (size // len(unit) + 1))[:size]


def test_normalize_stays_linear_on_a_megabyte_of_adversarial_text() -> None:
    small, large = adversarial(100_000), adversarial(1_000_000) + " " * 100_000
    start = time.perf_counter()
    normalize(small)
    small_time = time.perf_counter() - start
    start = time.perf_counter()
    assert normalize(large)
    large_time = time.perf_counter() - start
    # Loose on purpose (noisy CI): linear work is ~10x; quadratic would be ~100x.
    assert large_time < 3.0
    assert large_time < 40 * small_time + 0.5
