"""Gazetteer records: every malformed file or record is a GazetteerError naming file and line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from namelink import Gazetteer, GazetteerError
from namelink.records import (
    MAX_LANGUAGES_PER_RECORD,
    MAX_NAMES_PER_RECORD,
    MAX_NESTING,
    MAX_POPULARITY,
    read_manifest,
    read_records,
    validate_record,
)


def record(qid: str = "Q1", **fields: object) -> dict[str, object]:
    base: dict[str, object] = {"qid": qid, "label": "Somewhere", "type": "place", "names": {"ar": ["سومور"]}}
    return {**base, **fields}


def line(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


def gazetteer_dir(tmp_path: Path, *lines: bytes, manifest: bytes | None = None) -> Path:
    (tmp_path / "entities.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    if manifest is not None:
        (tmp_path / "manifest.json").write_bytes(manifest)
    return tmp_path


def test_a_byte_that_is_not_utf8_in_entities_names_file_and_line(tmp_path: Path) -> None:
    directory = gazetteer_dir(tmp_path, line(record("Q1")), b'{"qid": "Q2", "label": "caf\xe9"}')
    with pytest.raises(GazetteerError, match=r"entities\.jsonl:2: not UTF-8 \(byte 0xe9 at column 28\)"):
        list(read_records(directory))


def test_a_byte_that_is_not_utf8_in_the_manifest_names_file_and_line(tmp_path: Path) -> None:
    directory = gazetteer_dir(tmp_path, line(record()), manifest=b'{\n  "name": "x",\n  "date": "\xff"\n}')
    with pytest.raises(GazetteerError, match=r"manifest\.json:3: not UTF-8 \(byte 0xff at column 12\)"):
        read_manifest(directory)


def test_gazetteer_load_reports_undecodable_bytes_as_a_gazetteer_error(tmp_path: Path) -> None:
    directory = gazetteer_dir(tmp_path, b"\xff\xfe{}")
    with pytest.raises(GazetteerError, match=r"entities\.jsonl:1: not UTF-8"):
        Gazetteer.load(directory, cache_dir=tmp_path / "cache")


def test_deeply_nested_json_in_entities_is_refused_before_parsing(tmp_path: Path) -> None:
    directory = gazetteer_dir(tmp_path, line(record()), b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(GazetteerError, match=rf"entities\.jsonl:2: nested more than {MAX_NESTING} deep"):
        list(read_records(directory))


def test_deeply_nested_json_in_the_manifest_is_refused(tmp_path: Path) -> None:
    directory = gazetteer_dir(
        tmp_path, line(record()), manifest=b'{"a": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    )
    with pytest.raises(GazetteerError, match=r"manifest\.json: nested more than"):
        read_manifest(directory)


def test_brackets_inside_strings_do_not_count_as_nesting(tmp_path: Path) -> None:
    directory = gazetteer_dir(tmp_path, line(record(description="[" * 1000 + "{" * 1000)))
    assert [r["description"][:3] for r in read_records(directory)] == ["[[["]


def test_a_number_too_long_to_parse_is_a_gazetteer_error(tmp_path: Path) -> None:
    directory = gazetteer_dir(tmp_path, b'{"qid": "Q1", "popularity": ' + b"9" * 5000 + b"}")
    with pytest.raises(GazetteerError, match=r"entities\.jsonl:1: not valid JSON"):
        list(read_records(directory))


def test_a_manifest_syntax_error_names_its_line(tmp_path: Path) -> None:
    directory = gazetteer_dir(tmp_path, line(record()), manifest=b'{\n  "name": "x",\n  "date": \n}')
    with pytest.raises(GazetteerError, match=r"manifest\.json:4: not valid JSON"):
        read_manifest(directory)


def test_popularity_past_what_the_index_stores_is_refused() -> None:
    with pytest.raises(GazetteerError, match=r"record 1: 'popularity' 4294967296 is over the limit"):
        Gazetteer.from_records([record(popularity=2**32)])


def test_the_largest_popularity_the_index_stores_is_accepted() -> None:
    gazetteer = Gazetteer.from_records([record(popularity=MAX_POPULARITY)])
    entity = gazetteer.entity("Q1")
    assert entity is not None and entity.popularity == MAX_POPULARITY


def test_seventy_thousand_languages_in_one_record_are_refused() -> None:
    names = {f"x{i}": ["سومور"] for i in range(70_000)}
    with pytest.raises(GazetteerError, match=r"here: 'names' has 70,000 languages, over the limit of 1,000"):
        validate_record(record(names=names), "here")
    assert MAX_LANGUAGES_PER_RECORD == 1_000


def test_more_names_in_one_record_than_the_limit_are_refused() -> None:
    names = {"ar": ["سومور"] * (MAX_NAMES_PER_RECORD // 2), "fa": ["سومور"] * (MAX_NAMES_PER_RECORD // 2 + 1)}
    with pytest.raises(GazetteerError, match=r"here: 'names' has over 5,000 names"):
        validate_record(record(names=names), "here")


def test_a_language_code_with_a_control_character_is_refused() -> None:
    with pytest.raises(GazetteerError, match=r"here: 'names' has a language code '\\x1b\[31m'"):
        validate_record(record(names={"\x1b[31m": ["سومور"]}), "here")


def test_a_qid_given_twice_is_refused_naming_both_lines(tmp_path: Path) -> None:
    directory = gazetteer_dir(tmp_path, line(record("Q1")), line(record("Q2")), line(record("Q1")))
    with pytest.raises(GazetteerError, match=r"entities\.jsonl:3: QID Q1 is already claimed by line 1"):
        list(read_records(directory))


def test_an_alternative_qid_that_is_another_records_qid_is_refused(tmp_path: Path) -> None:
    directory = gazetteer_dir(tmp_path, line(record("Q1")), line(record("Q2", alt_qids=["Q1"])))
    with pytest.raises(
        GazetteerError, match=r"entities\.jsonl:2: alternative QID Q1 is already claimed by line 1"
    ):
        list(read_records(directory))


def test_a_qid_that_an_earlier_record_holds_as_its_alternative_is_refused(tmp_path: Path) -> None:
    directory = gazetteer_dir(tmp_path, line(record("Q1", alt_qids=["Q2"])), line(record("Q2")))
    with pytest.raises(GazetteerError, match=r"entities\.jsonl:2: QID Q2 is already claimed by line 1"):
        list(read_records(directory))


def test_an_alternative_qid_repeated_within_its_own_record_is_harmless(tmp_path: Path) -> None:
    directory = gazetteer_dir(tmp_path, line(record("Q1", alt_qids=["Q1", "Q3", "Q3"])), line(record("Q2")))
    assert [r["qid"] for r in read_records(directory)] == ["Q1", "Q2"]


def test_control_characters_in_label_and_description_become_spaces() -> None:
    checked = validate_record(
        record(label="Evil\x1b[2J\x07 Corp", description="line\r\nbreak\x9b31m"), "here"
    )
    assert checked["label"] == "Evil [2J Corp"
    assert checked["description"] == "line break 31m"


def test_a_label_of_only_control_characters_is_refused() -> None:
    with pytest.raises(GazetteerError, match=r"here: 'label' must be a non-empty string"):
        validate_record(record(label="\x1b\x07"), "here")


def test_a_byte_order_mark_before_the_first_record_is_accepted(tmp_path: Path) -> None:
    directory = gazetteer_dir(tmp_path, "\ufeff".encode() + line(record("Q1")), line(record("Q2")))
    assert [r["qid"] for r in read_records(directory)] == ["Q1", "Q2"]


def test_an_unhashable_type_is_a_gazetteer_error_not_a_type_error() -> None:
    with pytest.raises(GazetteerError, match=r"here: 'type' must be one of"):
        validate_record(record(type=[]), "here")


def test_a_record_whose_names_are_all_blank_is_refused() -> None:
    with pytest.raises(GazetteerError, match=r"here: 'names' has no name that is not blank"):
        validate_record(record(names={"ar": [], "fa": ["  "]}), "here")


def test_from_records_refuses_a_qid_that_two_records_claim() -> None:
    from namelink import Gazetteer

    twice = [
        {"qid": "Q1", "label": "A", "type": "place", "names": {"ar": ["ا ب ت"]}},
        {"qid": "Q2", "label": "B", "type": "place", "names": {"ar": ["ث ج ح"]}, "alt_qids": ["Q1"]},
    ]
    with pytest.raises(GazetteerError, match="record 2: alternative QID Q1 is already claimed by record 1"):
        Gazetteer.from_records(twice)
