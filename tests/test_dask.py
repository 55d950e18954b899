"""namelink.dask: link_column() on a real two-process LocalCluster, row for row
equal to namelink.pandas.link_series() in one process."""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TWINS as SHARED_TWINS

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from namelink import Gazetteer  # noqa: E402
from namelink.dask import GazetteerPlugin, link_column  # noqa: E402
from namelink.pandas import RESULT_COLUMNS, link_series  # noqa: E402

# The issue asks for at least a million rows; names repeat, as in real data.
ROWS = 1_000_000
DISTINCT = 3_000
PARTITIONS = 8
# Not names, to cover every status but "error" (a Dask string column turns a
# non-string into a string; link_series's errors are tested in test_pandas.py).
# Values that are no name, and one that two entities share (دبي: the city and the
# emirate), so that every status occurs.
ODD_VALUES = ["", "   ", None, "الرئيس", "xyzzy", "قال", "دبي"]
CUSTOM = SHARED_TWINS


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.fixture(scope="module")
def names_frame() -> pd.DataFrame:
    """A million rows drawn from a few thousand distinct names of the embedded
    gazetteer (every script and language it has) and a few non-names."""
    names = sorted(
        {name for e in Gazetteer.default().entities() for values in e.names.values() for name in values}
    )
    pool = names[:: max(1, len(names) // DISTINCT)][:DISTINCT] + ODD_VALUES
    picks = np.random.default_rng(20261122).integers(0, len(pool), ROWS)
    column = np.array(pool, dtype=object)[picks]
    # A shuffled, gappy index: the result must keep it, not renumber the rows.
    index = np.random.default_rng(7).permutation(ROWS * 2)[:ROWS]
    return pd.DataFrame({"name": column, "row": np.arange(ROWS)}, index=pd.Index(index, name="id"))


def worker_load_counts(client: Any) -> dict[str, dict[str, int]]:
    def counts() -> dict[str, int]:
        import namelink.loaded

        return dict(namelink.loaded._load_counts)

    return client.run(counts)  # type: ignore[no-any-return]


@pytest.mark.filterwarnings("ignore:Sending large graph")
def test_a_million_rows_on_two_worker_processes_equal_the_single_process_result_row_for_row(
    client: Any, names_frame: pd.DataFrame
) -> None:
    expected = link_series(names_frame["name"])
    # sort=False keeps the rows in their order, so the two frames compare as they are.
    ddf = dd.from_pandas(names_frame, npartitions=PARTITIONS, sort=False)
    result = link_column(ddf, "name")
    assert result.npartitions == PARTITIONS
    computed = result.compute()
    assert len(computed) == ROWS
    pd.testing.assert_frame_equal(computed[list(RESULT_COLUMNS)], expected)
    # The input columns come through untouched and in their rows.
    assert (computed["row"].to_numpy() == names_frame["row"].to_numpy()).all()
    assert set(expected["status"]) == {"linked", "ambiguous", "unlinked", "empty"}


@pytest.mark.filterwarnings("ignore:Sending large graph")
def test_linking_each_distinct_value_once_in_the_whole_column_gives_the_same_rows(
    client: Any, names_frame: pd.DataFrame
) -> None:
    sample = names_frame.iloc[::10]
    expected = link_series(sample["name"])
    ddf = dd.from_pandas(sample, npartitions=PARTITIONS, sort=False)
    result = link_column(ddf, "name", distinct="global").compute()
    pd.testing.assert_frame_equal(result[list(RESULT_COLUMNS)], expected)


def test_each_worker_process_loads_the_gazetteer_once_however_many_tasks_it_runs(client: Any) -> None:
    frame = pd.DataFrame({"name": ["بوتين", "جورجيا", "سمرقند", ""] * 50})
    link_column(dd.from_pandas(frame, npartitions=PARTITIONS), "name").compute()
    # Eight tasks on two workers: whichever ran several loaded the gazetteer once.
    loads = [counts.get("default", 0) for counts in worker_load_counts(client).values()]
    assert len(loads) == 2
    assert max(loads) == 1, loads


def test_a_task_carries_the_name_of_the_gazetteer_not_the_gazetteer() -> None:
    frame = pd.DataFrame({"name": ["بوتين"] * 4})
    result = link_column(dd.from_pandas(frame, npartitions=2), "name")
    graph = pickle.dumps(dict(result.__dask_graph__()))
    index = pickle.dumps(Gazetteer.default().index)
    assert len(graph) < 50_000 < len(index)


def test_a_custom_gazetteer_reaches_workers_that_cannot_read_its_path_through_the_plugin(
    client: Any, tmp_path: Path
) -> None:
    directory = tmp_path / "custom"
    directory.mkdir()
    (directory / "entities.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in CUSTOM), encoding="utf-8"
    )
    frame = pd.DataFrame({"name": ["سولو", "توامستان", "بوتين", None] * 25})
    expected = link_series(frame["name"], gazetteer=directory)
    client.register_plugin(GazetteerPlugin(directory))
    # Gone from the shared disk: only the plugin's copy can answer now.
    (directory / "entities.jsonl").unlink()
    result = link_column(dd.from_pandas(frame, npartitions=4), "name", gazetteer=directory).compute()
    pd.testing.assert_frame_equal(result[list(RESULT_COLUMNS)], expected)
    assert list(expected["status"][:4]) == ["linked", "ambiguous", "unlinked", "empty"]
    assert all(counts[str(directory)] == 1 for counts in worker_load_counts(client).values())


def test_registering_a_changed_gazetteer_again_replaces_what_the_workers_remember(
    client: Any, tmp_path: Path
) -> None:
    directory = tmp_path / "changing"
    directory.mkdir()
    frame = pd.DataFrame({"name": ["سولو"] * 40})
    ddf = dd.from_pandas(frame, npartitions=4)
    qids = []
    for qid in ("Q990000003", "Q990000004"):
        solo = {**CUSTOM[2], "qid": qid}
        (directory / "entities.jsonl").write_text(
            json.dumps(solo, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        client.register_plugin(GazetteerPlugin(directory))
        qids.append(set(link_column(ddf, "name", gazetteer=directory).compute()["qid"]))
    assert qids == [{"Q990000003"}, {"Q990000004"}]


def test_the_result_keeps_the_partitions_and_divisions_and_can_take_a_prefix() -> None:
    frame = pd.DataFrame({"name": ["بوتين", "جورجيا"] * 10, "qid": ["x"] * 20})
    ddf = dd.from_pandas(frame, npartitions=3)
    with pytest.raises(ValueError, match="prefix"):
        link_column(ddf, "name")
    result = link_column(ddf, "name", prefix="name_")
    assert result.npartitions == ddf.npartitions
    assert result.divisions == ddf.divisions
    assert list(result.columns) == ["name", "qid", *(f"name_{c}" for c in RESULT_COLUMNS)]
    computed = result.compute(scheduler="sync")
    assert list(computed["name_qid"][:2]) == ["Q7747", "Q230"]


def test_wrong_arguments_fail_when_the_graph_is_built_not_on_the_workers() -> None:
    ddf = dd.from_pandas(pd.DataFrame({"name": ["بوتين"]}), npartitions=1)
    with pytest.raises(KeyError, match="no column 'who'"):
        link_column(ddf, "who")
    with pytest.raises(ValueError, match="unknown types"):
        link_column(ddf, "name", types=["planet"])
    with pytest.raises(ValueError, match="between 0 and 1"):
        link_column(ddf, "name", threshold=-1)
    with pytest.raises(TypeError, match="dask DataFrame"):
        link_column(pd.DataFrame({"name": ["بوتين"]}), "name")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="distinct must be one of partition, global"):
        link_column(ddf, "name", distinct="everywhere")
    with pytest.raises(ValueError, match="built in memory"):
        link_column(ddf, "name", gazetteer=Gazetteer.from_records(CUSTOM))
