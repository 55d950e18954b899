"""The gazetteer builder, end to end against a real SPARQL server (Oxigraph on 127.0.0.1).

The server is loaded with tests/data/wikidata_fixture.ttl, a Wikidata-shaped
graph of a few dozen entities. Fault tests put tests/build_support.FaultProxy
in front of it. Nothing here needs the internet.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from build_support import (
    FaultProxy,
    Sleeps,
    SparqlServer,
    oxigraph_executable,
    proxy_for,
    quick_client,
    start_oxigraph,
)

from namelink import Gazetteer, __version__
from namelink.records import read_manifest, read_records
from namelink.wikidata import output as output_module
from namelink.wikidata.builder import BuildConfig, BuildStopped, build, entity_type, write_gazetteer
from namelink.wikidata.commands import main as gazetteer_main
from namelink.wikidata.commands import register
from namelink.wikidata.scopes import Scope, ScopeError, parse_scope, split_prologue
from namelink.wikidata.sparql import ClientSettings, SparqlClient, parse_retry_after, user_agent

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "data" / "wikidata_fixture.ttl"
QUERIES = ROOT / "namelink" / "wikidata" / "queries"

# What each scope selects in the fixture (see the comments there).
EXPECTED = {
    "countries": {"Q148", "Q159", "Q990000001", "Q990000002"},
    "cities": {"Q990000021", "Q990000022"},
    "cities:50000": {"Q990000021", "Q990000022", "Q990000023"},
    "heads:Q990000001": {"Q990000012", "Q990000013", "Q990000014", "Q990000015"},
    "heads:Q159": {"Q7747"},
    "heads:world": {"Q7747", "Q15031", "Q990000012", "Q990000013", "Q990000014", "Q990000015"},
    "ministers:Q159": {"Q990000031", "Q990000032", "Q990000045"},
    "ministers:Q990000001": {"Q990000033"},
    "mps:Q159": {"Q990000041", "Q990000042", "Q990000043"},
    "mps:Q990000001": {"Q990000044", "Q990000045"},
    "orgs": {"Q1065", "Q990000051"},
}
# A build over these scopes: 21 ids, of which Q990000043 has no name in ar/fa.
ALL_SCOPES = ("countries", "cities", "heads:world", "ministers:Q159", "mps:Q159", "mps:Q990000001", "orgs")
ALL_IDS = set().union(*(EXPECTED[s] for s in ALL_SCOPES))
NAMED_IDS = ALL_IDS - {"Q990000043"}

needs_oxigraph = pytest.mark.skipif(
    oxigraph_executable() is None, reason="the oxigraph command is not installed (pip install oxigraph)"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparqlServer]:
    if oxigraph_executable() is None:
        pytest.skip("the oxigraph command is not installed (pip install oxigraph)")
    running = start_oxigraph([FIXTURE], tmp_path_factory.mktemp("oxigraph"))
    yield running
    running.stop()


@pytest.fixture
def proxy(server: SparqlServer) -> Iterator[FaultProxy]:
    with proxy_for(server.url, retry_after="1", stall_seconds=3.0) as running:
        yield running


def config(out: Path, *scopes: str, batch_size: int = 200, limit: int | None = None) -> BuildConfig:
    return BuildConfig(
        scopes=tuple(parse_scope(s) for s in scopes or ALL_SCOPES),
        languages=("ar", "fa"),
        out=out,
        batch_size=batch_size,
        limit=limit,
    )


def build_args(endpoint: str, cache: Path, out: Path, *scopes: str, extra: tuple[str, ...] = ()) -> list[str]:
    argv = ["build", "--endpoint", endpoint, "--cache-dir", str(cache), "--out", str(out), "--pause", "0"]
    for scope in scopes or ALL_SCOPES:
        argv += ["--scope", scope]
    return [*argv, "--lang", "ar,fa", *extra]


def qids_in(out: Path) -> set[str]:
    return {record["qid"] for record in read_records(out)}


def ids_asked(query: str) -> list[str]:
    values = re.search(r"VALUES \?item \{([^}]*)\}", query)
    return re.findall(r"wd:(Q\d+)", values.group(1)) if values else []


# --- Scopes and queries (no server) ------------------------------------------------------------


def test_a_scope_is_written_as_a_kind_and_an_optional_argument() -> None:
    assert parse_scope("cities").params == (("min_population", "100000"),)
    assert parse_scope("cities:50_000").params == (("min_population", "50000"),)
    assert parse_scope("heads:q159").params == (("country", "wd:Q159"),)
    assert parse_scope("heads:world").params == ()
    assert parse_scope("mps:Q159").fallback_type == "person"
    assert parse_scope("orgs").fallback_type == "org"


@pytest.mark.parametrize(
    ("spec", "advice"),
    [
        ("towns", "use one of"),
        ("cities:many", "cities:100000"),
        ("ministers:Russia", "ministers:Q159"),
        ("heads", "heads:Q159"),
        ("sparql:", "sparql:my_scope.rq"),
        ("sparql:/no/such/file.rq", "cannot read"),
    ],
)
def test_a_scope_that_cannot_be_understood_says_how_to_write_it(spec: str, advice: str) -> None:
    with pytest.raises(ScopeError, match=re.escape(advice)):
        parse_scope(spec)


def test_a_custom_query_must_select_item(tmp_path: Path) -> None:
    query = tmp_path / "people.rq"
    query.write_text("SELECT ?person WHERE { ?person wdt:P31 wd:Q5 }")
    with pytest.raises(ScopeError, match=r"projects \?item"):
        parse_scope(f"sparql:{query}")


def test_a_custom_query_written_for_wdqs_gets_the_prefixes_it_uses_but_did_not_declare(
    tmp_path: Path,
) -> None:
    query = tmp_path / "humans.rq"
    query.write_text(
        "PREFIX wd: <http://www.wikidata.org/entity/>\nSELECT ?item WHERE { ?item wdt:P31 wd:Q5 }\n"
    )
    text = parse_scope(f"sparql:{query}").query()
    assert "PREFIX wdt: <http://www.wikidata.org/prop/direct/>" in text
    assert text.count("PREFIX wd:") == 1
    assert "PREFIX rdfs:" not in text


def test_a_limit_wraps_the_enumeration_in_a_subquery_after_the_prefixes() -> None:
    text = parse_scope("mps:Q159").query(limit=7)
    prologue, body = split_prologue(text)
    assert "PREFIX wdt:" in prologue and "SELECT" not in prologue
    assert body.startswith("SELECT ?item WHERE {") and body.rstrip().endswith("LIMIT 7")


def test_every_query_file_is_documented_plain_sparql_without_the_label_service() -> None:
    files = sorted(QUERIES.glob("*.rq"))
    assert {f.name for f in files} >= {"fetch.rq", "countries.rq", "cities.rq", "orgs.rq", "mps.rq"}
    for file in files:
        text = file.read_text(encoding="utf-8")
        assert text.startswith("# "), f"{file.name} has no header comment"
        assert "wikibase:label" not in text.split("\nPREFIX", 1)[1]
        assert "SERVICE" not in text and "hint:" not in text and "bd:" not in text
        if file.name != "fetch.rq":
            assert re.search(r"SELECT DISTINCT \?item WHERE", text), file.name


@pytest.mark.parametrize(
    ("classes", "kind"),
    [
        (["Q5"], "person"),
        (["Q515", "Q1549591"], "place"),
        (["Q484652"], "org"),
        (["Q43229", "Q515"], "place"),
        (["Q990000900"], "other"),
        ([], "other"),
    ],
)
def test_the_type_comes_from_the_p31_classes(classes: list[str], kind: str) -> None:
    assert entity_type(classes) == kind


def test_an_unlisted_class_takes_the_type_of_the_scope_that_found_it() -> None:
    assert entity_type(["Q990000900"], "place") == "place"
    assert entity_type(["Q5"], "place") == "person"


def test_retry_after_is_read_as_seconds_or_as_an_http_date() -> None:
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_the_user_agent_names_namelink_its_version_and_the_contact() -> None:
    agent = user_agent("ops@example.org")
    assert agent.startswith(f"namelink/{__version__} (ops@example.org) Python/3.")


def test_importing_namelink_never_imports_the_builder_and_the_commands_import_no_sparql_library() -> None:
    code = (
        "import sys, namelink\n"
        "assert not [m for m in sys.modules if m.startswith('namelink.wikidata')], 'imported the builder'\n"
        "import namelink.cli, namelink.wikidata.commands\n"
        "namelink.cli.build_parser()\n"
        "assert not {'namelink.wikidata.sparql', 'namelink.wikidata.store'} & set(sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, env=env)


def test_register_adds_build_count_and_merge_to_the_gazetteer_group_of_the_cli() -> None:
    from namelink.cli import build_parser

    def subcommands(parser: argparse.ArgumentParser) -> Any:
        return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))

    parser = build_parser()
    actions = subcommands(subcommands(parser).choices["gazetteer"])
    if "build" not in actions.choices:  # until namelink.cli calls register() itself
        register(actions)
    args = parser.parse_args(["gazetteer", "build", "--scope", "countries", "--out", "g", "--limit", "5"])
    assert args.run.__name__ == "cmd_build" and args.limit == 5 and args.lang == ("ar", "fa", "ur", "en")
    assert parser.parse_args(["gazetteer", "count", "--scope", "orgs"]).run.__name__ == "cmd_count"
    assert parser.parse_args(["gazetteer", "merge", "a", "b", "--out", "c"]).run.__name__ == "cmd_merge"


def test_a_public_endpoint_needs_a_contact(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["build", "--scope", "orgs", "--out", str(tmp_path / "g"), "--cache-dir", str(tmp_path / "c")]
    assert gazetteer_main(argv) == 2
    assert "--contact EMAIL" in capsys.readouterr().err
    assert not (tmp_path / "g").exists()


# --- Against the server ------------------------------------------------------------------------


@needs_oxigraph
@pytest.mark.parametrize("spec", sorted(EXPECTED))
def test_each_scope_selects_exactly_its_fixture_ids(server: SparqlServer, tmp_path: Path, spec: str) -> None:
    with quick_client(server.url, tmp_path) as client:
        rows = client.select(parse_scope(spec).query()).bindings
    assert {row["item"]["value"].rsplit("/", 1)[1] for row in rows} == EXPECTED[spec]


@needs_oxigraph
def test_count_sizes_each_scope_without_fetching_it(
    proxy: FaultProxy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["count", "--endpoint", proxy.url, "--cache-dir", str(tmp_path), "--pause", "0"]
    code = gazetteer_main([*argv, "--scope", "heads:world", "--scope", "mps:Q159"])
    assert code == 0
    assert capsys.readouterr().out.splitlines() == ["heads:world\t6", "mps:Q159\t3"]
    assert all("COUNT(DISTINCT ?item)" in query for query in proxy.queries())


@needs_oxigraph
def test_a_build_writes_a_gazetteer_that_gazetteer_load_can_link(proxy: FaultProxy, tmp_path: Path) -> None:
    out = tmp_path / "mine"
    assert (
        gazetteer_main(build_args(proxy.url, tmp_path / "cache", out, extra=("--contact", "me@example.org")))
        == 0
    )
    assert qids_in(out) == NAMED_IDS
    records = {r["qid"]: r for r in read_records(out)}
    putin = records["Q7747"]
    assert putin["label"] == "Vladimir Putin" and putin["type"] == "person" and putin["classes"] == ["Q5"]
    assert putin["names"] == {
        "ar": ["فلاديمير بوتين", "بوتين", "فلاديمير بوتن"],
        "fa": ["ولادیمیر پوتین", "پوتین"],
    }
    assert putin["popularity"] == 250  # sitelinks on the item, as on WDQS
    # the compiled index is written beside the entities: the gazetteer opens without a compile
    assert (out / "entities.index").is_file()
    assert records["Q15031"]["popularity"] == 200  # sitelinks on the data node, as in the dumps
    assert records["Q990000012"]["names"]["mul"] == ["Samir Fixturi"]
    assert records["Q990000022"]["type"] == "place"  # a subclass of city, found by the cities scope
    assert records["Q990000021"]["description"] == "synthetic test city"

    gazetteer = Gazetteer.load(out, cache_dir=tmp_path / "index")
    assert gazetteer.link("بوتين").qid == "Q7747"  # type: ignore[union-attr]
    assert gazetteer.link("لیلا تستیه").qid == "Q990000013"  # type: ignore[union-attr]
    assert gazetteer.link("نادية ستوباني", types={"person"}).qid == "Q990000015"  # type: ignore[union-attr]

    manifest = read_manifest(out)
    assert manifest["endpoint"] == proxy.url and manifest["languages"] == ["ar", "fa"]
    assert manifest["counts"]["entities"] == len(NAMED_IDS) and manifest["counts"]["enumerated"] == len(
        ALL_IDS
    )
    assert manifest["no_names"] == ["Q990000043"] and manifest["failed"] == []
    assert (
        set(manifest["queries"]["enumerate"]) == set(ALL_SCOPES)
        and "{{items}}" in manifest["queries"]["fetch"]
    )
    assert manifest["versions"]["namelink"] == __version__ and "sqlite" in manifest["versions"]
    assert all(entry.user_agent.startswith(f"namelink/{__version__} (me@example.org)") for entry in proxy.log)


@needs_oxigraph
def test_the_built_gazetteer_works_with_the_gazetteer_flag_of_the_cli(
    proxy: FaultProxy, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from namelink.cli import main as cli_main

    monkeypatch.setenv("NAMELINK_CACHE_DIR", str(tmp_path / "namelink-cache"))
    out = tmp_path / "fixturia"
    assert gazetteer_main(build_args(proxy.url, tmp_path / "cache", out, "heads:Q990000001")) == 0
    capsys.readouterr()
    assert cli_main(["link", "--gazetteer", str(out), "سمير فكستوري"]) == 0
    assert capsys.readouterr().out.split("\t")[1] == "Q990000012"


@needs_oxigraph
def test_a_custom_sparql_scope_lists_missing_and_redirected_ids_in_the_manifest(
    proxy: FaultProxy, tmp_path: Path
) -> None:
    query = tmp_path / "mine.rq"
    query.write_text(
        "# Three ids: one real, one merged into it, one that does not exist.\n"
        "SELECT ?item WHERE { VALUES ?item { wd:Q990000045 wd:Q990000046 wd:Q990000999 } }\n",
        encoding="utf-8",
    )
    out = tmp_path / "custom"
    assert gazetteer_main(build_args(proxy.url, tmp_path / "cache", out, f"sparql:{query}")) == 0
    assert qids_in(out) == {"Q990000045"}
    manifest = read_manifest(out)
    assert manifest["missing"] == ["Q990000999"]
    assert manifest["redirected"] == {"Q990000046": "Q990000045"}


@needs_oxigraph
def test_rebuilding_the_same_scope_sends_no_request_and_writes_the_same_entities(
    proxy: FaultProxy, tmp_path: Path
) -> None:
    out = tmp_path / "g"
    assert gazetteer_main(build_args(proxy.url, tmp_path / "cache", out, extra=("--batch-size", "5"))) == 0
    first = (out / "entities.jsonl").read_bytes()
    sent = len(proxy.log)
    assert sent == len(ALL_SCOPES) + 5  # one enumeration per scope, 21 ids in batches of 5
    assert gazetteer_main(build_args(proxy.url, tmp_path / "cache", out, extra=("--batch-size", "5"))) == 0
    assert len(proxy.log) == sent
    assert (out / "entities.jsonl").read_bytes() == first
    assert read_manifest(out)["requests"] == {"sent": 0, "from_cache": sent, "retries": 0}


@needs_oxigraph
def test_refresh_zero_days_fetches_everything_again(proxy: FaultProxy, tmp_path: Path) -> None:
    argv = build_args(proxy.url, tmp_path / "cache", tmp_path / "g", "orgs")
    assert gazetteer_main(argv) == 0 and len(proxy.log) == 2
    assert gazetteer_main(argv) == 0 and len(proxy.log) == 2
    assert gazetteer_main([*argv, "--refresh", "0"]) == 0 and len(proxy.log) == 4


@needs_oxigraph
def test_refresh_ignores_cached_responses_older_than_the_given_days(
    server: SparqlServer, tmp_path: Path
) -> None:
    day = 86_400.0
    clock = [1_000_000.0]

    def client(max_age_days: float | None) -> SparqlClient:
        max_age = None if max_age_days is None else max_age_days * day
        settings = ClientSettings(endpoint=server.url, pause=0, backoff=0, max_age=max_age)
        return SparqlClient(settings, tmp_path, sleep=Sleeps(), now=lambda: clock[0])

    query = parse_scope("orgs").query()
    with client(None) as first:
        assert not first.select(query).cached
    clock[0] += 2 * day
    with client(3) as fresh_enough:
        assert fresh_enough.select(query).cached
    with client(1) as too_old:
        assert not too_old.select(query).cached and too_old.stats.requests == 1
    with client(1) as refetched:
        assert refetched.select(query).cached  # the refetch was cached with its new time


@needs_oxigraph
def test_requests_are_paced_but_answers_from_the_cache_are_not(server: SparqlServer, tmp_path: Path) -> None:
    sleeps = Sleeps()
    ticks = iter(range(1000))
    settings = ClientSettings(endpoint=server.url, pause=1.5, backoff=0)
    with SparqlClient(settings, tmp_path, sleep=sleeps, clock=lambda: float(next(ticks)) * 0.1) as client:
        client.select(parse_scope("orgs").query())
        client.select(parse_scope("countries").query())
        client.select(parse_scope("orgs").query())  # cached
        client.select(parse_scope("countries").query())  # cached
    assert len(sleeps.calls) == 1 and 1.3 < sleeps.calls[0] <= 1.5


@needs_oxigraph
def test_the_build_survives_429_500_a_stall_a_reset_and_truncated_json(
    proxy: FaultProxy, tmp_path: Path
) -> None:
    # Requests 1-2 list the ids of the two scopes; 3 is the first batch of 6: 429, 500, then a
    # stall past the timeout, which splits it; its second half meets a reset, and the second
    # batch truncated JSON.
    proxy.inject({3: "429", 4: "500", 5: "stall", 7: "reset", 9: "truncate"})
    with quick_client(proxy.url, tmp_path / "cache", timeout=0.5) as client:
        report = build(config(tmp_path / "g", "heads:world", "mps:Q159", batch_size=6), client)
        waits = client.stats.waits
    assert report.complete and qids_in(tmp_path / "g") == (EXPECTED["heads:world"] | EXPECTED["mps:Q159"]) - {
        "Q990000043"
    }
    faults = [entry.fault for entry in proxy.log]
    assert faults == [None, None, "429", "500", "stall", None, "reset", None, "truncate", None]
    assert waits[0] == 1.0  # Retry-After: 1, honoured
    batch = ids_asked(proxy.log[4].query)
    assert len(batch) == 6
    assert ids_asked(proxy.log[5].query) == batch[:3] and ids_asked(proxy.log[6].query) == batch[3:]


@needs_oxigraph
def test_a_split_batch_goes_straight_to_its_halves_when_the_build_resumes(
    proxy: FaultProxy, tmp_path: Path
) -> None:
    proxy.inject({2: "stall"})
    with quick_client(proxy.url, tmp_path / "cache", timeout=0.3) as client:
        build(config(tmp_path / "g", "heads:world", batch_size=6), client)
    whole = proxy.log[1].query
    assert len(ids_asked(whole)) == 6 and len(proxy.log) == 4
    with quick_client(proxy.url, tmp_path / "cache", timeout=0.3) as client:
        build(config(tmp_path / "g", "heads:world", batch_size=6), client)
        assert client.stats.cache_hits == 3 and client.stats.requests == 0


@needs_oxigraph
def test_an_id_that_keeps_failing_is_listed_in_the_manifest_and_retried_alone_on_the_next_run(
    proxy: FaultProxy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proxy.fail_when(lambda query: "wd:Q990000014 " in query or "wd:Q990000014\n" in query, "400")
    out = tmp_path / "g"
    argv = build_args(proxy.url, tmp_path / "cache", out, "heads:world", extra=("--batch-size", "6"))
    assert gazetteer_main(argv) == 1
    assert "1 ids could not be fetched" in capsys.readouterr().err
    assert qids_in(out) == EXPECTED["heads:world"] - {"Q990000014"}
    failed = read_manifest(out)["failed"]
    assert [entry["qid"] for entry in failed] == ["Q990000014"] and "400" in failed[0]["reason"]

    proxy.clear_faults()
    before = len(proxy.log)
    assert gazetteer_main(argv) == 0
    assert [ids_asked(entry.query) for entry in proxy.log[before:]] == [["Q990000014"]]
    assert qids_in(out) == EXPECTED["heads:world"]


@needs_oxigraph
def test_an_endpoint_that_throttles_past_the_allowed_wait_stops_the_build_and_keeps_the_old_gazetteer(
    server: SparqlServer, tmp_path: Path
) -> None:
    out = tmp_path / "g"
    with quick_client(server.url, tmp_path / "cache") as client:
        build(config(out, "orgs"), client)
    with proxy_for(server.url, retry_after="86400") as throttling:
        throttling.inject({2: "429"})
        with (
            quick_client(throttling.url, tmp_path / "cache") as client,
            pytest.raises(BuildStopped, match="86400"),
        ):
            build(config(out, "orgs", "countries"), client)
    assert qids_in(out) == EXPECTED["orgs"]


@needs_oxigraph
def test_a_build_killed_halfway_resumes_without_refetching_what_was_cached(
    proxy: FaultProxy, tmp_path: Path
) -> None:
    out = tmp_path / "g"
    with quick_client(proxy.url, tmp_path / "other-cache") as client:
        build(config(out, "orgs"), client)  # a good gazetteer that the killed build must not harm
    proxy.log.clear()
    served = 9  # of 14 requests in all (7 enumerations, 21 ids in 7 batches of 3): stop at the third batch
    proxy.hold_after(served)
    argv = build_args(proxy.url, tmp_path / "cache", out, extra=("--batch-size", "3"))
    command = [sys.executable, "-m", "namelink.wikidata.commands", *argv]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        proxy.wait_for_requests(served + 1)
    finally:
        process.kill()
        process.communicate()
    assert qids_in(out) == EXPECTED["orgs"]
    answered = [entry.query for entry in proxy.log[:served]]
    unanswered = proxy.log[served].query
    proxy.release()
    proxy.log.clear()

    assert gazetteer_main(argv) == 0
    refetched = proxy.queries()
    assert not set(answered) & set(refetched)
    assert refetched[0] == unanswered
    assert len(refetched) == len(ALL_SCOPES) + 7 - served
    assert qids_in(out) == NAMED_IDS
    assert not list(tmp_path.glob(".g.*"))


@needs_oxigraph
def test_a_crash_while_writing_leaves_the_previous_gazetteer_in_place(
    server: SparqlServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "g"
    with quick_client(server.url, tmp_path / "cache") as client:
        build(config(out, "orgs"), client)
    before = (out / "entities.jsonl").read_bytes()
    written = []
    real_line = output_module._line

    def crash_after_three(record: dict[str, object]) -> str:
        written.append(record)
        if len(written) > 3:
            raise OSError("disk full")
        return real_line(record)

    monkeypatch.setattr(output_module, "_line", crash_after_three)
    with quick_client(server.url, tmp_path / "cache") as client, pytest.raises(OSError, match="disk full"):
        build(config(out), client)
    assert (out / "entities.jsonl").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache", "g"]


def test_a_build_refuses_an_out_directory_that_holds_other_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "notes"
    out.mkdir()
    (out / "todo.txt").write_text("keep me")
    url = "http://127.0.0.1:9/query"  # never reached: the check comes first
    assert gazetteer_main(build_args(url, tmp_path / "cache", out, "orgs")) == 2
    assert "holds other files (todo.txt)" in capsys.readouterr().err
    assert (out / "todo.txt").read_text() == "keep me"


def test_write_gazetteer_puts_back_a_gazetteer_that_a_dead_writer_had_moved_aside(tmp_path: Path) -> None:
    record = {"qid": "Q1", "label": "one", "type": "other", "names": {"en": ["one"]}}
    out = tmp_path / "g"
    moved = tmp_path / ".g.old-999999999-x"
    write_gazetteer(moved, [record], {"name": "old"})
    partial = tmp_path / ".g.partial-999999999-y"
    partial.mkdir()
    (partial / "entities.jsonl").write_text("{half")
    output_module._recover(out)
    assert read_manifest(out) == {"name": "old"} and not moved.exists() and not partial.exists()


@needs_oxigraph
def test_merge_lays_a_built_gazetteer_over_the_default_one(
    proxy: FaultProxy, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "mine"
    assert gazetteer_main(build_args(proxy.url, tmp_path / "cache", mine, "heads:world", "orgs")) == 0
    merged = tmp_path / "merged"
    assert gazetteer_main(["merge", "default", str(mine), "--out", str(merged)]) == 0
    default = Gazetteer.default()
    gazetteer = Gazetteer.load(merged, cache_dir=tmp_path / "index")
    new = {"Q990000012", "Q990000013", "Q990000014", "Q990000015", "Q990000051"}
    assert len(gazetteer) == len(default) + len(new)
    putin = gazetteer.entity("Q7747")
    assert putin is not None and putin.names["ar"][0] == "فلاديمير بوتين"  # the top layer's names first
    assert "ڤلاديمير پوتن" in putin.names["ar"]  # a curated spelling of the default layer survives
    assert "en" in putin.names  # a language only the default layer has survives
    united_nations = gazetteer.entity("Q1065")
    assert united_nations is not None and united_nations.popularity == 280  # the top layer's fields win
    assert gazetteer.link("ليلى تستية").qid == "Q990000013"  # type: ignore[union-attr]
    assert [s["gazetteer"] for s in read_manifest(merged)["merged_from"]] == ["default", str(mine)]
    assert capsys.readouterr().out.splitlines()[-1].startswith(f"{merged}\t")


def test_merge_needs_two_gazetteers_that_exist(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert gazetteer_main(["merge", "default", "--out", str(tmp_path / "m")]) == 2
    assert gazetteer_main(["merge", "default", str(tmp_path / "nothing"), "--out", str(tmp_path / "m")]) == 2
    assert "no such gazetteer" in capsys.readouterr().err


def test_the_scope_dataclass_is_frozen() -> None:
    scope = Scope("orgs", "SELECT ?item WHERE {}")
    with pytest.raises(AttributeError):
        scope.spec = "countries"  # type: ignore[misc]


def test_the_builders_readme_and_queries_are_package_data_so_a_wheel_carries_the_docs_it_points_at() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11 and later
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    declared = {path for pattern in globs["namelink"] for path in (ROOT / "namelink").glob(pattern)}
    assert ROOT / "namelink" / "wikidata" / "README.md" in declared
    assert set(QUERIES.glob("*.rq")) <= declared
    assert not (ROOT / "namelink" / "build").exists()
