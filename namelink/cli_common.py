"""What the namelink commands share: exit codes, the usage error, the checks of
the options every command takes (--gazetteer, --types, --threshold, --lang),
and reading arguments or stdin."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from namelink.arguments import bounded
from namelink.gazetteer import Gazetteer
from namelink.normalize import normalize
from namelink.records import ENTITY_TYPES, Link

__all__ = [
    "EXIT_OK",
    "EXIT_UNLINKED",
    "EXIT_USAGE",
    "KNOWN_LANGS",
    "UsageError",
    "check_lang",
    "gazetteer_langs",
    "link_record",
    "open_gazetteer",
    "parse_delimiter",
    "parse_jobs",
    "parse_threshold",
    "parse_types",
    "read_names",
    "silence_stdout",
    "stdin_if_none",
    "write_json",
]

EXIT_OK = 0
EXIT_UNLINKED = 1
EXIT_USAGE = 2
# Language codes --lang accepts whatever the gazetteer holds: the languages
# written in Arabic script that normalize() folds (chars.py), and the Latin-script
# languages whose names gazetteers carry as labels and romanized matches use.
KNOWN_LANGS = frozenset(
    {
        # Arabic script
        *("ar", "fa", "prs", "ur", "ps", "ku", "ckb", "sdh", "lrc", "ug", "sd", "pnb", "ks", "bal", "azb"),
        *(
            "kk-Arab",
            "ky-Arab",
            "ms-Arab",
            "uz-Arab",
            "tk-Arab",
            "ha-Arab",
            "bgn",
            "glk",
            "mzn",
            "arz",
            "ary",
        ),
        # Latin script
        *(
            "en",
            "fr",
            "de",
            "es",
            "it",
            "pt",
            "nl",
            "tr",
            "az",
            "uz",
            "id",
            "ms",
            "sw",
            "so",
            "ha",
            "la",
            "mul",
        ),
    }
)


class UsageError(Exception):
    """A problem the user can fix; main() prints it and exits 2."""


def open_gazetteer(path: str | None) -> Gazetteer:
    if path is None:
        return Gazetteer.default()
    if not Path(path).exists():
        raise UsageError(f"--gazetteer {path}: no such file or directory")
    return Gazetteer.load(path)


def gazetteer_langs(gazetteer: Gazetteer) -> set[str]:
    """The languages the gazetteer holds names in."""
    langs: set[str] = set()
    for entity in gazetteer.entities():
        langs.update(entity.names)
    return langs


def check_lang(gazetteer: Gazetteer, lang: str | None) -> str | None:
    """``lang`` if it is a code namelink or the gazetteer knows, else a UsageError
    listing them: a mistyped --lang would otherwise prefer no name at all."""
    if lang is None or lang in KNOWN_LANGS:
        return lang
    held = gazetteer_langs(gazetteer)
    if lang in held:
        return lang
    known = ", ".join(sorted(held | KNOWN_LANGS))
    raise UsageError(f"--lang {lang}: an unknown language code; use one of {known}")


def parse_types(value: str) -> frozenset[str]:
    types = frozenset(t.strip() for t in value.split(",") if t.strip())
    unknown = types - ENTITY_TYPES
    if unknown or not types:
        raise argparse.ArgumentTypeError(
            f"unknown type(s) {', '.join(sorted(unknown)) or '(none)'}; use a comma-separated list of "
            + ", ".join(sorted(ENTITY_TYPES))
        )
    return types


# --threshold and --jobs
parse_threshold = bounded(float, low=0.0, high=1.0, give="a score between 0 and 1")
parse_jobs = bounded(int, low=1, give="a count of processes, 1 or more, e.g. 2")


def parse_delimiter(value: str) -> str:
    """One character; \\t and "tab" stand for a tab, which a shell makes awkward to type."""
    value = "\t" if value in ("\\t", "tab") else value
    if len(value) != 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not one character; give e.g. ';' or '\\t'")
    return value


def link_record(name: str, link: Link | None) -> dict[str, Any]:
    """The JSON shape of one lookup result, shared by link, candidates and csv."""
    record: dict[str, Any] = {"name": name, "normalized": normalize(name), "qid": None}
    if link is not None:
        record.update(
            qid=link.qid,
            label=link.label,
            score=link.score,
            method=link.method,
            type=link.type,
            description=link.description,
            matched_name=link.matched_name,
            matched_lang=link.matched_lang,
            explanation=link.explanation,
        )
        if link.runner_up is not None:
            record["runner_up"] = {
                "qid": link.runner_up.qid,
                "label": link.runner_up.label,
                "score": link.runner_up.score,
            }
    return record


def write_json(out: TextIO, record: dict[str, Any]) -> None:
    out.write(json.dumps(record, ensure_ascii=False) + "\n")


def stdin_if_none(values: Sequence[str], what: str) -> Sequence[str]:
    """``values``, or ['-'] (stdin) when none is given, so that a command works
    as a filter; on a terminal, where nothing would arrive, a UsageError."""
    if values:
        return values
    if sys.stdin is None or sys.stdin.isatty():
        raise UsageError(f"give {what}, or pipe them on stdin (one per line)")
    return ["-"]


def read_names(names: Sequence[str], stdin: TextIO) -> Iterator[str]:
    """The names given, with '-' standing for stdin, one name per line."""
    for name in names:
        if name == "-":
            for line in stdin:
                if line.strip():
                    yield line.rstrip("\r\n")
        else:
            yield name


def silence_stdout() -> None:
    """After writing stdout failed (a closed pipe, a full disk), point it at
    /dev/null, so that the interpreter's own flush at exit does not fail a
    second time with a traceback. Does nothing where stdout has no descriptor
    (captured in a test, or replaced by the caller)."""
    try:
        fd = sys.stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError, AttributeError):
        return
    os.dup2(devnull, fd)
    os.close(devnull)
