"""What each POS API v1 operation accepts and answers, as data: the handlers decode their input with
these same msgspec types, and /pos/v1/openapi.json is generated from them, so the document cannot
drift from what the server validates.

Each handler module lists its operations in a module-level OPERATIONS tuple; the package gathers them
(cloud/server/pos/__init__.py) for the router and the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import msgspec


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


@dataclass(frozen=True)
class Operation:
    """One POS API operation: its route, its typed input and its typed answers.

    `path` is the OpenAPI template (`/pos/v1/orders/{order_id}/fulfilment`); `request` the msgspec type
    of the JSON body, `query` a msgspec Struct whose fields are the query parameters; `responses` maps
    each success status to its body type (error statuses are added from `errors`, all as Problem)."""

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
