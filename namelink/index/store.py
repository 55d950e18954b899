"""The index file: named flat arrays behind a checked header, opened with a memory map.

A file is written once and never changed in place (a new one replaces it
atomically). Opening it maps it read-only: nothing is parsed but the header,
two processes share its pages, and nothing in it is ever unpickled or executed.

Layout (integers little-endian; the only supported byte order)::

    magic     8 bytes   b"NLINDEX\\0"
    digest   32 bytes   SHA-256, see below
    length    8 bytes   u64: length of the header
    header    length    UTF-8 JSON object: "format" (FORMAT_VERSION), "keys"
                        (namelink.keys.KEYS_VERSION), "source_sha256" (of the
                        entities.jsonl it was built from; "" when built from
                        records in memory), "body_bytes", "sections"
                        ({name: [typecode, offset, count]}, offsets relative to
                        the body, each a multiple of 8), "meta" (small lists)
    padding   to a multiple of 8 from the start of the file
    body      the sections: each a flat array of one `array` typecode
              (B = u8, H = u16, I = u32)

``digest`` is SHA-256(length ‖ header ‖ padding ‖ SHA-256(chunk₀) ‖ SHA-256(chunk₁)
‖ …), the body cut into CHUNK_BYTES chunks: a SHA-256 over every byte after the
digest, whose chunks two cores verify at once. Every open checks the magic, the
header's bounds, the versions, the body's length and the digest before any
section is handed out; a file that fails raises IndexFileError, and the caller
rebuilds (never trusts) it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import mmap
import os
import struct
import sys
import tempfile
from array import array
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO

__all__ = ["CHUNK_BYTES", "FORMAT_VERSION", "IndexFileError", "Store", "open_store", "write_store"]

MAGIC = b"NLINDEX\0"
# Bump on any change to the layout above or to what a section means.
FORMAT_VERSION = 1
# Body chunk for the two-level digest: large enough that the per-chunk digests
# add nothing measurable (32 bytes per 16 MiB), small enough that a 300 MB
# index splits evenly over two cores.
CHUNK_BYTES = 16 * 2**20
# Below this many chunks one thread hashes faster than starting a pool.
THREADED_CHUNKS = 4
_PREFIX = struct.Struct("<8s32sQ")
_ALIGN = 8
_ITEM_SIZES = {"B": 1, "H": 2, "I": 4}


class IndexFileError(ValueError):
    """An index file that is not one, is damaged, or was made for other versions."""


def _pad(n: int) -> int:
    return -n % _ALIGN


def _check_platform() -> None:
    if sys.byteorder != "little" or any(array(code).itemsize != size for code, size in _ITEM_SIZES.items()):
        raise IndexFileError("index files are little-endian with 1/2/4-byte B/H/I arrays; not this platform")


def _digest(header: bytes, body: memoryview, workers: int = 2) -> bytes:
    chunks = [body[i : i + CHUNK_BYTES] for i in range(0, len(body), CHUNK_BYTES)]

    def one(chunk: memoryview) -> bytes:
        return hashlib.sha256(chunk).digest()  # releases the GIL: chunks hash in parallel

    if len(chunks) >= THREADED_CHUNKS and workers > 1:
        with ThreadPoolExecutor(workers) as pool:
            parts = list(pool.map(one, chunks))
    else:
        parts = [one(chunk) for chunk in chunks]
    return hashlib.sha256(header + b"".join(parts)).digest()


def write_store(
    out: Path | BinaryIO,
    sections: Mapping[str, array[int] | bytes | bytearray],
    *,
    meta: Mapping[str, Any],
    keys_version: str,
    source_sha256: str,
    mode: int = 0o600,
) -> None:
    """Write ``sections`` as an index file: to a path atomically (a temporary
    file beside it, renamed over it; permissions ``mode``), or to an open binary stream."""
    _check_platform()
    table: dict[str, list[Any]] = {}
    offset = 0
    for name, data in sections.items():
        code = data.typecode if isinstance(data, array) else "B"
        table[name] = [code, offset, len(data)]
        offset += len(data) * _ITEM_SIZES[code]
        offset += _pad(offset)
    header = json.dumps(
        {
            "format": FORMAT_VERSION,
            "keys": keys_version,
            "source_sha256": source_sha256,
            "body_bytes": offset,
            "sections": table,
            "meta": dict(meta),
        },
        ensure_ascii=False,
        sort_keys=True,
    ).encode("utf-8")
    if isinstance(out, Path):
        handle, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
        try:
            with os.fdopen(handle, "w+b") as stream:
                _write(stream, header, sections)
            os.chmod(temporary, mode)
            os.replace(temporary, out)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    else:
        _write(out, header, sections)


def _write(stream: BinaryIO, header: bytes, sections: Mapping[str, array[int] | bytes | bytearray]) -> None:
    start = stream.tell()
    stream.write(_PREFIX.pack(MAGIC, bytes(32), len(header)))
    head = struct.pack("<Q", len(header)) + header + bytes(_pad(_PREFIX.size + len(header)))
    stream.write(head[8:])
    digests: list[bytes] = []
    pending = bytearray()  # the body, cut into CHUNK_BYTES chunks as it is written
    for data in sections.values():
        view = memoryview(data).cast("B")
        for part in (view, memoryview(bytes(_pad(len(view))))):
            stream.write(part)
            position = 0
            while position < len(part):
                take = min(CHUNK_BYTES - len(pending), len(part) - position)
                if not pending and take == CHUNK_BYTES:
                    digests.append(hashlib.sha256(part[position : position + take]).digest())
                else:
                    pending += part[position : position + take]
                    if len(pending) == CHUNK_BYTES:
                        digests.append(hashlib.sha256(pending).digest())
                        pending.clear()
                position += take
    if pending:
        digests.append(hashlib.sha256(pending).digest())
    digest = hashlib.sha256(head + b"".join(digests)).digest()
    end = stream.tell()
    stream.seek(start + 8)
    stream.write(digest)
    stream.seek(end)
    stream.flush()


class Store:
    """The verified sections of an index file, as typed zero-copy views."""

    __slots__ = ("_buffer", "header", "sections")

    def __init__(self, buffer: Any, header: dict[str, Any], sections: dict[str, memoryview]) -> None:
        self._buffer = buffer  # the mmap or bytes the views point into
        self.header = header
        self.sections = sections

    @property
    def meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = self.header["meta"]
        return meta

    @property
    def source_sha256(self) -> str:
        return str(self.header["source_sha256"])

    def __getitem__(self, name: str) -> memoryview:
        return self.sections[name]

    def to_bytes(self) -> bytes:
        """The whole file, as bytes (for handing an index to another process)."""
        return bytes(self._buffer)


def open_store(source: Path | bytes | bytearray | memoryview, *, keys_version: str) -> Store:
    """Open and verify an index file (a path, memory-mapped) or its bytes.

    Raises IndexFileError when it is not a sound index of FORMAT_VERSION and
    ``keys_version``; OSError when a path cannot be read.
    """
    _check_platform()
    buffer: Any
    if isinstance(source, Path):
        with source.open("rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            if size < _PREFIX.size:
                raise IndexFileError(f"{source}: {size} bytes, too short for an index file")
            buffer = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
    else:
        buffer = source
    view = memoryview(buffer).cast("B") if not isinstance(buffer, mmap.mmap) else memoryview(buffer)
    if len(view) < _PREFIX.size:
        raise IndexFileError("too short for an index file")
    magic, digest, length = _PREFIX.unpack_from(view)
    if magic != MAGIC:
        raise IndexFileError("not a namelink index file (bad magic)")
    body_start = _PREFIX.size + length + _pad(_PREFIX.size + length)
    if body_start > len(view):
        raise IndexFileError("truncated in its header")
    head = bytes(view[_PREFIX.size - 8 : body_start])  # the length, the header, its padding
    raw = head[8 : 8 + length]
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise IndexFileError("its header is not JSON") from None
    if not isinstance(header, dict):
        raise IndexFileError("its header is not a JSON object")
    if header.get("format") != FORMAT_VERSION or header.get("keys") != keys_version:
        raise IndexFileError(
            f"made for format {header.get('format')!r} and keys {header.get('keys')!r}, "
            f"not {FORMAT_VERSION} and {keys_version!r}"
        )
    body = view[body_start:]
    if header.get("body_bytes") != len(body):
        raise IndexFileError(f"body of {len(body)} bytes, the header says {header.get('body_bytes')!r}")
    if not hmac.compare_digest(_digest(head, body), digest):
        raise IndexFileError("its SHA-256 does not match its contents")
    sections: dict[str, memoryview] = {}
    try:
        for name, (code, offset, count) in header["sections"].items():
            size = _ITEM_SIZES[code]
            if offset % _ALIGN or offset + count * size > len(body):
                raise IndexFileError(f"section {name} lies outside the body")
            part = body[offset : offset + count * size]
            sections[name] = part if code == "B" else part.cast(code)
        if not isinstance(header["meta"], dict):
            raise IndexFileError("its meta is not an object")
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, IndexFileError):
            raise
        raise IndexFileError(f"its section table is malformed ({error})") from None
    return Store(buffer, header, sections)
