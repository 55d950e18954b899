"""The wire formats: W3C Reconciliation Service API 0.2 and the 1.0 draft.

Each version's batch is parsed into ``service.Query`` objects and its answers are
written from ``service.Candidate`` objects; nothing here looks anything up.
Specifications: https://www.w3.org/community/reports/reconciliation/CG-FINAL-specs-0.2-20230410/
and https://reconciliation-api.github.io/specs/draft/ (the 1.0 draft).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from namelink import __version__
from namelink.serve.service import (
    COUNTRY_PROPERTIES,
    DEFAULT_LIMIT,
    FEATURE_NAMES,
    MAX_BATCH,
    MAX_LIMIT,
    QID,
    TYPE_IDS,
    TYPE_LABELS,
    Candidate,
    CountryCondition,
    Query,
    QueryError,
    Reconciler,
    entity_types,
    resolve_types,
    text_dir,
)
from namelink.serve.suggest import Suggestion

__all__ = [
    "PREVIEW_HEIGHT",
    "PREVIEW_WIDTH",
    "V02_ROOT",
    "V1_ROOT",
    "candidates_v1",
    "manifest_v02",
    "manifest_v1",
    "parse_batch_v02",
    "parse_batch_v1",
    "results_v02",
    "suggestions",
    "type_objects",
]

V02_ROOT = "/reconcile"
V1_ROOT = "/reconcile/v1"
SERVICE_NAME = "namelink: Arabic-script names to Wikidata, offline"
IDENTIFIER_SPACE = "http://www.wikidata.org/entity/"
SCHEMA_SPACE = "http://www.wikidata.org/prop/direct/"
VIEW_V02 = "https://www.wikidata.org/wiki/{{id}}"
VIEW_V1 = "https://www.wikidata.org/wiki/{id}"  # the 1.0 draft's views are RFC 6570 templates
# The preview iframe: OpenRefine's own Wikidata service asks for 400×100; the card
# shows a few names more, so it asks for twice the height.
PREVIEW_WIDTH = 400
PREVIEW_HEIGHT = 200
TYPE_STRICT = ("any", "should", "all")
MATCH_QUANTIFIERS = ("any", "all", "none")


def type_objects(kinds: Sequence[str]) -> list[dict[str, str]]:
    """Gazetteer types as the API's type objects {id, name}."""
    return [{"id": TYPE_IDS[kind], "name": TYPE_LABELS[TYPE_IDS[kind]]} for kind in kinds]


def _limit(value: object, where: str) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise QueryError(f"{where}: 'limit' must be a positive whole number, got {json.dumps(value)}")
    return min(value, MAX_LIMIT)


def _values(value: object) -> list[object]:
    return value if isinstance(value, list) else [value]


def _check_batch_size(count: int) -> None:
    if count > MAX_BATCH:
        raise QueryError(
            f"a batch holds at most {MAX_BATCH} queries (the manifest's batchSize), got {count}: "
            "send it in smaller batches"
        )


# -- 0.2 -----------------------------------------------------------------------------------


def manifest_v02(base: str, reconciler: Reconciler) -> dict[str, Any]:
    """The 0.2 manifest; ``base`` is the service's URL up to (not including) its root."""
    root = base + V02_ROOT
    return {
        "versions": ["0.2"],
        "name": SERVICE_NAME,
        "identifierSpace": IDENTIFIER_SPACE,
        "schemaSpace": SCHEMA_SPACE,
        "serviceVersion": __version__,
        "view": {"url": VIEW_V02},
        "defaultTypes": type_objects(reconciler.types_held()),
        "batchSize": MAX_BATCH,
        "suggest": {
            "entity": {"service_url": root, "service_path": "/suggest/entity"},
            "type": {"service_url": root, "service_path": "/suggest/type"},
        },
        "preview": {"url": root + "/preview?id={{id}}", "width": PREVIEW_WIDTH, "height": PREVIEW_HEIGHT},
    }


def parse_batch_v02(text: str, reconciler: Reconciler) -> tuple[list[str], list[Query]]:
    """The ids and queries of a 0.2 batch, the JSON of the ``queries`` parameter."""
    try:
        batch = json.loads(text)
    except json.JSONDecodeError as error:
        raise QueryError(
            f"'queries' is not valid JSON ({error.msg} at line {error.lineno} column {error.colno}); "
            'send an object of queries such as {"q0": {"query": "بوتين"}}'
        ) from None
    except RecursionError:
        raise QueryError("'queries' nests too deeply to be a batch of queries") from None
    if not isinstance(batch, dict):
        raise QueryError('\'queries\' must be a JSON object of queries such as {"q0": {"query": "بوتين"}}')
    _check_batch_size(len(batch))
    ids, queries = [], []
    for qid, raw in batch.items():
        where = f"query {qid!r}"
        if not isinstance(raw, dict):
            raise QueryError(f"{where}: must be an object with a 'query' string")
        text_value = raw.get("query")
        if text_value is None and raw.get("properties"):
            raise QueryError(
                f"{where}: this service finds entities by name or QID: give a 'query'; "
                "properties only narrow the candidates"
            )
        if not isinstance(text_value, str):
            raise QueryError(
                f"{where}: 'query' must be a string, got {json.dumps(text_value, ensure_ascii=False)}"
            )
        strict = raw.get("type_strict", "should")
        if strict not in TYPE_STRICT:
            raise QueryError(f"{where}: 'type_strict' must be one of {', '.join(TYPE_STRICT)}")
        kinds = resolve_types(entity_types(raw["type"], where), strict) if raw.get("type") else None
        countries = []
        properties = raw.get("properties") or []
        if not isinstance(properties, list):
            raise QueryError(f"{where}: 'properties' must be a list of {{'pid': ..., 'v': ...}}")
        for prop in properties:
            if not isinstance(prop, dict) or not isinstance(prop.get("pid"), str) or "v" not in prop:
                raise QueryError(f"{where}: each property must be an object with 'pid' and 'v'")
            if prop["pid"] in COUNTRY_PROPERTIES:
                values = reconciler.resolve_countries(_values(prop["v"]), f"{where}, property {prop['pid']}")
                countries.append(CountryCondition(values))
            # Any other property is not in the gazetteer: it cannot narrow anything.
        ids.append(qid)
        queries.append(Query(text_value, kinds, _limit(raw.get("limit"), where), None, tuple(countries)))
    return ids, queries


def _features(candidate: Candidate) -> list[dict[str, Any]]:
    return [
        {"id": name, "name": FEATURE_NAMES.get(name, name.replace("_", " ")), "value": value}
        for name, value in candidate.features
    ]


def _candidate_v02(candidate: Candidate) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": candidate.qid,
        "name": candidate.name,
        "score": candidate.score,
        "match": candidate.match,
        "type": type_objects([candidate.type]),
        "features": _features(candidate),
    }
    if candidate.description:
        out["description"] = candidate.description
    return out


def results_v02(ids: Sequence[str], results: Sequence[Sequence[Candidate]]) -> dict[str, Any]:
    return {
        qid: {"result": [_candidate_v02(c) for c in found]} for qid, found in zip(ids, results, strict=True)
    }


# -- 1.0 draft -------------------------------------------------------------------------------


def manifest_v1(reconciler: Reconciler) -> dict[str, Any]:
    """The 1.0-draft manifest; its routes are relative to its own root."""
    return {
        "versions": ["1.0-draft"],
        "name": SERVICE_NAME,
        "serviceVersion": __version__,
        "view": {"url": VIEW_V1},
        "defaultTypes": type_objects(reconciler.types_held()),
        "batchSize": MAX_BATCH,
        "standardizedScore": True,
        "suggest": {"entity": True, "property": False, "type": True},
        "preview": {"width": PREVIEW_WIDTH, "height": PREVIEW_HEIGHT},
    }


def _condition(raw: object, where: str, reconciler: Reconciler) -> tuple[str, str | CountryCondition | None]:
    """One 1.0 condition: ("name" | "id", text) or ("property", a country condition or None)."""
    if not isinstance(raw, dict):
        raise QueryError(f"{where}: must be an object with 'matchType' and 'propertyValue'")
    kind = raw.get("matchType")
    if kind not in ("name", "id", "property"):
        raise QueryError(f"{where}: 'matchType' must be name, id or property")
    if "propertyValue" not in raw:
        raise QueryError(f"{where}: 'propertyValue' is required")
    value = raw["propertyValue"]
    if kind in ("name", "id"):
        if not isinstance(value, str):
            raise QueryError(f"{where}: a {kind} condition's 'propertyValue' must be a string")
        if kind == "id" and not QID.fullmatch(value.strip()):
            raise QueryError(f"{where}: an id condition's 'propertyValue' must be a QID such as Q7747")
        return kind, value
    pid = raw.get("propertyId")
    if not isinstance(pid, str):
        raise QueryError(f"{where}: a property condition needs a 'propertyId'")
    required = raw.get("required", False)
    quantifier = raw.get("matchQuantifier", "any")
    if not isinstance(required, bool) or quantifier not in MATCH_QUANTIFIERS:
        raise QueryError(f"{where}: 'required' must be true or false, 'matchQuantifier' any, all or none")
    if pid not in COUNTRY_PROPERTIES:
        if required:
            known = ", ".join(f"{p} ({name})" for p, name in COUNTRY_PROPERTIES.items())
            raise QueryError(f"{where}: this gazetteer holds no {pid}; it can require only {known}")
        return kind, None
    values = reconciler.resolve_countries(_values(value), where)
    return kind, CountryCondition(values, quantifier, required)


def parse_batch_v1(body: bytes, reconciler: Reconciler) -> list[Query]:
    """The queries of a 1.0-draft batch, the JSON body of ``POST /match``."""
    try:
        batch = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
        raise QueryError(
            f"the body is not valid JSON ({error}); "
            'send {"queries": [{"conditions": [{"matchType": "name", "propertyValue": "بوتين"}]}]}'
        ) from None
    if not isinstance(batch, dict) or not isinstance(batch.get("queries"), list):
        raise QueryError('the body must be an object with a "queries" list')
    _check_batch_size(len(batch["queries"]))
    queries = []
    for position, raw in enumerate(batch["queries"]):
        where = f"query {position}"
        if not isinstance(raw, dict) or not isinstance(raw.get("conditions"), list) or not raw["conditions"]:
            raise QueryError(f"{where}: must be an object with a non-empty 'conditions' list")
        texts, countries = [], []
        for number, condition in enumerate(raw["conditions"]):
            _, value = _condition(condition, f"{where}, condition {number}", reconciler)
            if isinstance(value, str):
                texts.append(value)
            elif value is not None:
                countries.append(value)
        if len(texts) != 1:
            raise QueryError(
                f"{where}: give exactly one name or id condition (got {len(texts)}); "
                "this service finds entities by name or QID, and properties only narrow them"
            )
        lang = raw.get("lang")
        if lang is not None and not isinstance(lang, str):
            raise QueryError(f"{where}: 'lang' must be a language tag such as fa")
        kinds = resolve_types(entity_types(raw["type"], where)) if raw.get("type") else None
        queries.append(Query(texts[0], kinds, _limit(raw.get("limit"), where), lang, tuple(countries)))
    return queries


def _text_fields(name: str, lang: str | None, description: str) -> dict[str, str]:
    """``lang`` and ``dir`` for an object whose name is ``name``: the name's own
    direction, or "auto" when its description runs the other way (each field is
    then read by its own content, as the 1.0 draft allows)."""
    direction = text_dir(name)
    out = {"dir": direction if not description or text_dir(description) == direction else "auto"}
    if lang:
        out["lang"] = lang
    return out


def candidates_v1(results: Sequence[Sequence[Candidate]]) -> dict[str, Any]:
    batch = []
    for found in results:
        candidates = []
        for candidate in found:
            item = _candidate_v02(candidate)
            item.update(_text_fields(candidate.name, candidate.name_lang, candidate.description))
            candidates.append(item)
        batch.append({"candidates": candidates})
    return {"results": batch}


# -- suggest ---------------------------------------------------------------------------------


def suggestions(found: Sequence[Suggestion], *, v1: bool) -> dict[str, Any]:
    result = []
    for suggestion in found:
        entity = suggestion.entity
        item: dict[str, Any] = {
            "id": entity.qid,
            "name": suggestion.name,
            "notable": type_objects([entity.type]),
        }
        if entity.description:
            item["description"] = entity.description
        if v1:
            item.update(_text_fields(suggestion.name, suggestion.name_lang, entity.description))
        result.append(item)
    return {"result": result}
