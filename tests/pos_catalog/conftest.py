"""POST /pos/v1/catalog/batch-upsert against the seeded demo store: a real server on loopback, real
libSQL files, a POS device token of the demo store's shop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from shared.accounts.service import add_store_pos_device
from shared.storefront.service import DataDir, open_store

HOST = "demo.localhost"


@dataclass(frozen=True)
class CatalogSetup:
    """The demo data folder and a POS device token of its shop."""

    data: Path
    token: str

    def headers(self, key: str | None = None) -> dict[str, str]:
        """Host and bearer token (and an Idempotency-Key when given)."""
        out = {"Host": HOST, "Authorization": f"Bearer {self.token}"}
        return out if key is None else {**out, "Idempotency-Key": key}

    def read(self, fn: Callable[[Any], Any]) -> Any:
        """Read the live store database directly (what was, or was not, written)."""
        store = open_store(DataDir(self.data), "demo")
        try:
            return store.db.read(fn)
        finally:
            store.close()


@pytest.fixture
def catalog_setup(demo_dir: Path) -> CatalogSetup:
    till = add_store_pos_device(DataDir(demo_dir), "demo", location="Pine Street shop", name="till")
    return CatalogSetup(demo_dir, till.token)


@pytest.fixture
async def catalog_client(aiohttp_client, catalog_setup: CatalogSetup):
    return await aiohttp_client(create_app(ServeConfig(data_dir=catalog_setup.data)))
