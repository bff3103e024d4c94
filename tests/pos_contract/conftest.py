"""A real cloud server on 127.0.0.1 (its own thread and event loop: schemathesis calls it with blocking
HTTP) over a private copy of the demo store, a POS device token of its shop, and online pickup orders at
that shop (placed through the checkout workflow, paid in store) for the fuzzer to act on."""

from __future__ import annotations

import asyncio
import shutil
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp import web

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from shared.accounts.service import create_pos_device_token
from shared.checkout.attempt import CheckoutContext, CheckoutRequest
from shared.checkout.shipping import Destination
from shared.checkout.workflow import place_order
from shared.db.repositories.inventory import list_locations
from shared.inventory import record_movement
from shared.payments import provider_for
from shared.storefront.service import DataDir, open_store

ORDERS = 12             # pickup orders at the shop: enough for every fulfilment step the fuzzer takes
ADDRESS = {"name": "Ada Lovelace", "street_address": "1 Market St", "city": "SAN FRANCISCO", "country_area": "CA",
           "postal_code": "94103", "country_code": "US"}


@dataclass(frozen=True)
class LiveServer:
    """Where the server listens, and a POS device token of the demo store's shop."""

    url: str
    token: str
    sku: str
    orders: tuple[str, ...] = ()       # ids of open pickup orders at the token's shop

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _device_token(data: Path) -> tuple[str, str, tuple[str, ...]]:
    """A POS device token of the demo store's shop, a SKU only one variant has, and ORDERS pickup orders
    at the shop (paid in store) of that variant."""
    store = open_store(DataDir(data), "demo")
    try:
        location_id = {loc.name: loc.id for loc in store.db.read(list_locations)}["Pine Street shop"]
        sku = store.db.read(lambda conn: conn.scalar(
            "SELECT sku FROM variants WHERE sku <> '' GROUP BY sku HAVING count(*) = 1 ORDER BY sku LIMIT 1"))
        orders = asyncio.run(_pickup_orders(store, location_id, sku))
    finally:
        store.close()
    catalog = DataDir(data).catalog()
    try:
        token = create_pos_device_token(catalog, store_id=store.record.id, location_id=location_id, name="till")[1]
    finally:
        catalog.close()
    return token, sku, orders


async def _pickup_orders(store, location_id: str, sku: str) -> tuple[str, ...]:  # noqa: ANN001
    """ORDERS pickup orders at the shop, placed as a shopper's checkout places them (tests/pos_feed does too)."""
    variant = store.db.read(lambda conn: conn.scalar("SELECT id FROM variants WHERE sku = ?", (sku,)))
    now = datetime.now(UTC)
    store.db.write(lambda conn: record_movement(conn, change_id=str(uuid.uuid4()), variant_id=variant,
                                                location_id=location_id, delta=10 * ORDERS, reason="received",
                                                occurred_at=now, now=now))
    ctx = CheckoutContext(db=store.db, store_id=store.record.id, site_url="http://demo.localhost",
                          providers=lambda method: provider_for(store.db, store_id=store.record.id, method=method))
    ids = []
    for _ in range(ORDERS):
        outcome = await place_order(ctx, CheckoutRequest(
            lines=((variant, 1),), email="ada@example.com", payment_method="pay_in_store",
            shipping_option_id=location_id, destination=Destination("US", "CA", "94103"),
            customer_name="Ada Lovelace", shipping_address=ADDRESS))
        assert outcome.order is not None, outcome
        ids.append(outcome.order.id)
    return tuple(ids)


@pytest.fixture(scope="module")
def live_server(demo_source: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("pos-contract") / "data"
    shutil.copytree(demo_source, data)
    token, sku, orders = _device_token(data)
    # A fuzzer is a flood from one address: the per-address limit would answer 429 to most of it.
    app = create_app(ServeConfig(data_dir=data, rate_per_second=1_000_000.0, rate_burst=1_000_000))
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    started = threading.Event()
    port: list[int] = []

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        port.append(site._server.sockets[0].getsockname()[1])   # type: ignore[union-attr]
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=serve, name="pos-contract-server", daemon=True)
    thread.start()
    assert started.wait(60), "the server did not start"
    try:
        yield LiveServer(f"http://127.0.0.1:{port[0]}", token, sku, orders)
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(60)
        loop.close()
