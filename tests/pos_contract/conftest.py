"""A real cloud server on 127.0.0.1 (its own thread and event loop: schemathesis calls it with blocking
HTTP) over a private copy of the demo store, and a POS device token of its shop."""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from shared.accounts.service import create_pos_device_token
from shared.db.repositories.inventory import list_locations
from shared.storefront.service import DataDir, open_store


@dataclass(frozen=True)
class LiveServer:
    """Where the server listens, and a POS device token of the demo store's shop."""

    url: str
    token: str
    sku: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def _device_token(data: Path) -> tuple[str, str]:
    """A POS device token of the demo store's shop, and a SKU only one variant has."""
    store = open_store(DataDir(data), "demo")
    try:
        location_id = {loc.name: loc.id for loc in store.db.read(list_locations)}["Pine Street shop"]
        sku = store.db.read(lambda conn: conn.scalar(
            "SELECT sku FROM variants WHERE sku <> '' GROUP BY sku HAVING count(*) = 1 ORDER BY sku LIMIT 1"))
    finally:
        store.close()
    catalog = DataDir(data).catalog()
    try:
        token = create_pos_device_token(catalog, store_id=store.record.id, location_id=location_id, name="till")[1]
    finally:
        catalog.close()
    return token, sku


@pytest.fixture(scope="module")
def live_server(demo_source: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("pos-contract") / "data"
    shutil.copytree(demo_source, data)
    token, sku = _device_token(data)
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
        yield LiveServer(f"http://127.0.0.1:{port[0]}", token, sku)
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(60)
        loop.close()
