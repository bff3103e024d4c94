"""GET /api/admin/orders/stream: orders as Server-Sent Events, for the studio's Orders section.

Every change of an order is a row of `order_changes` (shared/orders/events.py), numbered by `seq`, and
each is sent as `event: order-updated`, `id: SEQ`, `data: {"id", "number", "version", "type"}` (type
order.created, order.paid, order.accepted, order.ready_for_pickup, order.picked_up, order.fulfilled,
order.cancelled, order.refunded, order.oversold); a new order (order.created) is also sent first as
`event: order`, `data: {"id", "number"}`, with the same id. Orders change in whichever worker process
took the request, so nothing is announced in-process: a watcher (cloud/server/store_watch.py) reads
the changes after the last seq it saw of each store that has subscribers every WATCH_INTERVAL seconds
(an indexed range of the rowid, on the store database's own reader thread), and only while somebody
listens. A subscriber starts from the newest seq as of its request, or, with a
Last-Event-ID header (the last id it saw, as EventSource sends on reconnecting), from that seq: the
changes it missed (at most BACKLOG) come first."""

from __future__ import annotations

import json

from aiohttp import web

from cloud.server.admin import admin
from cloud.server.middlewares import STORE
from cloud.server.store_watch import StoreWatch, last_event_id
from cloud.server.stream_hub import Listener, StreamHub
from shared.db.database import Connection
from shared.db.repositories import order_events as changes_repo
from shared.storefront.service import Store

WATCH_INTERVAL = 0.25       # seconds between looks while somebody listens (a new order shows within this)
QUEUE_SIZE = 64             # events a slow subscriber may fall behind before the oldest are dropped
MAX_PER_LOOK = 200          # changes read per look (a longer burst is read over the next looks)
BACKLOG = 500               # changes replayed after a Last-Event-ID (an older one: the studio refreshes anyway)
PING_SECONDS = 15           # keeps proxies from closing an idle stream


def newest_changes(conn: Connection, *, after: int | None, limit: int = MAX_PER_LOOK,
                   upto: int | None = None) -> tuple[int, list[dict]]:
    """(the last seq read, the SSE events of the changes with seq above `after` (and at most `upto`),
    oldest first). `after` None: nothing, only the newest seq. A change that concerns several locations
    has a row per location (one `change_id`): it is told once. Each event is {"event", "id", "data"}."""
    if after is None:
        return changes_repo.newest_seq(conn), []
    rows = changes_repo.changes_after(conn, after=after, limit=limit, upto=upto)
    events: list[dict] = []
    told: set[str] = set()
    for seq, change_id, order_id, kind, number, version in rows:
        if change_id in told:
            continue
        told.add(change_id)
        if kind == "order.created":
            events.append({"event": "order", "id": seq, "data": {"id": order_id, "number": number}})
        events.append({"event": "order-updated", "id": seq,
                       "data": {"id": order_id, "number": number, "version": version, "type": kind}})
    return (rows[-1][0] if rows else after), events


async def look(store: Store, after: int | None) -> tuple[int, list[dict]]:
    """The StoreWatch look: the last seq read and the events of the changes after `after`."""
    return await store.db.run_read(lambda conn: newest_changes(conn, after=after))


ORDER_STREAMS = web.AppKey("order_streams", StreamHub)


@admin("orders:read")
async def orders_stream(request: web.Request) -> web.StreamResponse:
    """GET /api/admin/orders/stream : text/event-stream; `event: order` {"id", "number"} per new order,
    `event: order-updated` {"id", "number", "version", "type"} per change; ids are seqs (Last-Event-ID)."""
    store = request[STORE]
    async with request.app[ORDER_STREAMS].listening(store.record.id, store) as listener:
        resume, now = last_event_id(request), listener.position
        backlog: list[dict] = []
        if resume is not None and resume < now:
            _, backlog = await store.db.run_read(lambda conn: newest_changes(conn, after=resume, limit=BACKLOG,
                                                                              upto=now))
        stream = await listener.open(request, PING_SECONDS)     # (aiohttp-sse sends Cache-Control: no-cache)
        for event in backlog:
            if not await _send(listener, event):
                return stream
        while (event := await listener.next()) is not None and await _send(listener, event):
            pass
    return stream


async def _send(listener: Listener, event: dict) -> bool:
    return await listener.send(json.dumps(event["data"]), event=event["event"], id=event["id"])


def add_orders_stream(app: web.Application) -> None:
    """Register GET /api/admin/orders/stream and its watcher. Call before any route that takes
    /api/admin/orders/{order} (aiohttp matches in order of registration) and after the resources'
    cleanup_ctx (the watcher stops before the stores close). A subscriber's queue holds events (a full
    one loses its oldest: the studio refreshes its whole list on any event, so the newest matter)."""
    watch = StoreWatch(look, interval=WATCH_INTERVAL, queue_size=QUEUE_SIZE, entries=lambda seen: seen.items)
    StreamHub(watch).install(app, ORDER_STREAMS, "/api/admin/orders/stream", orders_stream)
