"""The checkout setup stored in a store database (shared/checkout/setup_store.py, migration 0016): the
services on real libSQL files, their typed errors naming the field, and the table rules that guard the
same rows on every other path (a hand-made write through the repository is refused too)."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from shared.checkout import (
    CheckoutErrorCode, Discount, DiscountKind, DiscountMethod, LocalDelivery, RateKind, RateTier, SetupError,
    ShippingRate, ShippingZone, TaxRate, TaxSetup, ZoneArea)
from shared.checkout.errors import CheckoutError
from shared.checkout.setup_store import (
    list_discounts, list_pickup_options, load_checkout_setup, remove_discount, save_discount, save_hold_minutes,
    save_pickup, save_ship_from, save_shipping, save_tax)
from shared.checkout.setup_json import setup_from_json, setup_to_json
from shared.db.repositories import checkout_setup as repo
from shared.demo.checkout_setup import DISCOUNTS
from shared.sync.errors import RowRefused
from shared.sync.rules import validate_row

US = ShippingZone("us", "United States", (ZoneArea("US"),), (ShippingRate("std", "Standard", price=500, free_over=7500),))


def _fields(error: SetupError) -> list[str]:
    return [p.field for p in error.problems]


def test_a_new_store_has_an_empty_setup_in_its_currency(store) -> None:
    setup = store.db.read(load_checkout_setup)
    assert setup.currency == store.storefront().currency
    assert setup.tax == TaxSetup() and setup.shipping.zones == () and setup.discounts == ()


def test_tax_and_shipping_are_saved_and_read_back(store) -> None:
    tax = TaxSetup(prices_include_tax=True, default_rate="20", tax_shipping=True,
                   rates=(TaxRate("US", "8.875", "NY"), TaxRate("DE", "19")))
    save_tax(store.db, tax)
    weight = ShippingRate("w", "By weight", RateKind.WEIGHT, tiers=(RateTier(0, 900), RateTier(1000, 1900)))
    local = LocalDelivery("local", "Local", "US", ("04855", "0486*"), price=300)
    save_shipping(store.db, zones=(dataclasses.replace(US, rates=(*US.rates, weight)),), local_delivery=(local,))
    setup = store.db.read(load_checkout_setup)
    assert setup.tax == tax                       # saving shipping kept the tax
    assert setup.shipping.zones[0].rates[1] == weight and setup.shipping.local_delivery == (local,)


def test_a_bad_tax_setup_names_each_field_and_stores_nothing(store) -> None:
    with pytest.raises(SetupError) as caught:
        save_tax(store.db, TaxSetup(default_rate="abc", rates=(TaxRate("US", "5", "ZZ"), TaxRate("US", "101"))))
    assert _fields(caught.value) == ["tax.default_rate", "tax.rates[0].region", "tax.rates[1].rate"]
    assert store.db.read(repo.get_settings)["updated_at"] == ""       # the row as the migration made it


def test_overlapping_zones_are_refused(store) -> None:
    maine = ShippingZone("me", "Maine", (ZoneArea("US", ("ME",)),), (ShippingRate("x", "X", price=100),))
    with pytest.raises(SetupError) as caught:
        save_shipping(store.db, zones=(US, maine), local_delivery=())
    assert caught.value.code == CheckoutErrorCode.OVERLAPPING_ZONES
    assert _fields(caught.value) == ["shipping.zones[1].areas[0]"]


def test_discounts_keep_codes_in_capitals_unique_and_in_order(store) -> None:
    first = save_discount(store.db, Discount("", DiscountKind.PERCENTAGE, DiscountMethod.CODE, code=" welcome10 ",
                                             percent="10", min_subtotal=2000))
    assert first.id and first.code == "WELCOME10"
    auto = save_discount(store.db, Discount("", DiscountKind.FREE_SHIPPING, DiscountMethod.AUTOMATIC,
                                            title="Free shipping", min_subtotal=10000))
    with pytest.raises(SetupError) as caught:
        save_discount(store.db, Discount("", DiscountKind.FIXED_AMOUNT, DiscountMethod.CODE, code="Welcome10",
                                         amount=500))
    assert _fields(caught.value) == ["discount.code"] and caught.value.code == CheckoutErrorCode.DUPLICATE
    with pytest.raises(SetupError) as caught:
        save_discount(store.db, dataclasses.replace(first, percent="0"))
    assert _fields(caught.value) == ["discount.percent"]
    edited = save_discount(store.db, dataclasses.replace(first, percent="15"))
    assert [d.id for d in store.db.read(list_discounts)] == [first.id, auto.id]
    assert store.db.read(load_checkout_setup).discounts == (edited, auto)
    remove_discount(store.db, first.id)
    with pytest.raises(CheckoutError) as missing:
        remove_discount(store.db, first.id)
    assert missing.value.code == CheckoutErrorCode.NOT_FOUND
    assert store.db.read(load_checkout_setup).discounts == (auto,)


def test_pickup_is_offered_at_chosen_locations_with_a_taxable_address(demo_store) -> None:
    options = demo_store.db.read(list_pickup_options)
    shop = next(o for o in options if o.name == "Pine Street shop")
    warehouse = next(o for o in options if o.name == "Harbor warehouse")
    assert shop.enabled and shop.region == "ME" and not warehouse.enabled
    with pytest.raises(SetupError) as caught:
        save_pickup(demo_store.db, warehouse.location_id, enabled=True, country="US", region="QQ")
    assert _fields(caught.value) == ["pickup.region"]
    with pytest.raises(CheckoutError) as missing:
        save_pickup(demo_store.db, "no-such-place", enabled=True, country="US")
    assert missing.value.code == CheckoutErrorCode.NOT_FOUND
    save_pickup(demo_store.db, warehouse.location_id, enabled=True, country="us", region="me",
                postal_code="04855", instructions="Ring the bell at the loading door.")
    pickup = demo_store.db.read(load_checkout_setup).shipping.pickup
    assert {p.name for p in pickup} == {"Pine Street shop", "Harbor warehouse"}
    assert next(p for p in pickup if p.id == warehouse.location_id).ready_text == "Ring the bell at the loading door."
    save_pickup(demo_store.db, shop.location_id, enabled=False)
    assert [p.id for p in demo_store.db.read(load_checkout_setup).shipping.pickup] == [warehouse.location_id]


def test_the_demo_store_has_a_complete_setup(demo_store) -> None:
    setup = demo_store.db.read(load_checkout_setup)
    assert [z.name for z in setup.shipping.zones] == ["United States", "International"]
    standard = setup.shipping.zones[0].rates[0]
    assert (standard.price, standard.free_over) == (500, 7500)
    assert setup.shipping.zones[1].rates[0].kind == RateKind.WEIGHT
    assert "04855" in setup.shipping.local_delivery[0].postal_codes
    assert [p.name for p in setup.shipping.pickup] == ["Pine Street shop"]
    assert setup.discounts == DISCOUNTS and not setup.tax.prices_include_tax


@pytest.mark.parametrize(("table", "fields", "field"), [
    ("discounts", {"code": "welcome10"}, "code"),
    ("discounts", {"method": "automatic", "code": "X"}, "code"),
    ("discounts", {"starts_at": "2030-01-02T00:00:00+00:00", "ends_at": "2030-01-01T00:00:00+00:00"}, "ends_at"),
    ("discounts", {"product_ids": "{}"}, "product_ids"),
    ("checkout_settings", {"default_rate": "-1"}, "default_rate"),
    ("checkout_settings", {"local_delivery": '[{"id": "l", "name": "L", "country": "US", "postal_codes": []}]'},
     "local_delivery[0].postal_codes"),
    ("checkout_settings", {"prices_include_tax": 2}, "prices_include_tax"),
    ("checkout_settings", {"hold_minutes": 0}, "hold_minutes"),
    ("checkout_settings", {"hold_minutes": 1441}, "hold_minutes"),
    ("checkout_settings", {"hold_minutes": "10"}, "hold_minutes"),
    ("checkout_settings", {"ship_from": ""}, "ship_from"),
    ("checkout_settings", {"ship_from": "../x"}, "ship_from"),
])
def test_the_table_rules_refuse_a_broken_row_on_every_path(demo_store, table: str, fields: dict, field: str) -> None:
    key = "welcome10" if table == "discounts" else "checkout"
    read = (lambda conn: repo.get_discount(conn, key)) if table == "discounts" else repo.get_settings
    current = demo_store.db.read(read)
    assert field in [e.field for e in validate_row(table, fields, current=current)]
    with pytest.raises(RowRefused) as caught:       # the repository runs the rules before its SQL
        if table == "discounts":
            demo_store.db.write(lambda conn: repo.put_discount(conn, {"id": key, **fields}, new=False))
        else:
            demo_store.db.write(lambda conn: repo.put_settings(conn, fields))
    assert field in [e.field for e in caught.value.errors]
    assert demo_store.db.read(read) == current


def test_the_hold_time_and_shipping_location_are_saved_and_read_back(demo_store) -> None:
    setup = demo_store.db.read(load_checkout_setup)
    assert (setup.hold_minutes, setup.hold_ttl, setup.shipping.ship_from) == (10, timedelta(minutes=10), None)
    warehouse = next(o for o in demo_store.db.read(list_pickup_options) if o.name == "Harbor warehouse")
    assert save_ship_from(demo_store.db, warehouse.location_id) == warehouse.location_id
    assert save_hold_minutes(demo_store.db, 45) == 45
    save_tax(demo_store.db, dataclasses.replace(setup.tax, tax_shipping=True))     # other fields keep them
    save_shipping(demo_store.db, zones=setup.shipping.zones, local_delivery=())
    stored = demo_store.db.read(load_checkout_setup)
    assert (stored.hold_minutes, stored.hold_ttl, stored.shipping.ship_from) == (
        45, timedelta(minutes=45), warehouse.location_id)
    assert setup_from_json(setup_to_json(stored)) == stored
    assert setup_to_json(stored)["hold_minutes"] == 45
    assert setup_to_json(stored)["shipping"]["ship_from"] == warehouse.location_id
    row = demo_store.db.read(repo.get_settings)
    assert (row["hold_minutes"], row["ship_from"]) == (45, warehouse.location_id)
    save_ship_from(demo_store.db, None)
    assert demo_store.db.read(load_checkout_setup).shipping.ship_from is None


@pytest.mark.parametrize(("save", "field", "code", "message"), [
    (lambda db: save_hold_minutes(db, 0), "hold_minutes", CheckoutErrorCode.BAD_VALUE,
     "must be a whole number of minutes from 1 to 1440 (a day), not 0"),
    (lambda db: save_hold_minutes(db, 1441), "hold_minutes", CheckoutErrorCode.BAD_VALUE, "from 1 to 1440"),
    (lambda db: save_hold_minutes(db, True), "hold_minutes", CheckoutErrorCode.BAD_VALUE, "not True"),
    (lambda db: save_hold_minutes(db, "10"), "hold_minutes", CheckoutErrorCode.BAD_VALUE, "not '10'"),
    (lambda db: save_ship_from(db, "nowhere"), "shipping.ship_from", CheckoutErrorCode.NOT_FOUND,
     "the store has no location 'nowhere'"),
    (lambda db: save_ship_from(db, "a b"), "shipping.ship_from", CheckoutErrorCode.BAD_VALUE,
     "must be a location id, or empty for the first location with stock"),
])
def test_a_bad_hold_time_or_shipping_location_is_named_and_nothing_is_stored(demo_store, save, field, code,
                                                                             message) -> None:
    before = demo_store.db.read(repo.get_settings)
    with pytest.raises(SetupError) as caught:
        save(demo_store.db)
    [problem] = caught.value.problems
    assert (problem.field, problem.code) == (field, code) and message in problem.message
    assert demo_store.db.read(repo.get_settings) == before


def test_a_demo_seeded_before_checkout_existed_gets_its_setup_once(demo_dir) -> None:
    from shared.demo.seed import seed_demo
    from shared.storefront.service import DataDir, open_store

    store = open_store(DataDir(demo_dir), "demo")
    try:
        store.db.write(lambda conn: [conn.execute(f"DELETE FROM {t}") for t in ("pickup_locations", "discounts")]
                       + [conn.execute("DELETE FROM checkout_settings"),
                          conn.execute("INSERT INTO checkout_settings (id) VALUES ('checkout')")])
        assert store.db.read(load_checkout_setup).discounts == ()
    finally:
        store.close()
    for _ in range(2):
        result = seed_demo(DataDir(demo_dir))
        try:
            assert result.created is False
            assert result.store.db.read(load_checkout_setup).discounts == DISCOUNTS
        finally:
            result.store.close()
