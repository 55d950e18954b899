"""namelink.tables: reading files as people have them (encodings, delimiters,
workbooks, deep JSON) and writing them atomically, in time linear in the input."""

from __future__ import annotations

import codecs
import io
import json
import os
import time
from pathlib import Path

import pytest

from namelink import Gazetteer, bulk
from namelink.bulk import link_table
from namelink.tables import FormatError, atomic_output, format_of
from namelink.tables.csvfile import sniff_delimiter
from namelink.tables.jsonl import MAX_JSON_DEPTH, json_depth, parse_object
from namelink.tables.output import part_name, remove_stale_parts
from namelink.tables.table import resolve_columns

PUTIN = "Q7747"


@pytest.fixture(scope="module")
def tiny() -> Gazetteer:
    return Gazetteer.from_records(
        [{"qid": PUTIN, "label": "Vladimir Putin", "type": "person", "names": {"ar": ["بوتين"]}}]
    )


def linked(data: bytes, columns: list[str | int] | None = None, **kwargs: object) -> tuple[bytes, object]:
    out = io.BytesIO()
    summary = link_table(io.BytesIO(data), out, columns or ["name"], **kwargs)  # type: ignore[arg-type]
    return out.getvalue(), summary


# --- delimiters and columns ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "delimiter"),
    [
        ("id;name;note", ";"),
        ("id,name,note", ","),
        ("id\tname", "\t"),
        ("id|name|note", "|"),
        ('"a;b;c",name', ","),  # delimiters inside quotes do not count
        ("name", ","),
        ("id;name,x", ","),  # a tie goes to the comma
    ],
)
def test_the_delimiter_is_the_one_the_header_holds_most_often_outside_quotes(
    line: str, delimiter: str
) -> None:
    assert sniff_delimiter(line) == delimiter


def test_a_semicolon_csv_from_european_excel_is_read_and_written_with_semicolons(tiny: Gazetteer) -> None:
    output, _ = linked("id;name\n1;بوتين\n".encode(), gazetteer=tiny)
    assert output.decode().splitlines()[1].split(";")[:4] == ["1", "بوتين", "بوتين", PUTIN]


def test_columns_are_names_1_based_indexes_or_comma_lists_and_a_name_wins() -> None:
    header = ["id", "name", "2", "a,b"]
    assert resolve_columns(["name"], header) == [1]
    assert resolve_columns([2], header) == [1]
    assert resolve_columns(["1,name"], header) == [0, 1]
    assert resolve_columns(["2"], header) == [2]  # a column named "2" is that column
    assert resolve_columns(["a,b"], header) == [3]


def test_no_header_numbers_the_columns_and_writes_no_header(tiny: Gazetteer) -> None:
    output, summary = linked("1,بوتين\n2,قمة\n".encode(), ["2"], header=False, gazetteer=tiny)
    lines = output.decode().splitlines()
    assert len(lines) == 2 and lines[0].split(",")[3] == PUTIN and summary.rows == 2  # type: ignore[attr-defined]


# --- formats ----------------------------------------------------------------------------------


def test_the_format_follows_the_extension() -> None:
    assert [format_of(p) for p in ("a.csv", "a.TSV", "a.ndjson", "a.xlsx", "a.txt", "-")] == [
        "csv",
        "tsv",
        "jsonl",
        "xlsx",
        "csv",
        "csv",
    ]


def test_csv_can_be_written_as_jsonl_and_jsonl_as_csv(
    tiny: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 2)  # the columns are the keys of the first chunk's objects
    output, _ = linked(
        "id,name\n1,بوتين\n".encode(), input_format="csv", output_format="jsonl", gazetteer=tiny
    )
    record = json.loads(output)
    assert record["id"] == "1" and record["name_qid"] == PUTIN and record["name_score"] > 0.5  # linked
    data = '{"name": "بوتين", "n": 3}\n[1]\n{"name": "قمة", "extra": {"a": 1}}\n'.encode()
    output, _ = linked(data, input_format="jsonl", output_format="csv", gazetteer=tiny)
    rows = output.decode().splitlines()
    assert rows[0].startswith("name,n,_raw,name_normalized")
    assert rows[1].startswith("بوتين,3,,بوتين,Q7747") and rows[2].startswith(",,[1],")
    assert '""extra"": {""a"": 1}' in rows[3]  # a key the first chunk lacked is kept, as JSON


def test_reading_csv_as_jsonl_or_jsonl_as_csv_is_a_format_error(tiny: Gazetteer) -> None:
    with pytest.raises(FormatError, match="not JSON Lines") as error:
        linked("id,name\n1,بوتين\n".encode(), format="jsonl", gazetteer=tiny)
    assert error.value.guess == "csv"
    with pytest.raises(FormatError, match="looks like JSON Lines") as error:
        linked('{"name": "بوتين"}\n'.encode(), format="csv", gazetteer=tiny)
    assert error.value.guess == "jsonl"


def test_a_workbook_read_as_text_is_a_format_error_that_names_xlsx(tiny: Gazetteer) -> None:
    with pytest.raises(FormatError, match="zip file") as error:
        linked(b"PK\x03\x04" + b"\x00" * 100, gazetteer=tiny)
    assert error.value.guess == "xlsx"
    with pytest.raises(FormatError, match=r"old Excel workbook \(.xls\)"):
        linked(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, gazetteer=tiny)


def test_an_xlsx_round_trip_keeps_rows_numbers_and_text_that_looks_like_a_formula(tiny: Gazetteer) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book, _ = linked("id,name,note\n1,بوتين,=1+1\n2,قمة,x\n".encode(), output_format="xlsx", gazetteer=tiny)
    sheet = openpyxl.load_workbook(io.BytesIO(book)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == ["id", "name", "note", "name_normalized"]
    assert rows[1][2] == "=1+1" and rows[1][4] == PUTIN and isinstance(rows[1][6], float)
    again, summary = linked(
        book, ["1"], input_format="xlsx", output_format="csv", review=True, gazetteer=tiny
    )
    lines = again.decode().splitlines()
    assert summary.rows == 2 and lines[0].endswith("id_runner_up_score")  # type: ignore[attr-defined]
    assert (
        lines[1].startswith("1,بوتين,=1+1,بوتين,Q7747")
        and lines[1].count(",") == len(lines[0].split(",")) - 1
    )


def test_a_bom_is_written_when_asked_or_when_the_input_was_not_utf8(tiny: Gazetteer) -> None:
    plain = "id,name\n1,بوتين\n"
    assert not linked(plain.encode(), gazetteer=tiny)[0].startswith(codecs.BOM_UTF8)
    assert linked(plain.encode(), bom=True, gazetteer=tiny)[0].startswith(codecs.BOM_UTF8)
    assert linked(plain.encode("cp1256"), encoding="cp1256", gazetteer=tiny)[0].startswith(codecs.BOM_UTF8)
    assert linked(plain.encode("utf-16"), gazetteer=tiny)[0].startswith(codecs.BOM_UTF8)
    assert not linked(plain.encode(), bom=True, output_format="jsonl", gazetteer=tiny)[0].startswith(
        codecs.BOM_UTF8
    )


# --- JSON nesting -------------------------------------------------------------------------------


def test_json_nested_past_the_limit_is_refused_without_recursing() -> None:
    deep = "[" * 200_000 + "]" * 200_000
    assert json_depth(deep) == 200_000 and json_depth('{"a": "[[[["}') == 1
    assert parse_object(deep) == (None, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    assert parse_object('{"a": ' + "[" * 50 + "]" * 50 + "}")[0] is not None


def test_json_depth_is_linear_on_an_unclosed_string_of_escaped_quotes() -> None:
    line = '{"a": [' * 60 + '"' + '\\"' * 200_000  # a regex for whole strings would rescan from each quote
    started = time.perf_counter()
    assert json_depth(line) == 120 and json_depth('["\\"[", "\\\\", []]') == 2
    assert time.perf_counter() - started < 3


def test_a_deeply_nested_jsonl_record_is_one_error_row_not_a_failed_run(tiny: Gazetteer) -> None:
    deep = '{"name": ' + "[" * 100_000 + "]" * 100_000 + "}"
    data = f'{{"name": "بوتين"}}\n{deep}\n{{"name": "بوتين"}}\n'.encode()
    output, summary = linked(data, format="jsonl", gazetteer=tiny)
    rows = [json.loads(line) for line in output.decode().splitlines()]
    assert [row["name_status"] for row in rows] == ["linked", "error", "linked"]
    assert rows[1]["_raw"] == deep and "nested deeper" in summary.problems[0][1]  # type: ignore[attr-defined]


# --- linear on adversarial input -----------------------------------------------------------


def test_one_huge_line_of_quotes_and_delimiters_is_read_in_linear_time(tiny: Gazetteer) -> None:
    line = '"a,' * 1_000_000  # 3 M characters, a million quotes
    started = time.perf_counter()
    output, summary = linked(f"id,name\n1,{line}\n2,بوتين\n".encode(), gazetteer=tiny)
    assert time.perf_counter() - started < 10
    assert summary.rows == 2 and output.decode().splitlines()[-1].split(",")[3] == PUTIN  # type: ignore[attr-defined]
    started = time.perf_counter()
    sniff_delimiter('"' * 3_000_001 + ";")
    assert time.perf_counter() - started < 2


def test_thousands_of_unbalanced_quotes_cost_one_row_each_in_linear_time(tiny: Gazetteer) -> None:
    body = "".join(f'{i},"بوتين\n' for i in range(20_000))
    started = time.perf_counter()
    _, summary = linked(f"id,name\n{body}".encode(), gazetteer=tiny)
    assert time.perf_counter() - started < 10 and summary.rows == 20_000  # type: ignore[attr-defined]


# --- atomic output --------------------------------------------------------------------------


def test_a_temporary_file_is_named_by_process_and_a_dead_process_s_is_removed(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    dead = 2**22 + 12345  # above the usual pid_max of 2**22: no such process
    stale, ours, other = (
        part_name(target, dead),
        part_name(target, os.getpid()),
        tmp_path / ".x.namelink-1.part",
    )
    for path in (stale, ours, other):
        path.write_text("half")
    assert remove_stale_parts(target) == [stale]
    assert not stale.exists() and ours.exists() and other.exists()
    with atomic_output(target) as file:
        assert part_name(target, os.getpid(), 1).exists()  # ours was taken: the next number
        file.write(b"done")
    assert target.read_bytes() == b"done"


def test_an_output_whose_parent_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="is not a directory"), atomic_output(tmp_path / "file" / "out.csv"):
        pass
