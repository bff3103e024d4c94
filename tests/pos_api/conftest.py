"""The POS API against the seeded demo store: a real server on loopback, real libSQL files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from shared.accounts.service import add_store_pos_device, create_token
from shared.storefront.service import DataDir, open_store

DEMO = {"Host": "demo.localhost"}


@dataclass(frozen=True)
class PosSetup:
    """A POS device of the demo store at its shop, a second device at the warehouse, and two variants."""

    data: Path
    token: str
    location_id: str
    other_token: str
    other_location_id: str
    sku: str
    variant_id: str
    other_variant_id: str

    def headers(self, key: str | None = None, token: str | None = None) -> dict[str, str]:
        """Host and bearer token (and an Idempotency-Key when given)."""
        out = {**DEMO, "Authorization": f"Bearer {token or self.token}"}
        return out if key is None else {**out, "Idempotency-Key": key}


@pytest.fixture
def pos_setup(demo_dir: Path) -> PosSetup:
    till = add_store_pos_device(DataDir(demo_dir), "demo", location="Pine Street shop", name="till")
    back = add_store_pos_device(DataDir(demo_dir), "demo", location="Harbor warehouse", name="back")
    store = open_store(DataDir(demo_dir), "demo")
    try:
        variants = store.db.read(lambda conn: conn.all(
            "SELECT id, sku FROM variants WHERE sku <> '' AND sku IN "
            "(SELECT sku FROM variants GROUP BY sku HAVING count(*) = 1) ORDER BY id LIMIT 2"))
    finally:
        store.close()
    return PosSetup(demo_dir, till.token, till.device.location_id, back.token, back.device.location_id,
                    variants[0][1], variants[0][0], variants[1][0])


@pytest.fixture
def admin_token(pos_setup: PosSetup) -> str:
    """An ordinary admin token with every scope but no location: not a POS device."""
    store = open_store(DataDir(pos_setup.data), "demo")
    store.close()
    catalog = DataDir(pos_setup.data).catalog()
    try:
        return create_token(catalog, store_id=store.record.id, name="admin", scopes=["pos", "store:read"])
    finally:
        catalog.close()


@pytest.fixture
def pos_app(pos_setup: PosSetup):
    return create_app(ServeConfig(data_dir=pos_setup.data))


@pytest.fixture
async def pos_client(aiohttp_client, pos_app):
    return await aiohttp_client(pos_app)
