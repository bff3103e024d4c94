"""POS API v1, stock: POST /pos/v1/inventory/changes and GET /pos/v1/inventory/counts. Thin handlers:
decode with the operation's msgspec types, call shared.inventory.pos_changes on the store's writer
thread, answer JSON of the declared answer types."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Annotated

import msgspec
from msgspec import UNSET, UnsetType
from aiohttp import web

from cloud.server.admin import problem
from cloud.server.middlewares import STORE
from cloud.server.pos.auth import POS_GRANT, pos
from cloud.server.pos.idempotency import BODY, idempotent
from cloud.server.pos.spec import Operation, decode_body, decode_query, typed_response
from shared.db import Connection
from shared.db.repositories.pos_inventory import counts_page
from shared.inventory.errors import InventoryError
from shared.inventory.models import stamp
from shared.inventory.pos_changes import BatchResult, ChangeError, ChangesIn, StockLine, apply_changes, parse_changes

MAX_BODY = 256 * 1024
PAGE = 100
CURSOR_PATTERN = "^[A-Za-z0-9_-]+$"      # base64url without padding


class StockLineOut(msgspec.Struct):
    """On hand, held (by online checkouts) and available (on hand minus held) of a variant at a location."""

    variant_id: str
    sku: str
    location_id: str
    on_hand: int
    held: int
    available: int


class ChangesOut(msgspec.Struct):
    """What a batch did: changes new to the ledger, changes already recorded (by change_id), the stock touched."""

    applied: int
    duplicates: int
    stock: list[StockLineOut]


class CountsQuery(msgspec.Struct):
    """GET /pos/v1/inventory/counts: what changed after a time, a page at a time."""

    updated_after: Annotated[datetime, msgspec.Meta(tz=True, description="RFC 3339 with an offset")] | UnsetType = UNSET
    cursor: Annotated[str, msgspec.Meta(pattern=CURSOR_PATTERN, max_length=1000,
                                        description="next_cursor of the page before")] | UnsetType = UNSET


class CountOut(msgspec.Struct):
    """A variant's on hand at this device's location and when it last changed."""

    variant_id: str
    sku: str
    location_id: str
    on_hand: int
    updated_at: str


class CountsOut(msgspec.Struct):
    """A page of counts; next_cursor is null on the last page."""

    counts: list[CountOut]
    next_cursor: str | None


def _line(line: StockLine) -> StockLineOut:
    return StockLineOut(line.variant_id, line.sku, line.location_id, line.on_hand, line.held, line.available)


@pos
@idempotent(max_body=MAX_BODY)
async def post_changes(request: web.Request) -> web.Response:
    """POST /pos/v1/inventory/changes {"changes": [...]}: all or nothing; 422 names the index and field."""
    location_id = request[POS_GRANT].location_id or ""
    body = decode_body(request[BODY], ChangesIn, batch="changes")
    if isinstance(body, web.Response):
        return body

    def write(conn: Connection) -> BatchResult:
        now = datetime.now(UTC)
        return apply_changes(conn, parse_changes(body, location_id=location_id, now=now), now=now)

    try:
        result = await request[STORE].db.run_write(write)
    except ChangeError as exc:
        return problem(422, str(exc), index=exc.index, field=exc.field, code=str(exc.code))
    except InventoryError as exc:
        return problem(422, str(exc), code=str(exc.code))
    return typed_response(ChangesOut(result.applied, result.duplicates, [_line(line) for line in result.stock]))


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
    query = decode_query(request, CountsQuery)
    if isinstance(query, web.Response):
        return query
    updated_after, after = "", None
    if query.updated_after is not UNSET:
        try:
            updated_after = stamp(query.updated_after, field="updated_after")
        except OverflowError:           # a year-1 time west of UTC, or year 9999 east of it
            return problem(422, "updated_after is out of range", field="updated_after")
    if query.cursor is not UNSET:
        after = _cursor(query.cursor)
        if after is None:
            return problem(422, "cursor is not one this API gave", field="cursor")
    location_id = request[POS_GRANT].location_id or ""
    rows = await request[STORE].db.run_read(
        lambda conn: counts_page(conn, location_id=location_id, updated_after=updated_after, after=after,
                                 limit=PAGE + 1))
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    cursor = (base64.urlsafe_b64encode(json.dumps([rows[-1][3], rows[-1][0]]).encode()).decode().rstrip("=")
              if more else None)
    return typed_response(CountsOut([CountOut(v, sku, location_id, qty, at) for v, sku, qty, at in rows], cursor))


OPERATIONS: tuple[Operation, ...] = (
    Operation("POST", "/pos/v1/inventory/changes", "postInventoryChanges", "Record a batch of stock changes",
              {200: ChangesOut}, request=ChangesIn, idempotent=True, errors=(400, 401, 403, 413, 422),
              tags=("inventory",),
              description="Up to 100 adjustments and counts, all or nothing; each change_id is recorded once, "
                          "whatever batch or key it comes in. Stock follows Square's rule: the latest count by "
                          "occurred_at plus the adjustments after it. occurred_at may be at most 7 days old and "
                          "5 minutes ahead. A refused batch names the index and field of the first bad change."),
    Operation("GET", "/pos/v1/inventory/counts", "getInventoryCounts", "Page through this location's on hand",
              {200: CountsOut}, query=CountsQuery, errors=(400, 401, 403, 422), tags=("inventory",),
              description="For reconciliation: the on hand of every stocked variant at the device's location, "
                          "ordered by last change; pass updated_after to see only what changed since then."),
)
