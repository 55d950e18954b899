"""The namelink command: a thin adapter with clear exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from namelink import KEY_KINDS
from namelink.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_normalize_prints_the_normal_form(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "normalize", "ڤلاديمير پوتـــن", "أَرْدُوغَان")
    assert code == 0
    assert out.splitlines() == ["ڤلاديمير پوتن", "اردوغان"]


def test_normalize_json_gives_the_keys_too(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "normalize", "--json", "پوتن")
    record = json.loads(out)
    assert record["normalized"] == "پوتن" and len(record["keys"]) == len(KEY_KINDS)


def test_link_prints_qids_and_exits_0_when_all_are_linked(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "link", "بوتين", "شي جين بينغ")
    assert code == 0
    assert [line.split("\t")[1] for line in out.splitlines()] == ["Q7747", "Q15031"]


def test_link_exits_1_when_some_name_is_not_linked(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "link", "--json", "بوتين", "قمة")
    assert code == 1
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["qid"] for r in records] == ["Q7747", None]
    assert records[0]["method"] == "exact" and records[0]["explanation"]


def test_link_reads_names_from_stdin_with_a_dash(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("بوتين\n\nكازاخستان\r\n"))
    code, out, _ = run(capsys, "link", "-")
    assert code == 0
    assert [line.split("\t")[1] for line in out.splitlines()] == ["Q7747", "Q232"]


def test_candidates_lists_ranked_candidates(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "candidates", "--json", "--limit", "3", "بوتين")
    assert code == 0
    found = json.loads(out)["candidates"]
    assert found[0]["qid"] == "Q7747" and len(found) <= 3


def test_types_and_threshold_are_checked_with_a_message_that_says_how_to_fix(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["link", "--types", "human", "بوتين"])
    assert exit_info.value.code == 2
    assert "use a comma-separated list of" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["link", "--threshold", "2", "بوتين"])
    assert "between 0 and 1" in capsys.readouterr().err


def test_a_missing_gazetteer_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "link", "--gazetteer", str(tmp_path / "none"), "بوتين")
    assert code == 2 and "no such file or directory" in err


def test_a_corrupt_gazetteer_exits_2_naming_the_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "bad.jsonl").write_text("{not json}\n", encoding="utf-8")
    code, _, err = run(capsys, "link", "--gazetteer", str(tmp_path / "bad.jsonl"), "بوتين")
    assert code == 2 and "bad.jsonl:1" in err


def test_gazetteer_export_writes_one_tsv_row_per_name(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "gazetteer", "export")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "qid\tlabel\ttype\tlang\tname"
    assert "Q7747\tVladimir Putin\tperson\tar\tبوتين" in lines


def test_gazetteer_info_reports_counts_and_provenance(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "gazetteer", "info", "--json")
    info = json.loads(out)
    assert code == 0 and info["entities"] >= 1400 and info["manifest"]["keys_version"]


def test_python_dash_m_namelink_runs_the_same_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "namelink", "link", "بوتين"], capture_output=True, text=True, encoding="utf-8"
    )
    assert done.returncode == 0 and "Q7747" in done.stdout


def test_normalize_and_link_read_stdin_when_no_argument_is_given(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.StringIO("پوتـــن\n"))
    assert run(capsys, "normalize")[1] == "پوتن\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO("بوتين\n"))
    assert run(capsys, "link")[1].split("\t")[1] == "Q7747"
    monkeypatch.setattr(sys, "stdin", io.StringIO("بوتين\n"))
    assert "Q7747" in run(capsys, "candidates", "--limit", "1")[1]


def test_the_commands_compose_as_filters_in_a_pipe() -> None:
    namelink = f"{sys.executable} -m namelink"
    done = subprocess.run(
        f"echo 'ڤلاديمير پوتـين' | {namelink} normalize | {namelink} link",
        shell=True,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert done.returncode == 0 and done.stdout.split("\t")[:2] == ["ڤلاديمير پوتين", "Q7747"]


def test_an_unknown_language_code_is_refused_with_the_known_ones(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "link", "--lang", "xx", "بوتين")
    assert code == 2 and "--lang xx: an unknown language code" in err and "ar, " in err and "kk-Arab" in err
    assert run(capsys, "link", "--lang", "fa", "بوتين")[0] == 0
    assert run(capsys, "link", "--lang", "kk-Arab", "بوتين")[0] == 0  # held by the gazetteer


def test_a_wrong_flag_on_a_subcommand_prints_the_subcommand_s_usage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["csv", "in.csv", "-c", "name", "--kolumn", "x"])
    err = capsys.readouterr().err
    assert (
        exit_info.value.code == 2
        and "usage: namelink csv" in err
        and "unrecognized arguments: --kolumn x" in err
    )
    with pytest.raises(SystemExit):
        main(["gazetteer", "info", "--bogus"])
    assert "usage: namelink gazetteer info" in capsys.readouterr().err


def test_gazetteer_info_and_export_take_the_path_as_an_argument_or_as_gazetteer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "tiny.jsonl"
    record = {"qid": "Q1", "label": "One", "type": "person", "names": {"ar": ["واحد"], "fa": ["یک", "یکی"]}}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    for argv in (["info", str(path)], ["info", "--gazetteer", str(path)]):
        code, out, _ = run(capsys, "gazetteer", *argv, "--json")
        info = json.loads(out)
        assert code == 0 and info["entities"] == 1 and info["languages"] == {"fa": 2, "ar": 1}
    for argv in (["export", str(path)], ["export", "--gazetteer", str(path)]):
        assert run(capsys, "gazetteer", *argv)[1].splitlines()[1:] == [
            "Q1\tOne\tperson\tar\tواحد",
            "Q1\tOne\tperson\tfa\tیک",
            "Q1\tOne\tperson\tfa\tیکی",
        ]
    code, _, err = run(capsys, "gazetteer", "info", str(path), "--gazetteer", str(tmp_path / "other"))
    assert code == 2 and "two gazetteers given" in err


def test_gazetteer_info_shows_counts_per_type_and_language_and_the_sources(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "gazetteer", "info")
    assert code == 0 and "types:     " in out and "person " in out
    assert "languages: en " in out and " ar " in out and "sources:" in out
    assert "gazetteers/curated/places.tsv: " in out and "licence:" in out
