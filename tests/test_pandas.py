"""namelink.pandas: link_series() links a column, each distinct value once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import TWINS as SHARED_TWINS

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")

import namelink.loaded  # noqa: E402
from namelink import Gazetteer, link  # noqa: E402
from namelink.pandas import RESULT_COLUMNS, STATUSES, gazetteer_key, link_series, load_gazetteer  # noqa: E402

PUTIN, GEORGIA = "Q7747", "Q230"
# Two places of one name and nearly one popularity: link() refuses to choose
# between them although both clear the threshold, which is what "ambiguous" means.
TWINS = SHARED_TWINS


def write_gazetteer(directory: Path, records: list[dict[str, object]]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    (directory / "entities.jsonl").write_text(lines, encoding="utf-8")
    return directory


@pytest.fixture
def twins(tmp_path: Path) -> Path:
    return write_gazetteer(tmp_path / "twins", TWINS)


def test_the_result_has_the_five_columns_on_the_index_of_the_input() -> None:
    series = pd.Series(["بوتين", "جورجيا", "بوتين"], index=["c", "a", "b"], name="who")
    result = link_series(series)
    assert tuple(result.columns) == RESULT_COLUMNS == ("qid", "label", "score", "method", "status")
    assert list(result.index) == ["c", "a", "b"]
    assert list(result["qid"]) == [PUTIN, GEORGIA, PUTIN]
    assert list(result["status"]) == ["linked"] * 3
    assert str(result["score"].dtype) == "float64"


def test_every_row_agrees_with_link() -> None:
    names = ["بوتين", "پوتن", "كازاختسان", "وبوتين", "الرئيس", "Vladimir Putin", "xyzzy"]
    result = link_series(pd.Series(names))
    for name, (_, row) in zip(names, result.iterrows(), strict=True):
        expected = link(name)
        if expected is None:
            assert pd.isna(row["qid"]) and pd.isna(row["score"]) and pd.isna(row["method"])
        else:
            assert (row["qid"], row["label"], row["score"], row["method"]) == (
                expected.qid,
                expected.label,
                expected.score,
                expected.method,
            )


def test_a_misaligned_index_is_kept_so_that_join_puts_each_result_on_its_row() -> None:
    frame = pd.DataFrame({"name": ["جورجيا", "بوتين", ""]}, index=[30, 10, 20])
    joined = frame.join(link_series(frame["name"]))
    assert joined.loc[10, "qid"] == PUTIN
    assert joined.loc[30, "qid"] == GEORGIA
    assert joined.loc[20, "status"] == "empty"


def test_each_distinct_value_is_linked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = Gazetteer.decision  # the lookup behind classify()

    def counting(self: Gazetteer, name: str, *args: object, **kwargs: object) -> object:
        calls.append(name)
        return original(self, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Gazetteer, "decision", counting)
    series = pd.Series(["بوتين", "جورجيا", "سمرقند"] * 1000)
    result = link_series(series)
    assert sorted(calls) == sorted(["بوتين", "جورجيا", "سمرقند"])
    assert len(result) == 3000
    assert result["qid"].notna().all()


def test_missing_and_blank_values_are_empty_and_values_that_are_not_strings_are_errors() -> None:
    values = [None, np.nan, pd.NA, "", "   ", 42, 1.5, b"bytes", ["a", "list"], {"a": 1}, "بوتين"]
    result = link_series(pd.Series(values, dtype=object))
    expected = ["empty"] * 5 + ["error"] * 5 + ["linked"]
    assert list(result["status"]) == expected
    assert result["qid"].isna().sum() == 10


def test_a_name_two_entities_share_is_ambiguous_and_a_name_nothing_matches_is_unlinked(twins: Path) -> None:
    result = link_series(pd.Series(["توامستان", "سولو", "xyzzy"]), gazetteer=twins)
    assert list(result["status"]) == ["ambiguous", "linked", "unlinked"]
    assert pd.isna(result["qid"][0])
    assert result["qid"][1] == "Q990000003"


def test_every_status_is_in_the_shared_vocabulary() -> None:
    result = link_series(pd.Series(["بوتين", "xyzzy", "", 3, "الرئيس"], dtype=object))
    assert set(result["status"]) <= set(STATUSES)


def test_types_and_threshold_are_passed_to_link() -> None:
    series = pd.Series(["بوتين", "جورجيا"])
    as_places = [found.qid if found else "-" for found in (link(name, types=["place"]) for name in series)]
    assert as_places[0] != PUTIN
    assert list(link_series(series, types=["place"])["qid"].fillna("-")) == as_places
    # No score reaches 1.0, so a threshold of 1.0 links nothing; the best
    # candidate is then below the threshold too, so nothing is ambiguous either.
    assert list(link_series(series, threshold=1.0)["status"]) == ["unlinked", "unlinked"]


def test_a_gazetteer_is_given_as_a_path_a_string_or_a_loaded_gazetteer(twins: Path) -> None:
    series = pd.Series(["سولو", "بوتين"])
    for given in (twins, str(twins), Gazetteer.load(twins), Gazetteer.from_records(TWINS)):
        result = link_series(series, gazetteer=given)
        assert list(result["qid"].fillna("-")) == ["Q990000003", "-"]


def test_a_categorical_or_arrow_string_column_links_like_an_object_column() -> None:
    names = ["بوتين", None, "جورجيا", "بوتين"]
    expected = link_series(pd.Series(names, dtype=object))
    for dtype in ("category", "string"):
        pd.testing.assert_frame_equal(link_series(pd.Series(names, dtype=dtype)), expected)


def test_an_empty_series_gives_an_empty_frame_with_the_same_dtypes() -> None:
    empty = link_series(pd.Series([], dtype=object))
    full = link_series(pd.Series(["بوتين"]))
    assert len(empty) == 0
    assert empty.dtypes.to_dict() == full.dtypes.to_dict()


def test_wrong_arguments_fail_before_any_value_is_linked() -> None:
    series = pd.Series(["بوتين"])
    with pytest.raises(TypeError, match="pandas Series"):
        link_series(["بوتين"])  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown types"):
        link_series(series, types=["planet"])
    with pytest.raises(ValueError, match="between 0 and 1"):
        link_series(series, threshold=2)
    with pytest.raises(TypeError, match="gazetteer must be"):
        link_series(series, gazetteer=42)  # type: ignore[arg-type]


def test_a_gazetteer_path_is_loaded_once_per_process(twins: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(namelink.loaded, "_cache", {})
    loads: list[object] = []
    original = Gazetteer.load.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Gazetteer], path: object, **kwargs: object) -> Gazetteer:
        loads.append(path)
        return original(cls, path, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(Gazetteer, "load", classmethod(counting))
    first = load_gazetteer(twins)
    for spec in (str(twins), twins / ".." / "twins"):
        assert load_gazetteer(spec) is first
    link_series(pd.Series(["سولو"]), gazetteer=str(twins))
    assert len(loads) == 1


def test_the_embedded_gazetteer_is_named_default_and_a_path_by_its_absolute_form(twins: Path) -> None:
    assert gazetteer_key(None) == gazetteer_key("default") == gazetteer_key(Gazetteer.default()) == "default"
    assert gazetteer_key(twins) == str(twins.resolve())
    with pytest.raises(ValueError, match="built in memory"):
        gazetteer_key(Gazetteer.from_records(TWINS))
