"""The checkout's two stock settings (docs/checkout.md, "Stock: holds and locations"): which location a
shipped order takes its stock from (`shipping.ship_from`), and how long starting checkout holds the
cart's units (`hold_minutes`). Priced and held on a real libSQL file with the setup the merchant saved."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from shared.checkout import ShippingRate, ShippingZone, ZoneArea
from shared.checkout.attempt import price_request
from shared.checkout.setup_store import (
    load_checkout_setup, save_hold_minutes, save_pickup, save_ship_from, save_shipping)
from shared.db.repositories import checkout_setup as repo
from shared.db.stamps import new_id
from shared.inventory import InventoryError, InventoryErrorCode, LocationPolicy, hold_stock
from shared.payments import SecretBox
from support_checkout import T0, Shop, make_shop, request

US = ShippingZone("us", "United States", (ZoneArea("US"),), (ShippingRate("standard", "Standard", price=500),))


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    """5 of each tee at the Pine Street shop, none at the warehouse; the setup as the merchant saves
    it (no Stripe call is made: pricing and holding only)."""
    made = make_shop(tmp_path / "store.db", box=SecretBox(os.urandom(32)), api_base="http://127.0.0.1:9")
    save_shipping(made.db, zones=(US,), local_delivery=())
    yield made
    made.db.close()


def _start(shop: Shop, *, pickup: bool = False, quantity: int = 1):
    """Price a checkout with the stored setup and hold its units as the workflow does: (policy, group)."""
    ctx = dataclasses.replace(shop.context(), load_setup=load_checkout_setup)

    def write(conn):
        priced = price_request(conn, ctx, request(shop, pickup=pickup, quantity=quantity), now=T0)
        group = hold_stock(conn, group_id=new_id(), lines=[(l.variant_id, l.quantity) for l in priced.quote.lines],
                           location_policy=priced.policy, now=T0, ttl=priced.setup.hold_ttl)
        return priced.policy, group
    return shop.db.write(write)


def test_shipping_takes_from_the_first_location_with_stock_by_default(shop: Shop) -> None:
    policy, group = _start(shop)
    assert policy == LocationPolicy.first_with_stock()
    assert [line.location_id for line in group.lines] == [shop.shop_location]
    assert group.expires_at == T0 + timedelta(minutes=10)            # the default hold time


def test_shipping_takes_only_from_the_shipping_location(shop: Shop) -> None:
    save_ship_from(shop.db, shop.warehouse)                         # the stock is all at the shop
    with pytest.raises(InventoryError) as caught:
        _start(shop)
    assert caught.value.code == InventoryErrorCode.OUT_OF_STOCK
    assert [s.variant_id for s in caught.value.shortages] == [shop.variants[0]]
    assert shop.count("stock_holds") == 0

    save_ship_from(shop.db, shop.shop_location)
    policy, group = _start(shop, quantity=2)
    assert policy == LocationPolicy.at(shop.shop_location)
    assert [(line.location_id, line.quantity) for line in group.lines] == [(shop.shop_location, 2)]

    save_ship_from(shop.db, None)                                    # back to the first with stock
    assert _start(shop)[0] == LocationPolicy.first_with_stock()


def test_pickup_takes_from_the_pickup_location_whatever_the_shipping_location(shop: Shop) -> None:
    save_pickup(shop.db, shop.shop_location, enabled=True, country="US", region="ME")
    save_ship_from(shop.db, shop.warehouse)
    policy, group = _start(shop, pickup=True)
    assert policy == LocationPolicy.at(shop.shop_location)
    assert [line.location_id for line in group.lines] == [shop.shop_location]


def test_a_shipping_location_this_database_lacks_counts_as_none(shop: Shop) -> None:
    # Locations are not synced: a setting pulled from another device may name one this store lacks.
    shop.db.write(lambda conn: repo.put_settings(conn, {"ship_from": "elsewhere"}))
    assert shop.db.read(load_checkout_setup).shipping.ship_from == "elsewhere"
    policy, group = _start(shop)
    assert policy == LocationPolicy.first_with_stock()
    assert [line.location_id for line in group.lines] == [shop.shop_location]


def test_the_hold_time_is_the_stores_setting(shop: Shop) -> None:
    save_hold_minutes(shop.db, 25)
    setup = shop.db.read(load_checkout_setup)
    assert setup.hold_minutes == 25 and setup.hold_ttl == timedelta(minutes=25)
    _policy, group = _start(shop)
    assert group.expires_at == T0 + timedelta(minutes=25)
