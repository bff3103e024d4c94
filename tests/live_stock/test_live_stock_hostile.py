"""GET /live/stock as an acceptance tester attacks it over real HTTP: every bad product list, an odd
Last-Event-ID, a wrong method, a shopper who leaves mid-stream, many shoppers at once. Each gets a clear
4xx or the current state, never a 500 or a hang, and nothing is left behind."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from cloud.server import availability
from cloud.server.app import create_app
from cloud.server.availability import LIVE_STOCK
from cloud.server.config import ServeConfig
from cloud.server.keys import STORES
from live_support import EventReader, LiveSetup, sell, set_stock
from support import wait_for_async

HOST = "demo.localhost"
STREAM = {"Host": HOST, "Accept": "text/event-stream"}


@pytest.fixture
async def server(aiohttp_server, live_setup: LiveSetup, monkeypatch):
    monkeypatch.setattr(availability, "PING_SECONDS", 0.2)     # a shopper who left is found at the next ping
    return await aiohttp_server(create_app(ServeConfig(data_dir=live_setup.data, rate_burst=100_000)))


@pytest.fixture
def base(server) -> str:
    return f"http://127.0.0.1:{server.port}"


async def _forgotten(server) -> None:
    hub = server.app[LIVE_STOCK]

    async def gone() -> bool:
        return not hub.streams and hub.watch.watched() == 0
    await wait_for_async(gone, "every stream forgotten", timeout=30)


@pytest.mark.parametrize("query", [
    "", "?product", "?product=", "?product=&product=", "?other=1", "?product=" + "x" * 6000, "?product=%C3%A9",
    "?product=a%00b", "?product=../x", "?product=a,b", "?product=%E2%80%AE",
    "?" + "&".join(f"product=p{i}" for i in range(500)),
])
async def test_a_bad_product_list_is_a_400_problem(base: str, query: str) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        answer = await client.get("/live/stock" + query, headers=STREAM)
    assert answer.status_code == 400, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    assert "products" in answer.json()["error"]["message"]


async def test_unknown_products_are_a_404_and_known_ones_among_them_are_followed(base: str, server,
                                                                                 live_setup: LiveSetup) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        unknown = await client.get("/live/stock?" + "&".join(f"product=nope{i}" for i in range(20)), headers=STREAM)
        assert unknown.status_code == 404 and unknown.json()["error"]["status"] == 404
        query = f"?product=nope&product={live_setup.product_id}&product={live_setup.product_id}"   # repeated: once
        async with client.stream("GET", "/live/stock" + query, headers=STREAM) as response:
            assert response.status_code == 200
            _, data = await EventReader(response).next()
    assert list(data["variants"]) == [live_setup.variant_id]
    await _forgotten(server)


@pytest.mark.parametrize("last_event_id", ["-1", "0", "99999999999999999999999999", "1e3", "+7", "0x10", "²",
                                           "١٢", "é", "\udcff\udcfe", "9" * 4000, ""])
async def test_an_odd_last_event_id_gets_the_current_state(base: str, live_setup: LiveSetup,
                                                           last_event_id: str) -> None:
    await set_stock(base, HOST, live_setup, 2)
    headers = {**STREAM, "Last-Event-ID": last_event_id.encode("utf-8", "surrogateescape")}
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        async with client.stream("GET", f"/live/stock?product={live_setup.product_id}", headers=headers) as response:
            assert response.status_code == 200
            _, data = await EventReader(response).next()
    assert data["variants"] == {live_setup.variant_id: {"available": True, "inventory": 2}}


async def test_a_line_longer_than_the_server_reads_is_a_4xx(base: str, server, live_setup: LiveSetup) -> None:
    """Beyond aiohttp's 8190 bytes a line is refused before any handler (in aiohttp's plain text)."""
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        huge_header = await client.get(f"/live/stock?product={live_setup.product_id}",
                                       headers={**STREAM, "Last-Event-ID": "1" * 20_000})
        huge_query = await client.get("/live/stock?product=" + "x" * 20_000, headers=STREAM)
    assert 400 <= huge_header.status_code < 500 and 400 <= huge_query.status_code < 500
    await _forgotten(server)


async def test_a_host_that_names_no_store_is_a_404(base: str, live_setup: LiveSetup) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        answer = await client.get(f"/live/stock?product={live_setup.product_id}",
                                  headers={**STREAM, "Host": "nowhere.localhost"})
    assert answer.status_code == 404


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
async def test_a_method_other_than_get_is_a_405(base: str, server, live_setup: LiveSetup, method: str) -> None:
    """A HEAD used to answer 500 (the stream was stopped before it started); the others the storefront's
    HTML page, without Allow. (A cross-site write without Origin is refused before: 403.)"""
    same_site = {**STREAM, "Origin": f"http://{HOST}"}
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        answer = await client.request(method, f"/live/stock?product={live_setup.product_id}", headers=same_site)
        bare = await client.request(method, f"/live/stock?product={live_setup.product_id}", headers=STREAM)
    assert answer.status_code == 405 and answer.headers["Allow"] == "GET"
    assert answer.headers["Content-Type"].startswith("application/json")
    if method != "HEAD":
        assert answer.json()["error"]["status"] == 405
    assert bare.status_code in (403, 405)
    await _forgotten(server)


async def test_a_shopper_who_leaves_mid_stream_is_forgotten(base: str, server, live_setup: LiveSetup) -> None:
    await set_stock(base, HOST, live_setup, 5)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        async with client.stream("GET", f"/live/stock?product={live_setup.product_id}", headers=STREAM) as response:
            await EventReader(response).next()
    await sell(base, HOST, live_setup)            # the next send finds the connection gone
    await _forgotten(server)


async def test_many_shoppers_each_see_the_sale_and_one_look_serves_them(base: str, server,
                                                                        live_setup: LiveSetup) -> None:
    await set_stock(base, HOST, live_setup, 1)
    shoppers = 60
    limits = httpx.Limits(max_connections=shoppers + 10)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        async def shopper(ready: asyncio.Event, opened: list) -> dict:
            async with client.stream("GET", f"/live/stock?product={live_setup.product_id}",
                                     headers=STREAM) as response:
                events = EventReader(response)
                await events.next(60)
                opened.append(1)
                if len(opened) == shoppers:
                    ready.set()
                _, data = await events.next(60)
                return data

        ready, opened = asyncio.Event(), []
        tasks = [asyncio.ensure_future(shopper(ready, opened)) for _ in range(shoppers)]
        await asyncio.wait_for(ready.wait(), 120)
        store = await server.app[STORES].store_for(HOST)
        assert server.app[LIVE_STOCK].watch.subscribers(store.record.id) == shoppers
        await sell(base, HOST, live_setup)
        seen = await asyncio.wait_for(asyncio.gather(*tasks), 120)
    assert all(data["variants"] == {live_setup.variant_id: {"available": False, "inventory": 0}} for data in seen)
    await _forgotten(server)
