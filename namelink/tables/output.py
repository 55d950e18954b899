"""Atomic output: a file is written beside its target and renamed over it only
when complete, so that an interrupted run leaves the target as it was.

The temporary file is named ``.TARGET.namelink-PID.part`` after the process
writing it. A run killed outright (kill -9, a power cut) cannot delete its own,
so each run first deletes those of processes that no longer exist.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from namelink.tables.errors import BulkError

__all__ = ["PART_SUFFIX", "atomic_output", "part_name", "remove_stale_parts"]

PART_SUFFIX = ".part"
# Temporary files of one target per process: a second atomic_output of the same
# target in the same process (nested) takes the next number.
MAX_PARTS_PER_PROCESS = 100


def part_name(target: Path, pid: int, n: int = 0) -> Path:
    tail = f"-{n}" if n else ""
    return target.with_name(f".{target.name}.namelink-{pid}{tail}{PART_SUFFIX}")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, and belongs to someone else
    return True


def remove_stale_parts(target: Path) -> list[Path]:
    """Delete the temporary files of ``target`` left by processes that have
    died; return those deleted. Only where signal 0 asks whether a process
    exists (POSIX: on Windows os.kill would end it)."""
    if os.name != "posix":
        return []
    pattern = re.compile(re.escape(f".{target.name}.namelink-") + r"(\d+)(?:-\d+)?" + re.escape(PART_SUFFIX))
    removed = []
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return []
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match and int(match[1]) != os.getpid() and not _alive(int(match[1])):
            with suppress(OSError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def _new_file_mode() -> int:
    umask = os.umask(0)  # reading the umask means setting it; it is put back at once
    os.umask(umask)
    return 0o666 & ~umask


def _create_part(target: Path) -> tuple[int, Path]:
    for n in range(MAX_PARTS_PER_PROCESS):
        temporary = part_name(target, os.getpid(), n)
        try:
            return os.open(
                temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600
            ), temporary
        except FileExistsError:
            continue
    raise BulkError(f"{target}: {MAX_PARTS_PER_PROCESS} outputs to it are open in this process")


@contextmanager
def atomic_output(path: str | Path) -> Iterator[BinaryIO]:
    """A binary file to write ``path`` through: a temporary file beside it,
    renamed over ``path`` only when the block completes. On any exception,
    Ctrl-C included, the temporary file is deleted and ``path`` is as it was:
    either untouched or complete, never half written. Input and output may be
    the same file."""
    target = Path(path)
    parent = target.parent
    if not parent.is_dir():
        what = "is not a directory" if parent.exists() else "does not exist"
        raise BulkError(f"{target}: the directory {parent} {what}")
    if target.is_dir():
        raise BulkError(f"{target} is a directory; give a file name to write")
    mode = target.stat().st_mode & 0o7777 if target.exists() else _new_file_mode()
    remove_stale_parts(target)
    fd, temporary = _create_part(target)
    try:
        with os.fdopen(fd, "wb") as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
