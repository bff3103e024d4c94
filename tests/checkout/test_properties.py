"""Property tests of the pricing engine: totals are the sum of their parts, discounts never exceed what
they discount, nothing is negative, allocations sum exactly, and totals are always chargeable."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.checkout import (
    CheckoutSetup, Destination, Discount, DiscountKind, DiscountMethod, PricedLine, ProviderAmountError,
    ShippingRate, ShippingSetup, ShippingZone, TaxSetup, ZoneArea, charge_step, from_provider_amount,
    quote_order, to_provider_amount)
from shared.checkout.rounding import allocate, round_half_up
from tests.checkout.cases import NOW

CURRENCIES = ["USD", "EUR", "JPY", "KRW", "KWD", "BHD", "ISK", "MGA", "HUF"]
rates = st.builds(lambda units, scale: str(Decimal(units).scaleb(-scale)),
                  st.integers(0, 3000), st.integers(0, 2)).filter(lambda text: Decimal(text) <= 100)
lines = st.lists(st.builds(
    PricedLine, variant_id=st.uuids().map(str), product_id=st.sampled_from(["p1", "p2", "p3"]),
    unit_price=st.integers(0, 2_000_000), quantity=st.integers(1, 25),
    collection_ids=st.sampled_from([(), ("sale",), ("new", "sale")]), weight_grams=st.integers(0, 5000),
    taxable=st.booleans()), max_size=6)


@st.composite
def discounts(draw):
    kind = draw(st.sampled_from(list(DiscountKind)))
    method = draw(st.sampled_from(list(DiscountMethod)))
    return Discount(
        id=draw(st.sampled_from(["a", "b", "c"])) + kind, kind=kind, method=method,
        code=("CODE" + kind.upper()) if method == DiscountMethod.CODE else "",
        percent=str(draw(st.integers(1, 100))), amount=draw(st.integers(1, 5_000_000)),
        min_subtotal=draw(st.sampled_from([0, 0, 1000, 100_000])),
        collection_ids=draw(st.sampled_from([(), ("sale",)])), product_ids=draw(st.sampled_from([(), ("p2",)])))


@st.composite
def setups(draw):
    currency = draw(st.sampled_from(CURRENCIES))
    tax = TaxSetup(prices_include_tax=draw(st.booleans()), default_rate=draw(rates), tax_shipping=draw(st.booleans()))
    rate = ShippingRate("std", "Standard", price=draw(st.integers(0, 100_000)),
                        free_over=draw(st.none() | st.integers(0, 1_000_000)))
    shipping = ShippingSetup(zones=(ShippingZone("all", "All", (ZoneArea("US"),), (rate,)),))
    chosen = draw(st.lists(discounts(), max_size=4, unique_by=lambda d: d.id))
    return CheckoutSetup(currency=currency, tax=tax, shipping=shipping, discounts=tuple(chosen))


@settings(max_examples=300, deadline=None)
@given(setup=setups(), cart=lines, code=st.sampled_from([None, "codepercentage", "CODEFIXED_AMOUNT",
                                                          "codefree_shipping", "nope"]),
       ship=st.booleans())
def test_quote_invariants(setup, cart, code, ship):
    step = charge_step(setup.currency)
    quote = quote_order(setup, lines=cart, destination=Destination("US", "CA"), code=code, now=NOW,
                        shipping_option_id="std" if ship else None, charge_step=step)
    line_discounts = sum(line.discount.amount for line in quote.lines)
    # Totals are the sum of their parts.
    assert quote.subtotal.amount == sum(line.subtotal.amount for line in quote.lines)
    assert quote.discount_total.amount == line_discounts + quote.shipping_discount.amount
    assert quote.tax.amount == sum(line.tax.amount for line in quote.lines) + quote.shipping_tax.amount
    exclusive_tax = 0 if quote.prices_include_tax else quote.tax.amount
    assert quote.total.amount == (quote.subtotal.amount - quote.discount_total.amount + quote.shipping.amount
                                  + exclusive_tax + quote.rounding.amount)
    assert sum(a.amount.amount for a in quote.discounts) == quote.discount_total.amount
    # Discounts never exceed what they discount; nothing is negative.
    assert 0 <= line_discounts <= quote.subtotal.amount
    assert 0 <= quote.shipping_discount.amount <= quote.shipping.amount
    for line in quote.lines:
        assert 0 <= line.discount.amount <= line.subtotal.amount
        assert line.tax.amount >= 0 and line.total.amount >= 0
        if quote.prices_include_tax:
            assert line.tax.amount <= line.total.amount
    assert quote.total.amount >= 0 and quote.tax.amount >= 0
    # The rounding only ever takes less than one charge step off, and the total is chargeable.
    assert -step < quote.rounding.amount <= 0 and quote.total.amount % step == 0
    try:
        sent = to_provider_amount(quote.total)
    except ProviderAmountError as error:
        assert error.code in ("below_minimum", "above_maximum")
    else:
        assert from_provider_amount(sent, setup.currency) == quote.total


@given(total=st.integers(0, 10**9), weights=st.lists(st.integers(0, 10**7), min_size=1, max_size=30))
def test_allocations_sum_exactly_and_stay_within_their_weights(total, weights):
    if sum(weights) == 0:
        assert allocate(0, weights) == [0] * len(weights)
        return
    total = min(total, sum(weights))
    parts = allocate(total, weights)
    assert sum(parts) == total
    for part, weight in zip(parts, weights):
        assert 0 <= part <= weight
        if weight == 0:
            assert part == 0


@given(numerator=st.integers(-10**12, 10**12), denominator=st.integers(1, 10**6))
def test_round_half_up_agrees_with_decimal(numerator, denominator):
    expected = (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    # Decimal's 28 digits are exact enough for these sizes except at true halves, which it keeps exact.
    assert round_half_up(Fraction(numerator, denominator)) == int(expected)
