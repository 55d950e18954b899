"""The orthographic normal form of a name: normalize().

Two spellings that differ only in writing conventions get the same normal form,
and the normal form stays readable: پوتن stays پوتن (keys.py is where پ meets ب).

The steps, in this fixed order (``STEPS``):

1. ``fold_compatibility``  NFKC: presentation forms and ligatures (ﻻ ﷲ ﻼ), as
   copied from PDFs, become the letters they show; full-width Latin becomes ASCII.
2. ``fold_case``           Latin (and any cased script) is casefolded.
3. ``remove_marks``        harakat, tanwin, shadda, sukun, superscript alef,
   Quranic marks, tatweel, accents, and zero-width and bidi controls go.
4. ``fold_letters``        alef/hamza forms → ا, ى ی ې ۍ ے → ي, ة → ه, and the
   Persian, Urdu, Pashto, Kurdish and Uyghur letters that write an Arabic
   letter's sound → that letter (chars.FOLD_LETTERS documents every row).
5. ``fold_digits``         Arabic-Indic and Persian digits → ASCII.
6. ``strip_accents``       precomposed Latin letters → their base letter.
7. ``recompose``           NFKC again: a deletion may have brought together two
   characters that compose (Hangul jamo); composing them keeps normalize idempotent.
8. ``collapse_space``      punctuation becomes a space; runs of space become one.
9. ``fold_vowel_letters``  the vowels that Kurdish, Uyghur and Kazakh write and
   Arabic leaves out: a word's first ئ (with the ا or ە it carries) → ا, ە → ا
   within a word and → ه at its end (ئەسمەرە → اسماره; chars.AE documents them).

Steps 2 to 6 and the punctuation of step 8 are composed into one ``str.translate``
table over the Basic Multilingual Plane, so that the general path is one NFKC, one
C-level translate pass and a split; ``normalize`` equals running ``STEPS`` one by
one, and a test holds it to that.

The hot path is faster still. ``str.translate`` looks every character up through
Python objects (~35 ns each); a charmap codec looks it up in a C array. So the
same composed table, restricted to the ~230 characters Arabic, Persian, Urdu,
Pashto, Kurdish and Uyghur names are written in (``FAST_ALPHABET``), is compiled
into a codec: encode to one byte per character, delete the bytes of deleted
characters, decode each byte to its folded character. Text with any other
character (Latin accents, presentation forms NFKC did not unfold, other scripts,
astral code points) fails to encode and takes the general path. The outputs of
the fast path are letters, digits and spaces that never compose, so the second
NFKC is not needed there; a test holds both paths to the same result.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from codecs import charmap_decode, charmap_encode  # looked up once: they run per name
from collections.abc import Callable, Iterable
from functools import cache
from typing import TYPE_CHECKING

from namelink import chars

if TYPE_CHECKING:
    from _codecs import _EncodingMap

    EncodingMap = dict[int, int] | _EncodingMap  # what codecs.charmap_build returns

__all__ = ["FAST_ALPHABET", "STEPS", "fast_codec", "keeps_apart", "normalize"]

_NON_WORD = re.compile(r"[\W_]+")


def fold_compatibility(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def fold_case(text: str) -> str:
    return text.casefold()


def remove_marks(text: str) -> str:
    return text.translate(chars.delete_table())


def fold_letters(text: str) -> str:
    return text.translate(chars.FOLD_LETTERS)


def fold_digits(text: str) -> str:
    return text.translate(chars.DIGITS)


def strip_accents(text: str) -> str:
    return text.translate(chars.LATIN)


def recompose(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def collapse_space(text: str) -> str:
    return _NON_WORD.sub(" ", text).strip()


# Over text whose words are spaces apart (one or more: the rules read the same).
_AE, _SEAT, _SPACED_SEAT = chars.AE, chars.VOWEL_SEAT, " " + chars.VOWEL_SEAT
_SEATED_VOWEL = re.compile(f"(?:^|(?<= )){_SEAT}[{_AE}ا]?")
_AE_WITHIN_WORD = re.compile(f"{_AE}(?=[^ ])")


def fold_vowel_letters(text: str) -> str:
    if _AE in text:
        text = _AE_WITHIN_WORD.sub(chars.AE_WITHIN_WORD, text).replace(_AE, chars.AE_AT_WORD_END)
    if text[:1] == _SEAT or _SPACED_SEAT in text:
        text = _SEATED_VOWEL.sub(chars.VOWEL_SEAT_AT_WORD_START, text)
    return text


STEPS: tuple[Callable[[str], str], ...] = (
    fold_compatibility,
    fold_case,
    remove_marks,
    fold_letters,
    fold_digits,
    strip_accents,
    recompose,
    collapse_space,
    fold_vowel_letters,
)


class _OnDemand(dict[int, "str | int | None"]):
    """A ``str.translate`` table whose entries are computed the first time a
    character is seen: building the whole table up front (a scan of Unicode)
    cost ~0.2 s of the first lookup. Entries of the Basic Multilingual Plane are
    kept (at most 65,536); others are computed each time they occur."""

    __slots__ = ("_entry",)

    def __init__(self, entry: Callable[[int], str | int | None]) -> None:
        super().__init__()
        self._entry = entry

    def __missing__(self, cp: int) -> str | int | None:
        value = self._entry(cp)
        if cp < 0x10000:
            self[cp] = value
        return value


def _general_entry(cp: int) -> str | int | None:
    # the first step that maps a character wins; a character none maps stays itself
    if chars.deletes(cp):
        return None
    for step in (chars.FOLD_LETTERS, chars.DIGITS, chars.LATIN):
        if cp in step:
            return step[cp]
    return cp


@cache
def _table() -> _OnDemand:
    """chars.delete_table(), FOLD_LETTERS, DIGITS and LATIN composed into one table."""
    return _OnDemand(_general_entry)


def _fold(cp: int) -> str | int | None:
    """fold_case and _table(), and punctuation → space, run to a fixed point: one
    character's entry of the BMP table (None: deleted; itself: unchanged)."""
    general = _table()

    def once(text: str) -> str:
        text = text.casefold().translate(general)
        return "".join(c if c.isalnum() else " " for c in text)

    char = chr(cp)
    out = once(char)
    while (again := once(out)) != out:
        out = again
    return cp if out == char else out or None


@cache
def _bmp_table() -> _OnDemand:
    """_fold() of the characters of the Basic Multilingual Plane, as one table.

    Folding case and punctuation into the same pass lets ``" ".join(text.split())``
    finish the job: one translate per name instead of four passes and a regex.
    Each entry is run to a fixed point, so the table is idempotent by construction.
    """
    return _OnDemand(_fold)


# The characters the fast path encodes: what names in the languages namelink
# reads are written with. Each must be its own NFKC, compose with nothing, and
# fold to at most one character of the set; fast_codec() checks that and leaves
# out any that does not (ڭ, which folds to two letters).
FAST_ALPHABET: tuple[Iterable[int], ...] = (
    (0x00, 0x09, 0x0A, 0x0D),  # NUL (byte 0 must be NUL), tab, newline, carriage return
    range(0x0020, 0x0080),  # printable ASCII
    range(0x0621, 0x063B),  # Arabic letters hamza .. ghain
    range(0x0640, 0x0653),  # tatweel, letters feh .. yeh, harakat, shadda, sukun
    range(0x0656, 0x0660),  # subscript alef and the other marks after it
    range(0x0660, 0x066E),  # Arabic-Indic digits, percent, decimal and thousands separators, star
    range(0x0670, 0x0672),  # superscript alef, alef wasla
    range(0x06F0, 0x06FA),  # Persian digits
    range(0x200B, 0x2010),  # zero-width space, ZWNJ, ZWJ, LRM, RLM
    range(0x202A, 0x202F),  # bidi embeddings and overrides
    range(0x2066, 0x206A),  # bidi isolates
    range(0x2013, 0x2015),  # en and em dash
    range(0x2018, 0x201A),  # single quotes
    range(0x201C, 0x201E),  # double quotes
    tuple(map(ord, "،؛؟\u061c\u00ad«»\ufeff")),  # Arabic punctuation, ALM, soft hyphen, guillemets, BOM
    tuple(map(ord, "پچژکگی")),  # Persian
    tuple(map(ord, "ٹڈڑںھہۂۃےۓ۔")),  # Urdu
    tuple(map(ord, "ټډړږښګڼېۍځڅ")),  # Pashto
    tuple(map(ord, "ڕڵۆێەڤ")),  # Kurdish
    tuple(map(ord, "ۇۈۋڭۅ")),  # Uyghur
    tuple(map(ord, "ٻڀٽٿڊڏڪڻؠ")),  # Sindhi, Kashmiri (names of places and people in Pakistan)
)


@cache
def fast_codec() -> tuple[EncodingMap, bytes, str]:
    """FAST_ALPHABET and _bmp_table() as a charmap codec: the encoding map (one
    byte per character), the bytes of deleted characters, and the decoding table
    (byte → folded character). Byte 0 is U+0000, as codecs.charmap_build needs
    for a C-level map; unused bytes are U+FFFE, which it reads as unmapped. It
    folds only its few hundred characters."""
    table = _bmp_table()

    def folded(cp: int) -> str:
        out = table[cp]
        return chr(out) if isinstance(out, int) else out or ""

    # Each character must be its own NFKC and compose with none before it, so that
    # text of these characters needs no NFKC: the second halves of canonical
    # pairs (U+0653 to U+0655 in Arabic) are left out, and any mark left in must
    # be one that is deleted, so that NFKC's reordering of marks cannot matter.
    seconds = {
        int(parts[1], 16)
        for cp in range(0x10000)
        if (parts := unicodedata.decomposition(chr(cp)).split()) and len(parts) == 2 and parts[0][0] != "<"
    }
    alphabet = sorted(
        cp
        for part in FAST_ALPHABET
        for cp in part
        if unicodedata.normalize("NFKC", chr(cp)) == chr(cp)
        and cp not in seconds
        and not (unicodedata.combining(chr(cp)) and folded(cp))
    )
    while True:  # drop what folds to more than one character, or to one outside the set
        kept = [cp for cp in alphabet if len(folded(cp)) <= 1 and all(ord(c) in alphabet for c in folded(cp))]
        if kept == alphabet:
            break
        alphabet = kept
    if alphabet[0] != 0 or len(alphabet) > 256:
        raise RuntimeError(f"FAST_ALPHABET must hold U+0000 and at most 256 characters, not {len(alphabet)}")
    padded = alphabet + [0xFFFE] * (256 - len(alphabet))
    encoding = codecs.charmap_build("".join(map(chr, padded)))
    deleted = bytes(byte for byte, cp in enumerate(alphabet) if not folded(cp))
    decoding = "".join(folded(cp) or "\ufffe" for cp in alphabet) + "\ufffe" * (256 - len(alphabet))
    return encoding, deleted, decoding


_ASCII = {cp: " " for cp in range(128) if not chr(cp).isalnum()}
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def check_str(value: object, name: str) -> str:
    """Return ``value`` if it is a str, else raise TypeError naming the argument."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be str, not {type(value).__name__}")
    return value


def normalize(text: str) -> str:
    """The orthographic normal form of ``text``; '' for empty or punctuation-only input.

    >>> normalize("ڤلاديمير پوتـــين")
    'ڤلاديمير پوتين'
    >>> normalize("أَرْدُوغَان")
    'اردوغان'
    """
    if not isinstance(text, str):
        check_str(text, "text")
    if text.isascii():
        text = text.lower().translate(_ASCII)
    else:
        encoding, deleted, decoding = _FAST or _fast_start()
        try:  # text in the fast alphabet is already NFKC (see fast_codec)
            data = charmap_encode(text, "strict", encoding)[0]
        except UnicodeEncodeError:
            text = unicodedata.normalize("NFKC", text)
            try:  # presentation forms and ligatures unfold into the fast alphabet
                data = charmap_encode(text, "strict", encoding)[0]
            except UnicodeEncodeError:
                data = None
        text = (
            _general(text)
            if data is None
            else charmap_decode(data.translate(None, deleted), "strict", decoding)[0]
        )
        if _AE in text or _SEAT in text:  # ASCII holds neither
            text = fold_vowel_letters(text)
    if "  " in text or text[:1] == " " or text[-1:] == " ":
        return " ".join(text.split())
    return text


_KEPT_APART = re.compile("[" + "".join(map(chr, chars.KEPT_APART)) + "]")


def keeps_apart(written: str, other: str) -> bool:
    """Whether two spellings of one normal form write different sounds of those
    that their languages keep apart and normalize() folds (chars.KEPT_APART):
    Urdu روٹی "bread" and روٹے (Rutte); not ہالینڈ and Pashto هالېنډ (Holland),
    whose ڈ and ډ are one sound.

    >>> keeps_apart("اماں", "امان"), keeps_apart("ہالینڈ", "هالېنډ")
    (True, False)
    """
    return _sounds_kept_apart(written) != _sounds_kept_apart(other)


def _sounds_kept_apart(text: str) -> str:
    return "".join(_KEPT_APART.findall(text)).translate(chars.KEPT_APART)


_FAST: tuple[EncodingMap, bytes, str] | None = None


def _fast_start() -> tuple[EncodingMap, bytes, str]:
    global _FAST
    _FAST = fast_codec()
    return _FAST


def _general(text: str) -> str:
    """Steps 2 to 8 for NFKC text the fast codec does not cover."""
    if _ASTRAL.search(text) is None:
        text = text.translate(_bmp_table())
    else:  # rare: letters and marks beyond the BMP take the general path
        text = _NON_WORD.sub(" ", text.casefold().translate(_table()))
    # A deletion can bring together two characters that compose (Hangul jamo,
    # some Indic vowel signs); composing them now keeps normalize idempotent.
    return unicodedata.normalize("NFKC", text)
