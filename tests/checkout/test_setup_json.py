"""The setup's JSON form: a round trip keeps everything, and wrong shapes are refused field by field."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from shared.checkout import (
    CheckoutErrorCode as Code, CheckoutSetup, Discount, DiscountKind, DiscountMethod, LocalDelivery,
    PickupLocation, RateKind, RateTier, SetupError, ShippingRate, ShippingSetup, ShippingZone, TaxRate, TaxSetup,
    ZoneArea, setup_from_json, setup_to_json)
from tests.checkout.cases import NOW

FULL = CheckoutSetup(
    "EUR",
    tax=TaxSetup(prices_include_tax=True, default_rate="20", tax_shipping=True,
                 rates=(TaxRate("US", "7.25", region="CA", name="Sales tax"),)),
    shipping=ShippingSetup(
        zones=(ShippingZone("eu", "EU", (ZoneArea("FR"), ZoneArea("US", ("CA", "OR"))), (
            ShippingRate("w", "Parcel", kind=RateKind.WEIGHT, tiers=(RateTier(0, 500), RateTier(1000, 900)),
                         free_over=10000, min_days=2, max_days=4),)),),
        pickup=(PickupLocation("pine", "Pine Street", "US", region="OR", postal_code="97201"),),
        local_delivery=(LocalDelivery("bike", "Bike", "FR", ("75001", "750*"), price=300),), ship_from="pine"),
    discounts=(Discount("d", DiscountKind.FIXED_AMOUNT, DiscountMethod.CODE, code="TEN", amount=1000,
                        collection_ids=("sale",), starts_at=NOW, ends_at=NOW + timedelta(days=3), usage_limit=100,
                        once_per_customer=True),),
    hold_minutes=15)


def test_round_trip_through_json_text():
    text = json.dumps(setup_to_json(FULL))
    assert setup_from_json(json.loads(text)) == FULL
    assert json.loads(text)["discounts"][0]["starts_at"] == "2026-06-01T12:00:00+00:00"
    assert (json.loads(text)["hold_minutes"], json.loads(text)["shipping"]["ship_from"]) == (15, "pine")


def test_a_setup_from_before_the_stock_settings_gets_their_defaults():
    data = setup_to_json(FULL)
    del data["hold_minutes"], data["shipping"]["ship_from"]
    setup = setup_from_json(data)
    assert (setup.hold_minutes, setup.hold_ttl, setup.shipping.ship_from) == (10, timedelta(minutes=10), None)


@pytest.mark.parametrize("change, field, code", [
    (lambda d: d.update(extra=1), "extra", Code.BAD_VALUE),
    (lambda d: d.pop("currency"), "currency", Code.MISSING),
    (lambda d: d["tax"].update(default_rate=20), "tax.default_rate", Code.BAD_VALUE),
    (lambda d: d["tax"].update(prices_include_tax="yes"), "tax.prices_include_tax", Code.BAD_VALUE),
    (lambda d: d["shipping"]["zones"][0]["rates"][0].update(kind="cheapest"), "shipping.zones[0].rates[0].kind",
     Code.BAD_VALUE),
    (lambda d: d["shipping"]["zones"][0]["rates"][0]["tiers"][1].update(price=9.5),
     "shipping.zones[0].rates[0].tiers[1].price", Code.BAD_AMOUNT),
    (lambda d: d["shipping"].update(zones={}), "shipping.zones", Code.BAD_VALUE),
    (lambda d: d["discounts"][0].update(ends_at="next week"), "discounts[0].ends_at", Code.BAD_DATES),
    (lambda d: d["discounts"][0].update(starts_at="2026-06-01T12:00:00"), "discounts[0].starts_at", Code.BAD_DATES),
    (lambda d: d["discounts"][0].update(code="TEN OFF"), "discounts[0].code", Code.BAD_CODE),  # validate_setup
    (lambda d: d.update(hold_minutes=2.5), "hold_minutes", Code.BAD_AMOUNT),
    (lambda d: d.update(hold_minutes=0), "hold_minutes", Code.BAD_VALUE),
    (lambda d: d.update(hold_minutes=None), "hold_minutes", Code.BAD_AMOUNT),
    (lambda d: d["shipping"].update(ship_from=7), "shipping.ship_from", Code.BAD_VALUE),
    (lambda d: d["shipping"].update(ship_from=""), "shipping.ship_from", Code.BAD_VALUE),
])
def test_wrong_shapes_name_their_field(change, field, code):
    data = setup_to_json(FULL)
    change(data)
    with pytest.raises(SetupError) as caught:
        setup_from_json(data)
    assert (field, code) in {(p.field, p.code) for p in caught.value.problems}


def test_not_an_object():
    with pytest.raises(SetupError) as caught:
        setup_from_json([1, 2])
    assert caught.value.field == "setup"
