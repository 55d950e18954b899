"""Generate namelink/data/name_parts.tsv: Arabic-script words that are parts of
person names (given or family names), each with the name items it spells.

A bare given name (فلاديمير, ناريندرا) is no mention of the one person of the
gazetteer who bears it, nor of a place it happens to resemble (فرنسوا /
فرنسا); and two full names whose words are different names (رادنی دیویس /
ران دیویس, Rodney / Ron) are two people, however alike their letters. The
link decision weighs that evidence (namelink.evidence): whether the query is
one known name part, and whether the words of the query and of the matched
name are spellings of the same names.

Source: rigour 2.6.1 (OpenSanctions, MIT), whose person-name tagger
(``rigour._core.analyze_names``) marks a word with the Wikidata items of the
given and family names it can spell (Q2253934, Vladimir, for فلاديمير and
ولادیمیر alike); rigour builds that table from Wikidata (CC0 1.0). rigour does
not list its table, so each word of a vocabulary is put to it:

- the words of wordfreq's Arabic, Persian and Urdu lists (as make_lexicon.py
  reads them);
- the words of the default gazetteer's Arabic-script names, except those of
  entities that tests/data/eval names (either half): the evaluation's people
  and given names must be words this file was never asked about, as in the
  open world.

A word is kept when rigour gives it at least one name item of its own (a span
of that word alone); its normal form (namelink.normalize) is the key, with the
items of every spelling that shares it. Items are written as the numbers of
their QIDs.

Needs rigour==2.6.1 and wordfreq (extra ``sources``). Run: ``python
gazetteers/make_name_parts.py`` (deterministic; atomic write).
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from namelink import normalize  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_breadth import write_atomic  # noqa: E402

OUT = ROOT / "namelink" / "data" / "name_parts.tsv"
DEFAULT = ROOT / "namelink" / "data" / "default" / "entities.jsonl"
EVAL = ROOT / "tests" / "data" / "eval"
EXPECTED_RIGOUR = "2.6.1"
# The wordfreq lists read, as make_lexicon.py reads them.
MAX_WORDS = {"ar": 40_000, "fa": 100_000, "ur": 100_000}
SCRIPT_LANGS = {"ar", "arz", "fa", "ur", "ps", "ckb", "ug", "sd", "ks", "bgn", "pa-Arab", "ug-Arab"}
# Words put to rigour in one call (their spans keep the word's position).
BATCH = 64


def is_arabic_script(word: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" or "\u0750" <= c <= "\u077f" for c in word) and not any(
        c.isascii() and c.isalnum() for c in word
    )


def eval_qids() -> set[str]:
    qids: set[str] = set()
    for file in ("people.tsv", "variants.tsv", "text.tsv"):
        path = EVAL / file
        if path.is_file():
            with path.open(encoding="utf-8", newline="") as rows:
                reader = csv.DictReader(rows, delimiter="\t", quoting=csv.QUOTE_NONE)
                qids.update(row["qid"] for row in reader if row.get("qid"))
    return qids


def vocabulary() -> list[str]:
    from wordfreq import top_n_list

    words: set[str] = set()
    for lang, count in MAX_WORDS.items():
        words.update(w for w in top_n_list(lang, count) if is_arabic_script(w) and " " not in w)
    left_out = eval_qids()
    with DEFAULT.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record["qid"] in left_out:
                continue
            for lang, names in record["names"].items():
                if lang in SCRIPT_LANGS:
                    for name in names:
                        words.update(w for w in name.split() if is_arabic_script(w))
    return sorted(words)


def name_items(words: list[str]) -> dict[str, set[int]]:
    """The name items rigour gives each of ``words`` on its own."""
    from rigour._core import NameTypeTag, analyze_names

    out: dict[str, set[int]] = defaultdict(set)
    for start in range(0, len(words), BATCH):
        batch = words[start : start + BATCH]
        for name in analyze_names(
            NameTypeTag.PER, [" ".join(batch)], consolidate=False, phonetics=False, rewrite=False
        ):
            parts = [part.form for part in name.parts]
            for span in name.spans:
                if span.symbol.category.value != "NAME" or len(span.parts) != 1:
                    continue
                item = span.symbol.id
                if item.startswith("Q") and item[1:].isdigit():
                    out[parts[span.parts[0].index]].add(int(item[1:]))
    return out


def main() -> None:
    found = version("rigour")
    if found != EXPECTED_RIGOUR:
        raise SystemExit(f"rigour {found} installed; this script was checked with {EXPECTED_RIGOUR}")
    words = vocabulary()
    by_form: dict[str, set[int]] = defaultdict(set)
    tagged = name_items(words)
    for word in words:
        form = normalize(word)
        if not form or " " in form:
            continue
        # rigour sees the word as written and as normalized (ی/ي, ک/ك folded)
        items = tagged.get(word, set()) | tagged.get(form, set())
        if items:
            by_form[form] |= items
    # the normal forms asked about as written only: ask again in normal form
    missing = sorted({normalize(w) for w in words} - set(tagged) - set(by_form))
    for form, items in name_items([m for m in missing if m and " " not in m]).items():
        by_form[normalize(form)] |= items
    lines = [
        "# Arabic-script words that are parts of person names, with the Wikidata name items",
        "# (given and family names, QID numbers) each spells. Generated by",
        f"# gazetteers/make_name_parts.py from rigour {EXPECTED_RIGOUR} (MIT; its name table from",
        "# Wikidata, CC0 1.0), asked about wordfreq's ar/fa/ur words and the default gazetteer's",
        "# names (not those of entities in tests/data/eval).",
        "form\titems",
    ]
    for form in sorted(by_form):
        lines.append(form + "\t" + " ".join(str(i) for i in sorted(by_form[form])))
    write_atomic(OUT, "\n".join(lines) + "\n")
    print(f"{OUT.relative_to(ROOT)}: {len(by_form)} forms from {len(words)} words asked")


if __name__ == "__main__":
    main()
