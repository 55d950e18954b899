"""`namelink csv` and `namelink text`: files in, files out, exit codes and messages that say how to fix."""

from __future__ import annotations

import codecs
import csv
import errno
import io
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from namelink import Gazetteer, bulk
from namelink.cli import main
from namelink.tables import output as output_module

PUTIN, KAZAKHSTAN, XI = "Q7747", "Q232", "Q15031"
DATA = Path(__file__).parent / "data"
NAMES = "id,name\n1,بوتين\n2,كازاخستان\n3,بوتين\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def table(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def feed_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def test_csv_writes_the_linked_file_and_a_summary_to_stderr(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = write(tmp_path / "names.csv", NAMES)
    code, out, err = run(capsys, "csv", str(source), "-o", str(tmp_path / "out.csv"), "--column", "name")
    assert code == 0 and out == ""
    rows = table(tmp_path / "out.csv")
    assert rows[0] == ["id", "name", *(f"name_{suffix}" for suffix in bulk.ADDED_COLUMNS)]
    assert [row[3] for row in rows[1:]] == [PUTIN, KAZAKHSTAN, PUTIN]
    assert "3 rows" in err and "2 distinct names" in err and "linked 3," in err and "unlinked 0," in err


def test_a_dash_reads_stdin_and_writes_stdout(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_stdin(monkeypatch, NAMES.encode())
    code, out, _ = run(capsys, "csv", "-", "--column", "name")
    assert code == 0
    assert [row[3] for row in csv.reader(io.StringIO(out))][1:] == [PUTIN, KAZAKHSTAN, PUTIN]


def test_the_output_may_be_the_input_file_itself(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = write(tmp_path / "names.csv", NAMES)
    assert run(capsys, "csv", str(source), "-o", str(source), "--column", "name")[0] == 0
    assert [row[1] for row in table(source)][1:] == ["بوتين", "كازاخستان", "بوتين"] and len(
        table(source)[0]
    ) == 8


def test_an_unknown_column_exits_2_and_lists_the_columns(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = write(tmp_path / "names.csv", NAMES)
    target = tmp_path / "out.csv"
    code, _, err = run(capsys, "csv", str(source), "-o", str(target), "--column", "nom")
    assert code == 2 and "--column nom: no such column" in err and "id, name" in err
    assert not target.exists() and list(tmp_path.iterdir()) == [source]


def test_a_missing_input_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "csv", str(tmp_path / "none.csv"), "--column", "name")
    assert code == 2 and "no such file" in err


def test_an_output_in_a_missing_directory_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = write(tmp_path / "names.csv", NAMES)
    code, _, err = run(capsys, "csv", str(source), "-o", str(tmp_path / "no" / "out.csv"), "--column", "name")
    assert code == 2 and "-o" in err and "no such directory" in err


def test_strict_exits_1_when_a_row_is_not_linked(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    linked = write(tmp_path / "linked.csv", NAMES)
    mixed = write(tmp_path / "mixed.csv", NAMES + "4,قمة\n5,\n")
    out = str(tmp_path / "out.csv")
    assert run(capsys, "csv", str(linked), "-o", out, "--column", "name", "--strict")[0] == 0
    assert run(capsys, "csv", str(mixed), "-o", out, "--column", "name")[0] == 0
    assert run(capsys, "csv", str(mixed), "-o", out, "--column", "name", "--strict")[0] == 1


def test_a_windows_arabic_file_exits_2_naming_the_encoding_flag(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = write(tmp_path / "names.csv", NAMES, encoding="cp1256")
    code, _, err = run(capsys, "csv", str(source), "--column", "name")
    assert code == 2 and "not UTF-8" in err and "--encoding cp1256" in err
    code, out, _ = run(capsys, "csv", str(source), "--column", "name", "--encoding", "cp1256")
    assert code == 0 and PUTIN in out


def test_an_interrupted_run_leaves_the_output_untouched(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = write(tmp_path / "names.csv", "id,name\n" + "".join(f"{i},اسم{i}\n" for i in range(200)))
    target = write(tmp_path / "out.csv", "the previous run's output\n")
    real = bulk.look_up
    calls = 0

    def interrupted(*args: Any, **kwargs: Any) -> bulk.Cell:
        nonlocal calls
        calls += 1
        if calls == 150:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(bulk, "look_up", interrupted)
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 10)  # 14 chunks are written before the interrupt
    code, _, err = run(capsys, "csv", str(source), "-o", str(target), "--column", "name")
    assert code == 130 and "interrupted" in err
    assert target.read_text() == "the previous run's output\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["names.csv", "out.csv"]


def test_jobs_2_writes_byte_identical_output_to_jobs_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "CHUNK_ROWS", 40)
    names = ["بوتين", "كازاخستان", "شي جين بينغ", "قمة", "سمرقند", "", "پوتن", "بوتيين", "طهران"]
    body = "".join(f'{i},"{names[i % len(names)]}{i % 13 or ""}",x\n' for i in range(500))
    source = write(tmp_path / "names.csv", "id,name,note\n" + body + '501,broken,"row\n')
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    assert run(capsys, "csv", str(source), "-o", str(one), "--column", "name")[0] == 0
    assert run(capsys, "csv", str(source), "-o", str(two), "--column", "name", "--jobs", "2")[0] == 0
    assert two.read_bytes() == one.read_bytes() and len(table(one)) == 502


def test_the_format_follows_the_extension_or_the_flag(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    tsv = write(tmp_path / "names.tsv", NAMES.replace(",", "\t"))
    code, out, _ = run(capsys, "csv", str(tsv), "--column", "name")
    assert code == 0 and out.splitlines()[1].split("\t")[3] == PUTIN
    jsonl = write(tmp_path / "names.jsonl", '{"name": "بوتين"}\n')
    code, out, _ = run(capsys, "csv", str(jsonl), "--column", "name")
    assert json.loads(out)["name_qid"] == PUTIN
    semicolons = write(tmp_path / "names.txt", NAMES.replace(",", ";"))
    code, out, _ = run(
        capsys, "csv", str(semicolons), "--column", "name", "--format", "csv", "--delimiter", ";"
    )
    assert code == 0 and out.splitlines()[1].split(";")[3] == PUTIN
    code, out, _ = run(capsys, "csv", str(tsv), "--column", "name", "--format", "tsv", "--delimiter", "\\t")
    assert code == 0 and out.splitlines()[1].split("\t")[3] == PUTIN


def test_a_delimiter_of_more_than_one_character_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["csv", "-", "--column", "name", "--delimiter", ";;"])
    assert exit_info.value.code == 2 and "not one character" in capsys.readouterr().err


def test_progress_shows_on_stderr_only_when_asked_or_on_a_terminal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = write(tmp_path / "names.csv", NAMES)
    _, _, quiet = run(capsys, "csv", str(source), "--column", "name")
    _, _, shown = run(capsys, "csv", str(source), "--column", "name", "--progress")
    assert "rows/s" not in quiet and "rows/s" in shown and "100%" in shown
    _, _, forced_off = run(capsys, "csv", str(source), "--column", "name", "--no-progress")
    assert "rows/s" not in forced_off


def test_malformed_rows_are_listed_by_line_in_the_summary(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "names.csv"
    source.write_bytes("id,name\n1,بوتين\n2,x,y\n".encode() + b"3,\xff\n4,\x00\n")
    target = tmp_path / "out.csv"
    code, _, err = run(capsys, "csv", str(source), "-o", str(target), "--column", "name")
    assert code == 0 and len(table(target)) == 5
    assert "3 malformed rows" in err and "line 3: 3 fields where the header has 2" in err
    assert "line 4: bytes that are not valid UTF-8" in err and "line 5: NUL" in err


# --- namelink text ---------------------------------------------------------------------------


def test_text_per_line_writes_each_mention_as_a_json_line_with_its_line_number(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = write(tmp_path / "news.txt", "زار بوتين كازاخستان\n\nوصل بوتين\n")
    code, out, err = run(capsys, "text", str(source), "--per-line")
    mentions = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [(m["doc"], m["qid"]) for m in mentions] == [(1, PUTIN), (1, KAZAKHSTAN), (3, PUTIN)]
    assert mentions[0]["start"] == 4 and mentions[0]["end"] == 9 and mentions[0]["surface"] == "بوتين"
    assert "3 documents, 3 mentions" in err


def test_text_reads_jsonl_documents_from_stdin_with_their_ids(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_stdin(monkeypatch, '{"id": "doc-7", "text": "زار بوتين"}\n'.encode())
    code, out, _ = run(capsys, "text", "-", "--format", "jsonl")
    assert code == 0 and json.loads(out)["doc"] == "doc-7"


def test_text_of_a_missing_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "text", str(tmp_path / "none.txt"))
    assert code == 2 and "no such file" in err


def test_text_treats_a_whole_file_as_one_document_so_a_short_form_links_across_lines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = write(tmp_path / "news.txt", "التقى شي جين بينغ بوتين.\nوقال شي إن الصين\n")
    code, out, err = run(capsys, "text", str(source))
    mentions = [json.loads(line) for line in out.splitlines()]
    text = source.read_text(encoding="utf-8")
    assert code == 0 and "1 documents, 4 mentions" in err
    assert [(m["surface"], m["qid"]) for m in mentions][2] == ("شي", XI)
    assert all(text[m["start"] : m["end"]] == m["surface"] and m["doc"] == str(source) for m in mentions)
    assert (mentions[0]["type"], mentions[0]["method"]) == ("person", "exact") and mentions[0]["description"]


def test_text_reads_several_files_and_names_the_file_of_each_mention(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    one, two = write(tmp_path / "a.txt", "زار بوتين\n"), write(tmp_path / "b.txt", "في سمرقند\n")
    code, out, err = run(capsys, "text", str(one), str(two), "-o", str(tmp_path / "out.jsonl"))
    mentions = [
        json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert code == 0 and out == "" and "2 documents, 2 mentions" in err
    assert [(m["file"], m["qid"]) for m in mentions] == [(str(one), PUTIN), (str(two), "Q5753")]


def test_text_reads_stdin_when_no_file_is_given(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    feed_stdin(monkeypatch, "زار بوتين\n".encode())
    code, out, _ = run(capsys, "text")
    assert code == 0 and json.loads(out)["qid"] == PUTIN


# --- review columns, candidates ---------------------------------------------------------------


def test_review_shows_what_a_person_needs_to_decide_an_ambiguous_name(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Two places of one name: link() refuses to choose, so the row is ambiguous.
    twins = str(DATA / "twins.jsonl")
    best, runner_up = Gazetteer.load(twins).candidates("توامستان", limit=2)
    source = write(tmp_path / "names.csv", "id,name\n1,توامستان\n2,سولو\n")
    code, out, _ = run(capsys, "csv", str(source), "-c", "name", "--review", "--gazetteer", twins)
    rows = list(csv.DictReader(io.StringIO(out)))
    row = rows[0]
    assert code == 0 and row["name_status"] == "ambiguous"
    assert (row["name_qid"], row["name_label"], row["name_score"]) == (
        best.qid,
        best.label,
        f"{best.score:.4f}",
    )
    assert (row["name_runner_up_qid"], row["name_runner_up_label"], row["name_runner_up_score"]) == (
        runner_up.qid,
        runner_up.label,
        f"{runner_up.score:.4f}",
    )
    assert row["name_type"] == "place" and row["name_explanation"] == best.explanation
    assert rows[1]["name_status"] == "linked" and rows[1]["name_label"] == "Solo"


def test_candidates_lists_the_n_best_as_one_json_cell(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    twins = str(DATA / "twins.jsonl")
    source = write(tmp_path / "names.csv", "id,name\n1,توامستان\n2,\n")
    code, out, _ = run(capsys, "csv", str(source), "-c", "name", "--candidates", "3", "--gazetteer", twins)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert (
        code == 0 and "name_runner_up_qid" not in rows[0] and rows[0]["name_qid"] == ""
    )  # no review: no link
    listed = json.loads(rows[0]["name_candidates"])
    assert sorted(c[0] for c in listed) == ["Q990000001", "Q990000002"] and listed[0][2] >= listed[1][2]
    assert rows[1]["name_candidates"] == "" and rows[1]["name_status"] == "empty"
    with pytest.raises(SystemExit) as exit_info:
        main(["csv", str(source), "-c", "name", "--candidates", "0"])
    assert exit_info.value.code == 2 and "from 1 to" in capsys.readouterr().err


# --- formats, shapes, short flags -------------------------------------------------------------


def test_csv_in_jsonl_out_by_the_output_s_extension(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = write(tmp_path / "names.csv", NAMES)
    code, _, _ = run(capsys, "csv", str(source), "-c", "name", "-o", str(tmp_path / "out.jsonl"))
    records = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert (
        code == 0
        and [r["name_qid"] for r in records] == [PUTIN, KAZAKHSTAN, PUTIN]
        and records[0]["id"] == "1"
    )
    code, out, _ = run(capsys, "csv", str(source), "-c", "name", "--output-format", "tsv")
    assert code == 0 and out.splitlines()[1].split("\t")[3] == PUTIN


def test_reading_a_csv_as_jsonl_is_a_usage_error_not_a_file_of_error_rows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = write(tmp_path / "names.csv", NAMES)
    code, out, err = run(capsys, "csv", str(source), "-c", "name", "--format", "jsonl")
    assert code == 2 and out == "" and "not JSON Lines" in err and "--input-format csv" in err
    code, _, err = run(
        capsys, "csv", str(source), "-c", "name", "-o", str(tmp_path / "o.jsonl"), "--format", "csv"
    )
    assert code == 2 and "names a jsonl file but the output format is csv" in err


def test_an_xlsx_file_is_read_by_its_extension_and_named_plainly_when_it_is_not(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pytest.importorskip("openpyxl")
    source = write(tmp_path / "names.csv", NAMES)
    book = tmp_path / "names.xlsx"
    assert run(capsys, "csv", str(source), "-c", "name", "-o", str(book))[0] == 0
    assert book.read_bytes().startswith(b"PK\x03\x04")
    code, _, _ = run(capsys, "csv", str(book), "-c", "id", "-o", str(tmp_path / "again.csv"))
    assert code == 0 and table(tmp_path / "again.csv")[1][:4] == ["1", "بوتين", "بوتين", PUTIN]
    disguised = tmp_path / "names.txt"
    disguised.write_bytes(book.read_bytes())
    code, _, err = run(capsys, "csv", str(disguised), "-c", "name")
    assert code == 2 and "zip file, as an Excel workbook (.xlsx) is" in err and "--input-format xlsx" in err
    assert "utf-16" not in err
    code, out, _ = run(capsys, "csv", str(disguised), "-c", "id", "--input-format", "xlsx")
    assert code == 0 and out.splitlines()[1].startswith("1,بوتين,بوتين,Q7747")  # a workbook to stdout is CSV


def test_a_semicolon_file_is_sniffed_and_a_wrong_delimiter_suggests_the_right_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = write(tmp_path / "names.csv", NAMES.replace(",", ";"))
    code, out, _ = run(capsys, "csv", str(source), "-c", "name")
    assert code == 0 and out.splitlines()[1].split(";")[3] == PUTIN
    code, _, err = run(capsys, "csv", str(source), "-c", "name", "-d", ",")
    assert code == 2 and "no such column" in err and "--delimiter ';'" in err


def test_columns_by_index_and_as_a_comma_list_and_no_header(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = write(tmp_path / "names.csv", "id,name,city\n1,بوتين,سمرقند\n")
    code, out, _ = run(capsys, "csv", str(source), "-c", "2,city")
    header = out.splitlines()[0].split(",")
    assert code == 0 and "name_qid" in header and "city_qid" in header
    code, out, _ = run(capsys, "csv", str(source), "-c", "3")
    assert code == 0 and out.splitlines()[1].split(",")[4] == "Q5753"
    code, _, err = run(capsys, "csv", str(source), "-c", "9")
    assert code == 2 and "column 9 is out of range" in err
    headerless = write(tmp_path / "bare.csv", "1,بوتين\n2,كازاخستان\n")
    code, out, _ = run(capsys, "csv", str(headerless), "--no-header", "-c", "2")
    assert code == 0 and [line.split(",")[3] for line in out.splitlines()] == [PUTIN, KAZAKHSTAN]


def test_short_flags_and_bom_and_encoding(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = write(tmp_path / "names.csv", NAMES.replace(",", "|"), encoding="cp1256")
    target = tmp_path / "out.csv"
    code, _, _ = run(capsys, "csv", str(source), "-c", "name", "-d", "|", "-e", "cp1256", "-o", str(target))
    data = target.read_bytes()
    assert code == 0 and data.startswith(codecs.BOM_UTF8)  # Excel on Windows shows Arabic only with it
    assert data.decode("utf-8-sig").splitlines()[1].split("|")[3] == PUTIN
    plain = write(tmp_path / "plain.csv", NAMES)
    assert run(capsys, "csv", str(plain), "-c", "name", "--bom", "-o", str(target))[0] == 0
    assert target.read_bytes().startswith(codecs.BOM_UTF8)
    unicode_text = write(tmp_path / "excel.txt", NAMES.replace(",", "\t"), encoding="utf-16")
    code, out, _ = run(capsys, "csv", str(unicode_text), "-c", "name", "--format", "tsv")
    assert code == 0 and out.lstrip("\ufeff").splitlines()[1].split("\t")[3] == PUTIN


# --- faults as messages -----------------------------------------------------------------------


def namelink(*argv: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "namelink", *argv], capture_output=True, text=True, encoding="utf-8", **kwargs
    )


def big_csv(path: Path, rows: int) -> Path:
    names = ["بوتين", "كازاخستان", "سمرقند", "قمة"]
    with path.open("w", encoding="utf-8") as file:
        file.write("id,name\n")
        file.writelines(f"{i},{names[i % 4]}{i % 997}\n" for i in range(rows))
    return path


@pytest.mark.parametrize("command", ["csv", "text"])
def test_a_file_size_limit_is_a_message_and_exit_2_not_a_traceback(command: str, tmp_path: Path) -> None:
    source = big_csv(tmp_path / "names.csv", 20_000)
    target = tmp_path / "out.csv"
    args = [
        command,
        str(source),
        *(["-c", "name"] if command == "csv" else ["--per-line"]),
        "-o",
        str(target),
    ]

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    done = namelink(*args, preexec_fn=limited)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "namelink: error: the file is larger than this system or its limits allow" in done.stderr
    assert not target.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["names.csv"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("command", ["csv", "text"])
def test_a_full_disk_on_stdout_is_a_message_and_exit_2(command: str, tmp_path: Path) -> None:
    source = big_csv(tmp_path / "names.csv", 5_000)
    args = [command, str(source), *(["-c", "name"] if command == "csv" else [])]
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "namelink", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
    assert done.returncode == 2 and "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert "namelink: error: no space left on the device" in done.stderr


def test_an_output_whose_parent_is_a_file_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    source = write(tmp_path / "names.csv", NAMES)
    code, _, err = run(capsys, "csv", str(source), "-c", "name", "-o", str(source / "out.csv"))
    assert code == 2 and "is not a directory" in err
    code, _, err = run(capsys, "text", str(source), "-o", str(source / "out.jsonl"))
    assert code == 2 and "is not a directory" in err


def test_running_out_of_memory_is_a_message_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def exhausted(*args: Any, **kwargs: Any) -> None:
        raise MemoryError

    monkeypatch.setattr(bulk, "link_table", exhausted)
    monkeypatch.setattr(bulk, "link_documents", exhausted)
    source = write(tmp_path / "names.csv", NAMES)
    for argv in (["csv", str(source), "-c", "name"], ["text", str(source)]):
        code, _, err = run(capsys, *argv)
        assert code == 2 and "namelink: error: out of memory" in err


def test_a_run_killed_outright_leaves_the_output_intact_and_the_next_run_removes_its_part_file(
    tmp_path: Path,
) -> None:
    source = big_csv(tmp_path / "names.csv", 400_000)
    target = write(tmp_path / "out.csv", "the previous run's output\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "namelink", "csv", str(source), "-c", "name", "-o", str(target)],
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".out.csv.namelink-*.part")) and time.monotonic() < deadline:
        time.sleep(0.01)
    parts = list(tmp_path.glob(".out.csv.namelink-*.part"))
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert parts == [tmp_path / f".out.csv.namelink-{process.pid}.part"] and parts[0].exists()
    assert target.read_text() == "the previous run's output\n"
    small = write(tmp_path / "small.csv", NAMES)
    assert namelink("csv", str(small), "-c", "name", "-o", str(target)).returncode == 0
    assert not parts[0].exists() and len(table(target)) == 4


@pytest.mark.parametrize(
    ("code", "says"), [(errno.EROFS, "the file system is read-only"), (errno.EACCES, "permission denied")]
)
def test_a_read_only_or_unwritable_output_directory_is_a_message_and_exit_2(
    code: int, says: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As root, chmod does not stop a write: the refusal the file system would give is injected.
    def refused(*args: Any, **kwargs: Any) -> int:
        raise OSError(code, os.strerror(code), str(tmp_path / "out.csv"))

    source = write(tmp_path / "names.csv", NAMES)
    monkeypatch.setattr(output_module.os, "open", refused)
    status, _, err = run(capsys, "csv", str(source), "-c", "name", "-o", str(tmp_path / "out.csv"))
    assert status == 2 and f"namelink: error: {says}" in err and "write elsewhere (-o OUTPUT)" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["names.csv"]


def test_a_workbook_without_openpyxl_is_a_usage_error_naming_the_extra(tmp_path: Path) -> None:
    source = write(tmp_path / "names.csv", NAMES)
    script = f"""
import importlib.abc, sys

class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "openpyxl":
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())
from namelink.cli import main
sys.exit(main(["csv", {str(source)!r}, "-c", "name", "-o", {str(tmp_path / "out.xlsx")!r}]))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, encoding="utf-8")
    assert (
        done.returncode == 2
        and "pip install 'namelink[xlsx]'" in done.stderr
        and "Traceback" not in done.stderr
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["names.csv"]
