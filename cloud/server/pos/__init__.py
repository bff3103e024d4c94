"""POS API v1 (`/pos/v1/`, JSON): what a point-of-sale system talks to. docs/pos-api.md has the calls.

Every call needs a POS device token (one store, one location: auth.py); every POST an Idempotency-Key
(idempotency.py)."""

from __future__ import annotations

from aiohttp import web

from cloud.server.pos.catalog import add_catalog_routes
from cloud.server.pos.inventory import get_counts, post_changes
from cloud.server.pos.orders import add_order_routes

POS_PREFIX = "/pos/v1/"


def add_pos_routes(app: web.Application) -> None:
    """The POS API's routes (before the storefront's catch-all)."""
    app.router.add_post("/pos/v1/inventory/changes", post_changes)
    app.router.add_get("/pos/v1/inventory/counts", get_counts)
    add_catalog_routes(app)
    add_order_routes(app)
