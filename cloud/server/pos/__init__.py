"""POS API v1 (`/pos/v1/`, JSON): what a point-of-sale system talks to. docs/pos-api.md has the calls.

Every call needs a POS device token (one store, one location: auth.py); every POST an Idempotency-Key
(idempotency.py). Each handler module lists its operations in OPERATIONS (spec.Operation); they are
gathered here, once, for /pos/v1/openapi.json and for the 405 answers of the router."""

from __future__ import annotations

from aiohttp import web

from cloud.server.admin import problem
from cloud.server.pos import catalog, inventory, orders
from cloud.server.pos.openapi import OPENAPI_PATH, openapi_handler
from cloud.server.pos.spec import Operation

POS_PREFIX = "/pos/v1/"

# Every operation of the POS API: one line per handler module.
OPERATIONS: tuple[Operation, ...] = (
    *inventory.OPERATIONS,
    *catalog.OPERATIONS,
    *orders.OPERATIONS,
)


def add_pos_routes(app: web.Application) -> None:
    """The POS API's routes (before the storefront's catch-all): one line per route, then the fallbacks."""
    app.router.add_get(OPENAPI_PATH, openapi_handler(OPERATIONS))
    app.router.add_post("/pos/v1/inventory/changes", inventory.post_changes)
    app.router.add_get("/pos/v1/inventory/counts", inventory.get_counts)
    catalog.add_catalog_routes(app)
    orders.add_order_routes(app)
    add_fallbacks(app)      # LAST: its /pos/ catch-all would shadow any POS route added after it


def add_fallbacks(app: web.Application) -> None:
    """JSON problems instead of the storefront's pages: 405 with Allow for another method on a POS path
    (a GET would otherwise reach the storefront's catch-all), 404 for any other /pos/ address. Added after
    every POS route, which they would otherwise shadow."""
    allowed: dict[str, set[str]] = {OPENAPI_PATH: {"GET", "HEAD"}}
    for op in OPERATIONS:
        allowed.setdefault(op.path, set()).update({op.method.upper()} | ({"HEAD"} if op.method.upper() == "GET"
                                                                         else set()))
    for path, methods in allowed.items():
        app.router.add_route("*", path, _method_not_allowed(sorted(methods)))
    app.router.add_route("*", "/pos/{tail:.*}", _not_found)


def _method_not_allowed(methods: list[str]):
    allow = ", ".join(methods)

    async def method_not_allowed(request: web.Request) -> web.Response:
        response = problem(405, f"{request.path} accepts {allow}")
        response.headers["Allow"] = allow
        return response
    return method_not_allowed


async def _not_found(request: web.Request) -> web.Response:
    return problem(404, f"No POS API call at {request.path}; GET {OPENAPI_PATH} lists them")
