"""The HTTP side: a Starlette application with both API versions, CORS on every
route, JSONP on 0.2's GET routes, and errors as JSON with a status that says what
went wrong (400 a query to fix, 413 a body too large, 415 a body of another kind,
404 an entity not in the gazetteer)."""

from __future__ import annotations

import functools
import json
import re
import socket
import sys
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import uvicorn
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from namelink import Gazetteer
from namelink.serve import protocol
from namelink.serve.preview import not_found_page, preview_page
from namelink.serve.service import QueryError, Reconciler, accepted_languages, resolve_types
from namelink.serve.suggest import MAX_SUGGEST, SUGGEST_LIMIT, Suggester

__all__ = ["MAX_BODY_BYTES", "bind", "create_app", "run"]

# A POST body larger than this is refused (413): a full batch of MAX_BATCH queries,
# each a 256-character name (the longest the gazetteer looks up) with properties,
# is under 100 kB even percent-encoded.
MAX_BODY_BYTES = 1_000_000
# A JSONP callback is a JavaScript name (dotted paths allowed), at most this long.
_CALLBACK = re.compile(r"[A-Za-z_$][\w$]{0,63}(?:\.[A-Za-z_$][\w$]{0,63}){0,4}")
# Browsers cache a CORS preflight this many seconds (a day: the rules never change).
CORS_MAX_AGE = 86_400

Handler = Callable[[Request], Awaitable[Response]]


class HTTPProblem(Exception):
    """A request answered with ``status`` and a message saying what to change."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message, "status": status}, status_code=status)


def _endpoint(handler: Handler) -> Handler:
    """Problems become JSON errors inside the CORS middleware, so a browser client
    reads them too; an unexpected failure is a 500, never an empty result."""

    @functools.wraps(handler)
    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except QueryError as problem:
            return _error(400, str(problem))
        except HTTPProblem as problem:
            return _error(problem.status, str(problem))
        except Exception as failure:  # the service must answer, with the reason
            return _error(500, f"internal error: {type(failure).__name__}: {failure}")

    return run


def _jsonp(request: Request, content: Any) -> Response:
    """JSON, or with ?callback=NAME the same JSON wrapped for JSONP (0.2 GET routes)."""
    callback = request.query_params.get("callback")
    if callback is None:
        return JSONResponse(content)
    if not _CALLBACK.fullmatch(callback):
        raise HTTPProblem(400, "'callback' must be a JavaScript function name such as jQuery123_456")
    body = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return Response(
        f"/**/{callback}({body});",
        media_type="application/javascript; charset=utf-8",
        headers={"X-Content-Type-Options": "nosniff"},
    )


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise HTTPProblem(413, f"the body is over {MAX_BODY_BYTES:,} bytes: send smaller batches")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise HTTPProblem(413, f"the body is over {MAX_BODY_BYTES:,} bytes: send smaller batches")
        chunks.append(chunk)
    return b"".join(chunks)


def _int_param(request: Request, name: str, default: int, minimum: int, maximum: int) -> int:
    value = request.query_params.get(name)
    if value is None or value == "":
        return default
    if not (value.isascii() and value.isdigit()) or int(value) < minimum:
        raise HTTPProblem(400, f"'{name}' must be a whole number, at least {minimum}")
    return min(int(value), maximum)


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def create_app(gazetteer: Gazetteer | None = None) -> Starlette:
    """The service over ``gazetteer`` (default: the embedded one), as an ASGI app."""
    if gazetteer is None:
        gazetteer = Gazetteer.default()
    service = Reconciler(gazetteer)
    suggester = Suggester(service)

    def languages(request: Request) -> tuple[str, ...]:
        return accepted_languages(request.headers.get("accept-language"))

    async def index(request: Request) -> Response:
        base = _base(request)
        return JSONResponse(
            {
                "name": protocol.SERVICE_NAME,
                "reconcile": {"0.2": base + protocol.V02_ROOT, "1.0-draft": base + protocol.V1_ROOT},
            }
        )

    async def reconcile_v02(request: Request) -> Response:
        if request.method == "POST":
            if request.headers.get("content-type", "").startswith("multipart/"):
                raise HTTPProblem(415, "send the form as application/x-www-form-urlencoded")
            try:
                form = parse_qs((await _body(request)).decode("utf-8"), keep_blank_values=True)
            except (UnicodeDecodeError, ValueError):
                raise HTTPProblem(400, "the form is not UTF-8 application/x-www-form-urlencoded") from None
            if "queries" not in form:
                raise HTTPProblem(400, "POST a form field 'queries' holding a JSON object of queries")
            text = form["queries"][0]
        elif "queries" in request.query_params:
            text = request.query_params["queries"]
        else:
            return _jsonp(request, protocol.manifest_v02(_base(request), service))
        ids, queries = protocol.parse_batch_v02(text, service)
        return _jsonp(request, protocol.results_v02(ids, service.reconcile(queries)))

    def suggest_params(request: Request, offset_name: str) -> tuple[str, int, int]:
        prefix = request.query_params.get("prefix")
        if prefix is None:
            raise HTTPProblem(400, "give the text to complete as ?prefix=")
        limit = _int_param(request, "limit", SUGGEST_LIMIT, 1, MAX_SUGGEST)
        return prefix, limit, _int_param(request, offset_name, 0, 0, sys.maxsize)

    def suggest_types(request: Request) -> frozenset[str] | None:
        """``type=`` (repeatable): the types suggestions must have, as in a query."""
        return resolve_types(request.query_params.getlist("type"))

    async def suggest_entity_v02(request: Request) -> Response:
        prefix, limit, offset = suggest_params(request, "cursor")
        found = suggester.entities(prefix, limit, offset, types=suggest_types(request))
        return _jsonp(request, protocol.suggestions(found, v1=False))

    async def suggest_entity_v1(request: Request) -> Response:
        prefix, limit, offset = suggest_params(request, "offset")
        found = suggester.entities(prefix, limit, offset, languages(request), suggest_types(request))
        return JSONResponse(protocol.suggestions(found, v1=True))

    async def suggest_type(request: Request) -> Response:
        v1 = request.url.path.startswith(protocol.V1_ROOT)
        prefix, limit, offset = suggest_params(request, "offset" if v1 else "cursor")
        content = {"result": protocol.type_objects(suggester.types(prefix, limit, offset))}
        return JSONResponse(content) if v1 else _jsonp(request, content)

    async def preview(request: Request) -> Response:
        qid = request.query_params.get("id")
        if not qid:
            raise HTTPProblem(400, "give the entity to preview as ?id=Q...")
        entity = service.entity(qid)
        if entity is None:
            return HTMLResponse(not_found_page(qid), status_code=404)
        return HTMLResponse(preview_page(entity, languages(request)))

    async def manifest_v1(request: Request) -> Response:
        return JSONResponse(protocol.manifest_v1(service))

    async def match_v1(request: Request) -> Response:
        queries = protocol.parse_batch_v1(await _body(request), service)
        return JSONResponse(protocol.candidates_v1(service.reconcile(queries, languages(request))))

    v02, v1 = protocol.V02_ROOT, protocol.V1_ROOT
    routes = [
        Route("/", _endpoint(index)),
        Route(v02, _endpoint(reconcile_v02), methods=["GET", "POST"]),
        Route(v02 + "/suggest/entity", _endpoint(suggest_entity_v02)),
        Route(v02 + "/suggest/type", _endpoint(suggest_type)),
        Route(v02 + "/preview", _endpoint(preview)),
        Route(v1, _endpoint(manifest_v1)),
        Route(v1 + "/match", _endpoint(match_v1), methods=["POST"]),
        Route(v1 + "/suggest/entity", _endpoint(suggest_entity_v1)),
        Route(v1 + "/suggest/type", _endpoint(suggest_type)),
        Route(v1 + "/preview", _endpoint(preview)),
    ]
    cors = Middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"],
        max_age=CORS_MAX_AGE,
    )
    return Starlette(routes=routes, middleware=[cors])


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port`` (0: a free port); OSError when it cannot be had."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(socket.SOMAXCONN)
    except OSError:
        sock.close()
        raise
    return sock


def run(app: Starlette, sock: socket.socket, *, log_level: str = "warning") -> None:
    """Serve ``app`` with uvicorn on ``sock`` until interrupted."""
    config = uvicorn.Config(app, log_level=log_level, access_log=False, lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])
