"""The fitted model of the calibrated decision: gradient-boosted trees over the
evidence (namelink.evidence.FEATURES), read from data/model.json and checked
before use (the file is data: nothing in it is executed), and walked.

The walk reads every tree at once, QuickScorer's way (Lucchese et al., "QuickScorer:
a fast algorithm to rank documents with additive ensembles of regression trees",
SIGIR 2015): the leaves as bits of one integer, the tests of each feature sorted
by threshold, so that a candidate costs one bisection and one AND per feature
tested and one addition per tree; the additions are those of a plain walk, in
the same order, so the log-odds are the very same floats.
"""

from __future__ import annotations

import json
import math
import sys
from array import array
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cache, reduce
from importlib import resources
from operator import add, getitem
from typing import Any

from namelink.evidence import FEATURES

__all__ = ["MAX_NODES", "MAX_TREES", "Model", "ModelError", "Tree", "model", "read_model"]


@dataclass(frozen=True)
class Tree:
    """One regression tree in flat arrays: node i tests ``x[feature[i]] <=
    threshold[i]`` and goes to ``left[i]`` or ``right[i]``; a leaf has feature
    -1 and holds ``value[i]``."""

    feature: tuple[int, ...]
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]


@dataclass(frozen=True)
class Model:
    """Gradient-boosted trees over FEATURES: the log-odds that a candidate is
    right is ``base`` plus the trees' values, then ``scale`` and ``shift``
    recalibrate it (Platt scaling on the fit half)."""

    features: tuple[str, ...]
    base: float
    trees: tuple[Tree, ...]
    scale: float = 1.0
    shift: float = 0.0

    # The trees laid out for the walk (_Layout, the trees' numbers only laid out
    # anew; built once, when the model is read).
    _layout: _Layout = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_layout", _Layout(self.trees))

    def log_odds(self, x: tuple[float, ...]) -> float:
        # The hot loop of every link: the same additions in the same order as
        # summing tree.value at each tree's leaf, from base.
        layout = self._layout
        if layout.masks is None:
            total = self.base
            for root in layout.roots:
                f, t, left, right = root
                while f >= 0:
                    f, t, left, right = left if x[f] <= t else right
                total += t  # a leaf's value
            return self.scale * total + self.shift
        # Every tree at once (QuickScorer: Lucchese et al., SIGIR 2015): each
        # test a candidate fails (x > threshold, the walk goes right) rules out
        # the leaves left of it, so the leaf the walk reaches is each tree's
        # leftmost leaf still in. The tests of one feature, in threshold order,
        # are failed by a prefix: one bisection finds it, one AND applies it.
        alive = layout.everything
        for f, thresholds, ruled_out in layout.masks:
            alive &= ruled_out[bisect_left(thresholds, x[f])]
        leftmost = alive & ~(alive - layout.firsts)  # no segment is empty: no borrow crosses one
        bits = array(layout.code, leftmost.to_bytes(layout.width, "little"))
        if layout.swap:
            bits.byteswap()
        total = reduce(add, map(getitem, layout.values, bits), self.base)
        return self.scale * total + self.shift


# A node of the plain walk: (feature, threshold, left, right), or (-1, value, None, None).
Node = tuple[int, float, Any, Any]
# Segment widths (bits a tree's leaves take) that an array typecode reads whole.
_SEGMENTS = {8: "B", 16: "H", 32: "I", 64: "Q"}


class _Layout:
    """Model's trees as the walk reads them.

    ``roots``: each tree's root as nested tuples (feature, threshold, left node,
    right node), a leaf (-1, value, None, None), so that a step is one unpack.

    ``masks`` (None when a tree has more than MAX_SEGMENT leaves): the leaves of
    all trees as the bits of one integer, tree i's in bits i·W to i·W + W − 1,
    left to right; per feature tested, the tests' thresholds ascending and, for
    each count k of them, the leaves left once the k lowest are failed (the
    leaves left of each ruled out). ``firsts``: the lowest bit of every
    segment; ``values``: per tree, its leaves' values by their bit."""

    def __init__(self, trees: tuple[Tree, ...]) -> None:
        self.roots = tuple(_nested(tree) for tree in trees)
        self.masks: tuple[tuple[int, tuple[float, ...], tuple[int, ...]], ...] | None = None
        if max(map(_leaf_count, trees), default=MAX_SEGMENT + 1) > MAX_SEGMENT:
            return
        unfolded = [_unfold(tree) for tree in trees]
        width = min(w for w in _SEGMENTS if w >= max(len(leaves) for leaves, _ in unfolded))
        tests: dict[int, list[tuple[float, int]]] = {}
        everything = 0
        for i, (tree, (leaves, spans)) in enumerate(zip(trees, unfolded, strict=True)):
            at = i * width
            everything |= ((1 << len(leaves)) - 1) << at
            for node, first, last in spans:
                left = ((1 << (last - first)) - 1) << (at + first)
                tests.setdefault(tree.feature[node], []).append((tree.threshold[node], left))
        masks = []
        for f, found in sorted(tests.items()):
            found.sort(key=lambda test: test[0])
            alive = [everything]
            for _, left in found:
                alive.append(alive[-1] & ~left)
            masks.append((f, tuple(t for t, _ in found), tuple(alive)))
        self.masks = tuple(masks)
        self.everything = everything
        self.firsts = sum(1 << (i * width) for i in range(len(trees)))
        self.width = width * len(trees) // 8  # bytes
        self.code = _SEGMENTS[width]
        self.swap = sys.byteorder != "little"
        self.values = tuple(
            {1 << k: tree.value[leaf] for k, leaf in enumerate(leaves)}
            for tree, (leaves, _) in zip(trees, unfolded, strict=True)
        )


# The most leaves a tree may have for the walk over all trees at once (a
# segment of 64 bits); the shipped model's trees have at most 12.
MAX_SEGMENT = max(_SEGMENTS)


def _nested(tree: Tree) -> Node:
    """The root of ``tree`` as nested tuples, built from the last node back
    (read_model checked that children come after their parents)."""
    nodes: list[Node] = [(-1, 0.0, None, None)] * len(tree.feature)
    for i in reversed(range(len(tree.feature))):
        f = tree.feature[i]
        if f < 0:
            nodes[i] = (-1, tree.value[i], None, None)
        else:
            nodes[i] = (f, tree.threshold[i], nodes[tree.left[i]], nodes[tree.right[i]])
    return nodes[0]


def _leaf_count(tree: Tree) -> int:
    """The leaves under the root (a node two parents share counts twice)."""
    count = [1] * len(tree.feature)
    for i in reversed(range(len(tree.feature))):
        if tree.feature[i] >= 0:
            count[i] = count[tree.left[i]] + count[tree.right[i]]
    return count[0]


def _unfold(tree: Tree) -> tuple[list[int], list[tuple[int, int, int]]]:
    """The leaves from left to right (node numbers), and for each test on the
    way, (its node, first, last): the leaves under its left child are the
    positions first to last − 1."""
    leaves: list[int] = []
    spans: list[tuple[int, int, int]] = []

    def visit(i: int) -> None:
        if tree.feature[i] < 0:
            leaves.append(i)
            return
        first = len(leaves)
        visit(tree.left[i])
        spans.append((i, first, len(leaves)))
        visit(tree.right[i])

    visit(0)
    return leaves, spans


class ModelError(ValueError):
    """data/model.json is missing or not what this version of namelink reads."""


# A model file bigger than this is not one this project wrote (the shipped one
# is about 100 kB).
MAX_TREES = 2000
MAX_NODES = 255


def _numbers(values: object, what: str, integral: bool = False) -> tuple[float, ...]:
    if not isinstance(values, list) or not 0 < len(values) <= MAX_NODES:
        raise ModelError(f"model: {what} must be a list of 1 to {MAX_NODES} numbers")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ModelError(f"model: {what} holds {v!r}, not a finite number")
        if integral and v != int(v):
            raise ModelError(f"model: {what} holds {v!r}, not a whole number")
    return tuple(values)


def _tree(obj: object, where: str) -> Tree:
    if not isinstance(obj, dict):
        raise ModelError(f"model: {where} must be an object")
    feature = tuple(int(v) for v in _numbers(obj.get("feature"), f"{where}.feature", integral=True))
    n = len(feature)
    left = tuple(int(v) for v in _numbers(obj.get("left"), f"{where}.left", integral=True))
    right = tuple(int(v) for v in _numbers(obj.get("right"), f"{where}.right", integral=True))
    threshold = tuple(float(v) for v in _numbers(obj.get("threshold"), f"{where}.threshold"))
    value = tuple(float(v) for v in _numbers(obj.get("value"), f"{where}.value"))
    if not len(left) == len(right) == len(threshold) == len(value) == n:
        raise ModelError(f"model: {where} has arrays of different lengths")
    for i in range(n):
        if feature[i] >= len(FEATURES) or feature[i] < -1:
            raise ModelError(f"model: {where} node {i} tests feature {feature[i]}, which does not exist")
        # children after their parent: every walk ends at a leaf
        if feature[i] >= 0 and not (i < left[i] < n and i < right[i] < n):
            raise ModelError(f"model: {where} node {i} has a child out of order")
    return Tree(feature, threshold, left, right, value)


def read_model(text: str) -> Model:
    """Parse and check a model file: it must name exactly FEATURES, and every
    tree must be well formed (in-range features, children after parents, finite
    numbers), so that nothing read from disk can loop, crash or misread."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        raise ModelError(f"model: not valid JSON ({error})") from None
    if not isinstance(data, dict) or tuple(data.get("features", ())) != FEATURES:
        raise ModelError("model: its features are not this version's; refit with gazetteers/fit_model.py")
    trees = data.get("trees")
    if not isinstance(trees, list) or not 0 < len(trees) <= MAX_TREES:
        raise ModelError(f"model: 'trees' must be a list of 1 to {MAX_TREES} trees")
    numbers = _numbers([data.get("base"), data.get("scale", 1.0), data.get("shift", 0.0)], "base/scale/shift")
    return Model(
        FEATURES, numbers[0], tuple(_tree(t, f"trees[{i}]") for i, t in enumerate(trees)), *numbers[1:]
    )


@cache
def model() -> Model:
    """The shipped model, read and checked once."""
    return read_model((resources.files("namelink") / "data" / "model.json").read_text(encoding="utf-8"))
