"""What each POS API v1 operation accepts and answers, as data: the handlers decode their input with
these same msgspec types, and /pos/v1/openapi.json is generated from them, so the document cannot
drift from what the server validates.

Each handler module lists its operations in a module-level OPERATIONS tuple; the package gathers them
(cloud/server/pos/__init__.py) for the router and the OpenAPI document (cloud/server/pos/openapi.py).
The helpers below are how a handler decodes with those types and answers: a body or query that does not
fit its type is a JSON problem naming the field (never a 500).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import msgspec
import msgspec.inspect
from aiohttp import web

from cloud.server.admin import problem

T = TypeVar("T")
# Text without control characters (C0 and DEL): what every free-text field of the POS API allows
# (a NUL, a newline or an escape in a SKU, a title or a reference is a bug of the sender, not data).
# `(?!\n)`: Python's `$` (msgspec's) also matches before a final newline; JSON Schema's does not.
NO_CONTROLS = "^[^\\x00-\\x1f\\x7f]*$(?!\\n)"


class Problem(msgspec.Struct):
    """The body of every error answer: {"error": {"status", "message", ...}} (cloud.server.admin.problem)."""

    error: ProblemDetail


class ProblemDetail(msgspec.Struct):
    """Why a request was refused. A refused batch names the first bad item's index and field."""

    status: int
    message: str
    index: int | None = None
    field: str | None = None
    code: str | None = None
    current_version: int | None = None      # a stale version (409): the version there is now


@dataclass(frozen=True)
class Operation:
    """One POS API operation: its route, its typed input and its typed answers.

    `path` is the OpenAPI template (`/pos/v1/orders/{order_id}/fulfilment`); `request` the msgspec type
    of the JSON body, `query` a msgspec Struct whose fields are the query parameters; `responses` maps
    each success status to its body type (error statuses are added from `errors`, all as Problem).
    `path_params`, a msgspec Struct whose fields type the template's parameters (strings when absent).
    `links`, OpenAPI links of the success answer (name -> Link object): where its values lead next, e.g. the
    feed's order id to GET the order (schemathesis' stateful phase follows them)."""

    method: str
    path: str
    operation_id: str
    summary: str
    responses: Mapping[int, type | None]
    request: type | None = None
    query: type | None = None
    errors: tuple[int, ...] = (400, 401, 403)
    idempotent: bool = False            # a POST: needs an Idempotency-Key header (409/422 added)
    description: str = ""
    tags: tuple[str, ...] = field(default=())
    path_params: type | None = None
    links: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


_AT = re.compile(r"^(?P<message>.*?)(?: - at `\$\.?(?P<path>[^`]*)`)?$", re.DOTALL)
_NAMED = re.compile(r"(?:missing required|unknown) field `(?P<field>[^`]*)`")


def error_field(exc: msgspec.ValidationError) -> tuple[str, str]:
    """(field path, message) of a msgspec validation error: `Expected int - at $.items[2].price` ->
    ("items[2].price", "Expected int"); a missing or unknown field is named in the path."""
    match = _AT.match(str(exc))
    message, path = (match["message"], match["path"] or "") if match else (str(exc), "")
    named = _NAMED.search(message)
    if named:
        path = f"{path}.{named['field']}" if path else named["field"]
    return path, message


def decode_body(raw: bytes, kind: type[T], *, batch: str | None = None) -> T | web.Response:
    """The JSON body as `kind`, or the problem to answer: 400 when it is not JSON, 422 naming the field
    when it is JSON of another shape. With `batch` (the list field of an all-or-nothing batch, e.g.
    "products"), an error inside its item N names index N and the field inside that item."""
    try:
        return msgspec.json.decode(raw, type=kind)
    except UnicodeDecodeError:          # msgspec's own error for a string of bytes that are not UTF-8
        return problem(400, "The body is not valid JSON: it is not UTF-8", code="malformed")
    except msgspec.ValidationError as exc:
        path, message = error_field(exc)
        index, field = _in_batch(path, batch)
        return problem(422, f"{path}: {message}" if path else message, index=index, field=field or None,
                       code="invalid")
    except msgspec.DecodeError:
        return problem(400, "The body is not valid JSON", code="malformed")


def _in_batch(path: str, batch: str | None) -> tuple[int | None, str]:
    """(index, field inside the item) of a path into `batch`'s items; (None, path) otherwise."""
    found = re.match(rf"^{re.escape(batch)}\[(\d+)\]\.?", path) if batch else None
    return (int(found[1]), path[found.end():]) if found else (None, path)


def decode_query(request: web.Request, kind: type[T]) -> T | web.Response:
    """The query string as the Struct `kind` (its fields are the parameters, and the only ones taken),
    or a 400 problem naming the parameter. Each value is converted strictly (msgspec's lax mode would
    read "0.5" as a datetime), but for numbers and booleans, which arrive as text. Give optional
    parameters a default or msgspec.UNSET, not None. A parameter given twice is refused."""
    known = {item.encode_name for item in msgspec.structs.fields(kind)}
    given: dict[str, str] = {}
    for key, value in request.query.items():
        if key not in known:
            return problem(400, f"Unknown query parameter {key!r}: this call takes {', '.join(sorted(known))}",
                           field=key)
        if key in given:
            return problem(400, f"{key}: given more than once", field=key)
        given[key] = value
    values = {}
    for item in msgspec.structs.fields(kind):
        if item.encode_name not in given:
            continue
        try:
            values[item.name] = msgspec.convert(given[item.encode_name], item.type, strict=not _from_text(item.type))
        except msgspec.ValidationError as exc:
            return problem(400, f"{item.encode_name}: {error_field(exc)[1]}", field=item.encode_name)
    return kind(**values)


def _from_text(annotation: Any) -> bool:
    """Whether a parameter's type is a number or boolean (converted from text, leniently)."""
    info = msgspec.inspect.type_info(annotation)
    options = info.types if isinstance(info, msgspec.inspect.UnionType) else (info,)
    return any(isinstance(o, (msgspec.inspect.IntType, msgspec.inspect.FloatType, msgspec.inspect.BoolType))
               for o in options)


async def read_body(request: web.Request, limit: int) -> bytes | web.Response:
    """The request body, or a 413 problem when it is larger than `limit` bytes (or than the app's
    client_max_size, which aiohttp enforces while reading)."""
    if request.content_length is not None and request.content_length > limit:
        return too_large(limit)
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return too_large(limit)
    return too_large(limit) if len(raw) > limit else raw


def too_large(limit: int) -> web.Response:
    """The 413 problem for a body over `limit` bytes."""
    return problem(413, f"The body can be at most {limit // 1024} KB")


def typed_response(answer: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> web.Response:
    """A declared answer type, encoded with msgspec (what the document's schema describes)."""
    return web.Response(body=msgspec.json.encode(answer), status=status, content_type="application/json",
                        headers=headers)
