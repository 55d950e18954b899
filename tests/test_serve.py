"""namelink serve: the real server (uvicorn on 127.0.0.1, a free port) and a real HTTP
client; every answer is validated against the specification's own JSON schemas
(tests/data/reconciliation, vendored with their source and licence).

What the service must say is read from the library: the candidates of
``Gazetteer.candidates()`` and the match of ``Gazetteer.link()``, never a QID typed here.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

httpx = pytest.importorskip("httpx", reason="the serve tests need the test extra (httpx)")
jsonschema = pytest.importorskip("jsonschema", reason="the serve tests need the test extra (jsonschema)")
uvicorn = pytest.importorskip("uvicorn", reason="namelink serve needs the serve extra (uvicorn)")
pytest.importorskip("starlette", reason="namelink serve needs the serve extra (starlette)")

from conftest import DATA, TWINS  # noqa: E402
from referencing import Registry, Resource  # noqa: E402
from referencing.jsonschema import DRAFT7  # noqa: E402

from namelink import Gazetteer, Link  # noqa: E402
from namelink.cli import main  # noqa: E402
from namelink.serve import create_app  # noqa: E402
from namelink.serve.app import MAX_BODY_BYTES, bind  # noqa: E402
from namelink.serve.service import MAX_BATCH, TYPE_IDS  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = DATA / "reconciliation"
V02, V1 = "/reconcile", "/reconcile/v1"

# Countries for the twin places (tests/data/twins.jsonl): synthetic QIDs, like the twins'.
NORTH = {"qid": "Q990000011", "label": "North Twinland", "type": "place", "names": {"ar": ["شمالستان"]}}
SOUTH = {"qid": "Q990000012", "label": "South Twinland", "type": "place", "names": {"ar": ["جنوبستان"]}}
TWIN_NAME = "توامستان"


# -- schemas ---------------------------------------------------------------------------------


def _registry() -> Registry:
    resources = []
    for path in sorted(SCHEMAS.glob("*/*.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema, default_specification=DRAFT7)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def valid(instance: Any, version: str, schema: str) -> Any:
    """``instance``, after checking it against the specification's schema (draft-07,
    as the specs' own test runner ajv reads them)."""
    contents = json.loads((SCHEMAS / version / f"{schema}.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator(contents, registry=REGISTRY).validate(instance)
    return instance


# -- the server --------------------------------------------------------------------------------


@contextmanager
def running(gazetteer: Gazetteer) -> Iterator[str]:
    """uvicorn serving the app on a free port of 127.0.0.1, in a thread; its base URL."""
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(create_app(gazetteer), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.default()


@pytest.fixture(scope="module")
def client(gazetteer: Gazetteer) -> Iterator[httpx.Client]:
    with running(gazetteer) as base, httpx.Client(base_url=base, timeout=30) as http:
        yield http


class CountingGazetteer(Gazetteer):
    """A gazetteer that counts the lookups the service asks of it."""

    lookups: Counter[tuple[str, str, frozenset[str] | None]]

    def candidates(self, name: str, **options: Any) -> list[Link]:
        self.lookups["candidates", name, options.get("types")] += 1
        return super().candidates(name, **options)

    def link(self, name: str, **options: Any) -> Link | None:
        self.lookups["link", name, options.get("types")] += 1
        return super().link(name, **options)


@pytest.fixture(scope="module")
def twins() -> CountingGazetteer:
    countries = {"Q990000001": [NORTH["qid"]], "Q990000002": [SOUTH["qid"]]}
    records = [{**twin, "country": countries.get(str(twin["qid"]), [])} for twin in TWINS]
    gazetteer = CountingGazetteer.from_records([*records, NORTH, SOUTH])
    assert isinstance(gazetteer, CountingGazetteer)
    gazetteer.lookups = Counter()
    return gazetteer


@pytest.fixture(scope="module")
def twin_client(twins: Gazetteer) -> Iterator[httpx.Client]:
    with running(twins) as base, httpx.Client(base_url=base, timeout=30) as http:
        yield http


def post_v02(client: httpx.Client, batch: dict[str, Any], **headers: str) -> httpx.Response:
    """A batch sent as OpenRefine sends it: a urlencoded form field ``queries``."""
    valid(batch, "0.2", "reconciliation-query-batch")
    return client.post(V02, data={"queries": json.dumps(batch, ensure_ascii=False)}, headers=headers)


def results_v02(client: httpx.Client, batch: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    response = post_v02(client, batch)
    assert response.status_code == 200, response.text
    body = valid(response.json(), "0.2", "reconciliation-result-batch")
    assert list(body) == list(batch)
    return {qid: answer["result"] for qid, answer in body.items()}


def match_v1(
    client: httpx.Client, queries: list[dict[str, Any]], **headers: str
) -> list[list[dict[str, Any]]]:
    batch = valid({"queries": queries}, "1.0-draft", "reconciliation-query-batch")
    response = client.post(f"{V1}/match", json=batch, headers=headers)
    assert response.status_code == 200, response.text
    body = valid(response.json(), "1.0-draft", "reconciliation-result-batch")
    assert len(body["results"]) == len(queries)
    return [result["candidates"] for result in body["results"]]


def name_query(text: str, **fields: Any) -> dict[str, Any]:
    return {"conditions": [{"matchType": "name", "propertyValue": text}], **fields}


def expect_library_answer(
    gazetteer: Gazetteer, text: str, result: list[dict[str, Any]], types: set[str] | None, limit: int = 5
) -> None:
    """The candidates are the library's, in its order and with its scores, and the one
    match is link()'s decision for the same name and types."""
    found = gazetteer.candidates(text, types=types, limit=limit)
    assert [c["id"] for c in result] == [c.qid for c in found]
    assert [c["score"] for c in result] == [round(c.score * 100, 2) for c in found]
    decided = gazetteer.link(text, types=types)
    assert [c["id"] for c in result if c["match"]] == ([decided.qid] if decided else [])


# -- 0.2 ---------------------------------------------------------------------------------------


def test_the_manifest_names_wikidata_and_the_types_the_gazetteer_holds(
    client: httpx.Client, gazetteer: Gazetteer
) -> None:
    manifest = valid(client.get(V02).json(), "0.2", "manifest")
    assert manifest["identifierSpace"] == "http://www.wikidata.org/entity/"
    assert manifest["schemaSpace"] == "http://www.wikidata.org/prop/direct/"
    assert manifest["view"]["url"] == "https://www.wikidata.org/wiki/{{id}}"
    held = {entity.type for entity in gazetteer.entities()}
    assert [t["id"] for t in manifest["defaultTypes"]] == [TYPE_IDS[k] for k in TYPE_IDS if k in held]
    assert manifest["defaultTypes"][0] == {"id": "Q5", "name": "human"}
    assert manifest["batchSize"] == MAX_BATCH
    putin = gazetteer.link("بوتين")
    assert putin is not None
    preview = client.get(manifest["preview"]["url"].replace("{{id}}", putin.qid))
    assert preview.status_code == 200 and putin.label in preview.text
    suggest = manifest["suggest"]["entity"]
    found = client.get(suggest["service_url"] + suggest["service_path"], params={"prefix": putin.qid})
    assert found.json()["result"][0]["id"] == putin.qid


def test_an_openrefine_batch_of_ten_gets_the_library_candidates_and_its_calibrated_match(
    client: httpx.Client, gazetteer: Gazetteer
) -> None:
    person, place = {"type": "Q5", "type_strict": "should"}, {"type": "Q2221906", "type_strict": "should"}
    batch = {
        "q0": {"query": "بوتين", **person},  # Arabic
        "q1": {"query": "پوتین", **person},  # Persian
        "q2": {"query": "پیوٹن", **person},  # Urdu
        "q3": {"query": "Putin", **person},  # Latin
        "q4": {"query": "تهران", **place},  # Persian place
        "q5": {"query": "تہران", **place},  # Urdu place
        "q6": {"query": "كازاختسان", **place},  # a variant spelling (a letter moved)
        "q7": {"query": "الرئيس", "type_strict": "should"},  # a common word: "the president"
        "q8": {"query": "دمسق", **place},  # between Damascus and Muscat: no match
        "q9": {"query": "تهران", **person},  # a place asked for as a person
    }
    results = results_v02(client, batch)
    for qid, query in batch.items():
        types = {"person"} if query.get("type") == "Q5" else {"place"} if query.get("type") else None
        expect_library_answer(gazetteer, query["query"], results[qid], types)
        if "type" in query:
            assert all([t["id"] for t in c["type"]] == [query["type"]] for c in results[qid])
    matched = {qid for qid, result in results.items() if any(c["match"] for c in result)}
    assert matched == {"q0", "q1", "q2", "q3", "q4", "q5", "q6"}
    assert len({results[q][0]["id"] for q in ("q0", "q1", "q2", "q3")}) == 1
    assert results["q7"] == [] and results["q9"] == []
    assert len(results["q8"]) >= 2


def test_a_type_is_given_by_its_wikidata_id_or_the_gazetteer_name_under_type_strict(
    client: httpx.Client, gazetteer: Gazetteer
) -> None:
    results = results_v02(
        client,
        {
            "by_id": {"query": "بوتين", "type": "Q2221906"},
            "by_name": {"query": "بوتين", "type": "place"},
            "any": {"query": "بوتين", "type": ["Q5", "Q2221906"], "type_strict": "any"},
            "all": {"query": "بوتين", "type": ["Q5", "Q2221906"], "type_strict": "all"},
            "unknown_should": {"query": "بوتين", "type": "Q990000099", "type_strict": "should"},
            "unknown_any": {"query": "بوتين", "type": "Q990000099", "type_strict": "any"},
        },
    )
    expect_library_answer(gazetteer, "بوتين", results["by_id"], {"place"})
    assert results["by_id"] == results["by_name"] != []
    expect_library_answer(gazetteer, "بوتين", results["any"], {"person", "place"})
    assert results["all"] == [] and results["unknown_any"] == []
    expect_library_answer(gazetteer, "بوتين", results["unknown_should"], None)


def test_limit_is_honoured_and_a_qid_query_returns_its_entity(
    client: httpx.Client, gazetteer: Gazetteer
) -> None:
    putin = gazetteer.link("بوتين")
    assert putin is not None
    results = results_v02(client, {"one": {"query": "دمسق", "limit": 1}, "qid": {"query": putin.qid}})
    expect_library_answer(gazetteer, "دمسق", results["one"], None, limit=1)
    assert len(results["one"]) == 1
    assert [(c["id"], c["match"]) for c in results["qid"]] == [(putin.qid, True)]


def test_get_and_jsonp_answer_as_post_does(client: httpx.Client) -> None:
    batch = {"q0": {"query": "بوتين"}, "q1": {"query": "دمسق"}}
    posted = post_v02(client, batch).json()
    queries = json.dumps(batch, ensure_ascii=False)
    assert client.get(V02, params={"queries": queries}).json() == posted
    wrapped = client.get(V02, params={"queries": queries, "callback": "jQuery123_456"})
    assert wrapped.headers["content-type"].startswith("application/javascript")
    assert wrapped.text.startswith("/**/jQuery123_456(") and wrapped.text.endswith(");")
    assert json.loads(wrapped.text[len("/**/jQuery123_456(") : -2]) == posted
    manifest = client.get(V02, params={"callback": "cb"})
    assert valid(json.loads(manifest.text[len("/**/cb(") : -2]), "0.2", "manifest")["versions"] == ["0.2"]
    assert client.get(V02, params={"callback": "alert(1)//"}).status_code == 400


def test_features_carry_the_evidence_method_similarity_and_runner_up_margin(
    client: httpx.Client, gazetteer: Gazetteer
) -> None:
    result = results_v02(client, {"q": {"query": "دمسق"}})["q"]
    found = gazetteer.candidates("دمسق")
    assert len(result) == len(found) >= 2
    for position, (candidate, link) in enumerate(zip(result, found, strict=True)):
        features = {f["id"]: f["value"] for f in candidate["features"]}
        assert features[f"method_{link.method}"] is True
        assert 0 < features["similarity"] <= 1
        assert features["popularity"] == link.popularity
        best_other = max(c.score for i, c in enumerate(found) if i != position)
        assert features["runner_up_margin"] == pytest.approx(link.score - best_other, abs=1e-4)
        for name, value in getattr(link, "evidence", ()):
            assert features[name] == pytest.approx(value)


def test_an_empty_query_gets_an_empty_result_and_its_batch_is_answered(
    client: httpx.Client, gazetteer: Gazetteer
) -> None:
    results = results_v02(
        client, {"empty": {"query": ""}, "blank": {"query": "   "}, "q": {"query": "بوتين"}}
    )
    assert results["empty"] == [] and results["blank"] == []
    expect_library_answer(gazetteer, "بوتين", results["q"], None)


def test_an_oversized_batch_is_refused_with_a_400_that_gives_the_limit(client: httpx.Client) -> None:
    batch = {f"q{i}": {"query": "بوتين"} for i in range(MAX_BATCH + 1)}
    response = post_v02(client, batch)
    assert response.status_code == 400
    assert f"at most {MAX_BATCH} queries" in response.json()["error"]
    v1 = client.post(f"{V1}/match", json={"queries": [name_query("بوتين")] * (MAX_BATCH + 1)})
    assert v1.status_code == 400 and str(MAX_BATCH) in v1.json()["error"]
    assert post_v02(client, dict(list(batch.items())[:MAX_BATCH])).status_code == 200


@pytest.mark.parametrize(
    ("queries", "says"),
    [
        ('{"q0": {"query": "بوتين"', "not valid JSON"),
        ('["بوتين"]', "JSON object"),
        ('{"q0": "بوتين"}', "query 'q0'"),
        ('{"q0": {"query": 7}}', "'query' must be a string"),
        ('{"q0": {"query": "بوتين", "limit": 0}}', "'limit'"),
        ('{"q0": {"query": "بوتين", "type_strict": "must"}}', "'type_strict'"),
        ('{"q0": {"query": "بوتين", "type": 5}}', "'type'"),
        ('{"q0": {"properties": [{"pid": "P17", "v": "Q1"}]}}', "give a 'query'"),
        ('{"q0": {"query": "بوتين", "limit": 2.5}}', "'limit'"),
        ("[" * 100_000 + "]" * 100_000, "nests too deeply"),
    ],
    ids=lambda value: value[:40],
)
def test_a_malformed_batch_is_a_400_saying_what_to_fix(client: httpx.Client, queries: str, says: str) -> None:
    response = client.post(V02, data={"queries": queries})
    assert response.status_code == 400
    assert says in response.json()["error"]


def test_a_post_without_queries_or_too_large_is_refused(client: httpx.Client) -> None:
    assert "'queries'" in client.post(V02, data={"query": "x"}).json()["error"]
    huge = client.post(V02, content=b"queries=" + b"a" * MAX_BODY_BYTES)
    assert huge.status_code == 413


def test_a_qid_as_suggest_prefix_returns_that_entity_and_a_name_prefix_completes(
    client: httpx.Client, gazetteer: Gazetteer
) -> None:
    putin = gazetteer.link("بوتين")
    assert putin is not None
    for root, version in ((V02, "0.2"), (V1, "1.0-draft")):
        by_qid = valid(
            client.get(f"{root}/suggest/entity", params={"prefix": putin.qid}).json(),
            version,
            "suggest-entities-response",
        )
        assert by_qid["result"][0]["id"] == putin.qid
        assert by_qid["result"][0]["notable"] == [{"id": "Q5", "name": "human"}]
        by_name = client.get(f"{root}/suggest/entity", params={"prefix": "بوت", "limit": 3}).json()
        valid(by_name, version, "suggest-entities-response")
        assert putin.qid in [item["id"] for item in by_name["result"]] and len(by_name["result"]) <= 3
    two = client.get(f"{V02}/suggest/entity", params={"prefix": "بوت", "limit": 2}).json()["result"]
    second = client.get(f"{V02}/suggest/entity", params={"prefix": "بوت", "limit": 1, "cursor": 1}).json()
    assert len(two) == 2 and second["result"] == two[1:]
    people = client.get(f"{V1}/suggest/entity", params={"prefix": "بوت", "type": "Q5"}).json()["result"]
    assert people and {item["notable"][0]["id"] for item in people} == {"Q5"}
    nothing = client.get(f"{V02}/suggest/entity", params={"prefix": "الرئيس"}).json()
    assert nothing == {"result": []}
    assert client.get(f"{V02}/suggest/entity").status_code == 400
    for limit in ("0", "-1", "²", "ten"):
        refused = client.get(f"{V02}/suggest/entity", params={"prefix": "بوت", "limit": limit})
        assert refused.status_code == 400 and "'limit'" in refused.json()["error"]


def test_suggest_type_completes_wikidata_names_and_gazetteer_names(client: httpx.Client) -> None:
    for root, version in ((V02, "0.2"), (V1, "1.0-draft")):
        human = valid(
            client.get(f"{root}/suggest/type", params={"prefix": "hum"}).json(),
            version,
            "suggest-types-response",
        )
        assert human["result"] == [{"id": "Q5", "name": "human"}]
        place = client.get(f"{root}/suggest/type", params={"prefix": "pla"}).json()
        assert [t["id"] for t in place["result"]] == [TYPE_IDS["place"]]


class _Elements(HTMLParser):
    """(tag, attributes, text) of every element of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None], str]] = []
        self._open: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs), ""))
        if tag not in ("meta",):
            self._open.append(len(self.found) - 1)

    def handle_endtag(self, tag: str) -> None:
        if self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open:
            tag, attrs, text = self.found[self._open[-1]]
            self.found[self._open[-1]] = (tag, attrs, text + data)


def test_the_preview_is_an_html_card_with_arabic_script_names_right_to_left(
    client: httpx.Client, gazetteer: Gazetteer
) -> None:
    putin = gazetteer.link("بوتين")
    assert putin is not None
    entity = gazetteer.entity(putin.qid)
    assert entity is not None
    response = client.get(f"{V02}/preview", params={"id": entity.qid})
    assert response.headers["content-type"].startswith("text/html")
    page = _Elements()
    page.feed(response.text)
    names = [(attrs, text) for tag, attrs, text in page.found if attrs.get("class") == "name"]
    assert names
    for attrs, text in names:
        lang = attrs["lang"]
        assert lang is not None and text in entity.names[lang]
        assert attrs["dir"] == "rtl"  # every name the card shows of Putin's is in Arabic script
    heading = next((attrs, text) for tag, attrs, text in page.found if tag == "h1")
    assert heading == ({"id": "title", "dir": "ltr", "lang": "en"}, entity.label)
    persian = client.get(
        f"{V1}/preview", params={"id": entity.qid}, headers={"Accept-Language": "fa, en;q=0.5"}
    )
    assert f'<h1 id="title" dir="rtl" lang="fa">{entity.names["fa"][0]}</h1>' in persian.text
    missing = client.get(f"{V02}/preview", params={"id": "Q990000099"})
    assert missing.status_code == 404 and "Q990000099" in missing.text


ROUTES = [
    ("GET", "/", None, 200),
    ("GET", V02, None, 200),
    ("GET", V02 + "?queries=%7B%22q%22%3A%7B%22query%22%3A%22x%22%7D%7D", None, 200),
    ("POST", V02, {"queries": '{"q": {"query": "بوتين"}}'}, 200),
    ("POST", V02, {"queries": "{"}, 400),  # an error answer too
    ("GET", V02 + "/suggest/entity?prefix={qid}", None, 200),
    ("GET", V02 + "/suggest/type?prefix=h", None, 200),
    ("GET", V02 + "/preview?id={qid}", None, 200),
    ("GET", V02 + "/preview?id=Q990000099", None, 404),
    ("GET", V1, None, 200),
    ("POST", V1 + "/match", {"queries": [name_query("بوتين")]}, 200),
    ("GET", V1 + "/suggest/entity?prefix={qid}", None, 200),
    ("GET", V1 + "/suggest/type?prefix=h", None, 200),
    ("GET", V1 + "/preview?id={qid}", None, 200),
]


@pytest.mark.parametrize(("method", "path", "body", "status"), ROUTES)
def test_every_route_answers_cross_origin_requests(
    client: httpx.Client,
    gazetteer: Gazetteer,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    status: int,
) -> None:
    putin = gazetteer.link("بوتين")
    assert putin is not None
    path = path.replace("{qid}", putin.qid)
    origin = {"Origin": "http://127.0.0.1:3333"}
    if method == "GET":
        response = client.get(path, headers=origin)
    elif path.endswith("/match"):
        response = client.post(path, json=body, headers=origin)
    else:
        response = client.post(path, data=body, headers=origin)
    assert response.status_code == status
    assert response.headers["access-control-allow-origin"] == "*"
    preflight = client.options(
        path.split("?")[0],
        headers={
            **origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert method in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["access-control-allow-origin"] == "*"


# -- 1.0 draft ---------------------------------------------------------------------------------


def test_the_1_0_manifest_validates_and_match_answers_each_query_in_order(
    client: httpx.Client, gazetteer: Gazetteer
) -> None:
    manifest = valid(client.get(V1).json(), "1.0-draft", "manifest")
    assert manifest["versions"] == ["1.0-draft"] and manifest["standardizedScore"] is True
    assert manifest["view"]["url"] == "https://www.wikidata.org/wiki/{id}"
    putin = gazetteer.link("بوتين")
    assert putin is not None
    names = ["دمسق", "كازاختسان", "الرئيس", "بوتين"]
    queries = [name_query(text) for text in names]
    queries.append({"conditions": [{"matchType": "id", "propertyValue": putin.qid}]})
    queries.append(name_query("تهران", type="Q5"))
    results = match_v1(client, queries)
    for text, result in zip(names, results, strict=False):
        expect_library_answer(gazetteer, text, result, None)
    assert [(c["id"], c["match"]) for c in results[4]] == [(putin.qid, True)]
    assert results[5] == []


def test_accept_language_picks_the_name_and_names_carry_lang_and_dir(
    client: httpx.Client, gazetteer: Gazetteer
) -> None:
    putin = gazetteer.link("بوتين")
    assert putin is not None
    entity = gazetteer.entity(putin.qid)
    assert entity is not None
    persian = match_v1(client, [name_query("Putin")], **{"Accept-Language": "fa-IR, en;q=0.8"})[0][0]
    assert (persian["name"], persian["lang"]) == (entity.names["fa"][0], "fa")
    assert persian["dir"] != "ltr"  # "rtl", or "auto" beside an English description
    english = match_v1(client, [name_query("پوتین")], **{"Accept-Language": "en"})[0][0]
    assert (english["name"], english["lang"], english["dir"]) == (entity.label, "en", "ltr")
    plain = match_v1(client, [name_query("پوتین")])[0][0]
    assert plain["name"] == entity.label
    suggested = client.get(
        f"{V1}/suggest/entity", params={"prefix": putin.qid}, headers={"Accept-Language": "ur"}
    )
    item = valid(suggested.json(), "1.0-draft", "suggest-entities-response")["result"][0]
    assert (item["name"], item["lang"]) == (entity.names["ur"][0], "ur")


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b'{"queries": [', "not valid JSON"),
        (b'{"q": []}', '"queries" list'),
        (b'{"queries": [{"conditions": []}]}', "non-empty 'conditions'"),
        (b'{"queries": [{"conditions": [{"matchType": "label", "propertyValue": "x"}]}]}', "'matchType'"),
        (b'{"queries": [{"conditions": [{"matchType": "id", "propertyValue": "Putin"}]}]}', "QID"),
        (
            b'{"queries": [{"conditions": [{"matchType": "property", "propertyId": "P17", '
            b'"propertyValue": "Q1"}]}]}',
            "exactly one name or id condition",
        ),
        (
            b'{"queries": [{"conditions": [{"matchType": "name", "propertyValue": "x"}, '
            b'{"matchType": "property", "propertyId": "P569", "propertyValue": "1952", "required": true}]}]}',
            "holds no P569",
        ),
    ],
)
def test_a_malformed_1_0_batch_is_a_400_saying_what_to_fix(
    client: httpx.Client, body: bytes, says: str
) -> None:
    response = client.post(f"{V1}/match", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert says in response.json()["error"]


# -- properties --------------------------------------------------------------------------------


def test_a_country_property_narrows_the_candidates_but_never_makes_a_match(
    twin_client: httpx.Client, twins: Gazetteer
) -> None:
    assert twins.link(TWIN_NAME) is None and len(twins.candidates(TWIN_NAME)) == 2  # too close to call
    north = NORTH["qid"]
    results = results_v02(
        twin_client,
        {
            "none": {"query": TWIN_NAME},
            "by_qid": {"query": TWIN_NAME, "properties": [{"pid": "P17", "v": north}]},
            "by_name": {"query": TWIN_NAME, "properties": [{"pid": "P17", "v": "شمالستان"}]},
            "reconciled": {
                "query": TWIN_NAME,
                "properties": [{"pid": "P17", "v": {"id": north, "name": "N"}}],
            },
            "other_property": {"query": TWIN_NAME, "properties": [{"pid": "P569", "v": "1952"}]},
        },
    )
    expect_library_answer(twins, TWIN_NAME, results["none"], None)
    expect_library_answer(twins, TWIN_NAME, results["other_property"], None)
    for qid in ("by_qid", "by_name", "reconciled"):
        assert [(c["id"], c["match"]) for c in results[qid]] == [("Q990000001", False)]
        assert {f["id"]: f["value"] for f in results[qid][0]["features"]}["country_match"] is True
    soft = {"matchType": "property", "propertyId": "P17", "propertyValue": north, "required": False}
    hard = {**soft, "required": True}
    exclude = {**hard, "matchQuantifier": "none"}
    answers = match_v1(
        twin_client,
        [
            {"conditions": [{"matchType": "name", "propertyValue": TWIN_NAME}, soft]},
            {"conditions": [{"matchType": "name", "propertyValue": TWIN_NAME}, hard]},
            {"conditions": [{"matchType": "name", "propertyValue": TWIN_NAME}, exclude]},
        ],
    )
    agree = {c["id"]: {f["id"]: f["value"] for f in c["features"]}["country_match"] for c in answers[0]}
    assert agree == {"Q990000001": True, "Q990000002": False}
    assert [c["id"] for c in answers[1]] == ["Q990000001"]
    assert [c["id"] for c in answers[2]] == ["Q990000002"]
    assert not any(c["match"] for answer in answers for c in answer)


def test_a_wrong_type_raises_type_error_naming_the_argument() -> None:
    from namelink.serve import serve

    with pytest.raises(TypeError, match="gazetteer"):
        create_app("default")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="port"):
        serve(port="8000")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="host"):
        serve(host=None)  # type: ignore[arg-type]


def test_each_distinct_name_of_a_batch_is_looked_up_once(
    twin_client: httpx.Client, twins: CountingGazetteer
) -> None:
    solo = "سولو"
    batch = {
        "a": {"query": solo},
        "b": {"query": solo, "limit": 3},
        "c": {"query": TWIN_NAME},
        "d": {"query": solo},
        "e": {"query": solo, "type": "Q5"},
        "f": {"query": TWIN_NAME},
    }
    twins.lookups.clear()
    results = results_v02(twin_client, batch)
    person = frozenset({"person"})
    assert twins.lookups == Counter(
        {
            ("candidates", solo, None): 1,
            ("link", solo, None): 1,
            ("candidates", solo, person): 1,
            ("link", solo, person): 1,
            ("candidates", TWIN_NAME, None): 1,
            ("link", TWIN_NAME, None): 1,
        }
    )
    assert results["a"] == results["b"] == results["d"] == results["e"] != []
    assert results["c"] == results["f"] != []


# -- the command -------------------------------------------------------------------------------


def _command(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen(
        [sys.executable, "-m", "namelink", "serve", *args], stderr=subprocess.PIPE, text=True, env=env
    )


def test_the_command_serves_on_the_port_it_prints() -> None:
    process = _command("--port", "0")
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert "Add standard service" in line, line
        url = line.split()[2]
        assert url.startswith("http://127.0.0.1:") and url.endswith("/reconcile")
        assert valid(httpx.get(url, timeout=30).json(), "0.2", "manifest")["versions"] == ["0.2"]
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_taken_port_or_a_bad_one_is_a_usage_error_that_says_what_to_do(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        process = _command("--port", str(taken.getsockname()[1]))
        _, err = process.communicate(timeout=60)
    assert process.returncode == 2
    assert "choose another --port" in err
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--port", "eighty"])
    assert exited.value.code == 2
    assert "is not a port" in capsys.readouterr().err


# -- in a browser ------------------------------------------------------------------------------

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", shutil.which("chromedriver")
# Headless Chromium as root in CI: no sandbox, no GPU, nothing fetched in the background.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C WebDriver element key


@pytest.mark.skipif(
    not (os.access(CHROMIUM, os.X_OK) and CHROMEDRIVER),
    reason="Chromium and chromedriver are not installed (.ci/run installs Debian's chromium and "
    "chromium-driver where apt-get works)",
)
def test_the_preview_card_renders_an_arabic_name_right_to_left_in_chromium(
    client: httpx.Client, gazetteer: Gazetteer, tmp_path: Path
) -> None:
    putin = gazetteer.link("بوتين")
    assert putin is not None and CHROMEDRIVER is not None
    entity = gazetteer.entity(putin.qid)
    assert entity is not None
    port = bind("127.0.0.1", 0)
    driver_port = port.getsockname()[1]
    port.close()
    driver = subprocess.Popen(
        [CHROMEDRIVER, f"--port={driver_port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    webdriver = httpx.Client(base_url=f"http://127.0.0.1:{driver_port}", timeout=60)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if webdriver.get("/status").json()["value"]["ready"]:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "chromedriver did not start"
            time.sleep(0.1)
        options = {"binary": CHROMIUM, "args": [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]}
        capabilities = {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": options}}
        session = webdriver.post("/session", json={"capabilities": capabilities}).json()["value"]["sessionId"]
        try:
            url = f"{client.base_url}{V02}/preview?id={entity.qid}"
            assert webdriver.post(f"/session/{session}/url", json={"url": url}).status_code == 200

            def computed(selector: str, prop: str) -> str:
                found = webdriver.post(
                    f"/session/{session}/element", json={"using": "css selector", "value": selector}
                ).json()["value"]
                return str(
                    webdriver.get(f"/session/{session}/element/{found[ELEMENT]}/css/{prop}").json()["value"]
                )

            assert computed('#names .name[lang="ar"]', "direction") == "rtl"
            assert computed("#title", "direction") == "ltr"
            # Laid out right to left: the first letter of the Arabic name is right of its last.
            script = (
                "const e = document.querySelector('#names .name[lang=\"ar\"]');"
                "const r = document.createRange(); const t = e.firstChild;"
                "r.setStart(t, 0); r.setEnd(t, 1); const first = r.getBoundingClientRect().left;"
                "r.setStart(t, t.length - 1); r.setEnd(t, t.length);"
                "const last = r.getBoundingClientRect().left;"
                "return [e.textContent, first > last];"
            )
            shown, right_to_left = webdriver.post(
                f"/session/{session}/execute/sync", json={"script": script, "args": []}
            ).json()["value"]
            assert shown in entity.names["ar"] and right_to_left is True
        finally:
            webdriver.delete(f"/session/{session}")
    finally:
        webdriver.close()
        driver.terminate()
        driver.wait(timeout=30)
