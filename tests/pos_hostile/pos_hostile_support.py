"""The demo store served by a real app on loopback (aiohttp_client), a POS device at its shop ("till") and
one at its warehouse ("back"), a device of a second store, and direct reads of the live store database,
to check that a refused request wrote nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from cloud.server.keys import STORES
from shared.accounts.service import add_store_pos_device
from shared.storefront.service import DataDir

DEMO = {"Host": "demo.localhost"}
CHANGES = "/pos/v1/inventory/changes"
UPSERT = "/pos/v1/catalog/batch-upsert"
FEED = "/pos/v1/orders/feed"


@dataclass
class Hostile:
    """What a hostile test works with: the client, the store, tokens and a variant with a unique SKU."""

    client: Any
    store: Any
    till: str
    back: str
    shop: str
    warehouse: str
    sku: str
    variant_id: str
    till_id: str            # the till's device (token) id, to revoke it

    def headers(self, key: str | None = None, token: str | None = None, **extra: str) -> dict[str, str]:
        """Host and bearer token (and an Idempotency-Key when given)."""
        out = {**DEMO, "Authorization": f"Bearer {token or self.till}", **extra}
        return out if key is None else {**out, "Idempotency-Key": key}

    async def post(self, path: str, body: Any = None, *, data: bytes | str | None = None,
                   key: str | None = "new", token: str | None = None, **extra: str) -> tuple[int, Any]:
        """POST JSON (or raw `data`); (status, JSON body). A 5xx or a non-JSON answer fails the test."""
        headers = self.headers(str(uuid.uuid4()) if key == "new" else key, token, **extra)
        if data is None:
            response = await self.client.post(path, json=body, headers=headers)
        else:
            response = await self.client.post(path, data=data, headers=headers)
        return await answer(response)

    async def get(self, path: str, token: str | None = None) -> tuple[int, Any]:
        """GET a POS path; (status, JSON body)."""
        return await answer(await self.client.get(path, headers=self.headers(token=token)))

    def read(self, fn: Callable[[Any], Any]) -> Any:
        """Read the live store database."""
        return self.store.db.read(fn)

    def ledger_rows(self) -> int:
        """Rows of the stock ledger (a refused batch adds none)."""
        return self.read(lambda conn: conn.scalar("SELECT count(*) FROM stock_movements"))

    def change(self, kind: str = "adjust", *, at: datetime | str | None = None, **fields: Any) -> dict:
        """A valid change of the test variant (a sale of 1 an hour ago, or a count of 10), with `fields` over it."""
        when = at if at is not None else datetime.now(UTC) - timedelta(hours=1)
        out = {"change_id": str(uuid.uuid4()), "type": kind, "sku": self.sku,
               "reason": "sale" if kind == "adjust" else "correction",
               "occurred_at": when if isinstance(when, str) else when.isoformat()}
        out.update({"delta": -1} if kind == "adjust" else {"quantity": 10})
        out.update(fields)
        return out


async def answer(response: Any) -> tuple[int, Any]:
    """(status, JSON body); never a 5xx, and every answer JSON."""
    text = await response.text()
    assert response.status < 500, (response.status, text[:500])
    assert response.content_type == "application/json", (response.status, response.content_type, text[:300])
    return response.status, await response.json()


def problem_of(status: int, body: Any) -> dict:
    """The problem detail of a 4xx answer."""
    assert 400 <= status < 500 and "error" in body, (status, body)
    return body["error"]


@pytest.fixture
async def hostile(aiohttp_client, demo_dir: Path) -> Hostile:
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, rate_burst=10_000)))
    store = await client.app[STORES].store_for("demo.localhost")
    till = add_store_pos_device(DataDir(demo_dir), "demo", location="Pine Street shop", name="till")
    back = add_store_pos_device(DataDir(demo_dir), "demo", location="Harbor warehouse", name="back")
    variant_id, sku = store.db.read(lambda conn: conn.one(
        "SELECT id, sku FROM variants WHERE sku <> '' AND sku IN "
        "(SELECT sku FROM variants GROUP BY sku HAVING count(*) = 1) ORDER BY id LIMIT 1"))
    return Hostile(client, store, till.token, back.token, till.device.location_id, back.device.location_id,
                   sku, variant_id, till.device.id)
