"""Sync over HTTP against real servers: the cloud app through aiohttp_client, or `vibeshop cloud serve`
as a subprocess on a random loopback port; devices paired with real pairing codes."""

from __future__ import annotations

import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from shared.accounts.pairing import create_pairing_code
from shared.db import Database
from shared.db.repositories import sync as repo
from shared.db.migrate import latest_version
from shared.storefront.service import DataDir, create_store, open_store
from shared.sync.tables import SPECS
from support import VIBESHOP, Server, free_port, serving  # noqa: F401 - re-exported for the tests here

SCHEMA = str(latest_version("store"))


def sync_headers(token: str | None = None) -> dict[str, str]:
    """The headers every sync request carries (section 2)."""
    headers = {"Vibeshop-Protocol": "1", "Vibeshop-Schema": SCHEMA}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def pairing_code(data: Path, slug: str) -> str:
    """A fresh pairing code for a store of the data folder (what `vibeshop cloud device add` prints)."""
    store = open_store(DataDir(data), slug)
    store.close()
    catalog = DataDir(data).catalog()
    try:
        return create_pairing_code(catalog, store_id=store.record.id)
    finally:
        catalog.close()


@dataclass(frozen=True)
class Paired:
    """A device as the cloud paired it."""

    device_id: str
    token: str
    store: dict[str, Any]

    @property
    def headers(self) -> dict[str, str]:
        """Sync headers with this device's token."""
        return sync_headers(self.token)


async def pair(client, data: Path, slug: str = "demo", name: str = "Test device") -> Paired:
    """Pair a device through POST /_sync/pair."""
    response = await client.post("/_sync/pair", json={"code": pairing_code(data, slug), "device_name": name},
                                 headers=sync_headers())
    assert response.status == 200, await response.text()
    body = await response.json()
    return Paired(body["device_id"], body["device_token"], body["store"])


@pytest.fixture
async def cloud(aiohttp_client, demo_dir: Path):
    """The cloud app on the demo data, with a second store ("other-shop") beside the demo store."""
    create_store(DataDir(demo_dir), slug="other-shop", name="Other shop").close()
    return await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir)))


async def refused(response, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert a protocol error answer: the status, and a JSON body with "error" (== code) and "message"."""
    text = await response.text()
    assert response.status == status, text[:300]
    assert response.content_type == "application/json", text[:300]
    body = await response.json()
    assert isinstance(body.get("error"), str) and isinstance(body.get("message"), str)
    if code is not None:
        assert body["error"] == code, body
    return body


async def pull_all(client, device: Paired, cursor: int = 0) -> list[dict[str, Any]]:
    """Every change after `cursor`, page by page, as the device would pull them."""
    changes = []
    while True:
        page = await (await client.post("/_sync/pull", json={"cursor": cursor, "limit": 5000},
                                        headers=device.headers)).json()
        changes += page["changes"]
        cursor = page["cursor"]
        if not page["more"]:
            return changes


def ledger(db: Database, device_id: str) -> int:
    """The last op of a device that the cloud applied (its ledger)."""
    return db.read(lambda conn: repo.get_device(conn, device_id))[1]


def add_blocks(store, count: int) -> None:
    """`count` new blocks on the home page, made on the device (captured as dirty rows)."""
    def write(conn) -> None:
        blocks = repo.all_rows(conn, SPECS["blocks"])
        template = next(b for b in blocks if b["kind"] == "testimonials")
        for n in range(count):
            repo.upsert_row(conn, SPECS["blocks"], {**template, "id": str(uuid.UUID(int=n + 1)), "position": 100 + n,
                                                   "settings": f'{{"heading": "Bulk {n}"}}'})

    store.db.write(write)


def hlc(device_id: str, step: int = 0) -> str:
    """A fresh HLC of this device, `step` counters after now."""
    from shared.sync.hlc import format_hlc

    return format_hlc(int(time.time() * 1000) + 1000, step, device_id)
