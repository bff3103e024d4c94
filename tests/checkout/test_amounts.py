"""Stripe's amount rules at the payment seam: conversion, steps, minimums, maximums, typed refusals."""

from __future__ import annotations

import pytest

from shared.checkout import (
    PAY_IN_STORE, CheckoutErrorCode, ProviderAmountError, charge_step, check_chargeable, from_provider_amount,
    to_provider_amount)
from shared.checkout.amounts import provider_exponent
from shared.models.money import Money


@pytest.mark.parametrize("money, sent", [
    (Money(1234, "USD"), 1234),          # two-decimal: ISO and Stripe agree
    (Money(500, "JPY"), 500),            # zero-decimal in both
    (Money(10000, "KRW"), 10000),
    (Money(2500, "UGX"), 250000),        # Stripe lists it zero-decimal, yet its special case says "5 UGX -> 500"
    (Money(5120, "KWD"), 5120),          # three-decimal, last digit 0
    (Money(500, "ISK"), 50000),          # ISO 0 digits, Stripe keeps two: 500 kr -> 50000
    (Money(180000, "MGA"), 1800),        # ISO 2 digits, Stripe zero-decimal: whole ariary
    (Money(17550, "HUF"), 17550),        # HUF charges stay two-decimal (whole forints only for payouts)
    (Money(99999999, "USD"), 99999999),  # eight digits: Stripe's maximum
    (Money(1500, "CLP"), 1500),          # (cases below folded in from the payments' former conversion)
    (Money(12340, "BHD"), 12340),
    (Money(1200, "MGA"), 12),
    (Money(2400, "JPY"), 2400),
])
def test_to_provider_amount(money, sent):
    assert to_provider_amount(money) == sent
    assert from_provider_amount(sent, money.currency) == money


@pytest.mark.parametrize("money, code", [
    (Money(5124, "KWD"), CheckoutErrorCode.NOT_CHARGEABLE),       # Stripe: "must be rounded to 5120 or 5130"
    (Money(1001, "BHD"), CheckoutErrorCode.NOT_CHARGEABLE),
    (Money(180050, "MGA"), CheckoutErrorCode.NOT_CHARGEABLE),     # half an ariary
    (Money(49, "USD"), CheckoutErrorCode.BELOW_MINIMUM),          # 0.50 USD minimum
    (Money(29, "GBP"), CheckoutErrorCode.BELOW_MINIMUM),          # 0.30 GBP
    (Money(49, "JPY"), CheckoutErrorCode.BELOW_MINIMUM),          # 50 JPY
    (Money(17499, "HUF"), CheckoutErrorCode.BELOW_MINIMUM),       # 175 HUF
    (Money(0, "KWD"), CheckoutErrorCode.BELOW_MINIMUM),           # zero is never charged: a free order skips payment
    (Money(100000000, "USD"), CheckoutErrorCode.ABOVE_MAXIMUM),   # nine digits
    (Money(1000, "IQD"), CheckoutErrorCode.UNSUPPORTED_CURRENCY),  # ISO 3 digits, not a Stripe currency
    (Money(1, "OMR"), CheckoutErrorCode.NOT_CHARGEABLE),
    (Money(1250, "MGA"), CheckoutErrorCode.NOT_CHARGEABLE),      # 12.50 MGA: no fraction of an ariary
    (Money(-100, "USD"), CheckoutErrorCode.BELOW_MINIMUM),
])
def test_refusals_are_typed_and_never_silent(money, code):
    with pytest.raises(ProviderAmountError) as caught:
        to_provider_amount(money)
    assert caught.value.code == code
    with pytest.raises(ProviderAmountError):
        check_chargeable(money)
    assert money.currency in str(caught.value)


def test_idr_allows_twelve_digits():
    assert to_provider_amount(Money(99_999_999_900, "IDR")) == 99_999_999_900


@pytest.mark.parametrize("currency, step, exponent", [
    ("USD", 1, 2), ("JPY", 1, 0), ("KWD", 10, 3), ("TND", 10, 3), ("ISK", 1, 2), ("UGX", 1, 2),
    ("MGA", 100, 0), ("TWD", 1, 2)])
def test_charge_steps_and_exponents(currency, step, exponent):
    assert charge_step(currency) == step
    assert provider_exponent(currency) == exponent


def test_pay_in_store_takes_the_iso_amount_as_it_is():
    assert charge_step("KWD", rules=PAY_IN_STORE) == 1
    assert to_provider_amount(Money(5124, "KWD"), rules=PAY_IN_STORE) == 5124
    assert to_provider_amount(Money(1, "USD"), rules=PAY_IN_STORE) == 1


def test_a_provider_amount_that_is_not_whole_iso_units_is_refused():
    with pytest.raises(ProviderAmountError) as caught:
        from_provider_amount(50050, "ISK")  # 500.50 kr: ISO has no fraction of a krona
    assert caught.value.code == CheckoutErrorCode.NOT_CHARGEABLE


def test_provider_amounts_read_back_from_lower_case_currencies():
    """Stripe answers currencies in lower case ("isk"): the Money is upper case, ISO minor units."""
    assert from_provider_amount(50000, "isk") == Money(500, "ISK")
    assert from_provider_amount(12, "mga") == Money(1200, "MGA")


def test_the_payments_domain_uses_this_conversion_only():
    """One conversion: shared/payments has no amount rules of its own (UGX would differ)."""
    import importlib.util

    assert importlib.util.find_spec("shared.payments.stripe_amounts") is None
    import shared.payments

    assert not hasattr(shared.payments, "to_stripe_amount")
