"""argparse types that every command shares: a number within bounds, with a
message that says what to give instead (the CLI exits 2 with it)."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import TypeVar

__all__ = ["bounded"]

Number = TypeVar("Number", int, float)


def bounded(
    kind: type[Number], *, low: float, high: float | None = None, give: str
) -> Callable[[str], Number]:
    """An argparse ``type=``: ``kind(value)`` when it lies in [low, high], else an
    error ending "give <give>" (for example "give a score between 0 and 1")."""
    word = "whole number" if kind is int else "number"

    def parse(value: str) -> Number:
        try:
            number = kind(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a {word}; give {give}") from None
        if math.isnan(number) or number < low or (high is not None and number > high):
            raise argparse.ArgumentTypeError(f"{value} is out of range; give {give}")
        return number

    return parse
