"""What a failed ``namelink gazetteer build | count | merge`` tells its user: one
line saying what went wrong and what to change, and exit code 2, never a
traceback (the exit codes are in commands.py)."""

from __future__ import annotations

import errno
import sys

__all__ = [
    "EXIT_USAGE",
    "UsageError",
    "docs",
    "endpoint_failed",
    "out_of_memory",
    "usage_error",
    "write_failed",
]

EXIT_USAGE = 2


class UsageError(Exception):
    """Arguments that cannot work; the message says what to change."""


def usage_error(message: str) -> int:
    print(f"namelink: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def docs() -> str:
    """Where the builder's documentation is, in words that hold for an installed wheel."""
    from importlib import resources

    readme = resources.files("namelink.wikidata") / "README.md"
    return f"python -m namelink.wikidata --help, and {readme}"


# What a failed write means, by errno, and what to do about it.
WRITE_ADVICE = {
    errno.ENOSPC: "the disk is full: free some space, or give --out (and --cache-dir) on another disk",
    errno.EDQUOT: "the disk quota is used up: free some space, or give --out on another disk",
    errno.EFBIG: "a file grew past the file-size limit (ulimit -f) or the largest file the filesystem "
    "takes: raise the limit, or write elsewhere",
    errno.EROFS: "the filesystem is read-only: give --out on a writable one",
    errno.EACCES: "permission denied: give --out in a directory you can write",
    errno.EPERM: "permission denied: give --out in a directory you can write",
    errno.ENOTDIR: "part of the path is a file, not a directory: give --out under a directory",
    errno.EEXIST: "part of the path is a file, not a directory: give --out under a directory",
}


def write_failed(error: OSError, fallback: str) -> int:
    where = f" ({error.filename})" if error.filename else ""
    advice = WRITE_ADVICE.get(error.errno or 0, fallback)
    return usage_error(f"could not write{where}: {error.strerror or error}\n  {advice}")


def out_of_memory() -> int:
    return usage_error(
        "ran out of memory\n  give a smaller --batch-size, --max-response-mb or --limit; what was "
        "fetched so far is cached"
    )


def endpoint_failed(error: Exception) -> int:
    from namelink.wikidata.sparql import SparqlUnreachable

    if isinstance(error, SparqlUnreachable):
        return usage_error(
            f"{error}\n  the endpoint could not be reached: the network may be down. Check the "
            "connection (and the host in --endpoint); what was fetched so far is cached, so run the "
            "same command again when the network is back"
        )
    return usage_error(f"{error}\n  check --endpoint (WDQS, QLever and your own server: {docs()})")
