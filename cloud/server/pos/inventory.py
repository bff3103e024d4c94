"""POS API v1, stock: POST /pos/v1/inventory/changes and GET /pos/v1/inventory/counts. Thin handlers:
parse, call shared.inventory.pos_changes on the store's writer thread, answer JSON."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from cloud.server.admin import problem
from cloud.server.middlewares import STORE
from cloud.server.pos.auth import POS_GRANT, pos
from cloud.server.pos.idempotency import idempotent
from shared.db import Connection
from shared.db.repositories.pos_inventory import counts_page
from shared.inventory.errors import InventoryError
from shared.inventory.models import stamp
from shared.inventory.pos_changes import BatchResult, ChangeError, StockLine, apply_changes, parse_changes

MAX_BODY = 256 * 1024
PAGE = 100


def _line_json(line: StockLine) -> dict[str, Any]:
    return {"variant_id": line.variant_id, "sku": line.sku, "location_id": line.location_id,
            "on_hand": line.on_hand, "held": line.held, "available": line.available}


@pos
@idempotent
async def post_changes(request: web.Request) -> web.Response:
    """POST /pos/v1/inventory/changes {"changes": [...]}: all or nothing; 422 names the index and field."""
    raw = await request.read()
    if len(raw) > MAX_BODY:
        return problem(413, f"The body can be at most {MAX_BODY // 1024} KB")
    try:
        payload = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        return problem(400, "The body is not valid JSON")
    location_id = request[POS_GRANT].location_id or ""

    def write(conn: Connection) -> BatchResult:
        now = datetime.now(UTC)
        return apply_changes(conn, parse_changes(payload, location_id=location_id, now=now), now=now)

    try:
        result = await request[STORE].db.run_write(write)
    except ChangeError as exc:
        return problem(422, str(exc), index=exc.index, field=exc.field, code=str(exc.code))
    except InventoryError as exc:
        return problem(422, str(exc), code=str(exc.code))
    return web.json_response({"applied": result.applied, "duplicates": result.duplicates,
                              "stock": [_line_json(line) for line in result.stock]})


def _cursor(text: str) -> tuple[str, str] | None:
    try:
        value = json.loads(base64.urlsafe_b64decode(text.encode() + b"==="))
    except (ValueError, UnicodeDecodeError):
        return None
    ok = isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)
    return (value[0], value[1]) if ok else None


@pos
async def get_counts(request: web.Request) -> web.Response:
    """GET /pos/v1/inventory/counts?updated_after=RFC3339&cursor=C: this location's on hand, by last change."""
    updated_after, after = "", None
    if request.query.get("updated_after"):
        try:
            updated_after = stamp(request.query["updated_after"], field="updated_after")
        except InventoryError as exc:
            return problem(400, str(exc))
    if request.query.get("cursor"):
        after = _cursor(request.query["cursor"])
        if after is None:
            return problem(400, "cursor is not one this API gave")
    location_id = request[POS_GRANT].location_id or ""
    rows = await request[STORE].db.run_read(
        lambda conn: counts_page(conn, location_id=location_id, updated_after=updated_after, after=after,
                                 limit=PAGE + 1))
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    cursor = (base64.urlsafe_b64encode(json.dumps([rows[-1][3], rows[-1][0]]).encode()).decode().rstrip("=")
              if more else None)
    return web.json_response({
        "counts": [{"variant_id": v, "sku": sku, "location_id": location_id, "on_hand": qty, "updated_at": at}
                   for v, sku, qty, at in rows],
        "next_cursor": cursor})
