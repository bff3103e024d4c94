"""A shop to check out in, for the workflow, orders and webhook tests: a store database with a
storefront, a tee in two sizes, two locations with stock, localstripe's test keys, and the
CheckoutContext that points the workflow at a localstripe process."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from shared.checkout.attempt import CheckoutContext, CheckoutRequest
from shared.checkout.shipping import Destination
from shared.db import Connection, Database, connect
from shared.db.repositories import catalog
from shared.db.repositories import inventory as inventory_repo
from shared.db.repositories.storefront import insert_storefront
from shared.db.stamps import new_id
from shared.inventory import record_movement
from shared.models import Location, Money, Product, Storefront, Variant
from shared.payments import SecretBox, StripeKeys, StripeOptions, provider_for, set_stripe_keys
from support_stripe import PUBLISHABLE_KEY, SECRET_KEY, STORE_ID, WEBHOOK_SECRET, LocalStripe

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
SITE = "http://shop.test"


@dataclass
class Shop:
    """What a test checks out in."""

    db: Database
    box: SecretBox
    variants: list[str]
    shop_location: str
    warehouse: str
    api_base: str

    def context(self, *, api_base: str | None = None, **options: float) -> CheckoutContext:
        """The workflow's context, Stripe at `api_base` (localstripe unless told otherwise)."""
        stripe_options = StripeOptions(api_base=api_base or self.api_base, retry_pause=0.05, **options)
        return CheckoutContext(
            db=self.db, store_id=STORE_ID, site_url=SITE, merchant_email="owner@shop.test",
            providers=lambda method: provider_for(self.db, store_id=STORE_ID, method=method, box=self.box,
                                                  options=stripe_options))

    def stock(self, variant_id: str) -> int:
        """Units on hand of a variant, over every location (the ledger's sum)."""
        levels = self.db.read(lambda conn: inventory_repo.stock_levels(conn, [variant_id]))
        return sum(levels.get(variant_id, {}).values())

    def count(self, table: str) -> int:
        """Rows of a table."""
        return self.db.read(lambda conn: conn.scalar(f"SELECT count(*) FROM {table}"))


def request(shop: Shop, *, quantity: int = 1, method: str = "stripe", variant: int = 0, pickup: bool = False,
            email: str = "ada@example.com", code: str | None = None) -> CheckoutRequest:
    """A checkout of the tee: shipped to the US with the default setup's flat rate, or picked up."""
    return CheckoutRequest(
        lines=((shop.variants[variant], quantity),), email=email, payment_method=method,
        shipping_option_id=shop.shop_location if pickup else "standard",
        destination=Destination("US", "CA", "94103"), discount_code=code, customer_name="Ada Lovelace",
        shipping_address={"name": "Ada Lovelace", "street_address": "1 Market St", "city": "SAN FRANCISCO",
                          "country_area": "CA", "postal_code": "94103", "country_code": "US"})


def make_shop(path: Path, *, box: SecretBox, api_base: str, currency: str = "USD", price: int = 2500,
              stock: int = 5) -> Shop:
    """A store database at `path` with everything a checkout needs."""
    db = connect(path)
    now = T0.isoformat()
    pid = new_id()
    product = Product(pid, "tee", "Tee", variants=tuple(
        Variant(new_id(), pid, size, f"TEE-{size}", Money(price, currency), None, (size, None, None), i)
        for i, size in enumerate(("M", "L"))), created_at=now, updated_at=now)
    shop_location = Location(new_id(), "Pine Street shop", "12 Pine Street", is_default=True, created_at=now)
    warehouse = Location(new_id(), "Harbor warehouse", created_at=now)

    def write(conn: Connection) -> None:
        insert_storefront(conn, Storefront(new_id(), "pineco", "Pine & Co", currency=currency,
                                           settings={"email": "owner@shop.test"}, created_at=now, updated_at=now))
        catalog.insert_product(conn, product)
        inventory_repo.insert_location(conn, shop_location)
        inventory_repo.insert_location(conn, warehouse)
        for variant in product.variants if stock else ():
            record_movement(conn, change_id=new_id(), variant_id=variant.id, location_id=shop_location.id,
                            delta=stock, reason="received", occurred_at=T0, now=T0)

    db.write(write)
    set_stripe_keys(db, store_id=STORE_ID, box=box, keys=StripeKeys(SECRET_KEY, PUBLISHABLE_KEY, WEBHOOK_SECRET))
    return Shop(db, box, [v.id for v in product.variants], shop_location.id, warehouse.id, api_base)


def served_checkout_context(store: Any, *, key: str, api_base: str,
                            site_url: str = "http://demo.localhost") -> CheckoutContext:
    """localstripe's test keys set on a store an app serves (sealed with `key`, the VIBESHOP_SECRETS_KEY the
    app was given) and the workflow's context to place orders in it, Stripe at `api_base`."""
    box = SecretBox(base64.urlsafe_b64decode(key))
    set_stripe_keys(store.db, store_id=store.record.id, box=box,
                    keys=StripeKeys(SECRET_KEY, PUBLISHABLE_KEY, WEBHOOK_SECRET))
    return CheckoutContext(db=store.db, store_id=store.record.id, site_url=site_url,
                           providers=lambda method: provider_for(store.db, store_id=store.record.id, method=method,
                                                                 box=box, options=StripeOptions(api_base=api_base)))


@pytest.fixture(scope="session")
def localstripe_process() -> Iterator[LocalStripe]:
    """localstripe on loopback for the whole session."""
    server = LocalStripe()
    yield server
    server.stop()


@pytest.fixture
def localstripe(localstripe_process: LocalStripe) -> LocalStripe:
    """localstripe with no objects in it."""
    localstripe_process.reset()
    return localstripe_process


@pytest.fixture
def shop(tmp_path: Path, localstripe: LocalStripe) -> Iterator[Shop]:
    """A shop with 5 of each tee size at the Pine Street shop, Stripe keys for localstripe."""
    made = make_shop(tmp_path / "store.db", box=SecretBox(os.urandom(32)), api_base=localstripe.url)
    yield made
    made.db.close()


def intents(localstripe: LocalStripe) -> list[dict]:
    """Every PaymentIntent localstripe holds."""
    return localstripe.get("/v1/payment_intents?limit=100")["data"]
