"""Writing gazetteers atomically, and merging them.

    records + manifest → a hidden directory beside --out, named by process id
                       → fsync → renamed into place

A crash leaves the previous gazetteer or the new one, never half of one; the
leftovers of a writer that died (killed with SIGKILL, or a power cut) carry
its process id and are cleaned up by the next write once that process is gone.
A full disk, a read-only directory or a file-size limit ends the write with
the OSError, the partial directory removed; the command line turns that into
a message (namelink.wikidata.commands).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from namelink import __version__
from namelink.index import index_path, write_index
from namelink.keys import KEYS_VERSION
from namelink.records import (
    ENTITIES_FILE,
    FORMAT_VERSION,
    MANIFEST_FILE,
    GazetteerError,
    read_manifest,
    read_records,
)

__all__ = [
    "MAX_POPULARITY",
    "BuildError",
    "check_writable",
    "merge",
    "qid_number",
    "write_gazetteer",
]

# The compiled index keeps popularity in an array("I") (namelink.index): an
# unsigned 32-bit integer on every platform CPython supports. Larger values
# are clamped so that the gazetteer always loads.
MAX_POPULARITY = 2**32 - 1


class BuildError(Exception):
    """A build that cannot start or finish as asked; the message says what to change."""


def qid_number(qid: str) -> int:
    return int(qid[1:])


def versions() -> dict[str, str]:
    """The versions a manifest records: namelink, its keys, Python and SQLite (the response cache)."""
    import sqlite3

    return {
        "namelink": __version__,
        "keys": KEYS_VERSION,
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
    }


def iso(timestamp: float) -> str:
    return dt.datetime.fromtimestamp(timestamp, dt.timezone.utc).isoformat(timespec="seconds")


def counts(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    by_type = dict.fromkeys(("person", "place", "org", "other"), 0)
    by_language: dict[str, int] = {}
    for record in records:
        by_type[record["type"]] += 1
        for lang, values in record["names"].items():
            by_language[lang] = by_language.get(lang, 0) + len(values)
    return {
        "entities": len(records),
        "names": sum(by_language.values()),
        "by_type": by_type,
        "by_language": dict(sorted(by_language.items())),
    }


# --- Writing, atomically -------------------------------------------------------------------------

_GAZETTEER_FILES = frozenset({ENTITIES_FILE, MANIFEST_FILE, index_path(Path(ENTITIES_FILE)).name})


def check_writable(out: Path) -> None:
    """Refuse, before any work, an ``out`` that would destroy something else or cannot be written.

    The directory beside ``out`` is created if missing and a hidden directory
    made and removed in it, so that a read-only place, a path under a file or
    a missing permission fails now, not after an hour of fetching. A full disk
    can still fail the write itself.
    """
    _check_replaceable(out)
    parent = out.parent
    parent.mkdir(parents=True, exist_ok=True)
    probe = tempfile.mkdtemp(prefix=f".{out.name}.partial-{os.getpid()}-", dir=parent)
    os.rmdir(probe)


def _check_replaceable(out: Path) -> None:
    """Refuse to put a gazetteer where it would destroy something else."""
    if not out.exists():
        return
    if not out.is_dir():
        raise BuildError(
            f"--out {out} is a file; give a directory (it will hold {ENTITIES_FILE} and {MANIFEST_FILE})"
        )
    others = sorted(p.name for p in out.iterdir() if p.name not in _GAZETTEER_FILES)
    if others:
        raise BuildError(
            f"--out {out} holds other files ({', '.join(others[:5])}); a gazetteer build replaces the "
            "whole directory, so give a new directory or an existing gazetteer"
        )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _leftovers(out: Path, kind: str) -> list[tuple[Path, int]]:
    found = []
    for path in out.parent.glob(f".{out.name}.{kind}-*"):
        match = re.fullmatch(rf"\.{re.escape(out.name)}\.{kind}-(\d+)-.*", path.name)
        if match and not _pid_alive(int(match.group(1))):
            found.append((path, int(match.group(1))))
    return found


def _recover(out: Path) -> None:
    """Clean up after a writer that died: drop its partial output, put back a moved gazetteer."""
    for path, _ in _leftovers(out, "partial"):
        shutil.rmtree(path, ignore_errors=True)
    for path, _ in _leftovers(out, "old"):
        if not out.exists():
            os.rename(path, out)
        else:
            shutil.rmtree(path, ignore_errors=True)


def _fsync_file(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def _fsync_dir(path: Path) -> None:
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return  # not possible on every platform; the renames still order the writes
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _line(record: dict[str, Any]) -> str:
    shaped = {
        "qid": record["qid"],
        "label": record["label"],
        "type": record["type"],
        "classes": list(record.get("classes", [])),
        "description": record.get("description", ""),
        "names": record["names"],
        "popularity": min(int(record.get("popularity", 0) or 0), MAX_POPULARITY),
    }
    if record.get("alt_qids"):
        shaped["alt_qids"] = list(record["alt_qids"])
    if record.get("country"):
        shaped["country"] = list(record["country"])
    return json.dumps(shaped, ensure_ascii=False) + "\n"


def write_gazetteer(out: Path, records: Iterable[dict[str, Any]], manifest: dict[str, Any]) -> None:
    """Write ``records`` and ``manifest`` as a gazetteer directory at ``out``, atomically.

    The compiled index (namelink.index.write_index) is written with them, so that
    the gazetteer needs no compile on first use. The files are written to a
    hidden directory beside ``out`` and renamed into
    place only when complete, so a crash leaves either the old gazetteer or the
    new one, never half of one. An existing gazetteer at ``out`` is moved aside
    for the instant between the two renames and removed after; a writer that
    dies in that instant has it put back by the next write.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    _recover(out)
    _check_replaceable(out)
    pid = os.getpid()
    partial = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-{pid}-", dir=out.parent))
    try:
        entities = partial / ENTITIES_FILE
        with entities.open("w", encoding="utf-8", newline="\n") as handle:
            for record in records:
                handle.write(_line(record))
        _fsync_file(entities)
        manifest_file = partial / MANIFEST_FILE
        manifest_file.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        _fsync_file(manifest_file)
        # the compiled index beside the entities: a built gazetteer opens without a compile
        _fsync_file(write_index(partial))
        _fsync_dir(partial)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-{pid}-", dir=out.parent))
            os.rmdir(old)
            os.rename(out, old)
            os.rename(partial, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(partial, out)
        _fsync_dir(out.parent)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise


# --- Merging ----------------------------------------------------------------------------------------


def merge(layers: Sequence[Path], out: Path, *, names: Sequence[str] | None = None) -> dict[str, Any]:
    """Lay gazetteers over one another, later over earlier, and write the result to ``out``.

    An entity in several layers (matched by QID or alternative QID) takes its
    label, type, classes, description and popularity from the topmost layer
    that has it; its names are the union of all layers', topmost first, so that
    names curated in a lower layer (the default gazetteer's spellings) survive
    a fresh Wikidata build laid over it. Returns the manifest written.
    """
    if len(layers) < 2:
        raise BuildError("merge needs at least two gazetteers: the base first, then what goes on top")
    merged: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    sources = []
    for position, layer in enumerate(layers):
        try:
            records = list(read_records(layer))
            manifest = read_manifest(layer)
        except GazetteerError as error:
            raise BuildError(str(error)) from None
        label = names[position] if names else str(layer)
        sources.append(
            {
                "gazetteer": label,
                "name": manifest.get("name"),
                "date": manifest.get("date"),
                "endpoint": manifest.get("endpoint"),
                "entities": len(records),
            }
        )
        for record in records:
            ids = [record["qid"], *record.get("alt_qids", [])]
            hit = next((index[i] for i in ids if i in index), None)
            if hit is None:
                merged.append(record)
                slot = len(merged) - 1
            else:
                merged[hit] = _lay_over(merged[hit], record)
                slot = hit
            for i in (merged[slot]["qid"], *merged[slot].get("alt_qids", [])):
                index[i] = slot
    merged.sort(key=lambda r: qid_number(r["qid"]))
    now = time.time()
    manifest = {
        "name": out.name,
        "format": FORMAT_VERSION,
        "date": dt.datetime.fromtimestamp(now, dt.timezone.utc).date().isoformat(),
        "built_at": iso(now),
        "namelink_version": __version__,
        "keys_version": KEYS_VERSION,
        "merged_from": sources,
        "merge_rule": "later layers on top: their fields win; names are the union, top layer first",
        "counts": counts(merged),
        "versions": versions(),
    }
    write_gazetteer(out, merged, manifest)
    return manifest


def _lay_over(below: dict[str, Any], above: dict[str, Any]) -> dict[str, Any]:
    names: dict[str, list[str]] = {}
    for lang in dict.fromkeys([*above["names"], *below["names"]]):
        values = [*above["names"].get(lang, []), *below["names"].get(lang, [])]
        names[lang] = list(dict.fromkeys(values))
    ids = [above["qid"], *above.get("alt_qids", []), below["qid"], *below.get("alt_qids", [])]
    alt = [i for i in dict.fromkeys(ids) if i != above["qid"]]
    return {**above, "names": names, "alt_qids": alt}
