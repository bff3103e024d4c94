"""Fixtures of the POS client tests: the seeded demo store on a real server and a till of its Pine Street
shop (helpers in tests/support_pos_client.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from shared.accounts.service import add_store_pos_device
from shared.storefront.service import DataDir
from support_pos_client import SHOP, Device


@pytest.fixture
def device(demo_dir: Path, tmp_path: Path) -> Device:
    till = add_store_pos_device(DataDir(demo_dir), "demo", location=SHOP, name="till")
    return Device(demo_dir, till.token, till.device.location_id, tmp_path / "till.sqlite")


@pytest.fixture
async def cloud(aiohttp_server, device: Device) -> str:
    """The demo store's address on a real server: http://demo.localhost:PORT (dialled on 127.0.0.1)."""
    server = await aiohttp_server(create_app(ServeConfig(data_dir=device.data)))
    return f"http://demo.localhost:{server.port}"
