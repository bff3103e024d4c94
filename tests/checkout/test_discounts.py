"""Discounts: codes and automatic ones, targets, dates, minimums, usage limits and how they combine."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shared.checkout import (
    CheckoutSetup, CodeProblemCode, Destination, Discount, DiscountKind, DiscountMethod, DiscountUsage,
    PricedLine, ShippingRate, ShippingSetup, ShippingZone, TaxSetup, ZoneArea, quote_order)
from tests.checkout.cases import NOW

SHIPPING = ShippingSetup(zones=(
    ShippingZone("us", "US", (ZoneArea("US"),), (ShippingRate("std", "Standard", price=700),)),))
CART = [PricedLine("v1", "shirt", 2000, 2, collection_ids=("tops",)), PricedLine("v2", "mug", 1000, 1)]


def code(discount_id="c", **fields) -> Discount:
    fields.setdefault("kind", DiscountKind.PERCENTAGE)
    fields.setdefault("percent", "10")
    return Discount(id=discount_id, method=DiscountMethod.CODE, code=fields.pop("code", "SAVE"), **fields)


def auto(discount_id="a", **fields) -> Discount:
    fields.setdefault("kind", DiscountKind.PERCENTAGE)
    fields.setdefault("percent", "10")
    return Discount(id=discount_id, method=DiscountMethod.AUTOMATIC, **fields)


def quote(*discounts, entered=None, usage=DiscountUsage(), email="", now=NOW, lines=CART):
    setup = CheckoutSetup("USD", tax=TaxSetup(), shipping=SHIPPING, discounts=tuple(discounts))
    return quote_order(setup, lines=lines, destination=Destination("US", "NY"), shipping_option_id="std",
                       code=entered, customer_email=email, usage=usage, now=now)


def test_code_matches_case_insensitively_and_applies():
    result = quote(code(), entered="  save ")
    assert result.code_problem is None
    assert result.discount_total.amount == 500
    assert [a.discount_id for a in result.discounts] == ["c"]


@pytest.mark.parametrize("discount, entered, usage, email, reason", [
    (code(), "OTHER", DiscountUsage(), "", CodeProblemCode.UNKNOWN_CODE),
    (code(starts_at=NOW + timedelta(seconds=1)), "SAVE", DiscountUsage(), "", CodeProblemCode.NOT_STARTED),
    (code(ends_at=NOW), "SAVE", DiscountUsage(), "", CodeProblemCode.EXPIRED),
    (code(usage_limit=3), "SAVE", DiscountUsage(times_used={"c": 3}), "", CodeProblemCode.USAGE_LIMIT_REACHED),
    (code(once_per_customer=True), "SAVE", DiscountUsage(used_by_customer=frozenset({"c"})), "a@b.example",
     CodeProblemCode.ALREADY_USED),
    (code(min_subtotal=5001), "SAVE", DiscountUsage(), "", CodeProblemCode.MINIMUM_NOT_MET),
    (code(product_ids=("hat",)), "SAVE", DiscountUsage(), "", CodeProblemCode.NOT_APPLICABLE),
])
def test_code_problems_leave_the_order_undiscounted(discount, entered, usage, email, reason):
    result = quote(discount, entered=entered, usage=usage, email=email)
    assert result.code_problem is not None and result.code_problem.reason == reason
    assert result.code_problem.code == entered and result.code_problem.message
    assert result.discount_total.amount == 0 and result.discounts == ()


def test_dates_are_start_inclusive_end_exclusive():
    window = dict(starts_at=NOW, ends_at=NOW + timedelta(days=1))
    assert quote(code(**window), entered="SAVE").discount_total.amount == 500
    late = quote(code(**window), entered="SAVE", now=NOW + timedelta(days=1))
    assert late.code_problem.reason == CodeProblemCode.EXPIRED


def test_usage_below_the_limit_still_applies():
    result = quote(code(usage_limit=3), entered="SAVE", usage=DiscountUsage(times_used={"c": 2}))
    assert result.discount_total.amount == 500


def test_minimum_counts_only_eligible_lines():
    # tops are 4000 of the 5000 subtotal: a 4500 minimum on tops is not met even though the cart is 5000.
    result = quote(code(collection_ids=("tops",), min_subtotal=4500), entered="SAVE")
    assert result.code_problem.reason == CodeProblemCode.MINIMUM_NOT_MET
    assert "45.00 USD" in result.code_problem.message


def test_collection_and_product_targets_discount_only_their_lines():
    result = quote(code(collection_ids=("tops",), percent="25"), entered="SAVE")
    assert [line.discount.amount for line in result.lines] == [1000, 0]
    result = quote(code(product_ids=("mug",), percent="25"), entered="SAVE")
    assert [line.discount.amount for line in result.lines] == [0, 250]


def test_fixed_amount_is_capped_at_the_eligible_amount():
    result = quote(code(kind=DiscountKind.FIXED_AMOUNT, amount=99999, product_ids=("mug",)), entered="SAVE")
    assert [line.discount.amount for line in result.lines] == [0, 1000]
    assert result.total.amount == 4000 + 700


def test_automatic_applies_without_a_code():
    result = quote(auto(percent="20"))
    assert result.discount_total.amount == 1000 and result.discounts[0].discount_id == "a"


def test_best_amount_discount_wins_and_ties_go_to_the_code():
    better_code = quote(auto(percent="10"), code(percent="15"), entered="SAVE")
    assert [a.discount_id for a in better_code.discounts] == ["c"] and better_code.code_problem is None
    tie = quote(auto(percent="10"), code(percent="10"), entered="SAVE")
    assert [a.discount_id for a in tie.discounts] == ["c"]
    beaten = quote(auto(percent="30"), code(percent="15"), entered="SAVE")
    assert [a.discount_id for a in beaten.discounts] == ["a"]
    assert beaten.code_problem.reason == CodeProblemCode.NOT_COMBINABLE


def test_free_shipping_combines_with_one_amount_discount():
    result = quote(auto(percent="10"), code(kind=DiscountKind.FREE_SHIPPING, percent=""), entered="SAVE")
    assert {a.discount_id: a.amount.amount for a in result.discounts} == {"a": 500, "c": 700}
    assert result.shipping.amount == 700 and result.shipping_discount.amount == 700
    assert result.total.amount == 5000 - 500
    assert result.code_problem is None


def test_automatic_with_reached_limit_is_skipped_silently():
    result = quote(auto(usage_limit=1), usage=DiscountUsage(times_used={"a": 1}))
    assert result.discounts == () and result.code_problem is None


def test_hundred_percent_discount_makes_a_free_order():
    result = quote(auto(percent="100"), auto("f", kind=DiscountKind.FREE_SHIPPING, percent=""))
    assert result.total.amount == 0 and result.discount_total.amount == 5700


def test_a_bad_rate_reaching_a_quote_is_a_setup_error_not_a_guess():
    from shared.checkout import SetupError
    with pytest.raises(SetupError) as caught:
        quote(auto(percent="12,5"))
    assert caught.value.code == "bad_rate" and "percent" in caught.value.field
    setup = CheckoutSetup("USD", tax=TaxSetup(default_rate=0.2))
    with pytest.raises(SetupError) as caught:
        quote_order(setup, lines=CART, now=NOW)
    assert caught.value.field == "tax.default_rate"
