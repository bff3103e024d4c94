"""`vibeshop pos feed` and `vibeshop pos pickup` against a real server (the orders feed and fulfilment
contract, docs/pos-api.md): an online pickup order at the till's shop appears in the feed, the feed
resumes after what it printed, and pickup hands the order over (ready, then picked up), re-reading the
order once when someone else changed it meanwhile."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime

import aiohttp
from aiohttp import web
from support_pos_client import Device, device_args, run_pos, start_pos

from shared.checkout.attempt import CheckoutContext, CheckoutRequest
from shared.checkout.workflow import place_order
from shared.inventory import record_movement
from shared.orders import get_order, mark_ready_for_pickup
from shared.payments import PayInStoreProvider
from shared.storefront.service import DataDir, open_store


async def _pickup_order(device: Device) -> int:
    """An online order to pick up at the till's shop, paid in store; its number."""
    store = open_store(DataDir(device.data), "demo")
    try:
        variant = store.db.read(lambda conn: conn.scalar("SELECT id FROM variants WHERE sku <> '' ORDER BY id"))
        now = datetime.now(UTC)
        store.db.write(lambda conn: record_movement(conn, change_id=str(uuid.uuid4()), variant_id=variant,
                                                    location_id=device.location_id, delta=5, reason="received",
                                                    occurred_at=now, now=now))
        ctx = CheckoutContext(db=store.db, store_id=store.record.id, site_url="http://demo.localhost",
                              providers=lambda method: PayInStoreProvider())
        outcome = await place_order(ctx, CheckoutRequest(lines=((variant, 1),), email="ada@example.com",
                                                         payment_method="pay_in_store",
                                                         shipping_option_id=device.location_id,
                                                         customer_name="Ada Lovelace"))
        return outcome.order.number
    finally:
        store.close()


def _pickup_status(device: Device, number: int) -> str:
    store = open_store(DataDir(device.data), "demo")
    try:
        return str(get_order(store.db, number=str(number)).pickup_status)
    finally:
        store.close()


async def test_a_pickup_order_appears_in_the_feed_which_resumes_after_it(cloud: str, device: Device) -> None:
    number = await _pickup_order(device)
    code, out, err = await run_pos("feed", *device_args(device, cloud))
    assert code == 0, err
    assert f"#{number}" in out and "order.created" in out and "pickup" in out
    code, again, err = await run_pos("feed", *device_args(device, cloud))
    assert code == 0 and f"#{number}" not in again, again      # resumed after the last seq printed
    code, raw, err = await run_pos("feed", "--after", "0", "--json", *device_args(device, cloud))
    events = [json.loads(line) for line in raw.splitlines()]
    ours = [e for e in events if e["order"]["number"] == number]
    assert code == 0 and ours and all(e["seq"] > 0 and e["event_id"] for e in ours)
    assert ours[0]["order"]["delivery"] == "pickup" and ours[0]["order"]["location_id"] == device.location_id


async def test_feed_follow_prints_an_order_placed_while_it_runs(cloud: str, device: Device) -> None:
    await run_pos("feed", *device_args(device, cloud))              # past what is there already
    follower = await start_pos("feed", "--follow", "--interval", "200ms", *device_args(device, cloud))
    try:
        number = await _pickup_order(device)
        assert follower.stdout is not None

        async def until_seen() -> None:
            while True:
                line = (await follower.stdout.readline()).decode()
                assert line, f"feed --follow ended: {(await follower.stderr.read()).decode()}"
                if f"#{number}" in line:
                    return

        await asyncio.wait_for(until_seen(), 60)
    finally:
        follower.terminate()
        await follower.wait()


async def test_pickup_marks_ready_then_picked_up(cloud: str, device: Device) -> None:
    number = await _pickup_order(device)
    code, out, err = await run_pos("pickup", str(number), *device_args(device, cloud))
    assert code == 0, err
    assert "marked ready for pickup" in out and f"order #{number} picked up" in out
    assert _pickup_status(device, number) == "picked_up"
    code, out, err = await run_pos("feed", "--after", "0", *device_args(device, cloud))
    assert "order.ready_for_pickup" in out and "order.picked_up" in out
    code, out, _ = await run_pos("pickup", f"#{number}", *device_args(device, cloud))
    assert code == 0 and "picked up already" in out
    code, _, err = await run_pos("pickup", "99999", *device_args(device, cloud))
    assert code == 1 and "404" in err


async def test_pickup_reads_the_order_again_after_a_stale_version(aiohttp_server, cloud: str, device: Device
                                                                  ) -> None:
    """The order is marked ready by someone else between the till's read and its write: the cloud
    answers 409 stale_version, the till reads the order again and hands it over."""
    number = await _pickup_order(device)
    upstream = "http://127.0.0.1:" + cloud.rsplit(":", 1)[1]
    posts: list[int] = []

    async def forward(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        if request.method == "POST" and not posts:
            store = open_store(DataDir(device.data), "demo")
            try:
                order = get_order(store.db, number=str(number))
                mark_ready_for_pickup(store.db, order.id, notify=False, actor="admin:test", site_url=upstream)
            finally:
                store.close()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("content-length", "transfer-encoding")}
        async with aiohttp.ClientSession() as session, session.request(
                request.method, upstream + request.path_qs, data=body, headers=headers) as answer:
            payload, status = await answer.read(), answer.status
        if request.method == "POST":
            posts.append(status)
        return web.Response(status=status, body=payload, content_type="application/json")

    proxy = web.Application()
    proxy.router.add_route("*", "/{tail:.*}", forward)
    through = f"http://demo.localhost:{(await aiohttp_server(proxy)).port}"
    code, out, err = await run_pos("pickup", str(number), *device_args(device, through))
    assert code == 0, (out, err)
    assert posts == [409, 200] and "changed meanwhile" in out
    assert _pickup_status(device, number) == "picked_up"
