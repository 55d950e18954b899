"""The errors the readers and writers raise: problems with the input or the
arguments that the user can fix, each saying what is wrong."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["BulkError", "ColumnError", "EncodingError", "FormatError"]


class BulkError(ValueError):
    """A problem with the input or the arguments that the user can fix."""


class EncodingError(BulkError):
    """The input is not in the encoding it is read with. ``guess`` names the
    encoding it looks like, when there is a good guess."""

    def __init__(self, message: str, guess: str | None = None) -> None:
        super().__init__(message)
        self.guess = guess


class FormatError(BulkError):
    """The input is not in the format it is read as (a workbook read as CSV,
    CSV read as JSONL). ``guess`` names the format it looks like, if any."""

    def __init__(self, message: str, guess: str | None = None) -> None:
        super().__init__(message)
        self.guess = guess


class ColumnError(BulkError):
    """A column to link is not in the input; ``available`` lists those that are,
    and ``delimiter`` a delimiter that would split the header, when one would."""

    def __init__(self, column: str, available: Sequence[str], delimiter: str | None = None) -> None:
        super().__init__(f"no column {column!r}; the columns are: {', '.join(available) or '(none)'}")
        self.column = column
        self.available = tuple(available)
        self.delimiter = delimiter
