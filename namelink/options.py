"""The argument checks every entry point shares: the library, the CLI, text,
bulk jobs and the integrations all accept ``types``, ``threshold`` and
``lang`` the same way and reject them with the same messages."""

from __future__ import annotations

from collections.abc import Iterable

from namelink import score as scoring
from namelink.normalize import check_str
from namelink.records import ENTITY_TYPES

__all__ = ["check_limit", "check_str", "check_threshold", "check_types"]


def check_types(types: Iterable[str] | str | None) -> frozenset[str] | None:
    if types is None:
        return None
    if isinstance(types, str):
        types = {types}
    try:
        wanted = frozenset(types)
    except TypeError:
        raise TypeError(f"types must be a set of type names, not {type(types).__name__}") from None
    if not all(isinstance(t, str) for t in wanted):
        raise TypeError("types must contain strings")
    unknown = wanted - ENTITY_TYPES
    if unknown:
        raise ValueError(f"unknown types {sorted(unknown)}; use some of {sorted(ENTITY_TYPES)}")
    return wanted


def check_threshold(threshold: float | None) -> float:
    if threshold is None:
        return scoring.LINK_THRESHOLD
    if not isinstance(threshold, (int, float)) or isinstance(threshold, bool):
        raise TypeError(f"threshold must be a number, not {type(threshold).__name__}")
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"threshold must be between 0 and 1, got {threshold}")
    return float(threshold)


def check_limit(limit: int, name: str = "limit") -> int:
    """A count of results: an int (not a bool); a negative one asks for none."""
    if not isinstance(limit, int) or isinstance(limit, bool):
        raise TypeError(f"{name} must be int, not {type(limit).__name__}")
    return max(limit, 0)
