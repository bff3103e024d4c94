"""Shipping options: zones by country and region, flat/value/weight tiers, free over a threshold,
local delivery by postal code, pickup (free, and taxed where the shop is)."""

from __future__ import annotations

import pytest

from shared.checkout import (
    CheckoutError, CheckoutSetup, DeliveryKind, Destination, LocalDelivery, PickupLocation, PricedLine,
    RateKind, RateTier, ShippingRate, ShippingSetup, ShippingZone, TaxRate, TaxSetup, ZoneArea, quote_order)
from tests.checkout.cases import NOW

WEIGHT = ShippingRate("parcel", "Parcel", kind=RateKind.WEIGHT, min_days=2, max_days=4,
                      tiers=(RateTier(0, 500), RateTier(1000, 900), RateTier(5000, 1500)))
VALUE = ShippingRate("value", "By value", kind=RateKind.ORDER_VALUE, free_over=20000,
                     tiers=(RateTier(1000, 800), RateTier(5000, 500)))
SETUP = CheckoutSetup(
    "USD",
    tax=TaxSetup(rates=(TaxRate("US", "7.25", region="CA"), TaxRate("US", "0", region="OR"))),
    shipping=ShippingSetup(
        zones=(ShippingZone("west", "West coast", (ZoneArea("US", ("CA", "OR", "WA")),), (WEIGHT, VALUE)),
               ShippingZone("canada", "Canada", (ZoneArea("CA"),),
                            (ShippingRate("ca", "Canada Post", price=1500, max_days=7),))),
        pickup=(PickupLocation("pine", "Pine Street shop", "US", region="OR", postal_code="97201",
                               ready_text="Ready in 2 hours"),),
        local_delivery=(LocalDelivery("bike", "Bike courier", "US", ("94043", "941*"), price=300, max_days=1),)))


def options(destination, lines):
    result = quote_order(SETUP, lines=lines, destination=destination, now=NOW)
    return {option.id: option for option in result.shipping_options}


def test_zone_by_region_with_weight_and_value_tiers():
    found = options(Destination("US", "CA", "90210"), [PricedLine("v", "p", 3000, 2, weight_grams=600)])
    assert found["parcel"].price.amount == 900  # 1200 g: the 1000 g tier
    assert found["parcel"].estimate == "2 to 4 business days"
    assert found["value"].price.amount == 500   # 6000: the 5000 tier
    assert found["pine"].kind == DeliveryKind.PICKUP and found["pine"].price.amount == 0
    assert "bike" not in found and "ca" not in found


def test_below_the_first_value_tier_the_rate_is_not_offered_and_free_over_threshold():
    assert "value" not in options(Destination("US", "WA"), [PricedLine("v", "p", 999, 1)])
    assert options(Destination("US", "WA"), [PricedLine("v", "p", 20000, 1)])["value"].price.amount == 0


def test_free_over_uses_the_value_after_discounts():
    from shared.checkout import Discount, DiscountKind, DiscountMethod
    setup = CheckoutSetup("USD", shipping=SETUP.shipping, discounts=(
        Discount("d", DiscountKind.PERCENTAGE, DiscountMethod.AUTOMATIC, percent="10"),))
    result = quote_order(setup, lines=[PricedLine("v", "p", 21000, 1)], destination=Destination("US", "CA"), now=NOW)
    assert {o.id: o.price.amount for o in result.shipping_options}["value"] == 500  # 18900 after discount


def test_region_outside_the_zone_and_other_countries():
    found = options(Destination("US", "NY"), [PricedLine("v", "p", 3000, 1)])
    assert set(found) == {"pine"}
    assert options(Destination("CA", "QC"), [PricedLine("v", "p", 3000, 1)])["ca"].estimate == "7 business days"


@pytest.mark.parametrize("postal, offered", [("94043", True), ("94-043", True), ("94105", True), ("95014", False)])
def test_local_delivery_by_postal_code_list_and_prefix(postal, offered):
    found = options(Destination("US", "CA", postal), [PricedLine("v", "p", 1000, 1)])
    assert ("bike" in found) == offered
    if offered:
        assert found["bike"].kind == DeliveryKind.LOCAL_DELIVERY and found["bike"].price.amount == 300


def test_pickup_is_taxed_where_the_shop_is():
    line = [PricedLine("v", "p", 10000, 1)]
    shipped = quote_order(SETUP, lines=line, destination=Destination("US", "CA"), shipping_option_id="parcel", now=NOW)
    picked = quote_order(SETUP, lines=line, destination=Destination("US", "CA"), shipping_option_id="pine", now=NOW)
    assert shipped.tax.amount == 725 and shipped.shipping.amount == 500
    assert picked.tax.amount == 0 and picked.shipping.amount == 0 and picked.total.amount == 10000


def test_an_unavailable_choice_leaves_shipping_unchosen():
    result = quote_order(SETUP, lines=[PricedLine("v", "p", 1000, 1)], destination=Destination("US", "NY"),
                         shipping_option_id="parcel", now=NOW)
    assert result.shipping_option is None and result.shipping.amount == 0


@pytest.mark.parametrize("line", [
    PricedLine("v", "p", -1, 1), PricedLine("v", "p", 100, 0), PricedLine("v", "p", 100, -2),
    PricedLine("v", "p", 1.5, 1), PricedLine("v", "p", 100, 1, weight_grams=-5), PricedLine("v", "p", True, 1)])
def test_impossible_lines_are_refused(line):
    with pytest.raises(CheckoutError) as caught:
        quote_order(SETUP, lines=[line], now=NOW)
    assert caught.value.code == "bad_line"
