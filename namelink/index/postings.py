"""Views over an index file's arrays: a string pool, columns of strings, and postings.

Every string of an index (names, keys, QIDs, labels) is stored once, as UTF-8,
in one pool: ``pool`` holds the bytes and ``pool_offsets`` where each string
ends, so that string ``p`` is ``pool[pool_offsets[p]:pool_offsets[p + 1]]``.
A column of strings is an array of pool ids.

Postings map a key (a pool string) to the ascending ids that carry it. Each is
four arrays: ``keys`` (the distinct keys, as pool ids), ``offsets`` (key ``k``
owns ``ids[offsets[k]:offsets[k + 1]]``), ``ids``, and ``table``, an
open-addressing hash table over the keys (slot = CRC-32 of the key's UTF-8
bytes modulo the table's size, then the next slots in turn; a slot holds the
key's position + 1, or 0 when empty). A lookup decodes nothing: it compares
bytes in the mapped file.

The builders (``StringPool``, ``group``) assemble these with counting sorts
over flat arrays, in time linear in the number of (key, id) pairs.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from itertools import accumulate, islice
from typing import Any
from zlib import crc32

from namelink.index.grams import numpy_module

__all__ = [
    "GROUP_NUMPY_FROM",
    "Codes",
    "Counts",
    "Pool",
    "Postings",
    "Ragged",
    "StringPool",
    "Strings",
    "group",
    "hash_table",
]

# Hash table slots per key: a load of 2/3 keeps linear probing to about two
# slots for a key that is there and five for one that is not, at 6 bytes a key.
TABLE_SLOTS_PER_KEY = 1.5
# Strings.many decodes this many strings or more with numpy: its dozen calls
# cost ~17 µs whatever the count, a loop ~0.37 µs a string (measured at 1M
# names: 50 strings 18 µs either way, 200 strings 35 µs against 74 µs).
MANY_NUMPY_FROM = 64
# group() sorts this many pairs or more with numpy: below it, numpy's fixed
# cost per call is more than the Python counting sort takes.
GROUP_NUMPY_FROM = 4_096
# Answers a Counts map remembers (the distinct words of a long stream of text).
COUNTS_REMEMBERED = 65_536
# StringPool.encoded encodes this many strings at a time.
ENCODE_CHUNK = 65_536
# group() sorts (key, place) pairs as one 64-bit value: the place in the low bits.
PLACE_BITS = 32
PLACE_MASK = 2**PLACE_BITS - 1


class Pool:
    """The string pool of an index file."""

    __slots__ = ("blob", "offsets")

    def __init__(self, blob: memoryview, offsets: memoryview) -> None:
        self.blob = blob
        self.offsets = offsets

    def __getitem__(self, pid: int) -> str:
        offsets = self.offsets
        return str(self.blob[offsets[pid] : offsets[pid + 1]], "utf-8")


class Strings:
    """A column of strings: pool ids, decoded on access."""

    __slots__ = ("_blob", "_ids", "_offsets")

    def __init__(self, pool: Pool, ids: memoryview) -> None:
        self._blob = pool.blob
        self._offsets = pool.offsets
        self._ids = ids

    def __getitem__(self, i: int) -> str:
        offsets = self._offsets
        pid = self._ids[i]
        return str(self._blob[offsets[pid] : offsets[pid + 1]], "utf-8")

    def __len__(self) -> int:
        return len(self._ids)

    def many(self, rows: Sequence[int]) -> list[str]:
        """``[self[i] for i in rows]``: with numpy, the rows' bytes are gathered
        into one buffer (a NUL after each) and decoded in one call, 2× faster
        for the 200 strings of a fuzzy query; without, a local loop."""
        np: Any = numpy_module() if len(rows) >= MANY_NUMPY_FROM else False
        blob, offsets, ids = self._blob, self._offsets, self._ids
        if np:
            pids = np.frombuffer(ids, dtype=np.uint32)[np.asarray(rows, dtype=np.int64)]
            bounds = np.frombuffer(offsets, dtype=np.uint32)
            starts = bounds[pids].astype(np.int64)
            lengths = bounds[pids + 1] - starts
            before = np.cumsum(lengths) - lengths  # bytes of the strings before each
            total = int(before[-1] + lengths[-1])
            # Byte t of the strings laid end to end, in string k, comes from
            # blob[t + starts[k] - before[k]] and goes to out[t + k]: after k NULs.
            flat = np.arange(total, dtype=np.int64)
            out = np.zeros(total + len(rows), dtype=np.uint8)
            out[flat + np.repeat(np.arange(len(rows)), lengths)] = np.frombuffer(blob, dtype=np.uint8)[
                flat + np.repeat(starts - before, lengths)
            ]
            parts: list[str] = out.tobytes().decode("utf-8").split("\0")
            if len(parts) == len(rows) + 1:  # else a string held a NUL: decode one by one
                del parts[-1]
                return parts
        return [str(blob[offsets[pid] : offsets[pid + 1]], "utf-8") for pid in map(ids.__getitem__, rows)]

    def __iter__(self) -> Iterator[str]:
        blob, offsets = self._blob, self._offsets
        for pid in self._ids:
            yield str(blob[offsets[pid] : offsets[pid + 1]], "utf-8")


class Ragged:
    """A column of string tuples: row ``i`` is the pool ids ``items[first[i]:first[i + 1]]``."""

    __slots__ = ("_first", "_items", "_pool")

    def __init__(self, pool: Pool, first: memoryview, items: memoryview) -> None:
        self._pool = pool
        self._first = first
        self._items = items

    def __getitem__(self, i: int) -> tuple[str, ...]:
        pool = self._pool
        return tuple(pool[pid] for pid in self._items[self._first[i] : self._first[i + 1]])

    def __len__(self) -> int:
        return len(self._first) - 1


class Codes:
    """A column of a few distinct strings, stored as small codes."""

    __slots__ = ("_codes", "_values")

    def __init__(self, values: Sequence[str], codes: memoryview) -> None:
        self._values = tuple(values)
        self._codes = codes

    def __getitem__(self, i: int) -> str:
        return self._values[self._codes[i]]

    def __len__(self) -> int:
        return len(self._codes)


class Counts(Mapping[str, int]):
    """Postings read as a map from a key to a count (each key's one id is its
    count, 0 for a key not there), remembering up to COUNTS_REMEMBERED answers:
    running text asks about the same words again and again, and a dict answers
    in a twentieth of a postings lookup's time."""

    __slots__ = ("_postings", "_seen")

    def __init__(self, postings: Postings) -> None:
        self._postings = postings
        self._seen: dict[str, int] = {}

    def _fill(self, key: str) -> int:
        found = self._postings.get(key)
        if len(self._seen) >= COUNTS_REMEMBERED:
            self._seen.clear()
        count = self._seen[key] = found[0] if found else 0
        return count

    def __getitem__(self, key: str) -> int:
        count = self._seen.get(key)
        if count is None:
            count = self._fill(key)
        if not count:
            raise KeyError(key)
        return count

    def get(self, key: str, default: Any = None) -> Any:
        count = self._seen.get(key)
        if count is None:
            count = self._fill(key)
        return count or default

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        count = self._seen.get(key)
        if count is None:
            count = self._fill(key)
        return count > 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._postings.keys)

    def __len__(self) -> int:
        return len(self._postings)


class Postings:
    """Distinct keys, each with the ascending ids that carry it."""

    __slots__ = ("_blob", "_ids", "_key_ids", "_offsets", "_pool_offsets", "_table")

    def __init__(self, pool: Pool, keys: memoryview, offsets: memoryview, ids: memoryview, table: memoryview):
        self._blob = pool.blob
        self._pool_offsets = pool.offsets
        self._key_ids = keys
        self._offsets = offsets
        self._ids = ids
        self._table = table

    def get(self, key: str) -> Sequence[int]:
        """The ids that carry ``key``, ascending; () when none do."""
        wanted = key.encode("utf-8")
        table = self._table
        size = len(table)
        slot = crc32(wanted) % size
        while True:
            found = table[slot]
            if not found:
                return ()
            k = found - 1
            pid = self._key_ids[k]
            start = self._pool_offsets[pid]
            if self._blob[start : self._pool_offsets[pid + 1]] == wanted:
                return self._ids[self._offsets[k] : self._offsets[k + 1]]
            slot += 1
            if slot == size:
                slot = 0

    @property
    def keys(self) -> Iterator[str]:
        """Every distinct key, in the order the build first met it."""
        blob, offsets = self._blob, self._pool_offsets
        for pid in self._key_ids:
            yield str(blob[offsets[pid] : offsets[pid + 1]], "utf-8")

    def __len__(self) -> int:
        return len(self._key_ids)


# --- Building ---------------------------------------------------------------------------


class StringPool(dict[str, int]):
    """Collects the strings of an index, each distinct one stored once:
    ``pool[text]`` is the pool id of ``text``, added when new (at C speed when
    it is not). The bytes, offsets and CRC-32s are made once at the end
    (``encoded``): a string met costs one dict entry and one list slot."""

    __slots__ = ("strings",)

    def __init__(self) -> None:
        super().__init__()
        self.strings: list[str] = []  # by pool id

    def __missing__(self, text: str) -> int:
        pid = self[text] = len(self.strings)
        self.strings.append(text)
        return pid

    def add_once(self, text: str) -> int:
        """A new pool id for a string that is no key and rarely repeats (a label),
        so that it costs no entry in the dict of distinct strings."""
        self.strings.append(text)
        return len(self.strings) - 1

    def encoded(self) -> tuple[bytearray, array[int], array[int]]:
        """The pool's bytes, the offset where each string ends (after a leading 0),
        and each string's CRC-32 (what the hash tables slot keys by); encoded
        ENCODE_CHUNK strings at a time, so that the bytes objects of a chunk,
        not of every string, are alive at once (a quarter of the build's peak)."""
        strings = self.strings
        blob, offsets, crcs = bytearray(), array("I", [0]), array("I")
        for start in range(0, len(strings), ENCODE_CHUNK):
            data = list(map(str.encode, strings[start : start + ENCODE_CHUNK]))
            offsets.extend(islice(accumulate(map(len, data), initial=offsets[-1]), 1, None))
            crcs.extend(map(crc32, data))
            blob += b"".join(data)
        strings.clear()  # (the build's last use of them)
        return blob, offsets, crcs


def group(
    keys: array[int], ids: array[int], *, use_numpy: bool = True
) -> tuple[array[int], array[int], array[int]]:
    """Postings from parallel arrays of (key pool id, id) pairs appended in
    ascending id order: the distinct keys (in first-seen order), their offsets,
    and the ids grouped by key, each group ascending. A counting sort: linear;
    with numpy (from GROUP_NUMPY_FROM pairs) a stable sort, the same arrays."""
    np: Any = numpy_module() if use_numpy and len(keys) >= GROUP_NUMPY_FROM else False
    if np and len(keys):  # (a test may set GROUP_NUMPY_FROM to 0)
        return _group_numpy(np, keys, ids)
    counts = Counter(keys)
    distinct = array("I", counts)
    offsets = array("I", [0])
    offsets.extend(accumulate(counts.values()))
    # Where each key's next id goes, indexed by pool id: a list reads faster than a dict.
    start = [0] * (max(distinct) + 1 if distinct else 0)
    for key, offset in zip(distinct, offsets, strict=False):
        start[key] = offset
    grouped = array("I", bytes(4 * len(ids)))
    for key, ident in zip(keys, ids, strict=False):
        position = start[key]
        grouped[position] = ident
        start[key] = position + 1
    return distinct, offsets, grouped


def _group_numpy(np: Any, keys: array[int], ids: array[int]) -> tuple[array[int], array[int], array[int]]:
    """group() with numpy: one sort of the pairs as 64-bit (key, place) values
    groups them, each group's ids in the order they came (ascending); the groups
    are then laid out in the order of their first places (a sort of one value a
    key and a gather). np.sort of 64-bit values runs ~15× faster than the stable
    argsort by key (and np.unique's) it replaces, and needs less memory."""
    n = len(keys)
    pairs = np.frombuffer(keys, dtype=np.uint32).astype(np.uint64)
    pairs <<= PLACE_BITS
    pairs |= np.arange(n, dtype=np.uint64)
    pairs.sort()  # the places are distinct: the order is that of a stable sort by key
    by_key = (pairs >> PLACE_BITS).astype(np.uint32)
    places = (pairs & PLACE_MASK).astype(np.uint32)
    del pairs
    starts = np.flatnonzero(np.concatenate(([True], by_key[1:] != by_key[:-1])))
    lengths = np.diff(np.append(starts, n))
    # Groups in first-seen order: their first places are distinct, so one sort of
    # (first place, group) values orders them.
    firsts = places[starts].astype(np.uint64)
    firsts <<= PLACE_BITS
    firsts |= np.arange(len(starts), dtype=np.uint64)
    firsts.sort()
    order = (firsts & PLACE_MASK).astype(np.int64)
    del firsts
    distinct, lengths, starts = by_key[starts[order]], lengths[order], starts[order]
    del by_key
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    # Item t of the laid-out groups, in group g, is item t + starts[g] - offsets[g]
    # of the sorted pairs (32-bit positions, which wrap around alike).
    at = np.arange(n, dtype=np.uint32)
    at += np.repeat((starts - offsets[:-1]).astype(np.uint32), lengths)
    grouped = np.frombuffer(ids, dtype=np.uint32)[places[at]]

    def out(values: Any) -> array[int]:
        typed = array("I")
        typed.frombytes(np.ascontiguousarray(values, dtype=np.uint32).view(np.uint8))
        return typed

    return out(distinct), out(offsets), out(grouped)


def hash_table(distinct: array[int], hashes: array[int]) -> array[int]:
    """The open-addressing table over ``distinct`` keys (see the module docstring):
    each key's home slot computed first (with numpy from GROUP_NUMPY_FROM keys,
    one gather and one modulo: the table then builds ~2× faster), then the
    keys placed in order."""
    size = max(1, int(len(distinct) * TABLE_SLOTS_PER_KEY) + 1)
    np: Any = numpy_module() if len(distinct) >= GROUP_NUMPY_FROM else False
    homes = array("I")
    if np:
        crcs = np.frombuffer(hashes, dtype=np.uint32)[np.frombuffer(distinct, dtype=np.uint32)]
        homes.frombytes((crcs % size).astype(np.uint32).view(np.uint8))
        del crcs
    else:
        homes.extend(hashes[pid] % size for pid in distinct)
    table = array("I", bytes(4 * size))
    for position, slot in enumerate(homes, 1):
        while table[slot]:
            slot += 1
            if slot == size:
                slot = 0
        table[slot] = position
    return table
