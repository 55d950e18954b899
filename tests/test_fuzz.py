"""Fuzzing every public function with Arabic-heavy text (issue 14).

Each ``check_*`` function states the invariants of one public function for one
input and raises AssertionError when one breaks; the hypothesis tests below run
them a bounded number of times, derandomized so that the suite is deterministic
(a fixed set of inputs per hypothesis version), and ``benchmarks/fuzz_long.py``
runs the very same checks over a million inputs and more.

The only exceptions a public function may raise are the documented ones:
TypeError for an argument of the wrong type and ValueError (GazetteerError is
one) for a wrong value. Anything else is a crash.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import namelink
from namelink import (
    Entity,
    Gazetteer,
    GazetteerError,
    Link,
    Mention,
    candidates,
    iter_link_text,
    keys,
    link,
    link_many,
    link_text,
    normalize,
    strip_clitics,
)
from namelink.records import ENTITY_TYPES, read_manifest, read_records, validate_record
from namelink.score import LINK_THRESHOLD

# --- Alphabets ------------------------------------------------------------------------


def _span(first: int, last: int) -> list[str]:
    return [chr(cp) for cp in range(first, last + 1)]


ARABIC_LETTERS = _span(0x0621, 0x064A) + list("پچژگکیڤٹڈڑںھہۃےۓېۍۇۆۈەێڕڵۆۋڭ")
MARKS = _span(0x0610, 0x061A) + _span(0x064B, 0x065F) + ["\u0670"] + _span(0x06D6, 0x06ED)
TATWEEL = ["\u0640"]
CONTROLS = _span(0x200B, 0x200F) + _span(0x202A, 0x202E) + _span(0x2066, 0x2069)
CONTROLS += ["\u061c", "\ufeff", "\u00ad", "\u2060", "\u034f"]
LIGATURES = ["ﷲ", "ﰈ", "ﻻ", "ﻼ", "ﷺ", "ﷻ", "ﰀ", "ﱞ", "ﲐ", "ﶂ"]
COMMAS = [",", "،", "٬", "؛", ";"]
BRACKETS = list("()[]{}«»\"'“”‹›<>")
CLITICS = ["و", "ف", "ب", "ل", "ك", "لل", "ال", "وال", "بال", "فال", "ولل"]
DIGITS = _span(0x30, 0x39) + _span(0x0660, 0x0669) + _span(0x06F0, 0x06F9)
SPACES = [" ", " ", " ", "\t", "\n", "\u00a0", "\u2009", "\u3000"]
LATIN = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéğüøßİıÅŁ")
CHARACTERS: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(ARABIC_LETTERS),
    st.sampled_from(ARABIC_LETTERS),
    st.sampled_from(MARKS + TATWEEL + CONTROLS),
    st.characters(min_codepoint=0xFB50, max_codepoint=0xFDFF),  # presentation forms A
    st.characters(min_codepoint=0xFE70, max_codepoint=0xFEFF),  # presentation forms B
    st.sampled_from(LIGATURES + COMMAS + BRACKETS + DIGITS + SPACES + LATIN),
    st.characters(min_codepoint=0x10000),  # astral: emoji, Arabic mathematical letters ...
    st.characters(),  # anything else, surrogates included
)


def _gazetteer_names() -> list[str]:
    """Real names of the embedded gazetteer, so that inputs reach exact, key and
    qualifier matches and not only the fuzzy stage."""
    names = sorted({n for e in Gazetteer.default().entities() for ns in e.names.values() for n in ns})
    return names[::7]


NAMES = _gazetteer_names()
QIDS = ["Q7747", "Q649", "Q5753", "q232", " Q15031 ", "Q1", "Q0", "Q99999999999999"]

# A piece of text: a name, perhaps with a clitic glued on and noise inside, or a
# run of characters, or a separator.
PIECES: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(NAMES),
    st.tuples(st.sampled_from(CLITICS), st.sampled_from(NAMES)).map("".join),
    st.tuples(st.sampled_from(NAMES), st.sampled_from(MARKS + TATWEEL + CONTROLS + LIGATURES)).map(
        lambda pair: pair[0][:1] + pair[1] + pair[0][1:]
    ),
    st.text(CHARACTERS, min_size=1, max_size=6),
    st.sampled_from(COMMAS + SPACES + BRACKETS + QIDS),
)
TEXT: st.SearchStrategy[str] = st.one_of(
    st.lists(PIECES, max_size=8).map("".join),
    st.lists(PIECES, max_size=5).map(" ".join),
    st.text(CHARACTERS, max_size=30),
)
TYPES = st.one_of(
    st.none(), st.sampled_from(sorted(ENTITY_TYPES)), st.frozensets(st.sampled_from(sorted(ENTITY_TYPES)))
)
THRESHOLDS = st.one_of(st.none(), st.floats(0.0, 1.0), st.sampled_from([0, 1]))
LANGS = st.one_of(
    st.none(), st.sampled_from(["ar", "fa", "ur", "en", "ps", "ckb", ""]), st.text(CHARACTERS, max_size=4)
)

# Values of the wrong type for a str argument, and of the wrong type or value for
# the options.
NOT_STR = st.one_of(
    st.none(), st.integers(), st.floats(), st.binary(max_size=4), st.lists(st.text(max_size=2), max_size=2)
)

# --- The invariants, one input at a time -----------------------------------------------


def check_link_shape(found: object) -> None:
    assert isinstance(found, Link), found
    assert 0.0 <= found.score <= 1.0, found
    assert found.qid.startswith("Q"), found
    if found.runner_up is not None:
        check_link_shape(found.runner_up)


def check_normalize(text: str) -> None:
    once = normalize(text)
    assert isinstance(once, str)
    assert normalize(once) == once, (text, once)
    assert once == once.strip() and "  " not in once, once


def check_keys(text: str) -> None:
    found = keys(text)
    assert found == keys(normalize(text)), text
    assert len(found) in (0, len(namelink.KEY_KINDS)), found
    assert all(isinstance(key, str) for key in found)


def check_strip_clitics(text: str) -> None:
    norm = normalize(text)
    stems = strip_clitics(norm)
    assert norm not in stems
    assert len(set(stems)) == len(stems), stems
    lengths = [len(stem) for stem in stems]
    assert lengths == sorted(lengths, reverse=True), stems  # fewest letters removed first


def check_link(text: str, types: Any = None, threshold: Any = None, lang: Any = None) -> None:
    found = link(text, types=types, threshold=threshold, lang=lang)
    if found is not None:
        check_link_shape(found)
        if types is not None:
            assert found.type in ({types} if isinstance(types, str) else types)
        assert found.score >= (LINK_THRESHOLD if threshold is None else threshold) - 1e-9, found


def check_candidates(text: str, limit: int = 5, types: Any = None, lang: Any = None) -> None:
    found = candidates(text, limit=limit, types=types, lang=lang)
    assert isinstance(found, list)
    assert len(found) <= max(limit, 0), (limit, found)
    for one in found:
        check_link_shape(one)
    scores = [one.score for one in found]
    assert scores == sorted(scores, reverse=True), scores
    assert len({one.qid for one in found}) == len(found), found


def check_link_many(texts: list[str]) -> None:
    assert link_many(texts) == [link(text) for text in texts], texts


def check_mentions(text: str, mentions: list[Mention]) -> None:
    end = 0
    for mention in mentions:
        assert isinstance(mention, Mention)
        assert 0 <= mention.start < mention.end <= len(text), (text, mention)
        assert text[mention.start : mention.end] == mention.surface, (text, mention)
        assert mention.start >= end, (text, mentions)  # in order, no overlap
        end = mention.end
        check_link_shape(mention.link)


def check_link_text(text: str) -> None:
    mentions = link_text(text)
    check_mentions(text, mentions)
    assert list(iter_link_text(text)) == mentions


def check_entity(text: str) -> None:
    found = Gazetteer.default().entity(text)
    assert found is None or isinstance(found, Entity)
    if found is not None:
        key = text.strip().upper()
        assert key == found.qid or key in found.alt_qids, (text, found)


def check_validate_record(obj: object) -> None:
    try:
        record = validate_record(obj, "fuzz:1")
    except GazetteerError as error:
        assert str(error).startswith("fuzz:1: "), error
        return
    assert isinstance(record, dict)
    assert validate_record(record, "again") == record  # what passed once passes again unchanged


def check_from_records(records: list[object]) -> None:
    try:
        gazetteer = Gazetteer.from_records(records)  # type: ignore[arg-type]
    except GazetteerError as error:
        assert str(error).startswith("record "), error
        return
    assert len(gazetteer) == len(records)
    for record in records:
        assert isinstance(record, dict)
        entity = gazetteer.entity(record["qid"])
        assert entity is not None
        for names in record["names"].values():
            for name in names:
                found = gazetteer.link(name)
                if found is not None:
                    check_link_shape(found)
                for one in gazetteer.candidates(name, limit=3):
                    check_link_shape(one)
                check_mentions(name, gazetteer.link_text(name))


def check_read_bytes(entities: bytes, manifest: bytes) -> None:
    """read_records and read_manifest on arbitrary bytes: records or a GazetteerError
    that names the file (and, for entities, the line)."""
    with tempfile.TemporaryDirectory() as directory:
        with open(os.path.join(directory, "entities.jsonl"), "wb") as f:
            f.write(entities)
        with open(os.path.join(directory, "manifest.json"), "wb") as f:
            f.write(manifest)
        try:
            records = list(read_records(directory))
        except GazetteerError as error:
            assert "entities.jsonl:" in str(error), error
        else:
            assert all(isinstance(record, dict) for record in records)
        try:
            assert isinstance(read_manifest(directory), dict)
        except GazetteerError as error:
            assert "manifest.json" in str(error), error


def expect_rejection(call: Callable[[], object], *errors: type[Exception]) -> None:
    """``call`` must raise one of ``errors`` (TypeError or ValueError), nothing else."""
    with pytest.raises(errors):
        call()


# --- Generated records -----------------------------------------------------------------

QID_TEXT = st.one_of(
    st.integers(1, 10**12).map(lambda n: f"Q{n}"), st.sampled_from(["Q0", "q5", "Q", "X1", ""])
)
JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**40), 2**40),
    st.floats(allow_nan=False),
    st.text(CHARACTERS, max_size=8),
)
JSON_VALUE = st.recursive(
    JSON_LEAF,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)
NAME_LISTS = st.dictionaries(
    st.one_of(st.sampled_from(["ar", "fa", "ur", "en"]), st.text(CHARACTERS, max_size=5)),
    st.lists(st.one_of(st.sampled_from(NAMES), TEXT), min_size=0, max_size=4),
    max_size=4,
)


@st.composite
def records(draw: st.DrawFn, *, valid: bool = False) -> dict[str, object]:
    """A record of the JSONL shape; unless ``valid``, each field may be wrong."""
    maybe: Callable[[st.SearchStrategy[Any]], Any] = (
        (lambda good: draw(good)) if valid else (lambda good: draw(st.one_of(good, good, good, JSON_VALUE)))
    )
    record: dict[str, object] = {
        "qid": maybe(
            QID_TEXT.filter(lambda q: q[:1] == "Q" and q[1:2] not in ("", "0")) if valid else QID_TEXT
        ),
        "label": maybe(st.text(CHARACTERS, min_size=1, max_size=12).filter(str.strip)),
        "type": maybe(st.sampled_from(sorted(ENTITY_TYPES))),
        "names": maybe(NAME_LISTS.filter(lambda names: any(map(any, names.values())))),
    }
    for field in ("description", "popularity", "classes", "alt_qids", "country"):
        if draw(st.booleans()):
            good = {
                "description": st.text(CHARACTERS, max_size=12),
                "popularity": st.one_of(st.integers(0, 1000), st.integers(0, 2**64)),
                "classes": st.lists(QID_TEXT, max_size=2),
                "alt_qids": st.lists(QID_TEXT, max_size=2),
                "country": st.lists(QID_TEXT, max_size=2),
            }[field]
            record[field] = maybe(good)
    return record


NESTED = st.integers(1, 5000).map(lambda depth: "[" * depth + "]" * depth)
LINES = st.one_of(
    st.builds(lambda r: json.dumps(r, ensure_ascii=False), records()),
    st.builds(lambda r: json.dumps(r), records()),
    NESTED,
    st.sampled_from(["", "{}", "[]", "null", "1" * 5000, "{", '{"qid": NaN}', "\ufeff{}"]),
    st.text(CHARACTERS, max_size=20),
).map(lambda line: line.encode("utf-8", "surrogatepass"))
FILE_BYTES = st.one_of(
    st.lists(LINES, max_size=5).map(b"\n".join),
    st.lists(st.one_of(LINES, st.binary(max_size=12)), max_size=5).map(b"\n".join),
)

# --- The properties, bounded ---------------------------------------------------------
# derandomize: the same inputs every run, so that a pass is a pass and the xfails
# below stay strict; the long run (benchmarks/fuzz_long.py) is where new inputs go.
FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
SLOW = settings(FUZZ, max_examples=150)


@FUZZ
@given(TEXT)
def test_normalize_is_idempotent_on_arabic_heavy_text(text: str) -> None:
    check_normalize(text)


@FUZZ
@given(TEXT)
def test_keys_of_the_normal_form_equal_the_keys_of_fuzzed_text(text: str) -> None:
    check_keys(text)


@FUZZ
@given(TEXT)
def test_strip_clitics_offers_distinct_stems_longest_first(text: str) -> None:
    check_strip_clitics(text)


QUALIFIER_WITH_EMPTY_HEAD = [",Telangna", ", x", "ـ,zzqq", "«», zzz"]


# Two failures the long fuzz run found (an IndexError at the ", qualifier" path when
# the part before the comma normalizes to nothing; a zero-length mention after a
# ligature that NFKC expands): each property keeps its minimal input as an explicit
# example, and the inputs have tests of their own below.


@SLOW
@given(TEXT, TYPES, THRESHOLDS, LANGS)
@example(",Telangna", None, None, None)
def test_link_returns_none_or_a_link_scored_between_0_and_1(
    text: str, types: Any, threshold: Any, lang: Any
) -> None:
    check_link(text, types, threshold, lang)


@SLOW
@given(TEXT, st.integers(-2, 12), TYPES, LANGS)
@example(",Telangna", 5, None, None)
def test_candidates_come_best_first_and_at_most_limit(text: str, limit: int, types: Any, lang: Any) -> None:
    check_candidates(text, limit, types, lang)


@pytest.mark.parametrize("text", QUALIFIER_WITH_EMPTY_HEAD)
def test_link_survives_a_qualifier_after_nothing(text: str) -> None:
    check_link(text)


@pytest.mark.parametrize("text", QUALIFIER_WITH_EMPTY_HEAD)
def test_candidates_survive_a_qualifier_after_nothing(text: str) -> None:
    check_candidates(text)


@SLOW
@given(st.lists(TEXT, max_size=6))
@example(["پوتن", ",Telangna"])
def test_link_many_equals_link_of_each_name(texts: list[str]) -> None:
    check_link_many(texts)


def test_link_many_survives_a_qualifier_after_nothing() -> None:
    check_link_many(["پوتن", *QUALIFIER_WITH_EMPTY_HEAD])


@SLOW
@given(TEXT)
@example("ﰈوسكو")
def test_every_mention_is_a_nonempty_slice_of_the_text_in_order(text: str) -> None:
    check_link_text(text)


@pytest.mark.parametrize("text", ["ﰈوسكو", "ﰈسكو", "موسكو ﰈوسكو", "ﳁڕۇ\U0008f426سْ"])
def test_mentions_after_an_expanding_ligature_are_slices_of_the_text(text: str) -> None:
    check_link_text(text)


@FUZZ
@given(st.one_of(TEXT, st.sampled_from(QIDS), QID_TEXT))
def test_entity_is_none_or_the_entity_of_that_qid(text: str) -> None:
    check_entity(text)


@FUZZ
@given(st.one_of(records(), JSON_VALUE))
@example({"qid": "Q1", "label": "x", "type": "place", "names": {"ar": ["س"]}, "popularity": 2**32})
def test_validate_record_accepts_or_raises_a_gazetteer_error_naming_where(obj: object) -> None:
    check_validate_record(obj)


@SLOW
@given(st.lists(st.one_of(records(valid=True), records()), min_size=1, max_size=4))
@example([{"qid": "Q1", "label": "x", "type": "place", "names": {"ar": ["س"]}, "popularity": 2**32}])
def test_from_records_builds_a_gazetteer_that_links_its_own_names(records: list[object]) -> None:
    check_from_records(records)


@SLOW
@given(FILE_BYTES, st.one_of(FILE_BYTES, st.builds(lambda v: json.dumps(v).encode(), JSON_VALUE)))
@example(b"[" * 100_000, b"[" * 100_000)
@example(b'{"qid": "Q1", "label": "\xff"}', b'{"a": "\xfe"}')
def test_reading_any_bytes_gives_records_or_a_gazetteer_error(entities: bytes, manifest: bytes) -> None:
    check_read_bytes(entities, manifest)


# --- Wrong types and values ----------------------------------------------------------------


@FUZZ
@given(NOT_STR)
def test_every_text_function_rejects_a_non_str_with_a_type_error(value: object) -> None:
    gazetteer = Gazetteer.default()
    for call in (
        lambda: normalize(value),  # type: ignore[arg-type]
        lambda: keys(value),  # type: ignore[arg-type]
        lambda: strip_clitics(value),  # type: ignore[arg-type]
        lambda: link(value),  # type: ignore[arg-type]
        lambda: candidates(value),  # type: ignore[arg-type]
        lambda: link_many([value]),  # type: ignore[list-item]
        lambda: link_text(value),  # type: ignore[arg-type]
        lambda: iter_link_text(value),  # type: ignore[arg-type]
        lambda: gazetteer.entity(value),  # type: ignore[arg-type]
        lambda: link("پوتن", lang=value) if value is not None else link(0),  # type: ignore[arg-type]
    ):
        expect_rejection(call, TypeError)


@FUZZ
@given(
    st.one_of(
        st.floats(allow_nan=True).filter(lambda x: not 0 <= x <= 1), st.text(max_size=3), st.booleans()
    ),
    st.one_of(
        st.text(CHARACTERS, min_size=1, max_size=6).filter(lambda t: t not in ENTITY_TYPES),
        st.integers(),
        st.just([1]),
    ),
)
def test_wrong_options_are_a_type_error_or_a_value_error(threshold: object, types: object) -> None:
    for call in (
        lambda: link("پوتن", threshold=threshold),  # type: ignore[arg-type]
        lambda: link_many(["پوتن"], threshold=threshold),  # type: ignore[arg-type]
        lambda: link_text("پوتن", threshold=threshold),  # type: ignore[arg-type]
        lambda: link("پوتن", types=types),  # type: ignore[arg-type]
        lambda: candidates("پوتن", types=types),  # type: ignore[arg-type]
        lambda: link_text("پوتن", types=types),  # type: ignore[arg-type]
        lambda: candidates("پوتن", limit=threshold),  # type: ignore[arg-type]
    ):
        expect_rejection(call, TypeError, ValueError)


@FUZZ
@given(
    st.one_of(NOT_STR, st.text(max_size=3), st.dictionaries(st.text(max_size=2), st.integers(), max_size=2))
)
def test_from_records_rejects_what_is_not_an_iterable_of_records(value: object) -> None:
    if isinstance(value, list) and not value:
        return  # an empty list is an empty gazetteer
    expect_rejection(lambda: Gazetteer.from_records(value), TypeError, ValueError)  # type: ignore[arg-type]
