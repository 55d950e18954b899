"""Bytes to text: which encoding an input is in, and a text stream over it.

UTF-8, with or without a BOM, is read as is. UTF-16 and UTF-32 with a
byte-order mark are read without being told (Excel's "Unicode text" is UTF-16
with a BOM). The first ``SNIFF_BYTES`` are checked before anything else:

- a zip file (an .xlsx workbook) or an old .xls workbook is not text, and
  FormatError says how to read it;
- control bytes in the pattern UTF-16 without a BOM leaves, or a majority of
  the non-ASCII lines failing to decode as UTF-8, mean the file is not UTF-8,
  and EncodingError says so, with a guess (Arabic files saved by Windows are
  cp1256). ``encoding=`` reads such a file.

After that check a line whose bytes do not decode is the reader's business:
each undecodable byte stays visible (surrogateescape) for the line reader to
flag and show as U+FFFD.
"""

from __future__ import annotations

import codecs
import io
import re
from typing import Any, BinaryIO, NamedTuple, TextIO

from namelink.tables.errors import BulkError, EncodingError, FormatError

__all__ = ["READ_BUFFER", "SNIFF_BYTES", "Input", "Source", "is_wide", "open_input", "sniff_binary"]

# How much of the input the encoding check reads before anything else.
SNIFF_BYTES = 1 << 16
# Control bytes (other than tab, CR, LF) in more than this share of the sniffed
# bytes mean UTF-16 or binary: text has none, ASCII in UTF-16 has 50% NULs and
# Arabic in UTF-16 a 0x06 byte in every other place.
CONTROL_SHARE = 0.1
# Read buffer for the input.
READ_BUFFER = 1 << 16
# How a zip file (an .xlsx, .ods or .docx) and an OLE2 file (an old .xls) begin.
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
_ARABIC = re.compile("[\u0600-\u06ff\u0750-\u077f]")
_NON_ASCII = re.compile("[^\x00-\x7f]")
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose BOM it starts with
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class Source(io.RawIOBase):
    """The input's bytes with the sniffed head put back in front, counted for progress."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        super().__init__()
        self._head = memoryview(head)
        # read1 returns what a pipe has at hand instead of waiting for a full buffer.
        self._read = getattr(rest, "read1", rest.read)
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n] = self._head[:n]
            self._head = self._head[n:]
        else:
            data = self._read(len(buffer))
            n = len(data)
            buffer[:n] = data
        self.bytes_read += n
        return n


class Input(NamedTuple):
    """An opened input: its text, the byte source under it (for progress), whether
    it began with a UTF-8 BOM, and the codec it is read with."""

    text: TextIO
    source: Source
    bom: bool
    codec: str

    @property
    def utf8(self) -> bool:
        return self.codec in ("utf-8", "utf-8-sig")


def is_wide(codec: str) -> bool:
    """UTF-16 and UTF-32: bytes below 0x80 that do not decode cannot be escaped."""
    return codec.startswith(("utf-16", "utf-32"))


def _decodes_as_utf8(data: bytes, final: bool = True) -> bool:
    try:
        codecs.getincrementaldecoder("utf-8")().decode(data, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _guess_encoding(head: bytes) -> str | None:
    """cp1256 when the bytes read as mostly Arabic letters in it, else None."""
    text = head.decode("cp1256", errors="replace")
    non_ascii = len(_NON_ASCII.findall(text))
    return "cp1256" if non_ascii and 2 * len(_ARABIC.findall(text)) > non_ascii else None


def sniff_binary(head: bytes) -> str | None:
    """'xlsx' for a zip file, 'xls' for an old Excel workbook, None for anything else."""
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE2_MAGIC):
        return "xls"
    return None


def _refuse_binary(head: bytes) -> None:
    kind = sniff_binary(head)
    if kind == "xlsx":
        raise FormatError("the input is a zip file, as an Excel workbook (.xlsx) is, not text", guess="xlsx")
    if kind == "xls":
        raise FormatError(
            "the input is an old Excel workbook (.xls), which namelink does not read; "
            "save it from Excel as .xlsx or as 'CSV UTF-8'"
        )


def _sniff(head: bytes, complete: bool) -> tuple[str, bool]:
    """The codec to read an input of unknown encoding with, and whether it has
    a UTF-8 BOM; EncodingError when it is not UTF-8 (see the module docstring)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", True
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name, False  # the codec reads the BOM and the byte order from it
    _refuse_binary(head)
    controls = len(head.translate(None, _NOT_CONTROL))
    if controls > CONTROL_SHARE * len(head):
        odd = len(head[1::2].translate(None, _NOT_CONTROL))
        raise EncodingError(
            f"the input is not UTF-8 text: {controls:,} of its first {len(head):,} bytes are control bytes, "
            "as in UTF-16 without a byte-order mark",
            guess="utf-16-le" if 2 * odd > controls else "utf-16-be",
        )
    lines = head.split(b"\n")
    cut = lines.pop() if not complete and len(lines) > 1 else b""
    non_ascii = [line for line in lines if not line.isascii()]
    bad = sum(not _decodes_as_utf8(line) for line in non_ascii)
    if cut and not cut.isascii():
        non_ascii.append(cut)
        bad += not _decodes_as_utf8(cut, final=False)
    if non_ascii and 2 * bad > len(non_ascii):
        guess = _guess_encoding(head)
        looks = "; it looks like Windows Arabic (cp1256)" if guess else ""
        raise EncodingError(
            f"the input is not UTF-8: {bad} of the {len(non_ascii)} lines with non-ASCII bytes in its first "
            f"{len(head):,} bytes do not decode{looks}",
            guess,
        )
    return "utf-8", False


def open_input(source: BinaryIO, encoding: str | None, head: bytes | None = None) -> Input:
    """A text stream over ``source``, in ``encoding`` or the sniffed one; ``head``
    is what was already read from it (SNIFF_BYTES are read otherwise)."""
    if head is None:
        head = source.read(SNIFF_BYTES)
    if encoding is None:
        codec, bom = _sniff(head, complete=len(head) < SNIFF_BYTES)
    else:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise BulkError(
                f"unknown encoding {encoding!r}; give a Python codec name such as utf-8, cp1256 or utf-16"
            ) from None
        _refuse_binary(head)
        bom = codec in ("utf-8", "utf-8-sig") and head.startswith(codecs.BOM_UTF8)
    if codec == "utf-8":
        codec = "utf-8-sig"  # reads a BOM if there is one, and nothing otherwise
    raw = Source(head, source)
    # surrogateescape keeps each undecodable byte visible for the line reader to
    # flag; it cannot escape bytes below 0x80, which UTF-16 and UTF-32 produce,
    # so those decode with U+FFFD instead.
    text = io.TextIOWrapper(
        io.BufferedReader(raw, READ_BUFFER),
        encoding=codec,
        errors="replace" if is_wide(codec) else "surrogateescape",
        newline="",
    )
    return Input(text, raw, bom, codec)
