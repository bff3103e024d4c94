"""`vibeshop pos pickup` and `feed` on the wrong orders and a cloud that goes away: another location's
order, a cancelled one, an unknown number, "²"; `feed --follow` when the server stops. One
`vibeshop pos:` line, exit 1, and the order is left as it was."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from datetime import UTC, datetime

from support_pos_client import SHOP, Device, device_args, run_pos, start_pos

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from shared.checkout.attempt import CheckoutContext, CheckoutRequest
from shared.checkout.workflow import place_order
from shared.inventory import record_movement
from shared.orders import get_order
from shared.orders.lifecycle import cancel_order
from shared.payments import PayInStoreProvider
from shared.storefront.service import DataDir, open_store


async def _pickup_order(device: Device, *, location: str | None = None, cancelled: bool = False) -> int:
    """A pay-in-store order to pick up at `location` (default the till's), cancelled if asked; its number."""
    store = open_store(DataDir(device.data), "demo")
    where = location or device.location_id
    try:
        variant = store.db.read(lambda conn: conn.scalar("SELECT id FROM variants WHERE sku <> '' ORDER BY id"))
        now = datetime.now(UTC)
        store.db.write(lambda conn: record_movement(conn, change_id=str(uuid.uuid4()), variant_id=variant,
                                                    location_id=where, delta=5, reason="received",
                                                    occurred_at=now, now=now))
        ctx = CheckoutContext(db=store.db, store_id=store.record.id, site_url="http://demo.localhost",
                              providers=lambda method: PayInStoreProvider())
        outcome = await place_order(ctx, CheckoutRequest(lines=((variant, 1),), email="ada@example.com",
                                                         payment_method="pay_in_store", shipping_option_id=where,
                                                         customer_name="Ada Lovelace"))
        if cancelled:
            await cancel_order(store.db, outcome.order.id, notify=False, actor="admin:test")
        return outcome.order.number
    finally:
        store.close()


def _order(device: Device, number: int) -> tuple[str, str]:
    store = open_store(DataDir(device.data), "demo")
    try:
        order = get_order(store.db, number=str(number))
        return str(order.pickup_status), order.updated_at
    finally:
        store.close()


def _one_line(err: str) -> str:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("vibeshop pos:")]
    assert len(lines) == 1, err
    return lines[0]


async def test_pickup_of_orders_it_cannot_hand_over(cloud: str, device: Device) -> None:
    other = device.query("SELECT id FROM locations WHERE name <> ? ORDER BY name", (SHOP,))[0][0]
    elsewhere = await _pickup_order(device, location=other)
    cancelled = await _pickup_order(device, cancelled=True)
    untouched = {number: _order(device, number) for number in (elsewhere, cancelled)}
    for ref, status, says in ((str(elsewhere), 404, f"no order {elsewhere} at this location"),
                              (f"#{cancelled}", 409, "cancelled"), ("99999", 404, "no order 99999"),
                              ("²", 404, "no order ²"), ("../../inventory/counts", 404, "no order")):
        code, out, err = await run_pos("pickup", ref, *device_args(device, cloud))
        line = _one_line(err)
        assert code == 1 and f"refused it: {status}" in line and says in line, (ref, out, err)
    assert {number: _order(device, number) for number in untouched} == untouched


def _feed_after(device: Device) -> str | None:
    try:
        with sqlite3.connect(device.queue) as conn:
            row = conn.execute("SELECT value FROM state WHERE name = 'feed_after'").fetchone()
    except sqlite3.OperationalError:        # not made yet
        return None
    return row[0] if row else None


async def test_feed_follow_ends_with_one_line_when_the_server_goes_away(aiohttp_server, device: Device) -> None:
    number = await _pickup_order(device)
    server = await aiohttp_server(create_app(ServeConfig(data_dir=device.data)))
    follower = await start_pos("feed", "--follow", "--interval", "100ms",
                               *device_args(device, f"http://demo.localhost:{server.port}"))
    assert follower.stdout is not None

    async def until_printed() -> None:
        while f"#{number}" not in (await follower.stdout.readline()).decode():
            pass

    await asyncio.wait_for(until_printed(), 60)
    await server.close()
    out, err = await asyncio.wait_for(follower.communicate(), 120)
    assert follower.returncode == 1 and "cannot reach" in _one_line(err.decode()), (out, err)
    assert int(_feed_after(device) or 0) > 0        # where it got to is kept: the next run resumes there
