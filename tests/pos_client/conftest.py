"""`vibeshop pos ...` as real subprocesses against a real cloud server on loopback (the seeded demo
store, a POS device token of its Pine Street shop)."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from shared.accounts.service import create_pos_device_token
from shared.db.repositories.inventory import list_locations
from shared.storefront.service import DataDir, open_store

ROOT = Path(__file__).resolve().parents[2]
SHOP = "Pine Street shop"


@dataclass(frozen=True)
class Device:
    """A POS device of the demo store's shop: its token, location and queue file."""

    data: Path
    token: str
    location_id: str
    queue: Path

    def on_hand(self) -> dict[str, int]:
        """sku -> on hand at the device's location, read from the store's database."""
        return dict(self.query("SELECT v.sku, s.on_hand FROM location_stock s JOIN variants v ON v.id = s.variant_id "
                               "WHERE s.location_id = ? AND v.sku <> ''", (self.location_id,)))

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Rows of the store's database."""
        store = open_store(DataDir(self.data), "demo")
        try:
            return [tuple(row) for row in store.db.read(lambda conn: conn.all(sql, params))]
        finally:
            store.close()


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


async def start_pos(*args: str, env: dict[str, str] | None = None) -> asyncio.subprocess.Process:
    """`vibeshop pos ARGS` as a subprocess (stdout and stderr piped)."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "vibeshop", "pos", *args, cwd=ROOT, env={**os.environ, **(env or {})},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def run_pos(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> tuple[int, str, str]:
    """Run `vibeshop pos ARGS` to its end: exit status, stdout, stderr."""
    proc = await start_pos(*args, env=env)
    out, err = await asyncio.wait_for(proc.communicate(), timeout)
    return proc.returncode or 0, out.decode(), err.decode()


def device_args(device: Device, cloud: str) -> list[str]:
    """--remote, --token and --queue of the device."""
    return ["--remote", cloud, "--token", device.token, "--queue", str(device.queue)]
