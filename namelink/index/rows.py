"""What the build derives from each distinct name, as rows of flat arrays, and
its expansion into the name columns and postings.

A row is derived once per distinct normal form (normalize, the keys, the
trigrams and the words' spelling keys, all as pool ids; spellings that
normalize alike share it, or a copy) and each name of the gazetteer points at
its row. The per-name arrays (the postings of the normal form and
the keys, the trigrams, the words, the trigram and word counts) are gathers
from the rows by that pointer, made after the loop over the records: with
numpy when it can be imported, as a few vectorized gathers, else by a loop
over the names; both give the same arrays (a test holds them to that). This
way the loop over the names appends a handful of values, not a dozen lists.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from itertools import repeat
from typing import Any

from namelink.index.compiled import ARABIC_SCRIPT, LATIN, SAME_SCRIPT_KINDS
from namelink.index.grams import numpy_module
from namelink.index.postings import StringPool
from namelink.keys import keys_of_normalized, spelling_key
from namelink.normalize import normalize

__all__ = [
    "KEYS_PER_ROW",
    "NUMPY_FROM",
    "SAME_TEXT",
    "SEVERAL_WORDS",
    "NameRows",
    "PoolIds",
    "expand",
    "merge_by_id",
]

# A row's keys: the normal form, the same-script keys, then the romanized key.
KEYS_PER_ROW = 2 + len(SAME_SCRIPT_KINDS)
# Bits of a row beside its script bits (LATIN, ARABIC_SCRIPT): the name is its
# own normal form; the normal form has more than one word.
SAME_TEXT, SEVERAL_WORDS = 4, 8
# expand() and merge_by_id() gather with numpy from this many names or pairs:
# below it numpy's fixed cost per call is more than the Python loop takes.
NUMPY_FROM = 4_096
# Normal forms whose row derive() remembers, and spelling keys whose trigrams
# (the spellings of one name come close together, in one record; at 1M
# synthetic names 685k normal forms have 369k spelling keys): past this many
# each starts again.
MEMO_NORMS = 200_000
# Counts held in a byte column (name_grams, name_words) stop here.
BYTE_MAX = 255
# The slices of a padded key's trigrams, made once: slicing with them through
# map() runs in C, where a comprehension runs a loop of bytecode per trigram.
_TRIGRAM_SLICES = [slice(i, i + 3) for i in range(4096)]


def _trigram_slice(start: int) -> slice:
    return slice(start, start + 3)


class PoolIds(dict[str, int]):
    """string → the pool id of ``derive(string)``, found the first time the string
    is met: a small dict in front of the pool's large one (a word's spelling key;
    the trigrams, a few thousand strings met millions of times, whose lookups miss
    the CPU's caches in a dict of millions). What is new to the pool is added to
    it, as the pool alone would add it."""

    __slots__ = ("derive", "pool")

    def __init__(self, pool: StringPool, derive: Callable[[str], str] = str) -> None:
        super().__init__()
        self.pool = pool
        self.derive = derive

    def __missing__(self, text: str) -> int:
        pid = self[text] = self.pool[self.derive(text)]
        return pid


class NameRows:
    """The rows derived so far: row ``r`` has its keys at ``keys[KEYS_PER_ROW * r:]``
    (pool ids), its trigrams at ``grams[gram_end[r - 1]:gram_end[r]]``, the
    distinct spelling keys of its words (none for one word) likewise in
    ``words``/``word_end``, its bits, its word count, and its last word (text
    and spelling key's pool id)."""

    def __init__(self, pool: StringPool) -> None:
        self.pool = pool
        self.word_keys = PoolIds(pool, spelling_key)
        self.gram_keys = PoolIds(pool)
        self.keys = array("I")
        self.grams, self.gram_end = array("I"), array("I")
        self.words, self.word_end = array("I"), array("I")
        self.bits, self.word_count = array("B"), array("B")
        self.last_text: list[str] = []
        self.last_pid = array("I")
        # first word of a normal form → the most words a name so begun has
        self.first_words: dict[str, int] = {}
        # normal form → a row derived from it, of a name other than the normal form when one was met
        self.norm_rows: dict[str, int] = {}
        # spelling key → a row of it (whose trigrams are the key's), remembered likewise
        self.spelling_rows: dict[str, int] = {}

    def derive(self, name: str) -> int:
        """The row of ``name``, or -1 when its normal form is empty. Names of one
        normal form (spellings that differ in harakat, tatweel or a letter's
        form) share its row, or, the name that is its own normal form and the
        others, each have a copy differing in SAME_TEXT: a copy is what deriving
        it again would append, since every string of the row is in the pool."""
        norm = normalize(name)
        if not norm:
            return -1
        same = name == norm
        norm_rows = self.norm_rows
        row = norm_rows.get(norm)
        if row is None:
            row = self._derive(norm, same)
            if len(norm_rows) >= MEMO_NORMS:
                norm_rows.clear()
            norm_rows[norm] = row
        elif bool(self.bits[row] & SAME_TEXT) != same:
            row = self._copy(row)
            if not same:
                norm_rows[norm] = row
        return row

    def _copy(self, row: int) -> int:
        """A new row: ``row`` with its SAME_TEXT bit flipped."""
        step = KEYS_PER_ROW
        self.keys.extend(self.keys[step * row : step * row + step])
        gram_end, word_end = self.gram_end, self.word_end
        self.grams.extend(self.grams[gram_end[row - 1] if row else 0 : gram_end[row]])
        gram_end.append(len(self.grams))
        self.words.extend(self.words[word_end[row - 1] if row else 0 : word_end[row]])
        word_end.append(len(self.words))
        self.bits.append(self.bits[row] ^ SAME_TEXT)
        self.word_count.append(self.word_count[row])
        self.last_text.append(self.last_text[row])
        self.last_pid.append(self.last_pid[row])
        return len(self.bits) - 1

    def _add_grams(self, spelling: str) -> None:
        """The trigrams of a row, of its spelling key: those of an earlier row of
        the same key when one is remembered (their strings are in the pool), else
        trigrams(), in order of position (a set's order would vary from run to
        run), each once: distinct strings are distinct pool ids."""
        grams, gram_end, spelling_rows = self.grams, self.gram_end, self.spelling_rows
        row = spelling_rows.get(spelling)
        if row is not None:
            grams.extend(grams[gram_end[row - 1] if row else 0 : gram_end[row]])
        else:
            padded = f"^{spelling}$"
            count = len(padded) - 2
            made = count <= len(_TRIGRAM_SLICES)
            slices = _TRIGRAM_SLICES[:count] if made else map(_trigram_slice, range(count))
            grams.extend(dict.fromkeys(map(self.gram_keys.__getitem__, map(padded.__getitem__, slices))))
            if len(spelling_rows) >= MEMO_NORMS:
                spelling_rows.clear()
            spelling_rows[spelling] = len(gram_end)
        gram_end.append(len(grams))

    def _derive(self, norm: str, same: bool) -> int:
        """A new row of a (non-empty) normal form; ``same``: the name was its own normal form."""
        pool = self.pool
        keys = keys_of_normalized(norm)
        self.keys.append(pool[norm])
        self.keys.extend(map(pool.__getitem__, keys))
        self._add_grams(keys[0])
        bits = (LATIN if norm.isascii() else ARABIC_SCRIPT) | (SAME_TEXT if same else 0)
        if " " in norm:
            words = norm.split(" ")
            word_pids = list(map(self.word_keys.__getitem__, words))
            self.words.extend(dict.fromkeys(word_pids))
            count = min(len(words), BYTE_MAX)
            first, last, last_pid = words[0], words[-1], word_pids[-1]
            bits |= SEVERAL_WORDS
        else:
            count, first, last, last_pid = 1, norm, "", 0
        self.word_end.append(len(self.words))
        self.bits.append(bits)
        self.word_count.append(count)
        self.last_text.append(last)
        self.last_pid.append(last_pid)
        if count > self.first_words.get(first, 0):
            self.first_words[first] = count
        return len(self.bits) - 1


def expand(
    rows: NameRows, name_row: array[int], empty: int, *, use_numpy: bool = True
) -> tuple[list[array[int]], dict[str, array[int]]]:
    """Per name (``name_row`` holds each name's row): the key pool ids of each
    row slot but the last, as columns (normal form, then SAME_SCRIPT_KINDS), and
    the arrays ``romanized.keys``/``.ids`` (names with a romanized key),
    ``grams.keys``/``.ids``, ``words.keys``/``.ids`` (names of several words),
    ``name_grams``, ``name_words`` and ``name_last`` (``empty`` for one word)."""
    np: Any = numpy_module() if use_numpy and len(name_row) >= max(NUMPY_FROM, 1) else False
    if np:
        return _expand_numpy(np, rows, name_row, empty)
    step = KEYS_PER_ROW
    keys = rows.keys
    columns = [array("I", (keys[step * row + k] for row in name_row)) for k in range(step - 1)]
    out = {name: array("I") for name in ("romanized.keys", "romanized.ids", "grams.keys", "grams.ids")}
    out.update({"words.keys": array("I"), "words.ids": array("I"), "name_last": array("I")})
    name_grams, name_words = array("B"), array("B")
    roman_keys, roman_ids = out["romanized.keys"], out["romanized.ids"]
    gram_keys, gram_ids = out["grams.keys"], out["grams.ids"]
    word_keys, word_ids, last = out["words.keys"], out["words.ids"], out["name_last"]
    gram_end, word_end = rows.gram_end, rows.word_end
    for name_id, row in enumerate(name_row):
        roman = keys[step * row + step - 1]
        if roman != empty:
            roman_keys.append(roman)
            roman_ids.append(name_id)
        start = gram_end[row - 1] if row else 0
        gram_keys.extend(rows.grams[start : gram_end[row]])
        gram_ids.extend(repeat(name_id, gram_end[row] - start))
        name_grams.append(min(gram_end[row] - start, BYTE_MAX))
        name_words.append(rows.word_count[row])
        several = rows.bits[row] & SEVERAL_WORDS
        last.append(rows.last_pid[row] if several else empty)
        start = word_end[row - 1] if row else 0
        word_keys.extend(rows.words[start : word_end[row]])
        word_ids.extend(repeat(name_id, word_end[row] - start))
    out.update(name_grams=name_grams, name_words=name_words)
    return columns, out


def _expand_numpy(
    np: Any, rows: NameRows, name_row: array[int], empty: int
) -> tuple[list[array[int]], dict[str, array[int]]]:
    """expand() as gathers: a name's slice of a ragged row array is found by
    its row's end and length, laid out by one repeat and one arange."""

    def typed(code: str, values: Any) -> array[int]:
        out = array(code)  # filled from the buffer: one copy, not two through bytes
        out.frombytes(
            np.ascontiguousarray(values, dtype=np.uint32 if code == "I" else np.uint8).view(np.uint8)
        )
        return out

    of_name = np.frombuffer(name_row, dtype=np.uint32).astype(np.int64)
    keys = np.frombuffer(rows.keys, dtype=np.uint32).reshape(-1, KEYS_PER_ROW)[of_name]
    columns = [typed("I", keys[:, k]) for k in range(KEYS_PER_ROW - 1)]
    roman = keys[:, KEYS_PER_ROW - 1]
    with_roman = np.flatnonzero(roman != empty)
    out = {"romanized.keys": typed("I", roman[with_roman]), "romanized.ids": typed("I", with_roman)}

    def ragged(flat: array[int], ends: array[int]) -> tuple[Any, Any]:
        end = np.frombuffer(ends, dtype=np.uint32).astype(np.int64)
        length = np.diff(end, prepend=0)[of_name]
        start = end[of_name] - length
        before = np.cumsum(length) - length  # items of the names before each
        # 32-bit positions (a row array of 2**32 items would not fit its own offsets)
        at = np.arange(int(length.sum()), dtype=np.uint32)
        at += np.repeat((start - before).astype(np.uint32), length)
        return np.frombuffer(flat, dtype=np.uint32)[at], length

    for name, flat, ends in (("grams", rows.grams, rows.gram_end), ("words", rows.words, rows.word_end)):
        items, length = ragged(flat, ends)
        out[f"{name}.keys"] = typed("I", items)
        out[f"{name}.ids"] = typed("I", np.repeat(np.arange(len(of_name), dtype=np.uint32), length))
        if name == "grams":
            out["name_grams"] = typed("B", np.minimum(length, BYTE_MAX))
    out["name_words"] = typed("B", np.frombuffer(rows.word_count, dtype=np.uint8)[of_name])
    several = (np.frombuffer(rows.bits, dtype=np.uint8)[of_name] & SEVERAL_WORDS) != 0
    last = np.where(several, np.frombuffer(rows.last_pid, dtype=np.uint32)[of_name], empty)
    out["name_last"] = typed("I", last)
    return columns, out


def merge_by_id(
    first: tuple[array[int], array[int]], then: tuple[array[int], array[int]], *, use_numpy: bool = True
) -> tuple[array[int], array[int]]:
    """Two lists of (key, id) pairs, each in ascending id order, as one: by id,
    and for one id the pair of ``first`` before the pair of ``then`` (a stable sort)."""
    keys, ids = first[0] + then[0], first[1] + then[1]
    np: Any = numpy_module() if use_numpy and len(ids) >= max(NUMPY_FROM, 1) else False
    if np:
        order = np.argsort(np.frombuffer(ids, dtype=np.uint32), kind="stable")
        return (
            array("I", np.frombuffer(keys, dtype=np.uint32)[order].tobytes()),
            array("I", np.frombuffer(ids, dtype=np.uint32)[order].tobytes()),
        )
    order = sorted(range(len(ids)), key=ids.__getitem__)
    return array("I", map(keys.__getitem__, order)), array("I", map(ids.__getitem__, order))
