"""namelink.evaluate and namelink.evalsuite: gold files, the open-world suite, its baselines.

The suite's tests run on tiny gazetteers and tiny TSVs written here; the QIDs
are synthetic (beyond Wikidata's range): project test data, not facts. Only
the last tests read tests/data/eval, to check that its files keep their format
and their split, and that the suite runs on them.
"""

from __future__ import annotations

import csv
import hashlib
import json
import sys
import time
from pathlib import Path

import pytest
from conftest import DATA

from namelink import Gazetteer, normalize
from namelink.baselines import Baselines
from namelink.cli import main
from namelink.evalsuite import BY_LANG_MIN_ROWS, FILES, SuiteError, evaluate_suite, held_out, read_rows
from namelink.evaluate import GoldRow, evaluate, read_gold

SUITE = DATA / "eval"

DAMASCUS = "Q990000101"
PUTIN = "Q990000102"
KAZAKHSTAN = "Q990000103"
ELSEWHERE = "Q990000199"  # a QID no tiny gazetteer here holds

RECORDS: list[dict[str, object]] = [
    {"qid": DAMASCUS, "label": "Damascus", "type": "place", "names": {"ar": ["دمشق"]}, "popularity": 100},
    {
        "qid": PUTIN,
        "label": "Vladimir Putin",
        "type": "person",
        "names": {"ar": ["فلاديمير بوتين"]},
        "popularity": 200,
    },
    {
        "qid": KAZAKHSTAN,
        "label": "Kazakhstan",
        "type": "place",
        "names": {"ar": ["كازاخستان"]},
        "popularity": 100,
    },
]


@pytest.fixture(scope="module")
def tiny() -> Gazetteer:
    return Gazetteer.from_records(RECORDS)


def write(folder: Path, name: str, header: str, *rows: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


# --- the split ---------------------------------------------------------------------------------


def test_held_out_is_the_shared_formula_and_deals_both_halves() -> None:
    keys = [f"Q{n}" for n in range(1, 201)] + [normalize(w) for w in ("من", "إلى", "لا", "میں")]
    for key in keys:
        digest = hashlib.sha256(("namelink-split-1:" + key).encode("utf-8")).digest()
        assert held_out(key) == (digest[0] % 2 == 1)
    share = sum(map(held_out, keys)) / len(keys)
    assert 0.35 < share < 0.65


def test_the_split_column_decides_which_rows_are_counted(tmp_path: Path, tiny: Gazetteer) -> None:
    write(tmp_path, "words.tsv", "text\tlang\tzipf\tsplit", "ودمشق\tar\t3\ttest", "كتاب\tar\t5\tfit")
    by_split = {
        split: evaluate_suite(tmp_path, tiny, split).file("words.tsv").figure("false-link rate ↓").namelink
        for split in ("test", "fit", "all")
    }
    assert (by_split["test"].hits, by_split["test"].total) == (1, 1)
    assert (by_split["fit"].hits, by_split["fit"].total) == (0, 1)
    assert (by_split["all"].hits, by_split["all"].total) == (1, 2)


def test_an_unknown_split_value_is_an_error_that_names_the_line(tmp_path: Path, tiny: Gazetteer) -> None:
    write(tmp_path, "words.tsv", "text\tlang\tzipf\tsplit", "كتاب\tar\t5\ttest", "قلم\tar\t4\tdev")
    with pytest.raises(SuiteError, match=r"words.tsv:3: split is 'dev'"):
        evaluate_suite(tmp_path, tiny)


def test_a_directory_without_suite_files_is_an_error(tmp_path: Path, tiny: Gazetteer) -> None:
    with pytest.raises(SuiteError, match="none of"):
        evaluate_suite(tmp_path, tiny)


# --- words and given names -----------------------------------------------------------------------


def test_a_word_that_links_is_a_false_link_and_an_exact_gazetteer_name_is_excluded(
    tmp_path: Path, tiny: Gazetteer
) -> None:
    write(
        tmp_path,
        "words.tsv",
        "text\tlang\tzipf\tsplit",
        "ودمشق\tar\t3\ttest",  # و + Damascus: namelink strips the clitic and links it
        "كتاب\tar\t5\ttest",  # "book": nothing links it
        "دمشق\tar\t4\ttest",  # exactly a gazetteer name: excluded, counted apart
    )
    report = evaluate_suite(tmp_path, tiny).file("words.tsv")
    figure = report.figure("false-link rate ↓")
    assert (figure.namelink.hits, figure.namelink.total) == (1, 2)
    assert figure.exact is not None and (figure.exact.hits, figure.exact.total) == (0, 2)
    assert dict(report.notes) == {
        "excluded: normal form is exactly a gazetteer name": 1,
        "excluded rows namelink links": 1,
    }
    assert [(e.text, e.got, e.got_label) for e in report.errors] == [("ودمشق", DAMASCUS, "Damascus")]


def test_words_are_also_counted_per_language_when_a_language_has_enough_rows(
    tmp_path: Path, tiny: Gazetteer
) -> None:
    rows = [f"ودمشق{'ا' * n}\tar\t3\ttest" for n in range(BY_LANG_MIN_ROWS)] + ["كتاب\tfa\t5\ttest"]
    write(tmp_path, "words.tsv", "text\tlang\tzipf\tsplit", *rows)
    report = evaluate_suite(tmp_path, tiny).file("words.tsv")
    names = [f.name for f in report.figures]
    assert names == ["false-link rate ↓", "false-link rate, ar ↓"]  # fa has one row: no figure of its own
    assert report.figure("false-link rate, ar ↓").namelink.total == BY_LANG_MIN_ROWS


def test_given_names_are_measured_like_words(tmp_path: Path, tiny: Gazetteer) -> None:
    write(
        tmp_path, "given_names.tsv", "text\tlang\tsource\tsplit", "ودمشق\tar\tx\ttest", "ليديا\tar\tx\ttest"
    )
    figure = evaluate_suite(tmp_path, tiny).file("given_names.tsv").figure("false-link rate ↓")
    assert (figure.namelink.hits, figure.namelink.total) == (1, 2)


# --- people ------------------------------------------------------------------------------------


def test_whether_a_person_is_a_positive_is_decided_by_the_gazetteer_being_measured(tmp_path: Path) -> None:
    write(tmp_path, "people.tsv", "qid\ttext\tlang\tsource\tsplit", f"{PUTIN}\tفلاديمير بوتين\tar\tx\ttest")
    known = evaluate_suite(tmp_path, Gazetteer.from_records(RECORDS)).file("people.tsv")
    assert known.figure("accuracy@1, in gazetteer ↑").namelink.hits == 1
    assert known.figure("false-link rate, not in gazetteer ↓").namelink.total == 0
    # A gazetteer that gives the same name to another QID: now the row must stay unlinked.
    impostor = [{**RECORDS[1], "qid": ELSEWHERE, "label": "Someone else"}]
    unknown = evaluate_suite(tmp_path, Gazetteer.from_records(impostor)).file("people.tsv")
    figure = unknown.figure("false-link rate, not in gazetteer ↓")
    assert (figure.namelink.hits, figure.namelink.total) == (1, 1)
    assert unknown.figure("accuracy@1, in gazetteer ↑").namelink.total == 0
    assert [(e.expected, e.got, e.got_label) for e in unknown.errors] == [("", ELSEWHERE, "Someone else")]


# --- variants ----------------------------------------------------------------------------------


def test_variants_count_accuracy_at_1_and_5_and_skip_qids_the_gazetteer_lacks(
    tmp_path: Path, tiny: Gazetteer
) -> None:
    write(
        tmp_path,
        "variants.tsv",
        "qid\ttext\tlang\tsource\tsplit",
        f"{KAZAKHSTAN}\tقازاخستان\tar\tx\ttest",  # links (consonant key)
        f"{DAMASCUS}\tدمسق\tar\tx\ttest",  # abstains, but is the first candidate
        f"{DAMASCUS}\tكازاخستان\tar\tx\ttest",  # links to the wrong QID
        f"{ELSEWHERE}\tطهران\tar\tx\ttest",  # not in this gazetteer: skipped
    )
    report = evaluate_suite(tmp_path, tiny).file("variants.tsv")
    counts = {f.name: (f.namelink.hits, f.namelink.total) for f in report.figures}
    assert counts == {"accuracy@1 ↑": (1, 3), "accuracy@5 ↑": (2, 3), "false-link rate (wrong QID) ↓": (1, 3)}
    assert dict(report.notes)["skipped: QID not in gazetteer"] == 1
    assert dict(report.notes)["now exactly a name of its entity"] == 0


# --- the baselines -----------------------------------------------------------------------------


def test_the_exact_baseline_links_only_a_normal_form_exactly_one_entity_has() -> None:
    twins = [
        {"qid": f"Q99000021{n}", "label": f"Twin {n}", "type": "place", "names": {"ar": ["توامستان"]}}
        for n in (1, 2)
    ]
    baselines = Baselines(Gazetteer.from_records([*RECORDS, *twins]))
    assert baselines.exact("دِمَشق") == DAMASCUS  # harakat go in normalize()
    assert baselines.exact("ودمشق") is None  # no clitic stripping
    assert baselines.exact("توامستان") is None  # two entities: no link
    assert baselines.exact_top("توامستان") == ["Q990000211", "Q990000212"]


def test_the_fuzzy_baseline_links_to_the_best_name_at_ratio_90_or_more(tiny: Gazetteer) -> None:
    baselines = Baselines(tiny)
    # one letter off in 14 (ratio 92.9) links; one letter off in 4 (ratio 75) does not
    assert baselines.fuzzy_many(["فلاديمير بوتن", "دمسق", ""]) == [PUTIN, None, None]
    assert baselines.fuzzy_top(["دمسق"])[0][0] == DAMASCUS


def test_the_fuzzy_baseline_gives_the_same_answers_without_numpy(
    tiny: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    baselines = Baselines(tiny)
    queries = ["فلاديمير بوتن", "دمسق", "كازاخستن", "كتاب"]
    with_numpy = (baselines.fuzzy_many(queries), baselines.fuzzy_top(queries))
    monkeypatch.setitem(sys.modules, "numpy", None)  # import numpy now raises ImportError
    assert (baselines.fuzzy_many(queries), baselines.fuzzy_top(queries)) == with_numpy


def test_the_exact_baseline_in_text_takes_the_longest_name() -> None:
    records = [
        *RECORDS,
        {"qid": "Q990000104", "label": "Putin (short)", "type": "person", "names": {"ar": ["بوتين"]}},
    ]
    text = "وصل فلاديمير بوتين إلى دمشق"
    found = Baselines(Gazetteer.from_records(records)).exact_text(text)
    assert [(text[s:e], qid) for s, e, qid in found] == [("فلاديمير بوتين", PUTIN), ("دمشق", DAMASCUS)]


# --- running text ------------------------------------------------------------------------------


def test_in_text_a_mention_counts_only_with_its_span_and_qid(tmp_path: Path, tiny: Gazetteer) -> None:
    text = "وصل فلاديمير بوتين أمس"
    write(
        tmp_path,
        "text.tsv",
        "id\tlang\ttext\tstart\tend\tqid\tsplit",
        f"m1\tar\t{text}\t4\t18\t{PUTIN}\ttest",  # the whole name: found
        f"m2\tar\t{text}\t13\t18\t{PUTIN}\ttest",  # only بوتين: not the span link_text gives
        f"m3\tar\t{text}\t4\t18\t{DAMASCUS}\ttest",  # the wrong QID
    )
    figure = evaluate_suite(tmp_path, tiny).file("text.tsv").figure("marked mentions found (QID and span) ↑")
    assert (figure.namelink.hits, figure.namelink.total) == (1, 3)
    assert figure.exact is not None and figure.exact.hits == 1


def test_in_ordinary_text_links_are_false_but_exact_names_are_counted_apart(
    tmp_path: Path, tiny: Gazetteer
) -> None:
    # 7 words; فلاديمير بوتين is exactly a name (apart), the later بوتين is linked
    # through the document (method "document"): a false link in text with no marked mention.
    write(
        tmp_path,
        "text.tsv",
        "id\tlang\ttext\tstart\tend\tqid\tsplit",
        "p1\tar\tوصل فلاديمير بوتين ثم قال بوتين كلمته\t\t\t\ttest",
    )
    report = evaluate_suite(tmp_path, tiny).file("text.tsv")
    per_1000 = report.figure("false links per 1,000 tokens ↓")
    assert (per_1000.namelink.hits, per_1000.namelink.total) == (1, 7)
    assert per_1000.namelink.rate == pytest.approx(1000 / 7)
    share = report.figure("share of tokens in a false link ↓")
    assert (share.namelink.hits, share.namelink.total) == (1, 7)
    apart = report.figure("exact-name links per 1,000 tokens (apart)")
    assert apart.namelink.hits == 1
    assert apart.exact is not None and apart.exact.hits == 1
    assert per_1000.exact is not None and per_1000.exact.hits == 0


# --- the report and the command ----------------------------------------------------------------


def suite_dir(folder: Path) -> Path:
    write(folder, "words.tsv", "text\tlang\tzipf\tsplit", "ودمشق\tar\t3\ttest", "كتاب\tar\t5\ttest")
    write(folder, "variants.tsv", "qid\ttext\tlang\tsource\tsplit", f"{KAZAKHSTAN}\tقازاخستان\tar\tx\ttest")
    return folder


def gazetteer_file(folder: Path) -> Path:
    path = folder / "tiny.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS), encoding="utf-8")
    return path


def test_namelink_eval_suite_prints_a_markdown_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, gazetteer = suite_dir(tmp_path / "suite"), gazetteer_file(tmp_path)
    assert main(["eval", "--suite", str(folder), "--gazetteer", str(gazetteer)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "| file | figure | n | namelink | exact | fuzzy ≥ 90 |"
    assert "| words.tsv | false-link rate ↓ | 2 | 0.500 (1) | 0.000 (0) | 0.000 (0) |" in lines
    assert "| variants.tsv | accuracy@1 ↑ | 1 | 1.000 (1) | 0.000 (0) | 0.000 (0) |" in lines


def test_namelink_eval_suite_json_gives_every_figure_for_every_system(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, gazetteer = suite_dir(tmp_path / "suite"), gazetteer_file(tmp_path)
    assert main(["eval", "--suite", str(folder), "--gazetteer", str(gazetteer), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    words = report["files"]["words.tsv"]
    assert words["figures"]["false-link rate ↓"]["namelink"] == {"hits": 1, "total": 2, "rate": 0.5}
    assert set(report["files"]["variants.tsv"]["figures"]["accuracy@5 ↑"]) == {"namelink", "exact", "fuzzy"}
    assert words["errors"] == [
        {"text": "ودمشق", "expected": "", "expected_label": "", "got": DAMASCUS, "got_label": "Damascus"}
    ]


def test_namelink_eval_wants_a_gold_file_or_a_suite_not_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["eval"]) == 2
    assert "--suite" in capsys.readouterr().err
    assert main(["eval", str(DATA / "test_gold.tsv"), "--suite", str(tmp_path)]) == 2
    assert "not both" in capsys.readouterr().err


# --- gold files --------------------------------------------------------------------------------


def test_a_nil_row_the_word_lists_decide_is_counted_apart(tiny: Gazetteer) -> None:
    gold = [GoldRow("كتاب", ""), GoldRow("ودمشق", ""), GoldRow("دمشق", DAMASCUS)]
    report = evaluate(gold, tiny, words=frozenset({normalize("كتاب")}))
    assert (report.rows, report.nil, report.word_list_nil, report.word_list_nil_linked) == (2, 1, 1, 0)
    assert report.nil_recall == 0.0  # ودمشق is linked; كتاب no longer props the figure up
    assert report.summary()["word_list_nil"] == {"rows": 1, "linked": 0}


def test_the_error_list_shows_labels_beside_qids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    gold = tmp_path / "gold.tsv"
    gold.write_text("name\tqid\nكازاخستان\tQ990000101\n", encoding="utf-8")
    assert main(["eval", str(gold), "--gazetteer", str(gazetteer_file(tmp_path))]) == 0
    assert "  كازاخستان\tQ990000101 Damascus\tQ990000103 Kazakhstan\t" in capsys.readouterr().out


def test_a_gold_file_can_be_read_in_another_encoding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gold = tmp_path / "gold.tsv"
    gold.write_bytes("name\tqid\nدمشق\tQ990000101\n".encode("cp1256"))
    assert read_gold(gold, encoding="cp1256") == [GoldRow("دمشق", DAMASCUS)]
    assert (
        main(["eval", str(gold), "--encoding", "cp1256", "--gazetteer", str(gazetteer_file(tmp_path))]) == 0
    )
    assert main(["eval", str(gold)]) == 2  # not UTF-8
    assert "cannot read as utf-8-sig" in capsys.readouterr().err
    assert main(["eval", str(gold), "--encoding", "no-such-codec"]) == 2
    assert "unknown encoding" in capsys.readouterr().err


# --- tests/data/eval ---------------------------------------------------------------------------


def split_key(file: str, row: dict[str, str]) -> str:
    if file in ("words.tsv", "given_names.tsv"):
        return normalize(row["text"])
    return row["qid"] or normalize(row["text"])


@pytest.mark.parametrize("file", list(FILES))
def test_every_row_of_the_shipped_suite_is_in_the_half_its_key_deals_it(file: str) -> None:
    columns, _ = FILES[file]
    rows = read_rows(SUITE / file, columns, "all")
    assert rows, f"{file} is empty"
    wrong = [row for row in rows if row["split"] != ("test" if held_out(split_key(file, row)) else "fit")]
    assert wrong == []


def test_marked_mentions_of_the_shipped_text_file_are_spans_of_their_text() -> None:
    rows = read_rows(SUITE / "text.tsv", ("text", "start", "end", "qid"), "all")
    marked = [row for row in rows if row["qid"]]
    variants = {(r["qid"], r["text"]) for r in read_rows(SUITE / "variants.tsv", ("qid", "text"), "all")}
    assert marked
    assert all((row["qid"], row["text"][int(row["start"]) : int(row["end"])]) in variants for row in marked)


def test_the_suite_runs_on_a_sample_of_the_shipped_files_with_the_default_gazetteer(tmp_path: Path) -> None:
    for file in FILES:
        with (SUITE / file).open(encoding="utf-8", newline="") as f:
            lines = f.readlines()
        test_rows = [line for line in lines[1:] if line.rstrip("\n").endswith("\ttest")]
        (tmp_path / file).write_text(lines[0] + "".join(test_rows[:150]), encoding="utf-8")
    start = time.perf_counter()
    report = evaluate_suite(tmp_path, Gazetteer.default())
    assert time.perf_counter() - start < 20.0
    assert [r.file for r in report.files] == list(FILES)
    assert all(r.rows == 150 for r in report.files)
    rows = list(csv.reader(report.table().splitlines()[2:], delimiter="|"))
    assert len([row for row in rows if len(row) > 3]) == sum(len(r.figures) for r in report.files)
