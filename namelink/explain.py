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
from namelink.evidence import FEATURES, WORDNESS_CLIP, ZIPF_SCALE
from namelink.normalize import normalize

__all__ = ["evidence_phrase", "explain"]

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


# Evidence worth a phrase in an explanation, and from what value on.
SAYS_WORD = 0.5  # loose_word_zipf: zipf 4 and up
SAYS_GAP = 0.1  # zipf_gap: the query 0.8 zipf more frequent than the name
SAYS_SPELLED = 0.6  # wordness: a mean log ratio of 0.4 towards the language's words


_AT = {name: i for i, name in enumerate(FEATURES)}


class _Named:
    """Evidence read by feature name, without building a dict of all of them."""

    __slots__ = ("_evidence",)

    def __init__(self, evidence: tuple[float, ...]) -> None:
        self._evidence = evidence

    def __getitem__(self, name: str) -> float:
        return self._evidence[_AT[name]]


def evidence_phrase(evidence: tuple[float, ...], probability: float) -> str:
    """What weighed most, in words, for an explanation: "frequent word (zipf 5.9);
    probability 0.03"."""
    if not evidence:
        return ""
    if len(evidence) != len(FEATURES):
        raise ValueError(f"evidence of {len(evidence)} features, not {len(FEATURES)}")
    value = _Named(evidence)
    said = []
    if value["loose_word_zipf"] >= SAYS_WORD:
        said.append(f"frequent word (zipf {value['loose_word_zipf'] * ZIPF_SCALE:.1f})")
    if value["zipf_gap"] >= SAYS_GAP:
        said.append(f"a word {value['zipf_gap'] * ZIPF_SCALE:.1f} zipf more frequent than the name")
    if value["wordness"] >= SAYS_SPELLED:
        spelled = value["wordness"] * 2 * WORDNESS_CLIP - WORDNESS_CLIP
        said.append(f"spelled like a word of the language ({spelled:+.1f})")
    if value["derived"]:
        said.append("an adjective or plural of the name")
    if value["other_language"]:
        said.append("written for another language than the name")
    if value["short"] >= 1.0:
        said.append("too short to vary")
    if value["opens_names"] and value["name_part"]:
        said.append("a given name alone")
    if value["names_differ"]:
        said.append("a word spells another name")
    if value["gap"] <= 0.0:
        said.append("another entity matched as well")
    said.append(f"probability {probability:.2f}")
    return "; ".join(said)
