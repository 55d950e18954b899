"""Cut the Arabic-script names out of everypolitician's Wikidata extracts.

everypolitician-data keeps, for each legislature, ``sources/morph/wikidata.csv``:
one row per member, keyed by Wikidata QID (column ``id``), with that item's
label in each language (``name__ar``, ``name__fa`` ...). This script reads those
files from a local git copy of the repository at a pinned commit and writes the
rows that have a label in an Arabic-script language to
``sources/everypolitician_names.tsv`` (country, house, qid, lang, name), which
is kept next to this script so that ``make_evalsets.py`` needs no network.

Usage::

    python gazetteers/evaluation/extract_everypolitician.py /path/to/everypolitician-data.git

The git copy must contain ``COMMIT`` (see SOURCE_REPOSITORY); the script reads
the files at that commit, never the working tree, so its output is the same
wherever it runs.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

# A public fork of everypolitician/everypolitician-data: the upstream repository
# is 2.5 GB, over the size this workplace can copy, and this fork (last commit
# 2015-11-30) is a smaller snapshot of the same files.
SOURCE_REPOSITORY = "tijmenb/everypolitician-data"
COMMIT = "0642e77ac8a13bcd8017b245825c3aba349d3e6a"

# The Wikidata languages written in Arabic script whose labels we take.
LANGS = (
    "ar",
    "fa",
    "ur",
    "arz",
    "ps",
    "ckb",
    "azb",
    "pnb",
    "mzn",
    "ug",
    "ks",
    "sd",
    "glk",
    "lrc",
    "bqi",
    "skr",
)

QID = re.compile(r"Q[1-9][0-9]*")
OUT = Path(__file__).parent / "sources" / "everypolitician_names.tsv"


def git(repo: str, *args: str) -> str:
    return subprocess.run(
        ["git", "--git-dir", repo, *args], check=True, capture_output=True, text=True
    ).stdout


def extract(repo: str) -> list[tuple[str, str, str, str, str]]:
    paths = [
        p
        for p in git(repo, "ls-tree", "-r", "--name-only", COMMIT).split("\n")
        if p.endswith("/sources/morph/wikidata.csv")
    ]
    rows = set()
    for path in sorted(paths):
        _, country, house = path.split("/")[:3]
        reader = csv.DictReader(io.StringIO(git(repo, "show", f"{COMMIT}:{path}")))
        for record in reader:
            qid = (record.get("id") or "").strip()
            if not QID.fullmatch(qid):
                continue
            for lang in LANGS:
                name = " ".join((record.get(f"name__{lang}") or "").split())
                if name:
                    rows.add((country, house, qid, lang, name))
    return sorted(rows)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    rows = extract(argv[0])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", dir=OUT.parent, delete=False) as f:
        source = f"{SOURCE_REPOSITORY}@{COMMIT}"
        f.write(f"# Arabic-script Wikidata labels from {source}, data/*/*/sources/morph/wikidata.csv\n")
        writer = csv.writer(f, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, escapechar="\\")
        writer.writerow(("country", "house", "qid", "lang", "name"))
        writer.writerows(rows)
    os.replace(f.name, OUT)
    print(f"{OUT}: {len(rows)} rows", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
