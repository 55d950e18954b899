"""namelink.bulk: linking a column of a CSV, TSV or JSONL file, streamed, losing no row."""

from __future__ import annotations

import codecs
import csv
import io
import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from conftest import TWINS

from namelink import Gazetteer, bulk
from namelink import statuses as status_module
from namelink.bulk import (
    ADDED_COLUMNS,
    AMBIGUOUS,
    EMPTY,
    ERROR,
    LINKED,
    UNLINKED,
    BulkError,
    ColumnError,
    EncodingError,
    Progress,
    Summary,
    atomic_output,
    classify,
    link_documents,
    link_table,
)
from namelink.evaluate import read_gold
from namelink.tables import lines

DATA = Path(__file__).parent / "data"
PUTIN, KAZAKHSTAN, XI = "Q7747", "Q232", "Q15031"
ADDED = ",".join(f"name_{suffix}" for suffix in ADDED_COLUMNS)


@pytest.fixture(scope="module")
def default() -> Gazetteer:
    return Gazetteer.default()


@pytest.fixture(scope="module")
def two_mohammed_alis() -> Gazetteer:
    """Two entities with the very same name and popularity: no way to choose."""
    return Gazetteer.from_records(
        {"qid": qid, "label": label, "type": "person", "names": {"ar": ["محمد علي"]}, "popularity": 10}
        for qid, label in (("Q1", "Mohammed Ali (boxer)"), ("Q2", "Mohammed Ali (ruler)"))
    )


def run(data: bytes, columns: list[str] | None = None, **kwargs: Any) -> tuple[str, Summary]:
    out = io.BytesIO()
    summary = link_table(io.BytesIO(data), out, columns or ["name"], **kwargs)
    return out.getvalue().decode("utf-8"), summary


def rows(output: str, **params: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(output, newline=""), **params))


def statuses(output: str) -> list[str]:
    return [row[-1] for row in rows(output)[1:]]


# --- classify ------------------------------------------------------------------------------


def test_classify_links_a_known_name(default: Gazetteer) -> None:
    status, found = classify(default, "بوتين")
    assert status == LINKED and found is not None and found.qid == PUTIN


def test_classify_calls_a_blank_cell_empty(default: Gazetteer) -> None:
    assert classify(default, "  ") == (EMPTY, None)


def test_classify_calls_a_common_word_unlinked(default: Gazetteer) -> None:
    assert classify(default, "قمة") == (UNLINKED, None)


def test_classify_calls_two_equally_good_entities_ambiguous(two_mohammed_alis: Gazetteer) -> None:
    first, second = two_mohammed_alis.candidates("محمد علي")[:2]
    # each is as likely as the other, and together they are likely: a person must choose
    assert abs(first.score - second.score) < 0.05 and first.score + second.score >= 0.6
    assert classify(two_mohammed_alis, "محمد علي") == (AMBIGUOUS, None)


def test_classify_links_exactly_the_gold_names_that_link_links(default: Gazetteer) -> None:
    for row in read_gold(DATA / "dev_gold.tsv"):
        status, _ = classify(default, row.name)
        assert (status == LINKED) == (default.link(row.name) is not None), row.name
        assert status in (LINKED, AMBIGUOUS, UNLINKED)


def test_classify_agrees_with_the_decision_on_every_kind_of_name(
    default: Gazetteer, two_mohammed_alis: Gazetteer
) -> None:
    eval_dir = DATA / "eval"
    names = [line.split("\t")[0] for line in (eval_dir / "words.tsv").read_text("utf-8").splitlines()[1:400]]
    names += [line.split("\t")[1] for line in (eval_dir / "variants.tsv").read_text("utf-8").splitlines()[1:]]
    names += [row.name for row in read_gold(DATA / "dev_gold.tsv")]
    seen = set()
    for gazetteer in (default, two_mohammed_alis):
        for name in [*names, "محمد علي", "دبي", "جورجيا"]:
            for threshold in (0.3, None, 0.9):
                decision = gazetteer.decision(name, threshold=threshold)
                expected = LINKED if decision.link else AMBIGUOUS if decision.ambiguous else UNLINKED
                assert classify(gazetteer, name, threshold=threshold) == (expected, decision.link), name
                seen.add(expected)
    assert seen == {LINKED, AMBIGUOUS, UNLINKED}


# --- the table ---------------------------------------------------------------------------


def test_every_row_and_column_is_kept_in_order_with_six_columns_per_linked_column() -> None:
    data = "id,name,city,note\n1,بوتين,سمرقند,x\n2,,كازاخستان,y\n3,قمة,,z\n".encode()
    output, summary = run(data, ["name", "city"])
    table = rows(output)
    assert table[0] == ["id", "name", "city", "note"] + [
        f"{column}_{suffix}" for column in ("name", "city") for suffix in ADDED_COLUMNS
    ]
    assert [row[:4] for row in table[1:]] == [
        ["1", "بوتين", "سمرقند", "x"],
        ["2", "", "كازاخستان", "y"],
        ["3", "قمة", "", "z"],
    ]
    putin = table[1][4:10]
    assert putin[1:3] == [PUTIN, "Vladimir Putin"] and putin[4] == "exact" and putin[5] == LINKED
    assert float(putin[3]) > 0.9 and putin[0] == "بوتين"
    assert [row[9] for row in table[1:]] == [LINKED, EMPTY, UNLINKED]
    assert [row[15] for row in table[1:]] == [LINKED, LINKED, EMPTY]
    assert summary.rows == 3 and summary.counts["name"][LINKED] == 1 and summary.counts["city"][LINKED] == 2


def test_a_name_that_is_refused_for_a_close_runner_up_is_ambiguous(two_mohammed_alis: Gazetteer) -> None:
    output, summary = run("name\nمحمد علي\n".encode(), gazetteer=two_mohammed_alis)
    assert statuses(output) == [AMBIGUOUS]
    assert rows(output)[1][2] == ""  # no QID for a name that was not linked
    assert summary.total(AMBIGUOUS) == 1 and not summary.all_linked


def test_each_distinct_name_is_looked_up_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    real = status_module.classify

    def counting(gazetteer: Gazetteer, name: str, **kwargs: Any) -> Any:
        calls.append(name)
        return real(gazetteer, name, **kwargs)

    monkeypatch.setattr(status_module, "classify", counting)
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 7)  # repeats across chunks as well as within one
    names = ["بوتين", "كازاخستان", "بوتين", "قمة", "بوتين", "كازاخستان"] * 10
    output, summary = run(("name\n" + "\n".join(names) + "\n").encode())
    assert sorted(calls) == sorted(set(names)) and summary.lookups == 3
    assert len(rows(output)) == len(names) + 1


def test_a_cache_smaller_than_the_distinct_names_gives_the_same_output(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    names = ["بوتين", "كازاخستان", "شي جين بينغ", "قمة", "سمرقند"] * 20
    data = ("name\n" + "\n".join(names) + "\n").encode()
    roomy, _ = run(data)
    monkeypatch.setattr(bulk, "CACHE_SIZE", 2)
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 3)
    assert run(data)[0] == roomy


# --- malformed rows: each kept, as status error ------------------------------------------


def test_a_row_with_too_many_fields_keeps_the_surplus_in_its_last_column() -> None:
    output, summary = run("id,name\n1,بوتين,extra,more\n2,بوتين\n".encode())
    table = rows(output)
    assert table[1][:2] == ["1", "بوتين,extra,more"] and table[1][-1] == ERROR
    assert table[2][-1] == LINKED
    assert summary.malformed == 1 and summary.problems == ((2, "4 fields where the header has 2"),)


def test_a_row_with_too_few_fields_is_padded_with_empty_fields() -> None:
    output, summary = run("id,name,note\n1\n2,بوتين,x\n".encode())
    assert rows(output)[1][:3] == ["1", "", ""] and statuses(output) == [ERROR, LINKED]
    assert summary.problems[0][0] == 2


def test_nul_bytes_are_removed_and_their_row_is_an_error_row() -> None:
    output, summary = run("id,name\n1,بو\x00تين\n2,بوتين\n".encode())
    assert rows(output)[1][:2] == ["1", "بوتين"] and "\x00" not in output
    assert statuses(output) == [ERROR, LINKED]
    assert "NUL" in summary.problems[0][1]


def test_undecodable_bytes_make_their_row_an_error_row_not_a_failed_run() -> None:
    data = "id,name\n1,بوتين\n".encode() + b"2,\xff\xfeabc\n" + "3,كازاخستان\n".encode()
    output, summary = run(data)
    assert rows(output)[2][:2] == ["2", "\ufffd\ufffdabc"]
    assert statuses(output) == [LINKED, ERROR, LINKED]
    assert summary.problems == ((3, "bytes that are not valid UTF-8 (shown as U+FFFD)"),)


def test_an_unbalanced_quote_costs_one_row_not_the_rest_of_the_file() -> None:
    data = 'id,name\n1,"بوتين\n2,كازاخستان\n3,"شي جين بينغ"\n4,بوتين\n'.encode()
    output, summary = run(data)
    table = rows(output)
    assert [row[:2] for row in table[1:]] == [
        ["1", "بوتين"],
        ["2", "كازاخستان"],
        ["3", "شي جين بينغ"],
        ["4", "بوتين"],
    ]
    assert statuses(output) == [ERROR, LINKED, LINKED, LINKED]
    assert summary.problems[0][0] == 2 and "quote" in summary.problems[0][1]


def test_a_quote_left_open_at_the_end_of_the_file_is_an_error_row() -> None:
    output, summary = run('id,name\n1,بوتين\n2,"كازاخستان\n3,قمة\n'.encode())
    assert statuses(output) == [LINKED, ERROR, UNLINKED]
    assert "never closed" in summary.problems[0][1]


def test_a_quote_open_past_max_record_lines_is_read_again_line_by_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lines, "MAX_RECORD_LINES", 3)
    body = "".join(f"{i},بوتين\n" for i in range(2, 8))
    output, summary = run(f'id,name\n1,"كازاخستان\n{body}9,x"\n'.encode())
    assert statuses(output)[:7] == [ERROR] + [LINKED] * 6
    assert "not closed within 3 lines" in summary.problems[0][1]
    assert len(rows(output)) == 1 + 8


def test_a_field_larger_than_the_csv_field_limit_is_kept_whole_in_an_error_row() -> None:
    big = "ب" * (csv.field_size_limit() + 10)
    output, summary = run(f'id,name,note\n1,بوتين,"{big}"\n2,بوتين,x\n'.encode())
    first = rows_unlimited(output)[1]
    assert big in first[2] and first[-1] == ERROR
    assert statuses_unlimited(output)[1] == LINKED
    assert "field longer than" in summary.problems[0][1]


def rows_unlimited(output: str) -> list[list[str]]:
    limit = csv.field_size_limit()
    csv.field_size_limit(10 * limit)
    try:
        return rows(output)
    finally:
        csv.field_size_limit(limit)


def statuses_unlimited(output: str) -> list[str]:
    return [row[-1] for row in rows_unlimited(output)[1:]]


def test_a_line_longer_than_max_line_chars_is_cut_to_an_error_row(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lines, "MAX_LINE_CHARS", 64)
    long_line = "2,بوتين," + "x" * 500
    output, summary = run(f"id,name,note\n1,بوتين,a\n{long_line}\n3,كازاخستان,c\n".encode())
    table = rows(output)
    assert len(table) == 4 and table[2][:2] == ["2", "بوتين"] and len(",".join(table[2][:3])) <= 64
    assert statuses(output) == [LINKED, ERROR, LINKED]
    assert summary.problems[0][0] == 3 and "dropped" in summary.problems[0][1]


def test_crlf_lf_and_cr_line_endings_may_mix_and_the_output_uses_the_first_lines() -> None:
    data = "id,name\r\n1,بوتين\n2,كازاخستان\r3,قمة\r\n".encode()
    output, summary = run(data)
    assert output.count("\r\n") == 4 and "\r\n".join(output.split("\r\n")) == output
    assert statuses(output) == [LINKED, LINKED, UNLINKED] and summary.malformed == 0
    assert run("id,name\n1,بوتين\r\n".encode())[0].count("\r") == 0


def test_quoted_fields_with_commas_quotes_and_newlines_survive_the_round_trip() -> None:
    data = 'id,name,note\n1,بوتين,"a, ""b""\nc"\n'.encode()
    output, _ = run(data)
    assert rows(output)[1][:3] == ["1", "بوتين", 'a, "b"\nc']


def test_blank_lines_are_not_rows() -> None:
    output, summary = run("id,name\n\n1,بوتين\n\n\n".encode())
    assert summary.rows == 1 and len(rows(output)) == 2


def test_the_output_has_one_row_per_input_row_whatever_is_wrong_with_them() -> None:
    lines = [
        b"id,name",
        b"1,\xd8\xa8\xd9\x88\xd8\xaa\xd9\x8a\xd9\x86",
        b"2,x,y,z",
        b"3,\x00\xd9\x82",
        b"4,\xff",
        b'5,"open',
        b"6,fine",
        b"7",
    ]
    output, summary = run(b"\r\n".join(lines) + b"\r\n")
    assert summary.rows == len(rows(output)) - 1 == 7
    assert statuses(output) == [LINKED, ERROR, ERROR, ERROR, ERROR, UNLINKED, ERROR]
    assert summary.malformed == 5 and [line for line, _ in summary.problems] == [3, 4, 5, 6, 8]


# --- encodings ---------------------------------------------------------------------------


def test_a_utf8_bom_is_read_and_kept_in_the_output() -> None:
    output = io.BytesIO()
    link_table(io.BytesIO(codecs.BOM_UTF8 + "name\nبوتين\n".encode()), output, ["name"])
    assert output.getvalue().startswith(codecs.BOM_UTF8 + b"name,")
    assert output.getvalue().count(codecs.BOM_UTF8) == 1


def test_a_windows_arabic_file_is_refused_with_a_guess_of_cp1256() -> None:
    data = "id,name\n1,بوتين\n2,كازاخستان\n3,سمرقند\n".encode("cp1256")
    with pytest.raises(EncodingError, match="not UTF-8") as error:
        run(data)
    assert error.value.guess == "cp1256"


@pytest.mark.parametrize("codec", ["utf-16", "utf-32"])
def test_a_utf16_or_utf32_file_with_a_byte_order_mark_is_read_without_being_told(codec: str) -> None:
    output, _ = run("id,name\n1,بوتين\n".encode(codec))
    assert rows(output)[1][:4] == ["1", "بوتين", "بوتين", PUTIN]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_a_utf16_file_without_a_byte_order_mark_is_refused_with_a_guess(codec: str) -> None:
    with pytest.raises(EncodingError) as error:
        run("id,name\n1,بوتين\n".encode(codec))
    assert error.value.guess == codec


@pytest.mark.parametrize("codec", ["cp1256", "utf-16", "windows-1256"])
def test_encoding_reads_a_file_that_is_not_utf8(codec: str) -> None:
    output, _ = run("id,name\n1,بوتين\n".encode(codec), encoding=codec)
    assert rows(output)[1][:4] == ["1", "بوتين", "بوتين", PUTIN]


def test_an_unknown_encoding_is_refused_by_name() -> None:
    with pytest.raises(BulkError, match="unknown encoding 'klingon'"):
        run(b"name\n", encoding="klingon")


# --- formats, columns ----------------------------------------------------------------------


def test_tsv_uses_tabs_and_a_delimiter_can_be_given() -> None:
    output, _ = run("id\tname\n1\tبوتين\n".encode(), format="tsv")
    assert output.splitlines()[1].split("\t")[:4] == ["1", "بوتين", "بوتين", PUTIN]
    output, _ = run("id;name\n1;بوتين\n".encode(), delimiter=";")
    assert output.splitlines()[1].split(";")[3] == PUTIN


def test_jsonl_objects_get_typed_values_and_a_line_that_is_not_json_is_kept_raw() -> None:
    data = '{"id": 1, "name": "بوتين"}\n{"id": 2, "name": null}\n{oops\n{"id": 4, "name": 7}\n'.encode()
    output, summary = run(data, format="jsonl")
    objects = [json.loads(line) for line in output.splitlines()]
    assert (
        objects[0]["id"] == 1
        and objects[0]["name_qid"] == PUTIN
        and isinstance(objects[0]["name_score"], float)
    )
    assert objects[1]["name_status"] == EMPTY and objects[1]["name_qid"] is None
    assert objects[2] == {
        "_raw": "{oops",
        **{f"name_{s}": None for s in ADDED_COLUMNS[1:5]},
        "name_normalized": "",
        "name_status": ERROR,
    }
    assert objects[3]["name_status"] == ERROR and objects[3]["name"] == 7
    assert summary.malformed == 1 and summary.total(ERROR) == 2


def test_an_unknown_column_is_refused_with_the_columns_there_are() -> None:
    with pytest.raises(ColumnError) as error:
        run("id,nom\n1,بوتين\n".encode(), ["name"])
    assert error.value.available == ("id", "nom") and "'name'" in str(error.value)
    with pytest.raises(ColumnError):
        run('{"nom": "بوتين"}\n'.encode(), ["name"], format="jsonl")


def test_an_input_that_already_has_the_added_columns_is_refused() -> None:
    once, _ = run("name\nبوتين\n".encode())
    with pytest.raises(BulkError, match="already has a column 'name_normalized'"):
        run(once.encode())


def test_an_empty_input_is_refused_for_want_of_a_header() -> None:
    with pytest.raises(BulkError, match="header"):
        run(b"")


def test_the_arguments_are_checked_before_anything_is_written() -> None:
    out = io.BytesIO()
    with pytest.raises(ValueError, match="threshold"):
        link_table(io.BytesIO(b"name\n"), out, ["name"], threshold=2.0)
    assert out.getvalue() == b""


# --- processes, output, memory, progress -----------------------------------------------------


def test_two_jobs_write_byte_identical_output_to_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 25)  # many chunks, several in flight at once
    names = [n.name for n in read_gold(DATA / "dev_gold.tsv")]
    data = ("id,name\n" + "".join(f"{i},{names[i * 7 % len(names)]}\n" for i in range(600))).encode()
    one, _ = run(data)
    two, summary = run(data, jobs=2)
    assert two == one and summary.rows == 600


def test_atomic_output_replaces_the_file_only_when_the_block_completes(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old")
    with atomic_output(target) as file:
        file.write(b"new")
        assert target.read_text() == "old"
    assert target.read_text() == "new" and list(tmp_path.iterdir()) == [target]


def test_atomic_output_leaves_the_file_untouched_when_the_block_fails(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old")
    with pytest.raises(KeyboardInterrupt), atomic_output(target) as file:
        file.write(b"half")
        raise KeyboardInterrupt
    assert target.read_text() == "old" and list(tmp_path.iterdir()) == [target]


def test_memory_stays_bounded_on_an_input_many_times_larger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 200)
    tiny = Gazetteer.from_records(
        [{"qid": "Q7747", "label": "Vladimir Putin", "type": "person", "names": {"ar": ["بوتين"]}}]
    )
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    note = "ملاحظة طويلة " * 12
    with source.open("w", encoding="utf-8") as file:
        file.write("id,name,note\n")
        for i in range(20_000):
            file.write(f"{i},{('بوتين', 'كازاخستان', 'قمة')[i % 3]},{note}{i}\n")
    tracemalloc.start()
    try:
        with source.open("rb") as inp, target.open("wb") as out:
            summary = link_table(inp, out, ["name"], gazetteer=tiny)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert summary.rows == 20_000
    assert source.stat().st_size > 5_000_000 and peak < source.stat().st_size / 5


def test_progress_shows_rows_per_second_and_with_a_known_size_a_share_and_the_time_left() -> None:
    stream = io.StringIO()
    progress = Progress(stream, total_bytes=1_000, interval=0)
    progress(5_000, 250)
    assert "5,000 rows" in stream.getvalue() and "rows/s" in stream.getvalue()
    assert "25%" in stream.getvalue() and "ETA" in stream.getvalue()
    progress.close()
    assert stream.getvalue().endswith("\r")
    unknown = io.StringIO()
    Progress(unknown, total_bytes=None, interval=0)(10, 10)
    assert "%" not in unknown.getvalue() and "10 rows" in unknown.getvalue()


def test_link_table_reports_progress_after_each_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 2)
    seen: list[tuple[int, int]] = []
    run("name\nبوتين\nقمة\nبوتين\n".encode(), on_progress=lambda rows, read: seen.append((rows, read)))
    assert [rows for rows, _ in seen] == [2, 3] and seen[-1][1] == len("name\nبوتين\nقمة\nبوتين\n".encode())


# --- running text ------------------------------------------------------------------------


def test_link_documents_writes_a_json_line_per_mention_numbered_by_line() -> None:
    text = "التقى شي جين بينغ وبوتين في سمرقند\nلا شيء هنا\nزار بوتين كازاخستان\n"
    out = io.BytesIO()
    summary = link_documents(io.BytesIO(text.encode()), out, per_line=True)
    mentions = [json.loads(line) for line in out.getvalue().decode().splitlines()]
    assert [(m["doc"], m["qid"]) for m in mentions] == [
        (1, XI),
        (1, PUTIN),
        (1, "Q5753"),
        (3, PUTIN),
        (3, KAZAKHSTAN),
    ]
    first_line = text.splitlines()[0]
    assert all(first_line[m["start"] : m["end"]] == m["surface"] for m in mentions if m["doc"] == 1)
    assert set(mentions[0]) == {
        "doc",
        "start",
        "end",
        "surface",
        "qid",
        "label",
        "score",
        "type",
        "method",
        "description",
    }
    assert (mentions[0]["type"], mentions[0]["method"]) == ("person", "exact") and mentions[0]["description"]
    assert summary.documents == 3 and summary.mentions == 5


def test_link_documents_reads_jsonl_documents_by_their_id() -> None:
    data = '{"id": "a-1", "text": "زار بوتين سمرقند"}\n{"text": "بوتين"}\nnot json\n'.encode()
    out = io.BytesIO()
    summary = link_documents(io.BytesIO(data), out, format="jsonl")
    mentions = [json.loads(line) for line in out.getvalue().decode().splitlines()]
    assert [(m["doc"], m["surface"]) for m in mentions] == [("a-1", "بوتين"), ("a-1", "سمرقند"), (2, "بوتين")]
    assert summary.documents == 2 and summary.problems == ((3, 'not a JSON object with a "text" string'),)


def test_a_row_that_cannot_be_written_as_it_is_becomes_an_error_row_not_a_failed_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from namelink.tables.csvfile import CsvWriter

    real = CsvWriter.write

    def fussy(self: CsvWriter, record: Any, cells: Any) -> None:
        if record.line == 3 and record.problem is None:
            raise ValueError("a value this writer cannot take")
        real(self, record, cells)

    monkeypatch.setattr(CsvWriter, "write", fussy)
    output, summary = run("id,name\n1,بوتين\n2,بوتين\n3,بوتين\n".encode())
    assert statuses(output) == [LINKED, ERROR, LINKED] and summary.rows == 3
    assert summary.problems == (
        (3, "the row could not be written (ValueError: a value this writer cannot take)"),
    )


def test_review_and_candidates_in_two_jobs_write_the_same_output_as_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 25)
    names = ["بوتين", "توامستان", "قمة", "", "سمرقند", "كازاختسان"]
    data = ("name\n" + "\n".join(f"{names[i % len(names)]}{i % 7 or ''}" for i in range(200)) + "\n").encode()
    twins = Gazetteer.from_records([*TWINS, *(e for e in Gazetteer.default().records() if e["qid"] == PUTIN)])
    one, _ = run(data, review=True, candidates=3, gazetteer=twins)
    two, _ = run(data, review=True, candidates=3, gazetteer=twins, jobs=2)
    assert one == two and rows(one)[0][-1] == "name_candidates" and "Twin A" in one and PUTIN in one


def test_a_whole_document_with_bad_bytes_is_linked_and_the_damage_reported_by_line() -> None:
    data = "زار بوتين\nثم\n".encode() + b"\xff\x00 \xef\xbf\xbd\n" + "وصل كازاخستان\n".encode()
    out = io.BytesIO()
    summary = link_documents(io.BytesIO(data), out, name="news.txt")
    mentions = [json.loads(line) for line in out.getvalue().decode().splitlines()]
    assert [(m["doc"], m["qid"]) for m in mentions] == [("news.txt", PUTIN), ("news.txt", KAZAKHSTAN)]
    ((line, what),) = summary.problems
    assert line == 1 and what.startswith(
        "line 3 and maybe others: NUL bytes (removed); bytes that are not valid UTF-8"
    )
