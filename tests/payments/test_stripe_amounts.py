"""Money -> Stripe's integer amount: zero-decimal, three-decimal (ending in 0) and special cases."""

from __future__ import annotations

import pytest

from shared.models.money import Money, MoneyError
from shared.payments import PaymentError, PaymentErrorCode, from_stripe_amount, to_stripe_amount


@pytest.mark.parametrize(("money", "expected"), [
    (Money(1999, "USD"), 1999),          # two-decimal: cents
    (Money(2400, "JPY"), 2400),          # zero-decimal: whole yen
    (Money(50000, "KRW"), 50000),
    (Money(1500, "CLP"), 1500),
    (Money(5120, "KWD"), 5120),          # three-decimal: fils, ending in 0
    (Money(12340, "BHD"), 12340),
    (Money(500, "ISK"), 50000),          # ISO: 0 digits; Stripe: two, always 00
    (Money(1200, "MGA"), 12),            # ISO: 2 digits; Stripe: zero-decimal, whole ariary only
    (Money(1230, "IQD"), 123),           # ISO: 3 digits; Stripe: two
])
def test_amounts_follow_stripes_rules(money: Money, expected: int) -> None:
    assert to_stripe_amount(money) == expected
    assert from_stripe_amount(expected, money.currency.lower()) == money


@pytest.mark.parametrize("money", [
    Money(5125, "KWD"),                  # 5.125 KWD: Stripe needs the last digit 0
    Money(1, "OMR"),
    Money(1250, "MGA"),                  # 12.50 MGA: Stripe has no fraction of an ariary
    Money(1234, "IQD"),
    Money(0, "USD"),
    Money(-100, "USD"),
])
def test_amounts_stripe_cannot_hold_exactly_are_refused_not_rounded(money: Money) -> None:
    with pytest.raises(PaymentError) as caught:
        to_stripe_amount(money)
    assert caught.value.code == PaymentErrorCode.AMOUNT_NOT_CHARGEABLE


def test_unknown_currency_is_refused() -> None:
    with pytest.raises(MoneyError):
        to_stripe_amount(Money(100, "XAU"))
