"""`namelink csv` and `namelink text`: files in, files out, exit codes and messages that say how to fix."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from namelink import bulk
from namelink.cli import main

PUTIN, KAZAKHSTAN = "Q7747", "Q232"
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
