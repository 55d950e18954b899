"""Why a name matched, in words a user can check.

    >>> explain("وپوتين", "بوتين", "spelling", 1.0, "پوتين", "clitic و stripped")
    'clitic و stripped; پ→ب; spelling key, similarity 1.00'

The explanation is built only for the Links a call returns, from the query, the
gazetteer name that matched and how: what normalize() removed or folded, the
letter-level differences left (an alignment of the two normal forms), and the
key or similarity that decided.
"""

from __future__ import annotations

from rapidfuzz.distance import Levenshtein

from namelink import chars
from namelink.normalize import normalize

__all__ = ["explain"]

# At most this many letter differences are spelled out; more are summarized.
MAX_DIFFERENCES = 5

_LONG_VOWELS = "اوي"
_TATWEEL = 0x0640
_INVISIBLE = frozenset(chars.CONTROLS)
_MARKS = frozenset(chars.ARABIC_MARKS) - {_TATWEEL} | frozenset(range(0x0300, 0x0370))

_METHOD_WORDS = {
    "exact": "exact match",
    "normalized": "normalized match",
    "spelling": "spelling key",
    "word_order": "word-order key",
    "skeleton": "skeleton key",
    "consonants": "consonant key",
    "fuzzy": "fuzzy match",
    "partial": "words of the name",
    "cross_script": "romanized key across scripts",
    "qid": "the input is the QID",
}


def _what_normalize_did(text: str) -> list[str]:
    """The normalization steps that changed ``text``, in words."""
    codepoints = set(map(ord, text))
    notes: list[str] = []
    if any(0xFB50 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFF for cp in codepoints):
        notes.append("presentation forms unfolded")
    if codepoints & _MARKS:
        notes.append("diacritics removed")
    if _TATWEEL in codepoints:
        notes.append("tatweel removed")
    if codepoints & _INVISIBLE:
        notes.append("invisible controls removed")
    notes.extend(
        sorted(f"{chr(cp)}→{chars.FOLD_LETTERS[cp]}" for cp in codepoints if cp in chars.FOLD_LETTERS)
    )
    return notes


def _differences(query: str, name: str) -> list[str]:
    """Letter-level differences from the query's normal form to the name's."""
    notes: list[str] = []
    if query != name and sorted(query.split(" ")) == sorted(name.split(" ")):
        return ["word order changed"]
    a, b = query.replace(" ", ""), name.replace(" ", "")
    if query.count(" ") != name.count(" "):
        notes.append("words joined" if name.count(" ") < query.count(" ") else "words split")
    ops = Levenshtein.editops(a, b)
    if len(ops) > MAX_DIFFERENCES:
        return [*notes, f"{len(ops)} letters differ"]
    added = {b[op.dest_pos] for op in ops if op.tag == "insert"}
    dropped = {a[op.src_pos] for op in ops if op.tag == "delete"}
    moved = added & dropped  # a letter written one place later or earlier: a transposition
    notes.extend(f"{letter} moved" for letter in sorted(moved))
    kept = [
        op
        for op in ops
        if op.tag == "replace" or (a[op.src_pos] if op.tag == "delete" else b[op.dest_pos]) not in moved
    ]
    for op in kept:
        if op.tag == "replace":
            notes.append(f"{a[op.src_pos]}→{b[op.dest_pos]}")
        elif op.tag == "delete":
            letter = a[op.src_pos]
            notes.append(f"long vowel {letter} dropped" if letter in _LONG_VOWELS else f"{letter} dropped")
        else:
            letter = b[op.dest_pos]
            notes.append(f"long vowel {letter} added" if letter in _LONG_VOWELS else f"{letter} added")
    return notes


def explain(
    query: str, matched: str, method: str, similarity: float, form: str = "", variant: str = ""
) -> str:
    """Which steps made ``query`` match the gazetteer name ``matched``.

    ``form`` is the form of the query that matched and ``variant`` what made it
    (a clitic stripped ...), when it is not the query itself.
    """
    if method == "qid":
        return _METHOD_WORDS["qid"]
    if method == "exact":
        return _METHOD_WORDS["exact"]
    parts: list[str] = []
    norm = normalize(query)
    if variant:
        parts.append(variant)
        norm = form
    parts.extend(_what_normalize_did(query))
    if method not in ("cross_script", "partial"):
        parts.extend(_differences(norm, normalize(matched)))
    words = _METHOD_WORDS.get(method, method)
    if method in ("exact", "normalized"):
        parts.append(words)
    else:
        parts.append(f"{words}, similarity {similarity:.2f}")
    # Keep the order of first mention, without repeats.
    return "; ".join(dict.fromkeys(p for p in parts if p))
