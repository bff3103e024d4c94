"""The rounding table: for every case, the engine's amounts equal the hand-worked ones, the parts add up
to the total, and the total shown is exactly the integer the payment provider is sent."""

from __future__ import annotations

import json

import pytest

from shared.checkout import (
    charge_step, check_chargeable, from_provider_amount, quote_order, to_provider_amount, validate_setup)
from shared.models.money import Money, minor_digits
from tests.checkout.cases import NOW, TABLE, build_destination, build_lines, build_setup

CASES = TABLE["cases"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_case_matches_hand_worked_amounts_and_the_charge(case):
    setup = build_setup(case)
    validate_setup(setup)
    quote = quote_order(setup, lines=build_lines(case), destination=build_destination(case),
                        shipping_option_id=case.get("shipping_option_id"), code=case.get("code"), now=NOW,
                        charge_step=charge_step(case["currency"]))
    got = {name: getattr(quote, name).amount for name in case["expect"]}
    assert got == case["expect"], case["why"]
    if "line_discounts" in case:
        assert [line.discount.amount for line in quote.lines] == case["line_discounts"]
    assert (quote.code_problem.reason if quote.code_problem else None) == case.get("code_problem")

    # The parts add up exactly, in integer minor units.
    exclusive_tax = 0 if quote.prices_include_tax else quote.tax.amount
    assert quote.total.amount == (quote.subtotal.amount - quote.discount_total.amount + quote.shipping.amount
                                  + exclusive_tax + quote.rounding.amount)
    assert sum(line.total.amount for line in quote.lines) + quote.shipping.amount - quote.shipping_discount.amount \
        + (0 if quote.prices_include_tax else quote.shipping_tax.amount) + quote.rounding.amount == quote.total.amount

    # What is shown is what is charged: the provider amount decodes back to the very same Money.
    check_chargeable(quote.total)
    assert to_provider_amount(quote.total) == case["provider_amount"]
    assert from_provider_amount(case["provider_amount"], case["currency"]) == quote.total
    assert quote.total == Money(case["expect"]["total"], case["currency"])
    shown = json.loads(json.dumps(quote.to_json()))
    assert shown["total"] == {"amount": case["expect"]["total"], "currency": case["currency"]}


def test_table_covers_what_the_issue_names():
    discounts = [d for case in CASES for d in case.get("discounts", ())]
    assert {d["kind"] for d in discounts} == {"percentage", "fixed_amount", "free_shipping"}
    assert any(d.get("min_subtotal") for d in discounts) and any(d.get("collection_ids") for d in discounts)
    assert {case["tax"]["prices_include_tax"] for case in CASES} == {True, False}
    assert len({rate["rate"] for case in CASES for rate in case["tax"].get("rates", ())}
               | {case["tax"]["default_rate"] for case in CASES}) >= 5
    assert any(line["quantity"] > 1 for case in CASES for line in case["lines"])
    assert {minor_digits(case["currency"]) for case in CASES} >= {0, 2, 3}
