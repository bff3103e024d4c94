"""GET /live/stock over real HTTP (a server on loopback, real libSQL): the first event carries the
product's state, a POS sale of the last unit is pushed as sold out, Last-Event-ID is honoured, and the
stream asks for nothing it cannot check."""

from __future__ import annotations


import httpx
import pytest

from cloud.server.app import create_app
from cloud.server.availability import LIVE_STOCK
from cloud.server.config import ServeConfig
from live_support import EventReader, LiveSetup, sell, set_stock
from support import wait_for_async

HOST = "demo.localhost"


@pytest.fixture
async def server(aiohttp_server, live_setup: LiveSetup):
    return await aiohttp_server(create_app(ServeConfig(data_dir=live_setup.data, rate_burst=10_000)))


@pytest.fixture
def base(server) -> str:
    return f"http://127.0.0.1:{server.port}"


def _stream(client: httpx.AsyncClient, setup: LiveSetup, last_event_id: str | None = None):
    headers = {"Host": HOST, "Accept": "text/event-stream"}
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    return client.stream("GET", f"/live/stock?product={setup.product_id}", headers=headers)


async def test_a_sale_of_the_last_unit_is_pushed_as_sold_out(base: str, live_setup: LiveSetup) -> None:
    await set_stock(base, HOST, live_setup, 1)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client, _stream(client, live_setup) as response:
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/event-stream")
        assert response.headers["Cache-Control"] == "no-cache"
        events = EventReader(response)
        first_id, first = await events.next()
        assert first["variants"] == {live_setup.variant_id: {"available": True, "inventory": 1}}
        await sell(base, HOST, live_setup)
        sold_id, sold = await events.next()
        assert sold["variants"] == {live_setup.variant_id: {"available": False, "inventory": 0}}
        assert int(sold_id) > int(first_id)
        await set_stock(base, HOST, live_setup, 4)          # a delivery: back in stock
        _, restocked = await events.next()
        assert restocked["variants"][live_setup.variant_id] == {"available": True, "inventory": 4}


async def test_last_event_id_current_sends_nothing_until_the_next_change(base: str, live_setup: LiveSetup) -> None:
    await set_stock(base, HOST, live_setup, 2)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        async with _stream(client, live_setup) as response:
            current, _ = await EventReader(response).next()
        async with _stream(client, live_setup, last_event_id=current) as response:
            events = EventReader(response)
            await sell(base, HOST, live_setup)
            next_id, data = await events.next()          # the sale, not a repeat of the state at `current`
        assert int(next_id) > int(current)
        assert data["variants"] == {live_setup.variant_id: {"available": True, "inventory": 1}}


async def test_a_reconnect_after_missed_changes_gets_the_current_state(base: str, live_setup: LiveSetup) -> None:
    await set_stock(base, HOST, live_setup, 2)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        async with _stream(client, live_setup) as response:
            before, _ = await EventReader(response).next()
        await sell(base, HOST, live_setup)                 # missed while disconnected
        await sell(base, HOST, live_setup)
        async with _stream(client, live_setup, last_event_id=before) as response:
            now_id, data = await EventReader(response).next()
    assert int(now_id) > int(before)
    assert data["variants"] == {live_setup.variant_id: {"available": False, "inventory": 0}}


@pytest.mark.parametrize("query", ["", "?product=", "?product=a%20b", "?product=" + "x" * 65,
                                   "?" + "&".join(f"product=p{i}" for i in range(21))])
async def test_a_bad_product_list_is_a_400_problem(base: str, query: str) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        answer = await client.get("/live/stock" + query, headers={"Host": HOST})
    assert answer.status_code == 400
    assert answer.json()["error"]["status"] == 400


async def test_ended_streams_are_forgotten(server, base: str, live_setup: LiveSetup) -> None:
    live = server.app[LIVE_STOCK]
    async with httpx.AsyncClient(base_url=base, timeout=30) as client, _stream(client, live_setup) as response:
        await EventReader(response).next()
        assert len(live.streams) == 1
        await live.end_streams()                 # what a worker's shutdown does
        async def forgotten() -> bool:
            return not live.streams and live.watch.watched() == 0
        await wait_for_async(forgotten, "the ended stream forgotten", timeout=30)


async def test_a_last_event_id_that_is_no_sequence_number_gets_the_current_state(base: str,
                                                                                  live_setup: LiveSetup) -> None:
    """"²" is a digit to str.isdigit but not to int: it once made the stream answer 500."""
    await set_stock(base, HOST, live_setup, 2)
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        headers = {"Host": HOST, "Accept": "text/event-stream", "Last-Event-ID": "²".encode()}
        async with client.stream("GET", f"/live/stock?product={live_setup.product_id}", headers=headers) as response:
            assert response.status_code == 200
            _, data = await EventReader(response).next()
    assert data["variants"] == {live_setup.variant_id: {"available": True, "inventory": 2}}
