"""Match keys: strings that variant spellings of one name share.

Keys find candidates; they do not decide. ``keys(text)`` returns one key of each
kind in ``KEY_KINDS``, strictest first. The strictest key keeps distinct names
apart (a test holds every country name in Arabic, Persian and Urdu to that);
the looser keys merge more, and their collisions are measured and pinned in the
tests and the README.

A gazetteer records the ``KEYS_VERSION`` that built its index; a change to any
table or rule here must bump it, so that old indexes are rebuilt rather than
silently mismatched.
"""

from __future__ import annotations

import re

from namelink import chars
from namelink.normalize import check_str, normalize

__all__ = ["KEYS_VERSION", "KEY_KINDS", "keys", "strip_clitics"]

KEYS_VERSION = "1"

KEY_KINDS = ("spelling", "word_order", "skeleton", "consonants")

_SPELLING = {**chars.HAMZA_SEATS, **chars.FOREIGN_SOUNDS, ord(" "): None}
_DOUBLED = re.compile(r"(.)\1+")
# A long-vowel letter with a letter on each side: word-internal once spaces are gone.
_INNER_VOWEL = re.compile(f"(?<=.)[{chars.LONG_VOWELS}](?=.)")


def spelling_key(norm: str) -> str:
    """Writing choices that never tell two names apart: hamza seats, پ/ب and ڤ/ف,
    spacing (عبدالله / عبد الله, شي جين بينغ / شي جينبينغ) and doubled letters."""
    return _DOUBLED.sub(r"\1", norm.translate(_SPELLING))


def word_order_key(norm: str) -> str:
    """The spelling key of the words in sorted order: 'Putin, Vladimir' is Vladimir Putin."""
    return spelling_key(" ".join(sorted(norm.split(" "))))


def skeleton_key(spelling: str) -> str:
    """Without word-internal long vowels, which one writer puts in and another
    leaves out (بوتين / بوتن, سامرقند / سمرقند, أذربايجان / أذربيجان)."""
    return _DOUBLED.sub(r"\1", _INNER_VOWEL.sub("", spelling))


def consonant_key(skeleton: str) -> str:
    """Consonants that transliterations of one foreign name trade, merged into
    one class each (گ/ج/غ/ك/ق, ق/ك/خ, چ/تش/ش, ژ/ز, و/ف, ت/ط ...): جابويف / گابويڤ."""
    return _DOUBLED.sub(r"\1", skeleton.replace("تش", "ش").translate(chars.CONSONANT_CLASSES))


def keys_of_normalized(norm: str) -> tuple[str, ...]:
    """keys() for text that is already normalized (the gazetteer's hot path)."""
    if not norm:
        return ()
    spelling = spelling_key(norm)
    skeleton = skeleton_key(spelling)
    return (spelling, word_order_key(norm), skeleton, consonant_key(skeleton))


def keys(text: str) -> tuple[str, ...]:
    """The match keys of ``text``, one per ``KEY_KINDS``, strictest first.

    >>> keys("پوتن")[2] == keys("بوتين")[2]
    True
    """
    return keys_of_normalized(normalize(check_str(text, "text")))


# --- Leading clitics --------------------------------------------------------------
# Conjunctions, then prepositions, glue to the next word: وبوتين, لبوتين, بسمرقند,
# بالصين, وللصين. The article that belongs to a name (الصين, البحرين) stays.
_CONJUNCTIONS = ("", "و", "ف")
_PREPOSITIONS = ("", "ب", "ل", "ك")
MIN_STEM = 3  # letters left after a clitic; shorter stems are too easy to hit by chance


def strip_clitics(text: str) -> tuple[str, ...]:
    """The forms of normalized ``text`` with leading clitics on its first word
    removed, fewest letters removed first; the input itself is not included.

    >>> strip_clitics("وبوتين")
    ('بوتين',)
    >>> strip_clitics("للصين")
    ('الصين', 'لصين')
    """
    check_str(text, "text")
    first, sep, rest = text.partition(" ")
    stems: list[str] = []
    for conj in _CONJUNCTIONS:
        if not first.startswith(conj):
            continue
        after_conj = first[len(conj) :]
        for prep in _PREPOSITIONS:
            if not (conj or prep) or not after_conj.startswith(prep):
                continue
            stem = after_conj[len(prep) :]
            if prep == "ل" and stem.startswith("ل"):
                stems.append("ا" + stem)  # لل = ل + ال: the article's alef is not written
            stems.append(stem)
    seen: set[str] = set()
    out: list[str] = []
    for stem in sorted(stems, key=lambda s: -len(s)):
        if len(stem) >= MIN_STEM and stem not in seen:
            seen.add(stem)
            out.append(stem + sep + rest)
    return tuple(out)
