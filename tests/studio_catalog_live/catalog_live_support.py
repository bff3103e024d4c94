"""The demo store with a POS device at the Pine Street shop and a paired sync device; helpers to call
the POS API and the catalogue feed over real HTTP."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from shared.accounts.pairing import create_pairing_code, redeem_pairing_code
from shared.accounts.service import add_store_pos_device
from shared.db.migrate import latest_version
from shared.storefront.service import DataDir, open_store
from shared.sync.client import link

DEMO = {"Host": "demo.localhost"}
SYNC = {"Vibeshop-Protocol": "1", "Vibeshop-Schema": str(latest_version("store"))}


@dataclass(frozen=True)
class CatalogSetup:
    """The demo data folder, a POS token at the shop, a device sync token, and one variant to watch."""

    data: Path
    pos_token: str
    sync_token: str
    device_id: str
    location_id: str
    variant_id: str
    sku: str
    product_id: str

    def sync_headers(self, token: str | None = None) -> dict[str, str]:
        """The protocol headers with the device token (or another)."""
        return {**SYNC, "Authorization": f"Bearer {self.sync_token if token is None else token}"}

    def pos_headers(self) -> dict[str, str]:
        """POS bearer token, Host and a fresh Idempotency-Key."""
        return {**DEMO, "Authorization": f"Bearer {self.pos_token}", "Idempotency-Key": str(uuid.uuid4())}


@pytest.fixture
def catalog_setup(demo_dir: Path) -> CatalogSetup:
    till = add_store_pos_device(DataDir(demo_dir), "demo", location="Pine Street shop", name="till")
    store = open_store(DataDir(demo_dir), "demo")
    try:
        variant = store.db.read(lambda conn: conn.one(
            "SELECT v.id, v.sku, v.product_id FROM variants v JOIN products p ON p.id = v.product_id "
            "WHERE v.sku = 'HP-001-NAVY-M'"))
    finally:
        store.close()
    catalog = DataDir(demo_dir).catalog()
    try:
        paired = redeem_pairing_code(catalog, code=create_pairing_code(catalog, store_id=store.record.id),
                                     device_name="Studio")
    finally:
        catalog.close()
    return CatalogSetup(demo_dir, till.token, paired.token, paired.device_id, till.device.location_id,
                        variant[0], variant[1], variant[2])


@pytest.fixture
async def feed_client(aiohttp_client, catalog_setup: CatalogSetup):
    """The cloud app on the demo data through aiohttp's test client (a real server on loopback)."""
    return await aiohttp_client(create_app(ServeConfig(data_dir=catalog_setup.data)))


def count_change(setup: CatalogSetup, quantity: int, *, minutes_ago: float = 1.0) -> dict[str, Any]:
    """A POS count of the watched variant at the shop."""
    at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return {"changes": [{"change_id": str(uuid.uuid4()), "type": "count", "sku": setup.sku, "reason": "correction",
                         "quantity": quantity, "occurred_at": at.isoformat().replace("+00:00", "Z"),
                         "reference": "test"}]}


def sale_change(setup: CatalogSetup, units: int) -> dict[str, Any]:
    """A POS sale of the watched variant at the shop, just now."""
    at = datetime.now(UTC)
    return {"changes": [{"change_id": str(uuid.uuid4()), "type": "adjust", "sku": setup.sku, "reason": "sale",
                         "delta": -units, "occurred_at": at.isoformat().replace("+00:00", "Z"),
                         "reference": "test"}]}


def link_studio_folder(setup: CatalogSetup, folder: Path, remote: str) -> Path:
    """Pair a studio data folder with the demo store served at `remote`, the normal way (a pairing code
    made in the catalog, redeemed over HTTP)."""
    catalog = DataDir(setup.data).catalog()
    try:
        store = open_store(DataDir(setup.data), "demo")
        store.close()
        code = create_pairing_code(catalog, store_id=store.record.id)
    finally:
        catalog.close()
    link(DataDir(folder), remote=remote, code=code, device_name="Studio").close()
    return folder
