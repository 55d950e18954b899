"""Fuzzy candidates from trigram postings: the ids that share the most trigrams with a query.

``most_shared`` reads the postings rarest first within a budget and returns
the ids that share the most of the query's trigrams, ties in the order they
were met (``Counter.most_common(limit)`` exactly). Given the names' trigram
counts it ranks by the Dice coefficient instead, 2·shared / (query's + name's
trigrams): a long name that holds many of the query's trigrams among many
others is no closer than a short one that holds nearly all (measured at 1M
names, benchmarks/scale.py: of the queries whose right name raw counts left
out of the 200 candidates, Dice brings it in for 2 of 7 typos and 12 of 95
real variants). When numpy can be imported it
counts with one sort over the concatenated lists (a C loop over the ids
instead of a dict update per id: 2–3× faster on 1M names, the same ids);
numpy is optional, never imported by ``import namelink``, and the pure-Python
count gives the same answer without it. Only the ids ranked at or above the
``limit``-th best are sorted (a partition finds it): a full sort by rank and
first place of the ~15,000 distinct ids of a 1M-name query was two thirds of
its counting time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from operator import itemgetter
from typing import Any

__all__ = ["NUMPY_FROM", "most_shared", "numpy_module"]

# Below this many ids to count, the pure-Python count is as fast as numpy's
# fixed cost per call, and numpy is not even imported. Measured on the default
# gazetteer's fuzzy lookups (Dice ranking, held-out words and variants): under
# 250 ids Python 46 µs, numpy 149; at 500–750, 296 and 262; at 2,000 and more,
# 1,183 and 446 (it was 4,000, a figure from the count without Dice).
NUMPY_FROM = 500

_numpy: Any = None  # the numpy module once looked for; False when it is not installed


def numpy_module() -> Any:
    """numpy, imported on first use; False when it is not installed."""
    global _numpy
    if _numpy is None:
        try:
            import numpy

            _numpy = numpy
        except ImportError:
            _numpy = False
    return _numpy


def _chosen(lists: Sequence[Sequence[int]], budget: int, min_lists: int) -> list[Sequence[int]]:
    """The lists to count, rarest first: at least ``min_lists``, then while the
    ids counted stay within ``budget`` (each list cut at ``budget``)."""
    chosen: list[Sequence[int]] = []
    scanned = 0
    for used, ids in enumerate(sorted(lists, key=len)):
        if used >= min_lists and scanned + len(ids) > budget:
            break
        if len(ids):
            chosen.append(ids[:budget])
        scanned += len(ids)
    return chosen


def _most_shared_numpy(
    np: Any, chosen: list[Sequence[int]], limit: int, query: int, sizes: Sequence[int] | None
) -> list[int]:
    """most_shared's answer with numpy: one sort counts, a partition finds the
    ``limit``-th best rank, and only the ids at or above it are ordered."""
    # One join of the lists' bytes and one view of it: a view and a
    # concatenate per list cost 3-4 times as much for the ~10 lists of a query.
    buffers: Any = chosen  # uint32 buffers (index postings, arrays of "I")
    joined = np.frombuffer(b"".join(buffers), dtype=np.uint32)
    # np.unique(joined, return_counts=True) from one sort: where the sorted ids
    # change, and how far apart those places are (the same arrays, faster).
    ordered = np.sort(joined)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    unique = ordered[starts]
    rank = np.diff(starts, append=len(ordered)).astype(np.int64)
    if sizes is not None:
        rank = 2 * rank / (query + np.frombuffer(sizes, dtype=np.uint8)[unique].astype(np.int64))
    if len(rank) > limit:
        # Everything ranked at least as high as the limit-th best: ties across the cut included.
        kth = np.partition(rank, len(rank) - limit)[len(rank) - limit]
        keep = np.flatnonzero(rank >= kth)
        unique, rank = unique[keep], rank[keep]
    # Where each id was first met in the concatenated lists: each list is
    # ascending, so with its number above an id's 32 bits the lists end to end
    # are one ascending array, where one binary search finds every id in every
    # list at once; the first list that holds it gives its place.
    number = np.arange(len(chosen), dtype=np.int64)
    tagged = (np.repeat(number, [len(ids) for ids in chosen]) << 32) | joined
    wanted = (number[:, None] << 32) | unique[None, :].astype(np.int64)
    at = np.searchsorted(tagged, wanted)
    held = tagged[np.minimum(at, len(tagged) - 1)] == wanted
    first = at[held.argmax(axis=0), np.arange(len(unique))]
    order = np.lexsort((first, -rank))[:limit]
    ranked: list[int] = unique[order].tolist()
    return ranked


def most_shared(
    lists: Sequence[Sequence[int]],
    *,
    budget: int,
    min_lists: int,
    limit: int,
    sizes: Sequence[int] | None = None,
    use_numpy: bool = True,
) -> list[int]:
    """The ``limit`` ids found in the most of ``lists`` (rarest read first, within
    ``budget``), most first, ties in the order they were met; with ``sizes``
    (trigrams per id; ``len(lists)`` is the query's), by Dice coefficient."""
    chosen = _chosen(lists, budget, min_lists)
    if not chosen:
        return []
    np: Any = numpy_module() if use_numpy and sum(map(len, chosen)) >= NUMPY_FROM else False
    if np:
        return _most_shared_numpy(np, chosen, limit, len(lists), sizes)
    counts_of: Counter[int] = Counter()
    for ids in chosen:
        counts_of.update(ids)
    if sizes is not None:
        query = len(lists)
        dice = {ident: 2 * count / (query + sizes[ident]) for ident, count in counts_of.items()}
        return sorted(dice, key=dice.__getitem__, reverse=True)[:limit]
    # most_common() without its Python-level heap loop: one stable C sort.
    return [ident for ident, _ in sorted(counts_of.items(), key=itemgetter(1), reverse=True)[:limit]]
