"""POS API v1, online orders: GET /pos/v1/orders/feed, GET /pos/v1/orders/{order_id} and
POST /pos/v1/orders/{order_id}/fulfilment. Thin handlers: decode with the msgspec types below (the same
ones /pos/v1/openapi.json is made of), call one service of shared/orders, answer JSON."""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from aiohttp import web

from cloud.server.admin import problem
from cloud.server.commerce import checkout_context
from cloud.server.middlewares import STORE
from cloud.server.pos.auth import POS_GRANT, pos
from cloud.server.pos.idempotency import BODY, idempotent
from cloud.server.pos.spec import NO_CONTROLS, Operation, decode_body, decode_query, typed_response
from shared.db import Connection
from shared.db.repositories.order_events import newest_seq
from shared.orders.counter import act_at_counter
from shared.orders.errors import OrderError, OrderErrorCode
from shared.orders.events import StaleVersionError
from shared.orders.pos_view import FeedPage, PosOrder, read_feed, read_pos_order

MAX_BODY = 16 * 1024
MAX_INT = 2**63 - 1            # SQLite's INTEGER
_STATUS = {OrderErrorCode.INVALID: 422, OrderErrorCode.NOT_FOUND: 404, OrderErrorCode.ILLEGAL_TRANSITION: 409,
           OrderErrorCode.DUPLICATE: 409, OrderErrorCode.PAYMENT_FAILED: 502}


class FeedQuery(msgspec.Struct):
    """GET /pos/v1/orders/feed's query: the last seq this POS handled (0: from the start), a page size."""

    after: Annotated[int, msgspec.Meta(ge=0, le=MAX_INT)] = 0
    limit: Annotated[int, msgspec.Meta(ge=1, le=500)] = 100


class FulfilmentRequest(msgspec.Struct, forbid_unknown_fields=True):
    """What the counter did with the order, and the order's version it acted on."""

    action: Literal["accept", "ready", "picked_up", "cancel"]
    version: Annotated[int, msgspec.Meta(ge=1, le=MAX_INT)]
    reason: Annotated[str, msgspec.Meta(max_length=500, pattern=NO_CONTROLS)] = ""


class FulfilmentAnswer(msgspec.Struct):
    """The order after the action."""

    order: PosOrder


def _refused(exc: OrderError) -> web.Response:
    if isinstance(exc, StaleVersionError):
        return problem(409, str(exc), code=str(exc.code), current_version=exc.current_version)
    extra = {"field": exc.field} if exc.field else {}
    return problem(_STATUS.get(exc.code, 400), str(exc), code=str(exc.code), **extra)


def _device_actor(request: web.Request) -> str:
    """'device:NAME', NAME the POS device token's name (its id when it has none)."""
    grant = request[POS_GRANT]
    clean = "".join(c for c in grant.name if c >= " ")[:100].strip()
    return f"device:{clean or grant.token_id}"


@pos
async def get_feed(request: web.Request) -> web.Response:
    """GET /pos/v1/orders/feed?after=SEQ&limit=N: this location's order changes after SEQ, oldest first."""
    query = decode_query(request, FeedQuery)
    if isinstance(query, web.Response):
        return query
    location_id = request[POS_GRANT].location_id or ""
    page = await request[STORE].db.run_read(lambda conn: _feed_page(conn, location_id, query))
    return typed_response(page)


def _feed_page(conn: Connection, location_id: str, query: FeedQuery) -> FeedPage:
    """The page after `after`; an `after` beyond the feed's end (a POS that kept a seq of a store since
    restored, or made one up) gets next_after = the last seq there is, so that it sees what comes next
    instead of waiting for the feed to grow past its number."""
    page = read_feed(conn, location_id=location_id, after=query.after, limit=query.limit)
    newest = newest_seq(conn)
    return page if page.next_after <= newest else FeedPage(page.events, newest, page.has_more)


@pos
async def get_order(request: web.Request) -> web.Response:
    """GET /pos/v1/orders/{order_id}: the order (by id or number) as it is now; 404 unless this location's."""
    key, location_id = request.match_info["order_id"], request[POS_GRANT].location_id or ""
    try:
        order = await request[STORE].db.run_read(lambda conn: read_pos_order(conn, key, location_id=location_id))
    except OrderError as exc:
        return _refused(exc)
    return typed_response(order)


@pos
@idempotent(max_body=MAX_BODY)
async def post_fulfilment(request: web.Request) -> web.Response:
    """POST /pos/v1/orders/{order_id}/fulfilment {action, version, reason?}: accept, ready, picked_up, cancel."""
    body = decode_body(request[BODY], FulfilmentRequest)
    if isinstance(body, web.Response):
        return body
    grant, store = request[POS_GRANT], request[STORE]
    context = checkout_context(request, store)
    try:
        order = await act_at_counter(store.db, request.match_info["order_id"], action=body.action,
                                     version=body.version, reason=body.reason, location_id=grant.location_id or "",
                                     actor=_device_actor(request), payments=context.provider,
                                     site_url=context.site_url)
    except OrderError as exc:
        return _refused(exc)
    return typed_response(FulfilmentAnswer(order))


OPERATIONS: tuple[Operation, ...] = (
    Operation("GET", "/pos/v1/orders/feed", "getOrderFeed", "The online orders of this location and their changes",
              responses={200: FeedPage}, query=FeedQuery, tags=("orders",),
              links={"getOrder": {"operationId": "getOrder", "description": "The first event's order, as it is now",
                                  "parameters": {"order_id": "$response.body#/events/0/order/id"}}},
              description="At-least-once and pull-based: keep the last `seq` you handled and ask with after=it; "
                          "nothing is acknowledged, the same after= gives the same events again. Each event "
                          "carries the order as it is now."),
    Operation("GET", "/pos/v1/orders/{order_id}", "getOrder", "One online order of this location, by id or number",
              responses={200: PosOrder}, errors=(400, 401, 403, 404), tags=("orders",),
              links={"acceptOrder": {"operationId": "postOrderFulfilment",
                                     "description": "Accept this order at the version read",
                                     "parameters": {"order_id": "$response.body#/id"},
                                     "requestBody": {"action": "accept", "version": "$response.body#/version"}}}),
    Operation("POST", "/pos/v1/orders/{order_id}/fulfilment", "postOrderFulfilment",
              "Accept an order, mark it ready for pickup, hand it over (capturing an authorized card) or cancel it",
              responses={200: FulfilmentAnswer}, request=FulfilmentRequest, idempotent=True, tags=("orders",),
              errors=(400, 401, 403, 404, 409, 413, 422, 502),
              description="`version` is the order's version you acted on: 409 stale_version (with current_version) "
                          "when it changed since, 409 illegal_transition when the order's state does not allow it."),
)


def add_order_routes(app: web.Application) -> None:
    """The order feed, one order and fulfilment (the feed before {order_id}: aiohttp matches in order)."""
    app.router.add_get("/pos/v1/orders/feed", get_feed)
    app.router.add_get("/pos/v1/orders/{order_id}", get_order)
    app.router.add_post("/pos/v1/orders/{order_id}/fulfilment", post_fulfilment)
