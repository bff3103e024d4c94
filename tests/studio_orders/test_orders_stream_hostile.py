"""GET /api/admin/orders/stream as an acceptance tester attacks it over real HTTP: odd Last-Event-ID
values (negative, huge, "²", non-ASCII, long, ahead of the store), the wrong methods, odd tokens, a
studio that hangs up mid-stream. Each gets a clear 4xx or a working stream, never a 500 or a hang.
(Reconnecting with a good Last-Event-ID: tests/pos_feed/test_pos_feed_stream.py.)"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from cloud.server import orders_stream
from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from cloud.server.orders_stream import ORDER_STREAMS
from orders_support import place_order_async, stock_up
from shared.accounts.service import create_token
from shared.storefront.service import DataDir
from support import wait_for_async

DEMO = {"Host": "demo.localhost"}
PATH = "/api/admin/orders/stream"


@pytest.fixture
async def client(aiohttp_client, demo_dir: Path, monkeypatch):
    monkeypatch.setattr(orders_stream, "PING_SECONDS", 0.2)    # a studio that left is found at the next ping
    stock_up(demo_dir)                  # the demo's pickup shop holds only a few of each
    return await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, rate_burst=100_000,
                                                       stripe_api="http://127.0.0.1:9")))


def _reader(demo_dir: Path) -> str:
    """A token of the demo store with the orders:read scope."""
    catalog = DataDir(demo_dir).catalog()
    store_id = catalog.read(lambda conn: conn.scalar("SELECT id FROM stores WHERE slug = 'demo'"))
    token = create_token(catalog, store_id=store_id, name="orders", scopes=["orders:read"])
    catalog.close()
    return token


async def _next_order(response) -> dict:
    """The data of the next `event: order` (pings and other events skipped)."""
    event = None
    async for raw in response.content:
        line = raw.decode().rstrip("\n")
        event = line[6:].strip() if line.startswith("event:") else event
        if line.startswith("data:") and event == "order":
            return json.loads(line[5:])
    raise AssertionError("the stream ended")


async def _forgotten(client) -> None:
    hub = client.app[ORDER_STREAMS]

    async def gone() -> bool:
        return not hub.streams and hub.watch.watched() == 0
    await wait_for_async(gone, "every stream forgotten", timeout=30)


@pytest.mark.parametrize("last_event_id", ["-1", "99999999999999999999999999", "999999", "²", "١٢", "é", "1e3",
                                           "9" * 4000, ""])
async def test_an_odd_last_event_id_still_streams_the_next_order(client, demo_dir: Path, last_event_id: str) -> None:
    reader = _reader(demo_dir)
    headers = {**DEMO, "Authorization": f"Bearer {reader}", "Last-Event-ID": last_event_id}
    stream = await client.get(PATH, headers=headers)
    assert stream.status == 200
    await place_order_async(client)
    event = await asyncio.wait_for(_next_order(stream), 60)
    assert event["number"] and event["id"]
    stream.close()
    await _forgotten(client)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
async def test_a_method_other_than_get_is_a_405(client, demo_dir: Path, method: str) -> None:
    """A HEAD with a good token used to answer 500 (the stream was stopped before it started)."""
    reader = _reader(demo_dir)
    answer = await client.request(method, PATH, headers={**DEMO, "Authorization": f"Bearer {reader}"})
    assert answer.status == 405 and answer.headers["Allow"] == "GET"
    if method != "HEAD":
        assert (await answer.json())["error"]["status"] == 405
    await _forgotten(client)


async def test_a_missing_or_odd_token_is_a_401(client) -> None:
    for header in ["", "Bearer", "Bearer ²", "Basic abc", "Bearer " + "x" * 4000]:
        answer = await client.get(PATH, headers={**DEMO, "Authorization": header})
        assert answer.status == 401, header
        assert (await answer.json())["error"]["status"] == 401


async def test_many_studios_each_hear_the_new_order(client, demo_dir: Path) -> None:
    reader = _reader(demo_dir)
    headers = {**DEMO, "Authorization": f"Bearer {reader}"}
    streams = [await client.get(PATH, headers=headers) for _ in range(30)]
    assert all(stream.status == 200 for stream in streams)
    await place_order_async(client)
    events = await asyncio.wait_for(asyncio.gather(*(_next_order(stream) for stream in streams)), 120)
    assert len({event["number"] for event in events}) == 1
    for stream in streams:
        stream.close()
    await _forgotten(client)

