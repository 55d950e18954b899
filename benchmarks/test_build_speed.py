"""Building a gazetteer over SPARQL: from the server, and again from the cache.

A Wikidata-shaped graph of 4,000 synthetic entities (3,000 members of a
parliament, 1,000 cities over 100,000 people, each with Arabic, Persian and
English labels, two aliases, a description, P31 and sitelinks) is served by
Oxigraph on 127.0.0.1; the builder fetches it in batches of 200 with no pause.

- ``cold``: an empty cache, every query sent to the server;
- ``cached``: the same build again, every answer from the disk cache (the
  resume and rebuild path);
- ``extra_info`` holds the gazetteer's size on disk and the cache's.

Run with:  python3 -m pytest benchmarks/test_build_speed.py --benchmark-columns=mean,min,max
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from build_support import SparqlServer, oxigraph_executable, start_oxigraph

from namelink.wikidata.builder import BuildConfig, build
from namelink.wikidata.scopes import parse_scope
from namelink.wikidata.sparql import ClientSettings, SparqlClient

MPS = 3_000
CITIES = 1_000
COUNTRY = "Q990000001"
SEAT = "Q990000302"
FIRST = 991_000_000  # synthetic ids: Q991000000 upward, clear of the test fixture's
GIVEN = ["محمد", "أحمد", "علي", "حسن", "فاطمة", "زينب", "ليلى", "كريم", "سمير", "نادية"]
SYLLABLES = ["بار", "تين", "سال", "مور", "دان", "كيل", "نوف", "زاد", "رام", "لوس", "شير", "قاف"]

pytestmark = pytest.mark.skipif(oxigraph_executable() is None, reason="the oxigraph command is not installed")


def _surname(n: int) -> str:
    size = len(SYLLABLES)
    return SYLLABLES[n % size] + SYLLABLES[(n // size) % size] + SYLLABLES[(n // size**2) % size]


def _persian(text: str) -> str:
    return text.replace("ي", "ی").replace("ك", "ک")


def _entity(qid: str, ar: str, en: str, klass: str, sitelinks: int) -> str:
    return (
        f'wd:{qid} rdfs:label "{ar}"@ar, "{_persian(ar)}"@fa, "{en}"@en ;\n'
        f'    skos:altLabel "{ar.split()[-1]}"@ar, "{_persian(ar.split()[-1])}"@fa ;\n'
        f'    schema:description "synthetic benchmark entity"@en ;\n'
        f"    wdt:P31 wd:{klass} ;\n"
        f'    wikibase:sitelinks "{sitelinks}"^^xsd:integer'
    )


def write_fixture(path: Path) -> None:
    lines = [
        "@prefix wd: <http://www.wikidata.org/entity/> .",
        "@prefix wdt: <http://www.wikidata.org/prop/direct/> .",
        "@prefix p: <http://www.wikidata.org/prop/> .",
        "@prefix ps: <http://www.wikidata.org/prop/statement/> .",
        "@prefix wikibase: <http://wikiba.se/ontology#> .",
        "@prefix schema: <http://schema.org/> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
        f"wd:{SEAT} wdt:P279 wd:Q486839 ; wdt:P17 wd:{COUNTRY} .",
    ]
    for n in range(MPS):
        qid = f"Q{FIRST + n}"
        ar = f"{GIVEN[n % len(GIVEN)]} {_surname(n)}"
        lines.append(_entity(qid, ar, f"Member {n}", "Q5", n % 40) + f" ;\n    p:P39 [ ps:P39 wd:{SEAT} ] .")
    for n in range(CITIES):
        qid = f"Q{FIRST + MPS + n}"
        ar = f"مدينة {_surname(n + 7)}"
        lines.append(
            _entity(qid, ar, f"City {n}", "Q515", n % 90)
            + f' ;\n    wdt:P1082 "{150_000 + n}"^^xsd:decimal .'
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparqlServer]:
    workdir = tmp_path_factory.mktemp("build-bench")
    fixture = workdir / "bench.ttl"
    write_fixture(fixture)
    running = start_oxigraph([fixture], workdir)
    yield running
    running.stop()


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _build(endpoint: str, cache: Path, out: Path) -> int:
    config = BuildConfig(
        scopes=(parse_scope(f"mps:{COUNTRY}"), parse_scope("cities:100000")),
        languages=("ar", "fa", "en"),
        out=out,
    )
    settings = ClientSettings(endpoint=endpoint, pause=0.0, timeout=60.0)
    with SparqlClient(settings, cache) as client:
        report = build(config, client)
    assert report.entities == MPS + CITIES and report.complete
    return report.requests


@pytest.mark.benchmark(group="build-4000-entities")
def test_build_from_the_server_with_an_empty_cache(benchmark, server, tmp_path):
    def fresh() -> tuple[tuple[str, Path, Path], dict[str, object]]:
        shutil.rmtree(tmp_path / "cache", ignore_errors=True)
        return (server.url, tmp_path / "cache", tmp_path / "out"), {}

    requests = benchmark.pedantic(_build, setup=fresh, rounds=3, iterations=1)
    benchmark.extra_info["requests"] = requests
    benchmark.extra_info["gazetteer_bytes"] = _size(tmp_path / "out")
    benchmark.extra_info["entities_jsonl_bytes"] = (tmp_path / "out" / "entities.jsonl").stat().st_size
    benchmark.extra_info["cache_bytes"] = _size(tmp_path / "cache")


@pytest.mark.benchmark(group="build-4000-entities")
def test_rebuild_from_the_cache(benchmark, server, tmp_path):
    _build(server.url, tmp_path / "cache", tmp_path / "out")
    requests = benchmark.pedantic(
        _build, args=(server.url, tmp_path / "cache", tmp_path / "out"), rounds=5, iterations=1
    )
    assert requests == 0
    benchmark.extra_info["gazetteer_bytes"] = _size(tmp_path / "out")
