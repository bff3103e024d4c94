"""/pos/v1/openapi.json: the POS API's OpenAPI 3.1 document, built from the operations' own types.

The paths come from each Operation (cloud/server/pos/spec.py); the component schemas from the msgspec
types the handlers decode and answer with (msgspec.json.schema_components), so the document describes
exactly what the server validates. Every operation needs a POS device token (bearer); every idempotent
one an Idempotency-Key header; every error answer is a Problem.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

import msgspec
from aiohttp import web

from cloud.server.pos.idempotency import KEY_PATTERN, MAX_KEY
from cloud.server.pos.spec import Operation, Problem

OPENAPI_PATH = "/pos/v1/openapi.json"
REF = "#/components/schemas/{name}"
_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")

# Why each error status can happen (the operation's own description says more).
_ERRORS = {
    400: "Malformed request: a body that is not JSON, a bad query parameter, no Idempotency-Key",
    401: "No bearer token, or an unknown, expired or revoked one",
    403: "The token is not a POS device token of this store",
    404: "No such resource (the message says which)",
    409: "Conflict: a stale version, or a request with this Idempotency-Key still running (Retry-After)",
    413: "The body is too large",
    422: "The request breaks a rule: the message names the field (and the index, in a batch); or this "
         "Idempotency-Key was used for another request",
    429: "Too many requests from this address; retry after Retry-After seconds",
    502: "The payment provider refused or could not be reached (code payment_failed): a pickup was not "
         "recorded; a cancel was, and the same call again finishes the refund or release",
    503: "The store's database is busy for a moment; nothing was changed, retry after Retry-After seconds",
}
_HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}, "description": "Bearer"}},
    409: {"Retry-After": {"schema": {"type": "string"}, "description": "Seconds to wait (a running key)"}},
    429: {"Retry-After": {"schema": {"type": "string"}, "description": "Seconds to wait"}},
    503: {"Retry-After": {"schema": {"type": "string"}, "description": "Seconds to wait"}},
}
_INFO = {
    "title": "Vibeshop POS API",
    "version": "1",
    "description": "What a point-of-sale system talks to: stock changes and counts, the catalogue, the online "
                   "orders to hand over. Every call needs a POS device token (`vibeshop cloud pos device add`); "
                   "every POST an Idempotency-Key header. docs/pos-api.md has curl examples for each call.",
}


def build_document(operations: Iterable[Operation]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of these operations."""
    operations = tuple(operations)
    types = _types(operations)
    refs, components = msgspec.json.schema_components(types, ref_template=REF)
    schema_of = dict(zip(types, refs, strict=True))
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        paths.setdefault(op.path, {})[op.method.lower()] = _operation(op, schema_of)
    return {
        "openapi": "3.1.0",
        "info": _INFO,
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"posDevice": {"type": "http", "scheme": "bearer",
                                              "description": "A POS device token of this store"}},
        },
        "security": [{"posDevice": []}],
    }


def _types(operations: tuple[Operation, ...]) -> list[Any]:
    """Every type the document names, once, in a stable order (Problem first)."""
    found: dict[Any, None] = {Problem: None}
    for op in operations:
        for kind in (op.request, *op.responses.values()):
            if kind is not None:
                found.setdefault(kind, None)
    return list(found)


def _operation(op: Operation, schema_of: dict[Any, dict[str, Any]]) -> dict[str, Any]:
    body: dict[str, Any] = {"operationId": op.operation_id, "summary": op.summary}
    if op.description:
        body["description"] = op.description
    if op.tags:
        body["tags"] = list(op.tags)
    parameters = _path_parameters(op) + _query_parameters(op)
    if op.idempotent:
        parameters.append({
            "name": "Idempotency-Key", "in": "header", "required": True,
            "description": "A unique key per request (a UUID); the same key again replays the stored answer "
                           "(Idempotent-Replayed: true) for 7 days",
            "schema": {"type": "string", "pattern": KEY_PATTERN, "minLength": 1, "maxLength": MAX_KEY}})
    if parameters:
        body["parameters"] = parameters
    if op.request is not None:
        body["requestBody"] = {"required": True, "content": {"application/json": {"schema": schema_of[op.request]}}}
    body["responses"] = _responses(op, schema_of)
    return body


def _responses(op: Operation, schema_of: dict[Any, dict[str, Any]]) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for status, kind in op.responses.items():
        answer: dict[str, Any] = {"description": "OK" if status < 300 else str(status)}
        if kind is not None:
            answer["content"] = {"application/json": {"schema": schema_of[kind]}}
        if op.idempotent:
            answer["headers"] = {"Idempotent-Replayed": {
                "schema": {"type": "string", "enum": ["true"]},
                "description": "Present on a replay: the stored answer of an earlier request with this key"}}
        if op.links and status < 300:
            answer["links"] = {name: dict(link) for name, link in op.links.items()}
        answers[str(status)] = answer
    errors = {*op.errors, 401, 403, 429, 503} | ({400, 409, 422} if op.idempotent else set())
    if op.request is not None:
        errors |= {400, 413, 422}
    if op.query is not None:
        errors.add(400)
    if _PARAM.search(op.path):
        errors.add(404)
    for status in sorted(errors):
        answer = {"description": _ERRORS.get(status, "Refused"),
                  "content": {"application/json": {"schema": schema_of[Problem]}}}
        if status in _HEADERS:
            answer["headers"] = _HEADERS[status]
        answers[str(status)] = answer
    return answers


def _path_parameters(op: Operation) -> list[dict[str, Any]]:
    typed = _field_schemas(op.path_params) if op.path_params is not None else {}
    return [{"name": name, "in": "path", "required": True,
             "schema": typed.get(name, ({"type": "string", "minLength": 1}, True))[0]}
            for name in _PARAM.findall(op.path)]


def _query_parameters(op: Operation) -> list[dict[str, Any]]:
    if op.query is None:
        return []
    return [{"name": name, "in": "query", "required": required, "schema": schema}
            for name, (schema, required) in _field_schemas(op.query).items()]


def _field_schemas(struct: type) -> dict[str, tuple[dict[str, Any], bool]]:
    """Each field of a flat msgspec Struct: (its schema without `null`, whether it is required). A query
    or path parameter is a string on the wire: an absent optional parameter is its None."""
    (ref,), components = msgspec.json.schema_components([struct], ref_template=REF)
    own = components[ref["$ref"].rsplit("/", 1)[-1]]
    required = set(own.get("required", ()))
    out = {}
    for name, schema in own.get("properties", {}).items():
        schema = {k: v for k, v in schema.items() if k not in ("default", "title")}
        options = [s for s in schema.pop("anyOf", []) if s != {"type": "null"}]
        if len(options) == 1:
            schema = {**schema, **options[0]}
        elif options:
            schema["anyOf"] = options
        out[name] = (schema, name in required)
    return out


def openapi_handler(operations: Iterable[Operation]) -> Any:
    """GET /pos/v1/openapi.json: the document, built once; no token needed, cacheable (ETag)."""
    body = msgspec.json.encode(build_document(operations))
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"Cache-Control": "public, max-age=300", "ETag": etag, "Access-Control-Allow-Origin": "*"}

    async def serve_openapi(request: web.Request) -> web.Response:
        if etag in request.headers.get("If-None-Match", ""):
            return web.Response(status=304, headers=headers)
        return web.Response(body=body, content_type="application/json", headers=headers)
    return serve_openapi
