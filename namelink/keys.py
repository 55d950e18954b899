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

import codecs
import re
from codecs import charmap_decode, charmap_encode  # looked up once: they run per name
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from namelink import chars
from namelink.normalize import FAST_ALPHABET, check_str, fast_codec, normalize

if TYPE_CHECKING:
    from namelink.normalize import EncodingMap

__all__ = [
    "KEYS_VERSION",
    "KEY_KINDS",
    "keys",
    "romanized_key",
    "sound_spelling",
]

KEYS_VERSION = "3"

KEY_KINDS = ("spelling", "word_order", "skeleton", "consonants", "romanized")

# (letter, replacement) pairs: few rules over short names run faster as guarded
# str.replace calls than as a per-character translate.
_SPELLING = tuple((chr(cp), out or "") for cp, out in {**chars.HAMZA_SEATS, **chars.FOREIGN_SOUNDS}.items())
_CONSONANTS = chars.sequence_table(chars.CONSONANT_CLASSES, 0x0700)
_ROMAN = chars.sequence_table({**chars.ROMAN_CLASSES, **chars.LATIN_ROMAN_CLASSES}, 0x0700)
_SOUND = chars.sequence_table(
    {**chars.ROMAN_CLASSES, **chars.LATIN_ROMAN_CLASSES, **chars.SOUND_VOWELS}, 0x0700
)
# A letter that the same letter follows: deleting each leaves one of a run. With
# "" as the replacement, sub() stays in C (a callback cost ~0.7 µs a match) and,
# when nothing matches, costs what a search does.
_DOUBLED = re.compile(r"(.)(?=\1)")


def _collapse_doubles(text: str) -> str:
    """One letter for a run of the same letter (ميللر → ميلر)."""
    return _DOUBLED.sub("", text)


def spelling_key(norm: str) -> str:
    """Writing choices that never tell two names apart: hamza seats, پ/ب and ڤ/ف,
    and spacing (عبدالله / عبد الله, شي جين بينغ / شي جينبينغ)."""
    text = norm.replace(" ", "")
    for letter, replacement in _SPELLING:
        if letter in text:
            text = text.replace(letter, replacement)
    return text


def word_order_key(norm: str) -> str:
    """The spelling key of the words in sorted order: 'Putin, Vladimir' is Vladimir Putin."""
    words = norm.split(" ")
    ordered = sorted(words)
    return spelling_key(norm if words == ordered else " ".join(ordered))


def skeleton_key(spelling: str) -> str:
    """Without word-internal long vowels, which one writer puts in and another
    leaves out (بوتين / بوتن, سامرقند / سمرقند, أذربايجان / أذربيجان), and
    with doubled letters written once (ميللر / ميلر)."""
    if len(spelling) > 2:
        spelling = (
            spelling[0] + spelling[1:-1].replace("ا", "").replace("و", "").replace("ي", "") + spelling[-1]
        )
    return _collapse_doubles(spelling)


def consonant_key(skeleton: str) -> str:
    """Consonants that transliterations of one foreign name trade, merged into
    one class each (گ/ج/غ/ك/ق, ق/ك/خ, چ/تش/ش, ژ/ز, و/ف, ت/ط ...): جابويف / گابويڤ."""
    return _collapse_doubles(skeleton.replace("تش", "ش").translate(_CONSONANTS))


def _sound_classes(norm: str, table: chars.SequenceTable) -> str:
    if not norm.isascii():
        return _collapse_doubles(norm.replace(" ", "").replace("تش", "ش").translate(table))
    # Pinyin x (Xi, Xinjiang) starts a word as sh; elsewhere x is ks (Alexander).
    text = "".join("S" + word[1:] if word[:1] == "x" else word for word in norm.split(" "))
    for digraph, sound in chars.LATIN_DIGRAPHS:
        if digraph in text:
            text = text.replace(digraph, sound)
    return _collapse_doubles(text.translate(table))


def romanized_key(norm: str) -> str:
    """Sound classes shared by the Arabic-script and the Latin-script spelling of a
    name, vowels dropped: گابويڤ, جابويف and Gabuev are all KBF. For matching
    across scripts, where no other key can reach."""
    return _sound_classes(norm, _ROMAN)


def sound_spelling(norm: str) -> str:
    """The romanized key with the vowels kept as a, i, u: what two spellings across
    scripts are compared on once their romanized keys agree (جابويف and Gabuev
    are both KaBuiF). Never shown as a name."""
    return _sound_classes(norm, _SOUND)


class _KeyCodec(NamedTuple):
    """The key tables over one byte per character: see keys_of_normalized()."""

    encoding: EncodingMap  # codecs.charmap_build map: character → byte
    decoding: str  # byte → character
    spelling: bytes  # translate table of spelling_key (hamza seats, پ ڤ) ...
    spelling_deleted: bytes  # ... and what it deletes: hamza on the line, space
    vowels: bytes  # the long vowels skeleton_key drops inside a name
    tash: bytes  # تش, which consonant_key and romanized_key read as ش
    shin: bytes
    consonants: bytes
    roman: bytes
    roman_deleted: bytes


# _DOUBLED over bytes, each key alone or non-empty keys with one NUL between them
# (so never a NUL doubled, and no class of letters to test at each byte).
_DOUBLED_BYTES = re.compile(rb"(.)(?=\1)", re.DOTALL)
# Whether there is a doubled letter at all, under the same terms: a search for
# two bytes alike costs a quarter less than one for a byte that its like follows.
_DOUBLE_BYTES = re.compile(rb"(.)\1", re.DOTALL)


@cache
def _key_codec() -> _KeyCodec:
    """The key tables as 256-byte tables over the characters normal forms are
    written in: the outputs of normalize's fast alphabet, plus the class letters
    of the romanized key. A character whose rule in any table gives more than one
    character, or one outside the set, is left out, and a normal form with it
    takes the str path.

    ASCII is its own byte and the other characters follow in code point order,
    so that bytes sort as their characters do (word_order_key sorts words) and
    the space is b" "."""

    def rule(table: chars.Table, cp: int) -> str:
        return table.get(cp, chr(cp)) or ""

    spelling_table: chars.Table = {**chars.HAMZA_SEATS, **chars.FOREIGN_SOUNDS, ord(" "): None}
    roman_table: chars.Table = {**chars.ROMAN_CLASSES, **chars.LATIN_ROMAN_CLASSES, ord(" "): None}
    tables = (spelling_table, chars.CONSONANT_CLASSES, roman_table)
    wanted = {cp for part in FAST_ALPHABET for cp in part}
    alphabet = {ord(c) for cp in wanted for c in normalize(chr(cp))} | {ord(" ")} | set(range(0x41, 0x5B))
    alphabet |= {ord(c) for table in tables for cp in alphabet for c in rule(table, cp)}
    while True:
        kept = {
            cp
            for cp in alphabet
            if all(len(rule(t, cp)) <= 1 and all(ord(c) in alphabet for c in rule(t, cp)) for t in tables)
        }
        if kept == alphabet:
            break
        alphabet = kept
    above = sorted(cp for cp in alphabet if cp >= 0x80)
    if len(above) > 128:
        raise RuntimeError(
            f"the key alphabet must have at most 128 characters beyond ASCII, not {len(above)}"
        )
    byte = {**{cp: cp for cp in alphabet if cp < 0x80}, **{cp: 0x80 + i for i, cp in enumerate(above)}}
    slots = ["\ufffe"] * 256
    slots[0] = "\x00"  # charmap_build makes a C-level map only when byte 0 is U+0000
    for cp, b in byte.items():
        slots[b] = chr(cp)
    padded = "".join(slots)

    def compiled(table: chars.Table) -> tuple[bytes, bytes]:
        out = bytearray(range(256))
        deleted = bytearray()
        for cp, b in byte.items():
            result = rule(table, cp)
            if result:
                out[b] = byte[ord(result)]
            else:
                deleted.append(b)
        return bytes(out), bytes(deleted)

    def encoded(text: str) -> bytes:
        return bytes(byte[ord(c)] for c in text)

    spelling, spelling_deleted = compiled(spelling_table)
    consonants, consonants_deleted = compiled(chars.CONSONANT_CLASSES)
    if consonants_deleted:
        raise RuntimeError("CONSONANT_CLASSES deletes nothing; _byte_keys relies on it")
    roman, roman_deleted = compiled(roman_table)
    if any((rule(spelling_table, cp) == c) != (cp == ord(c)) for c in "تش" for cp in alphabet):
        raise RuntimeError("the spelling key must keep ت and ش and make neither; _byte_keys relies on it")
    return _KeyCodec(
        encoding=codecs.charmap_build(padded),
        decoding=padded,
        spelling=spelling,
        spelling_deleted=spelling_deleted,
        vowels=encoded("اوي"),
        tash=encoded("تش"),
        shin=encoded("ش"),
        consonants=consonants,
        roman=roman,
        roman_deleted=roman_deleted,
    )


class _Fused(NamedTuple):
    """normalize()'s fast codec straight into the key codec: see keys()."""

    encoding: EncodingMap  # normalize's: character → byte
    deleted: bytes  # normalize's deleted characters
    fold: bytes  # normalize's byte → the key codec's byte of its folded character, or _NOT_KEYED
    byte_keys: Callable[[bytes], tuple[str, ...]]  # _byte_keys() of the key codec


# No character of the key codec: a folded character that only the str path keys.
# A byte is tested as an int: ``1 in data`` is a memchr, ``b"\x01" in data``
# costs ~8 times as much (it takes the buffer protocol and a general search).
_NOT_KEYED = 0x01


@cache
def _fused() -> _Fused:
    encoding, deleted, decoding = fast_codec()
    codec = _key_codec()
    fold = bytearray(range(256))
    for b, char in enumerate(decoding):
        if char != "\ufffe":
            try:
                fold[b] = charmap_encode(char, "strict", codec.encoding)[0][0]
            except UnicodeEncodeError:
                fold[b] = _NOT_KEYED
    return _Fused(encoding, deleted, bytes(fold), _codec()[1])


@cache
def _codec() -> tuple[EncodingMap, Callable[[bytes], tuple[str, ...]]]:
    """The key codec's encoding map and its _byte_keys()."""
    codec = _key_codec()
    return codec.encoding, _byte_keys(codec)


_CODEC: tuple[EncodingMap, Callable[[bytes], tuple[str, ...]]] | None = None
_FUSED: _Fused | None = None


def _fused_start() -> _Fused:
    global _FUSED
    _FUSED = _fused()
    return _FUSED


def _codec_start() -> tuple[EncodingMap, Callable[[bytes], tuple[str, ...]]]:
    global _CODEC
    _CODEC = _codec()
    return _CODEC


def keys_of_normalized(norm: str) -> tuple[str, ...]:
    """keys() for text that is already normalized: the hot path of indexing.

    The functions above, inlined (a test holds the two to the same result), and
    for a normal form in Arabic script run over bytes: the normal form is
    encoded to one byte per character through a charmap codec, each table is a
    ``bytes.translate`` (a C array lookup, where ``str.translate`` makes a Python
    lookup per character), and the keys are decoded back in one pass.
    """
    if not norm:
        return ()
    if not norm.isascii():
        encoding, byte_keys = _CODEC or _codec_start()
        try:
            data = charmap_encode(norm, "strict", encoding)[0]
        except UnicodeEncodeError:
            pass
        else:
            if 0 not in data:  # NUL, which separates keys in _byte_keys
                return byte_keys(data)
    spelling = spelling_key(norm)
    word_order = spelling
    if " " in norm:
        words = norm.split(" ")
        ordered = sorted(words)
        if words != ordered:
            word_order = spelling_key(" ".join(ordered))
    skeleton = spelling
    if len(spelling) > 2:
        skeleton = (
            spelling[0] + spelling[1:-1].replace("ا", "").replace("و", "").replace("ي", "") + spelling[-1]
        )
    skeleton = _DOUBLED.sub("", skeleton)
    consonants = _DOUBLED.sub("", skeleton.replace("تش", "ش").translate(_CONSONANTS))
    return (spelling, word_order, skeleton, consonants, romanized_key(norm))


def _byte_keys(codec: _KeyCodec) -> Callable[[bytes], tuple[str, ...]]:
    """keys_of_normalized() of a normal form in Arabic script, given as ``data`` in
    the key codec (no NUL in it; spaces may repeat or surround it), as a function
    with the tables bound to it once: see keys_of_normalized().

    Each step is a C call on a few dozen bytes, so what costs is the number of
    calls: the spelling and romanized keys drop the spaces themselves, two words
    (the usual name) are put in order with one comparison, the five keys are
    joined once with a NUL between them, one regex search over the last two
    tells whether any key has a doubled letter (about one name in four), and the
    keys are decoded back in one pass."""
    _, decoding, spell, spell_deleted, vowels, tash, shin, consonant, roman, roman_deleted = codec
    shin_byte = shin[0]
    has_double = _DOUBLE_BYTES.search

    def byte_keys(data: bytes) -> tuple[str, ...]:
        spelling = data.translate(spell, spell_deleted)
        word_order = spelling
        words = data.split()  # the key codec writes the space as b" " and no other ASCII space
        count = len(words)
        if count == 2:  # one comparison, where sorted() and a list comparison cost ~5 times it
            if words[1] < words[0]:  # as the characters sort: the codec keeps their order
                word_order = (words[1] + words[0]).translate(spell, spell_deleted)
        elif count > 2:
            in_order = sorted(words)
            if words != in_order:
                word_order = b"".join(in_order).translate(spell, spell_deleted)
        skeleton = spelling
        if len(spelling) > 2:
            # The long vowels go, but one that starts or ends the name stays (about
            # one name in two has one): put back, since deleting a vowel at an end
            # takes nothing from the rest.
            skeleton = spelling.translate(None, vowels)
            if spelling[0] in vowels:
                skeleton = spelling[:1] + skeleton
            if spelling[-1] in vowels:
                skeleton += spelling[-1:]
        # A تش of the normal form without its spaces is one of the skeleton too: the
        # spelling key keeps ت and ش and makes neither (_key_codec checks), and both
        # keys only drop letters, which brings others together but never apart. A
        # byte is looked for first: one name in eight has a ش, one in seventy a تش.
        if shin_byte in spelling and tash in skeleton:
            joined = b"\x00".join(
                (spelling, word_order, *_loose_keys_reading_tash(skeleton, b"".join(words), codec))
            )
        else:
            # With no تش to read as ش, the consonant key maps the skeleton letter for
            # letter: it has a double wherever the skeleton has one, and collapsing
            # before or after the mapping gives the same key. The search starts at
            # the consonant key, so the one NUL in what it reads is never doubled.
            consonants = skeleton.translate(consonant)
            romanized = data.translate(roman, roman_deleted)
            joined = b"\x00".join((spelling, word_order, skeleton, consonants, romanized))
            # where the consonant key starts: the word-order key has the spelling's length
            loose = 2 * len(spelling) + len(skeleton) + 3
            found = has_double(joined, loose)
            if found is not None:  # about one name in four
                # Collapsed from the first double on: the skeleton's first double,
                # if any, is at or after the consonant key's (and none if that has
                # none), and what is collapsed starts with a letter of a non-empty key.
                start = found.start()
                if start < loose + len(skeleton):
                    start -= len(skeleton) + 1
                joined = joined[:start] + _DOUBLED_BYTES.sub(b"", joined[start:])
        return tuple(charmap_decode(joined, "strict", decoding)[0].split("\x00"))

    return byte_keys


def _loose_keys_reading_tash(skeleton: bytes, joined: bytes, codec: _KeyCodec) -> tuple[bytes, bytes, bytes]:
    """The skeleton, consonant and romanized keys, تش read as ش, in the order of
    the str path: the skeleton's doubles go before its consonants are read."""
    skeleton = _DOUBLED_BYTES.sub(b"", skeleton)
    consonants = skeleton.replace(codec.tash, codec.shin).translate(codec.consonants)
    romanized = joined.replace(codec.tash, codec.shin).translate(codec.roman, codec.roman_deleted)
    return skeleton, _DOUBLED_BYTES.sub(b"", consonants), _DOUBLED_BYTES.sub(b"", romanized)


def keys(text: str) -> tuple[str, ...]:
    """The match keys of ``text``, one per ``KEY_KINDS``, strictest first.

    >>> keys("پوتن")[2] == keys("بوتين")[2]
    True
    """
    if not isinstance(text, str):
        check_str(text, "text")
    if not text.isascii():
        # normalize()'s fast path, but into the key codec's bytes instead of back
        # to str: the normal form, ready for _byte_keys.
        encoding, deleted, fold, byte_keys = _FUSED or _fused_start()
        try:
            data = charmap_encode(text, "strict", encoding)[0]
        except UnicodeEncodeError:
            pass
        else:
            data = data.translate(fold, deleted)
            # Latin (and nothing but spaces) is left to the str path
            if _NOT_KEYED not in data and not data.isascii():
                return byte_keys(data)
    return keys_of_normalized(normalize(text))


def first_word_key(word: str) -> str:
    """The key under which running text looks for names starting with a normalized
    word spelled otherwise: its skeleton (hamza seats, پ/ب ... folded; long
    vowels and doubled letters out), as the skeleton key forgives."""
    return skeleton_key(spelling_key(word))
