"""GET /api/admin/orders/stream: new orders as Server-Sent Events, for the studio's Orders section.

Each new order of the store is sent as `event: order` with `data: {"id", "number"}`. Orders are placed
by whichever worker process took the shopper's request, so nothing is announced in-process: a watcher
reads the newest order number of each store that has subscribers every WATCH_INTERVAL seconds (one
indexed MAX over the orders' unique number, on the store database's own reader thread), like
cloud/sync/pokes.py watches the change log, and only while somebody listens. A subscriber starts from
the newest number as of its request, so an order placed just after it connected is always sent."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from aiohttp import web
from aiohttp_sse import EventSourceResponse

from cloud.server.admin import admin
from cloud.server.middlewares import STORE
from shared.db.database import Connection
from shared.db.repositories import orders as order_repo
from shared.storefront.service import Store

log = logging.getLogger(__name__)

WATCH_INTERVAL = 0.25       # seconds between looks while somebody listens (a new order shows within this)
QUEUE_SIZE = 64             # events a slow subscriber may fall behind before the oldest are dropped
MAX_PER_LOOK = 50           # orders announced per look: a burst beyond that is one list refresh anyway
PING_SECONDS = 15           # keeps proxies from closing an idle stream


def newest_orders(conn: Connection, *, after: int | None, limit: int = MAX_PER_LOOK) -> tuple[int, list[dict]]:
    """(the newest order number or 0, [{id, number}] of the orders numbered above `after`, oldest first)."""
    newest = order_repo.next_order_number(conn) - 1
    if newest < order_repo.FIRST_NUMBER:
        return 0, []
    if after is None or newest <= after:
        return newest, []
    first = max(after + 1, newest - limit + 1)
    found = [(n, order_repo.order_id_where(conn, column="number", value=n)) for n in range(first, newest + 1)]
    return newest, [{"id": order_id, "number": n} for n, order_id in found if order_id is not None]


@dataclass
class _Watched:
    """One store with subscribers: its newest number seen and their queues."""

    store: Store
    seen: int | None = None
    queues: set[asyncio.Queue] = field(default_factory=set)


class OrderStreamHub:
    """Subscribers per store, and the watcher that finds new orders however they were placed."""

    def __init__(self) -> None:
        self._stores: dict[str, _Watched] = {}
        self._task: asyncio.Task | None = None
        self.responses: set[EventSourceResponse] = set()

    async def subscribe(self, store: Store) -> asyncio.Queue:
        """A queue of {id, number} for each order placed in `store` after now."""
        watched = self._stores.get(store.record.id)
        if watched is None:
            newest, _ = await store.db.run_read(lambda conn: newest_orders(conn, after=None))
            watched = self._stores.setdefault(store.record.id, _Watched(store, newest))
        queue: asyncio.Queue = asyncio.Queue(QUEUE_SIZE)
        watched.queues.add(queue)
        return queue

    def unsubscribe(self, store: Store, queue: asyncio.Queue) -> None:
        """Forget a subscriber (and the store, with its last)."""
        watched = self._stores.get(store.record.id)
        if watched is None:
            return
        watched.queues.discard(queue)
        if not watched.queues:
            self._stores.pop(store.record.id, None)

    def announce(self, store_id: str, orders: list[dict]) -> None:
        """Hand new orders to the store's subscribers (a full queue loses its oldest: the studio
        refreshes its whole list on any event, so the newest matter)."""
        for queue in self._stores.get(store_id, _Watched(None)).queues:   # type: ignore[arg-type]
            for order in orders:
                if queue.full():
                    with contextlib.suppress(asyncio.QueueEmpty):
                        queue.get_nowait()
                queue.put_nowait(order)

    async def look(self) -> None:
        """One look at every watched store."""
        for store_id, watched in list(self._stores.items()):
            try:
                newest, orders = await watched.store.db.run_read(
                    lambda conn, after=watched.seen: newest_orders(conn, after=after))
            except Exception:  # noqa: BLE001 - one store's failure must not stop the others' streams
                log.exception("watching the orders of %s failed", store_id)
                continue
            if watched.seen is None or newest > watched.seen:
                watched.seen = newest
                self.announce(store_id, orders)

    def start(self) -> None:
        """Start watching."""
        self._task = asyncio.ensure_future(self._watch())

    def end_streams(self) -> None:
        """End the open streams (a shutdown must not wait for studios to hang up; they reconnect)."""
        for response in list(self.responses):
            response.stop_streaming()

    async def stop(self) -> None:
        """Stop watching."""
        self.end_streams()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(WATCH_INTERVAL)
            if self._stores:
                await self.look()


ORDER_STREAMS = web.AppKey("order_streams", OrderStreamHub)


@admin("orders:read")
async def orders_stream(request: web.Request) -> web.StreamResponse:
    """GET /api/admin/orders/stream : text/event-stream; `event: order`, data {"id", "number"} per new order."""
    hub = request.app[ORDER_STREAMS]
    store = request[STORE]
    queue = await hub.subscribe(store)
    stream = EventSourceResponse(headers={"Cache-Control": "no-store"})
    stream.ping_interval = PING_SECONDS
    try:
        await stream.prepare(request)
        hub.responses.add(stream)
        await _forward(queue, stream)
    finally:
        hub.responses.discard(stream)
        hub.unsubscribe(store, queue)
        stream.stop_streaming()
    return stream


async def _forward(queue: asyncio.Queue, stream: EventSourceResponse) -> None:
    """Send each queued order until the studio goes away: the ping task ends when a write fails
    (aiohttp does not cancel a handler whose client left), or the hub stops streaming at shutdown."""
    closed = asyncio.ensure_future(stream.wait())
    try:
        while True:
            getter = asyncio.ensure_future(queue.get())
            await asyncio.wait({getter, closed}, return_when=asyncio.FIRST_COMPLETED)
            if not getter.done():
                getter.cancel()
                return
            order = getter.result()
            try:
                await stream.send(json.dumps(order), event="order", id=str(order["number"]))
            except (ConnectionResetError, RuntimeError):
                return
    finally:
        closed.cancel()


async def _watching(app: web.Application) -> AsyncIterator[None]:
    app[ORDER_STREAMS].start()
    yield
    await app[ORDER_STREAMS].stop()


def add_orders_stream(app: web.Application) -> None:
    """Register GET /api/admin/orders/stream and its watcher. Call before any route that takes
    /api/admin/orders/{order} (aiohttp matches in order of registration) and after the resources'
    cleanup_ctx (the watcher stops before the stores close)."""
    app[ORDER_STREAMS] = OrderStreamHub()
    app.cleanup_ctx.append(_watching)

    async def end_streams(_app: web.Application) -> None:
        app[ORDER_STREAMS].end_streams()

    app.on_shutdown.append(end_streams)
    app.router.add_get("/api/admin/orders/stream", orders_stream)
