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

Steps 2 to 6 and the punctuation of step 8 are composed into one ``str.translate``
table over the Basic Multilingual Plane, so that the hot path is one NFKC, one
C-level translate pass and a split; ``normalize`` equals running ``STEPS`` one by
one, and a test holds it to that.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache

from namelink import chars

__all__ = ["STEPS", "normalize"]

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


STEPS: tuple[Callable[[str], str], ...] = (
    fold_compatibility,
    fold_case,
    remove_marks,
    fold_letters,
    fold_digits,
    strip_accents,
    recompose,
    collapse_space,
)


@cache
def _table() -> dict[int, str | None]:
    """chars.delete_table(), FOLD_LETTERS, DIGITS and LATIN composed into one table."""
    table: dict[int, str | None] = {}
    for step in (chars.delete_table(), chars.FOLD_LETTERS, chars.DIGITS, chars.LATIN):
        for cp, out in step.items():
            table.setdefault(cp, out)
    return table


@cache
def _bmp_table() -> chars.SequenceTable:
    """fold_case and _table() for the Basic Multilingual Plane, plus punctuation → space.

    Folding case and punctuation into the same pass lets ``" ".join(text.split())``
    finish the job: one translate per name instead of four passes and a regex.
    Each entry is run to a fixed point, so the table is idempotent by construction.
    """
    general = _table()

    def once(text: str) -> str:
        text = text.casefold().translate(general)
        return "".join(c if c.isalnum() else " " for c in text)

    table: dict[int, str | None] = {}
    for cp in range(0x10000):
        char = chr(cp)
        if char.isalnum() and cp not in general and char.casefold() == char:
            continue  # most of the plane: a letter or digit that nothing changes
        out = once(char)
        while (again := once(out)) != out:
            out = again
        if out != char:
            table[cp] = out or None
    return chars.sequence_table(table, 0x10000)


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
        text = unicodedata.normalize("NFKC", text)
        if _ASTRAL.search(text) is None:
            text = text.translate(_bmp_table())
        else:  # rare: letters and marks beyond the BMP take the general path
            text = _NON_WORD.sub(" ", text.casefold().translate(_table()))
        # A deletion can bring together two characters that compose (Hangul jamo,
        # some Indic vowel signs); composing them now keeps normalize idempotent.
        text = unicodedata.normalize("NFKC", text)
    if "  " in text or text[:1] == " " or text[-1:] == " ":
        return " ".join(text.split())
    return text
