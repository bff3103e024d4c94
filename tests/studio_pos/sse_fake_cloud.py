"""A small cloud that speaks the live orders contract (contracts13.md, "Studio live orders") on a
loopback port, for the studio's side before and apart from the real stream: GET /api/admin/orders and
/api/admin/orders/{id} from a dict, and GET /api/admin/orders/stream sending `event: order` and
`event: order-updated` (`id: <seq>`, data {id, number, version, type}; a new order is `event: order`
then its order.created update, with the same seq) through aiohttp-sse, replaying what came after a
`Last-Event-ID`. The Qt tests are synchronous, so it runs its loop in a thread."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from typing import Any

from aiohttp import web
from aiohttp_sse import EventSourceResponse

TOKEN = "device-token"


def order_json(number: int, **changes: Any) -> dict[str, Any]:
    """An admin API order (the fields the Orders section reads), a pickup paid in store."""
    money = {"amount": 2500, "currency": "USD"}
    order = {"id": f"order-{number}", "number": number, "name": f"#{number}", "email": "ada@example.com",
             "customerName": "Ada Lovelace", "currency": "USD", "subtotal": money, "total": money,
             "paymentStatus": "paid", "fulfillmentStatus": "unfulfilled", "pickupStatus": "none",
             "paymentProvider": "pay_in_store", "deliveryMethod": "pickup", "createdAt": "2026-12-05T10:00:00+00:00",
             "cancelledAt": None, "version": 1, "delivery": {"method": "pickup", "locationName": "Pine Street shop"},
             "lines": [{"id": f"order-{number}:0", "title": "Harbor tee", "sku": "TEE-M", "quantity": 1,
                        "unitPrice": money, "total": money, "fulfilledQuantity": 0}],
             "fulfillments": [], "refunds": [], "messages": [], "events": []}
    order.update(changes)
    return order


class SseFakeCloud:
    """Orders in memory and their live stream; `push_*` from the test's thread."""

    def __init__(self) -> None:
        self.orders: dict[str, dict[str, Any]] = {}
        self.events: list[tuple[str, dict[str, Any], str]] = []    # (event, data, seq) of every change
        self.last_event_ids: list[str | None] = []               # the header of each stream request
        self.loop = asyncio.new_event_loop()
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._queues: set[asyncio.Queue] = set()
        self._admitting = asyncio.Event()                        # cleared: stream requests wait
        self._admitting.set()
        self._runner: web.AppRunner | None = None
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def app(self) -> web.Application:
        app = web.Application(middlewares=[self._auth])
        app.router.add_get("/api/admin/orders/stream", self.stream)
        app.router.add_get("/api/admin/orders", self.list_orders)
        app.router.add_get("/api/admin/orders/{id}", self.get_order)
        return app

    @web.middleware
    async def _auth(self, request: web.Request, handler):  # noqa: ANN001, ANN202
        if request.headers.get("Authorization") != f"Bearer {TOKEN}":
            return web.json_response({"error": {"status": 401, "message": "no token"}}, status=401)
        return await handler(request)

    async def list_orders(self, _request: web.Request) -> web.Response:
        found = sorted(self.orders.values(), key=lambda o: -o["number"])
        return web.json_response({"orders": [{k: v for k, v in o.items() if k != "lines"} for o in found],
                                  "nextBefore": None})

    async def get_order(self, request: web.Request) -> web.Response:
        order = self.orders.get(request.match_info["id"])
        if order is None:
            return web.json_response({"error": {"status": 404, "message": "no such order"}}, status=404)
        return web.json_response(order)

    async def stream(self, request: web.Request) -> web.StreamResponse:
        await self._admitting.wait()
        last = request.headers.get("Last-Event-ID")
        self.last_event_ids.append(last)
        queue: asyncio.Queue = asyncio.Queue()
        if last is not None and last.isdigit():
            for item in self.events:
                if int(item[2]) > int(last):
                    queue.put_nowait(item)
        self._queues.add(queue)
        response = EventSourceResponse()
        try:
            await response.prepare(request)
            while True:
                event, data, event_id = await queue.get()
                if event is None:            # drop_streams: end this response; the studio reconnects
                    break
                await response.send(json.dumps(data), event=event, id=event_id)
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self._queues.discard(queue)
        return response

    # -- the test's side ---------------------------------------------------------------------------

    def _put(self, item: tuple[str, dict[str, Any], str]) -> None:
        for queue in self._queues:
            queue.put_nowait(item)

    @property
    def listeners(self) -> int:
        """Streams open now."""
        return len(self._queues)

    def _record(self, items: list[tuple[str, dict[str, Any], str]], send: bool) -> None:
        self.events.extend(items)
        if send:
            for item in items:
                self.loop.call_soon_threadsafe(self._put, item)

    def push_order(self, order: dict[str, Any], *, send: bool = True) -> int:
        """A new order: kept, and announced as `event: order` and its order.created update. Its seq."""
        self.orders[order["id"]] = order
        seq = str(len(self.events) + 1)
        data = {"id": order["id"], "number": order["number"], "version": order["version"], "type": "order.created"}
        self._record([("order", {"id": order["id"], "number": order["number"]}, seq),
                      ("order-updated", data, seq)], send)
        return int(seq)

    def push_update(self, order_id: str, kind: str, *, send: bool = True, **changes: Any) -> int:
        """Change an order (its version goes up), record the update and send it unless `send` is False
        (a change made while the studio was away: only a Last-Event-ID replay brings it). Its seq."""
        order = self.orders[order_id]
        order.update(changes)
        order["version"] += 1
        seq = str(len(self.events) + 1)
        self._record([("order-updated", {"id": order_id, "number": order["number"], "version": order["version"],
                                         "type": kind}, seq)], send)
        return int(seq)

    def drop_streams(self) -> None:
        """End every open stream (the studio reconnects)."""
        self.loop.call_soon_threadsafe(self._put, (None, {}, ""))

    def hold_streams(self) -> None:
        """Keep new stream requests waiting (not refused) until `admit_streams`: the test decides what
        happened while the studio was away, whatever its reconnect delay and the machine's load."""
        self.loop.call_soon_threadsafe(self._admitting.clear)

    def admit_streams(self) -> None:
        """Let waiting and new stream requests in."""
        self.loop.call_soon_threadsafe(self._admitting.set)

    def start(self) -> SseFakeCloud:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(30)
        return self

    async def _start(self) -> None:
        self._runner = web.AppRunner(self.app(), shutdown_timeout=1)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    def close(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
