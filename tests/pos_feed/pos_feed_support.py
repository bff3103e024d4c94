"""The demo store served by a real app on loopback (aiohttp_client), with localstripe's keys, a POS device
at the Pine Street shop ("till") and one at the Harbor warehouse ("back"), an orders:read token for the
studio's stream, and orders placed through the checkout workflow (shared/checkout/workflow.place_order),
as a shopper's checkout places them: pickup at the shop, paid in store or authorized by card."""

from __future__ import annotations

import base64
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from cloud.server.keys import STORES
from shared.accounts.service import create_pos_device_token, create_token
from shared.checkout.attempt import CheckoutContext, CheckoutRequest
from shared.checkout.shipping import Destination
from shared.checkout.workflow import place_order
from shared.db.repositories.inventory import list_locations
from shared.inventory import record_movement
from shared.payments import ENV_VAR
from support_checkout import served_checkout_context
from support_stripe import LocalStripe

DEMO = {"Host": "demo.localhost"}
KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()
ADDRESS = {"name": "Ada Lovelace", "street_address": "1 Market St", "city": "SAN FRANCISCO", "country_area": "CA",
           "postal_code": "94103", "country_code": "US"}


@dataclass
class Feed:
    """What a feed test works with."""

    client: object
    store: object
    ctx: CheckoutContext
    shop: str               # the Pine Street shop's location id
    warehouse: str
    variant: str            # a variant with 20 units at each location
    till: str               # POS token at the shop
    back: str               # POS token at the warehouse
    reader: str             # orders:read token (the studio)

    def pos(self, token: str | None = None, key: str | None = None) -> dict[str, str]:
        """Headers of a POS call (an Idempotency-Key when given)."""
        out = {**DEMO, "Authorization": f"Bearer {token or self.till}"}
        return out if key is None else {**out, "Idempotency-Key": key}

    async def get(self, path: str, token: str | None = None):
        """GET a POS path; (status, JSON)."""
        response = await self.client.get(path, headers=self.pos(token))
        return response.status, await response.json()

    async def act(self, order: str, action: str, version: int, *, key: str | None = None, **extra):
        """POST a fulfilment action; (status, JSON, response)."""
        response = await self.client.post(f"/pos/v1/orders/{order}/fulfilment",
                                          json={"action": action, "version": version, **extra},
                                          headers=self.pos(key=key or str(uuid.uuid4())))
        return response.status, await response.json(), response

    async def pickup_order(self, *, quantity: int = 1, card: bool = False, email: str = "ada@example.com") -> dict:
        """A pickup order at the shop, paid in store (or by card: authorized when capture at pickup is on)."""
        outcome = await place_order(self.ctx, CheckoutRequest(
            lines=((self.variant, quantity),), email=email, payment_method="stripe" if card else "pay_in_store",
            shipping_option_id=self.shop, destination=Destination("US", "CA", "94103"), customer_name="Ada Lovelace",
            shipping_address=ADDRESS), card="pm_card_visa" if card else "")
        assert outcome.order is not None, outcome
        return {"id": outcome.order.id, "number": outcome.order.number}

    def on_hand(self, location: str) -> int:
        """The ledger's units of the variant at a location."""
        return self.store.db.read(lambda conn: conn.scalar(
            "SELECT COALESCE(sum(delta), 0) FROM stock_movements WHERE variant_id = ? AND location_id = ?",
            (self.variant, location)))

    def rows(self, table: str, where: str = "1", params: tuple = ()) -> int:
        """Rows of a table."""
        return self.store.db.read(lambda conn: conn.scalar(f"SELECT count(*) FROM {table} WHERE {where}", params))


@pytest.fixture
async def feed(aiohttp_client, demo_dir: Path, localstripe: LocalStripe, monkeypatch: pytest.MonkeyPatch) -> Feed:
    monkeypatch.setenv(ENV_VAR, KEY)
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, stripe_api=localstripe.url,
                                                         mail_dir=demo_dir / "mail", rate_burst=10_000)))
    store = await client.app[STORES].store_for("demo.localhost")
    ctx = served_checkout_context(store, key=KEY, api_base=localstripe.url)
    locations = {loc.name: loc.id for loc in store.db.read(list_locations)}
    shop, warehouse = locations["Pine Street shop"], locations["Harbor warehouse"]
    variant = store.db.read(lambda conn: conn.scalar("SELECT id FROM variants WHERE sku <> '' ORDER BY id LIMIT 1"))
    now = datetime.now(UTC)

    def stock(conn) -> None:
        for location in (shop, warehouse):
            record_movement(conn, change_id=str(uuid.uuid4()), variant_id=variant, location_id=location, delta=20,
                            reason="received", occurred_at=now, now=now)

    store.db.write(stock)
    catalog = client.app[STORES].catalog
    till = create_pos_device_token(catalog, store_id=store.record.id, location_id=shop, name="till")[1]
    back = create_pos_device_token(catalog, store_id=store.record.id, location_id=warehouse, name="back")[1]
    reader = create_token(catalog, store_id=store.record.id, name="studio", scopes=["orders:read"])
    return Feed(client, store, ctx, shop, warehouse, variant, till, back, reader)
