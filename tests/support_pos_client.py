"""The POS client tests' helpers: `vibeshop pos ...` as real subprocesses against a real cloud server on
loopback (the seeded demo store, a POS device token of its Pine Street shop). The fixtures are in
tests/pos_client/conftest.py."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

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
