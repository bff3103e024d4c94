"""Fixtures of the POS client tests: the seeded demo store on a real server and a till of its Pine Street
shop (helpers in tests/support_pos_client.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from shared.accounts.service import create_pos_device_token
from shared.db.repositories.inventory import list_locations
from shared.storefront.service import DataDir, open_store
from support_pos_client import SHOP, Device


@pytest.fixture
def device(demo_dir: Path, tmp_path: Path) -> Device:
    store = open_store(DataDir(demo_dir), "demo")
    try:
        location_id = {loc.name: loc.id for loc in store.db.read(list_locations)}[SHOP]
    finally:
        store.close()
    catalog = DataDir(demo_dir).catalog()
    try:
        token = create_pos_device_token(catalog, store_id=store.record.id, location_id=location_id, name="till")[1]
    finally:
        catalog.close()
    return Device(demo_dir, token, location_id, tmp_path / "till.sqlite")


@pytest.fixture
async def cloud(aiohttp_server, device: Device) -> str:
    """The demo store's address on a real server: http://demo.localhost:PORT (dialled on 127.0.0.1)."""
    server = await aiohttp_server(create_app(ServeConfig(data_dir=device.data)))
    return f"http://demo.localhost:{server.port}"
