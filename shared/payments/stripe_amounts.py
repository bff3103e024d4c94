"""Stripe's own amount rules, applied at the seam: our Money (ISO 4217 minor units) <-> the integer
`amount` Stripe's API takes.

Stripe counts most currencies in hundredths, whatever ISO says, with two exceptions:
- zero-decimal currencies (JPY, KRW, CLP, ...): the amount is in whole units;
- three-decimal currencies (BHD, JOD, KWD, OMR, TND): thousandths, and the last digit must be 0
  (5.124 KWD cannot be charged: the pricing must round totals to tens of fils first).
So ISK (0 digits in ISO) is sent times 100 ("500" is 5 ISK), and an amount that Stripe's unit cannot
hold exactly (0.05 MGA: ISO has 2 digits, Stripe none) is refused, never rounded: the amount charged
must be exactly the total shown. Source: Stripe's "Supported currencies" page, sections
"Zero-decimal currencies", "Three-decimal currencies" and "Special cases".

This module is the payments domain's conversion; the pricing engine may have its own
(shared/payments/amounts.py): they must agree, and the integrator keeps one.
"""

from __future__ import annotations

from shared.models.money import Money, minor_digits
from shared.payments.errors import PaymentError, PaymentErrorCode

ZERO_DECIMAL = frozenset({"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX",
                          "VND", "VUV", "XAF", "XOF", "XPF"})
THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})


def stripe_digits(currency: str) -> int:
    """How many decimal digits Stripe's integer amount has for a currency (JPY 0, KWD 3, others 2)."""
    code = currency.upper()
    if code in ZERO_DECIMAL:
        return 0
    return 3 if code in THREE_DECIMAL else 2


def to_stripe_amount(money: Money) -> int:
    """The integer `amount` Stripe takes for `money` (Money(1999, "USD") -> 1999, Money(500, "ISK") ->
    50000, Money(5120, "KWD") -> 5120).

    Raises PaymentError(AMOUNT_NOT_CHARGEABLE) when Stripe's unit cannot hold the amount exactly (a
    three-decimal amount not ending in 0, a fraction of a zero-decimal unit) or it is not positive,
    and MoneyError(UNKNOWN_CURRENCY) for a code without a minor unit."""
    iso = minor_digits(money.currency)
    shift = stripe_digits(money.currency) - iso
    if money.amount <= 0:
        raise PaymentError(PaymentErrorCode.AMOUNT_NOT_CHARGEABLE,
                           f"a payment must be more than zero, not {money.amount} {money.currency}")
    if shift >= 0:
        amount = money.amount * 10 ** shift
    else:
        amount, rest = divmod(money.amount, 10 ** -shift)
        if rest:
            raise PaymentError(PaymentErrorCode.AMOUNT_NOT_CHARGEABLE,
                               f"Stripe charges {money.currency} in whole units: {money.amount} minor units "
                               f"({iso} digits) cannot be charged exactly")
    if money.currency.upper() in THREE_DECIMAL and amount % 10:
        raise PaymentError(PaymentErrorCode.AMOUNT_NOT_CHARGEABLE,
                           f"Stripe charges {money.currency} in tens of the minor unit: {amount} must end in 0")
    return amount


def from_stripe_amount(amount: int, currency: str) -> Money:
    """The Money a Stripe amount stands for (50000 "isk" -> Money(500, "ISK")): what finalize compares
    with the order total. Raises PaymentError(INVALID) when it is no whole ISO minor unit."""
    code = currency.upper()
    shift = stripe_digits(code) - minor_digits(code)
    if shift <= 0:
        return Money(int(amount) * 10 ** -shift, code)
    value, rest = divmod(int(amount), 10 ** shift)
    if rest:
        raise PaymentError(PaymentErrorCode.INVALID, f"Stripe amount {amount} {code} is no whole ISO minor unit")
    return Money(value, code)
