"""GET /api/admin/orders/stream: a new order placed over HTTP is sent as an SSE `order` event with its
id and number; the stream needs the orders:read scope and a token of this store."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from cloud.server.keys import STORES
from cloud.server import orders_stream
from cloud.server.orders_stream import ORDER_STREAMS
from shared.accounts.service import create_token
from shared.storefront.service import DataDir

from orders_support import place_order_async
from support import wait_for_async

DEMO = {"Host": "demo.localhost"}


async def _tokens(client, demo_dir: Path) -> tuple[str, str]:
    store = await client.app[STORES].store_for("demo.localhost")
    catalog = DataDir(demo_dir).catalog()
    try:
        reader = create_token(catalog, store_id=store.record.id, name="orders", scopes=["orders:read"])
        other = create_token(catalog, store_id=store.record.id, name="store", scopes=["store:read"])
    finally:
        catalog.close()
    return reader, other


async def _next_event(response) -> dict:
    """The next `event: order` of the stream (pings are comments and skipped)."""
    event = None
    while True:
        line = (await response.content.readline()).decode().rstrip("\n")
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event == "order":
            return json.loads(line.split(":", 1)[1])


async def test_a_new_order_is_streamed_with_its_id_and_number(aiohttp_client, demo_dir: Path, monkeypatch) -> None:
    monkeypatch.setattr(orders_stream, "PING_SECONDS", 0.2)     # a studio that left is found at the next ping
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, rate_burst=10_000,
                                                         stripe_api="http://127.0.0.1:9")))
    reader, other = await _tokens(client, demo_dir)
    refused = await client.get("/api/admin/orders/stream", headers={**DEMO, "Authorization": f"Bearer {other}"})
    assert refused.status == 403
    assert (await client.get("/api/admin/orders/stream", headers=DEMO)).status == 401

    stream = await client.get("/api/admin/orders/stream", headers={**DEMO, "Authorization": f"Bearer {reader}"})
    assert stream.status == 200 and stream.headers["Content-Type"].startswith("text/event-stream")
    hub = client.app[ORDER_STREAMS]
    await place_order_async(client)
    event = await asyncio.wait_for(_next_event(stream), 30)
    listing = await (await client.get("/api/admin/orders", headers={**DEMO, "Authorization": f"Bearer {reader}"})).json()
    newest = listing["orders"][0]
    assert event == {"id": newest["id"], "number": newest["number"]}

    await place_order_async(client, email="bo@example.com")
    second = await asyncio.wait_for(_next_event(stream), 30)
    assert second["number"] == newest["number"] + 1
    stream.close()

    async def left() -> bool:                                    # the studio left: no subscriber kept
        return not hub.streams and hub.watch.watched() == 0
    await wait_for_async(left, "the stream forgotten", timeout=30)
