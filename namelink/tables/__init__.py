"""Readers and writers of tables: how a file is read, whatever it holds, and
written without ever leaving half an output.

- ``encodings``: bytes to text; UTF-8, UTF-16/32 by their BOM, cp1256 on request,
  workbooks and binary files recognized and refused with the way to read them.
- ``lines``: the lenient line reader (NULs, undecodable bytes, huge lines).
- ``csvfile``: CSV and TSV, strict with a lenient fallback; the delimiter sniffed.
- ``jsonl``: JSON Lines, nesting bounded.
- ``xlsx``: Excel workbooks through openpyxl (the ``xlsx`` extra).
- ``formats``: a reader and a writer for any pair of formats.
- ``output``: atomic output, and the temporary files of dead runs cleaned up.

Nothing here links a name: ``namelink.bulk`` runs the jobs over these.
"""

from __future__ import annotations

from namelink.tables.errors import BulkError, ColumnError, EncodingError, FormatError
from namelink.tables.output import atomic_output
from namelink.tables.table import FORMATS, RAW_KEY, TEXT_FORMATS, Record, format_of, known_format

__all__ = [
    "FORMATS",
    "RAW_KEY",
    "TEXT_FORMATS",
    "BulkError",
    "ColumnError",
    "EncodingError",
    "FormatError",
    "Record",
    "atomic_output",
    "format_of",
    "known_format",
]
