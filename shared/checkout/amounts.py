"""Payment provider amount rules at the seam: what integer a provider is sent for a Money, and which
amounts it accepts. Pure functions; nothing here changes an amount silently.

Money keeps ISO 4217 minor units (shared/models/money.py). Stripe's API mostly agrees, with exceptions
read from its docs (docs.stripe.com/currencies, "Zero-decimal", "Three-decimal", "Special cases", and
"Minimum and maximum charge amounts"; support.stripe.com "Deprecation of fractional ISK charges"):
- zero-decimal currencies are sent in whole units (JPY 500 -> 500). Stripe's list includes MGA, which
  ISO gives 2 digits: a MGA amount must then be whole ariary (ISO amount a multiple of 100);
- three-decimal currencies (BHD, JOD, KWD, OMR, TND) are sent in thousandths, but the last digit must
  be 0 ("round amounts to the nearest ten"): the ISO amount must be a multiple of 10;
- ISK and UGX are special cases: ISO gives them 0 digits and Stripe lists UGX as zero-decimal, yet "for
  backwards compatibility" Stripe's API keeps both two-decimal with amounts divisible by 100 ("to charge
  5 UGX, provide an amount value of 500"): ISO 500 is sent as 50000, always acceptable. (Integrations
  that sent UGX unscaled charged a hundredth of the price: woocommerce-gateway-stripe#2674,
  polarsource/polar#11557);
- HUF and TWD are two-decimal for charges (their whole-unit rule is for payouts only);
- other ISO 3- or 4-digit currencies (IQD, LYD, UYW) are not Stripe presentment currencies: refused;
- the amount sent has at most 8 digits (12 for IDR); the minimum charge (0.50 USD, 50 JPY, ...) is
  Stripe's table for the currencies it lists; others have no minimum we can check without an exchange
  rate (Stripe compares the converted amount with the settlement currency's minimum).

`charge_step(currency)` is how quote_order makes a Quote's total chargeable: the total is rounded (down,
shown as a rounding line) to a multiple of the step, so the total shown is exactly what is charged.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import gcd
from types import MappingProxyType

from shared.checkout.errors import CheckoutErrorCode, ProviderAmountError
from shared.models.money import Money, MoneyError, from_major, minor_digits, major_text

_STRIPE_ZERO_DECIMAL = frozenset({
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "VND", "VUV", "XAF", "XOF",
    "XPF"})
# Zero-decimal in fact, two-decimal in Stripe's API, amounts divisible by 100 ("Special cases").
_STRIPE_WHOLE_UNITS_IN_TWO_DECIMALS = frozenset({"ISK", "UGX"})
_STRIPE_THREE_DECIMAL = frozenset({"BHD", "JOD", "KWD", "OMR", "TND"})
# Minimum charge amounts, in major units, from Stripe's table (settlement currencies).
_STRIPE_MINIMUMS = {
    "USD": "0.50", "AED": "2.00", "AUD": "0.50", "BGN": "1.00", "BRL": "0.50", "CAD": "0.50",
    "CHF": "0.50", "CZK": "15.00", "DKK": "2.50", "EUR": "0.50", "GBP": "0.30", "HKD": "4.00",
    "HUF": "175.00", "INR": "0.50", "JPY": "50", "MXN": "10", "MYR": "2", "NOK": "3.00", "NZD": "0.50",
    "PLN": "2.00", "RON": "2.00", "SEK": "3.00", "SGD": "0.50", "THB": "10"}


@dataclass(frozen=True)
class AmountRules:
    """One provider's amount rules. `exponents` overrides ISO's digits for the provider's API;
    `steps` is extra granularity in the provider's units (Stripe's three-decimal "last digit 0");
    `unsupported` lists ISO store currencies the provider cannot charge in."""

    name: str
    exponents: MappingProxyType
    steps: MappingProxyType
    minimums: MappingProxyType
    max_digits: MappingProxyType
    default_max_digits: int | None
    unsupported: frozenset[str]


STRIPE = AmountRules(
    name="stripe",
    exponents=MappingProxyType({
        **{code: 0 for code in _STRIPE_ZERO_DECIMAL}, **{code: 3 for code in _STRIPE_THREE_DECIMAL},
        **{code: 2 for code in _STRIPE_WHOLE_UNITS_IN_TWO_DECIMALS}}),
    steps=MappingProxyType({**{code: 10 for code in _STRIPE_THREE_DECIMAL},
                            **{code: 100 for code in _STRIPE_WHOLE_UNITS_IN_TWO_DECIMALS}}),
    minimums=MappingProxyType(_STRIPE_MINIMUMS),
    max_digits=MappingProxyType({"IDR": 12}),
    default_max_digits=8,
    unsupported=frozenset({"IQD", "LYD", "UYW"}),
)

#: Pay in store: the counter collects the ISO amount as it is; no step, no minimum.
PAY_IN_STORE = AmountRules(
    name="pay_in_store", exponents=MappingProxyType({}), steps=MappingProxyType({}),
    minimums=MappingProxyType({}), max_digits=MappingProxyType({}), default_max_digits=None,
    unsupported=frozenset())


def _iso_digits(currency: str) -> int:
    try:
        return minor_digits(currency)
    except MoneyError as error:
        raise ProviderAmountError(CheckoutErrorCode.UNSUPPORTED_CURRENCY, str(error)) from None


def provider_exponent(currency: str, *, rules: AmountRules = STRIPE) -> int:
    """How many decimal digits the provider's API uses for `currency`. Raises
    ProviderAmountError(UNSUPPORTED_CURRENCY) for a currency the provider cannot charge in."""
    iso = _iso_digits(currency)
    if currency in rules.unsupported:
        raise ProviderAmountError(CheckoutErrorCode.UNSUPPORTED_CURRENCY,
                                  f"{rules.name} cannot charge in {currency}")
    return rules.exponents.get(currency, iso)


def charge_step(currency: str, *, rules: AmountRules = STRIPE) -> int:
    """The smallest multiple of ISO minor units the provider can charge: 1 for USD/JPY/ISK/UGX, 10 for KWD
    (Stripe wants the last of three digits 0), 100 for MGA (whole ariary)."""
    iso = _iso_digits(currency)
    exponent = provider_exponent(currency, rules=rules)
    provider_step = rules.steps.get(currency, 1)
    # The least ISO amount s whose provider amount (s * 10**(exponent - iso)) is a multiple of the step.
    if exponent >= iso:
        return provider_step // gcd(provider_step, 10 ** (exponent - iso))
    return provider_step * 10 ** (iso - exponent)


def check_chargeable(money: Money, *, rules: AmountRules = STRIPE) -> None:
    """Raise ProviderAmountError unless the provider would charge exactly `money`: a multiple of
    charge_step (NOT_CHARGEABLE), at least the minimum (BELOW_MINIMUM; zero is below every minimum:
    a free order skips payment), within the maximum digits (ABOVE_MAXIMUM)."""
    _to_provider(money, rules)


def to_provider_amount(money: Money, *, rules: AmountRules = STRIPE) -> int:
    """The integer to send as the provider's `amount` for exactly `money` (USD 12.34 -> 1234,
    JPY 500 -> 500, ISK or UGX 500 -> 50000, KWD 5.120 -> 5120). Raises ProviderAmountError rather than
    rounding: the checkout rounds once, in quote_order, and shows it."""
    return _to_provider(money, rules)


def from_provider_amount(amount: int, currency: str, *, rules: AmountRules = STRIPE) -> Money:
    """The Money a provider amount stands for (webhooks, refunds); raises if it is not a whole number
    of ISO minor units. Accepts the lower-case codes Stripe answers with ("isk")."""
    currency = str(currency).upper()
    iso = _iso_digits(currency)
    exponent = provider_exponent(currency, rules=rules)
    if exponent <= iso:
        return Money(int(amount) * 10 ** (iso - exponent), currency)
    value, rest = divmod(int(amount), 10 ** (exponent - iso))
    if rest:
        raise ProviderAmountError(CheckoutErrorCode.NOT_CHARGEABLE,
                                  f"{amount} is not a whole number of {currency} minor units")
    return Money(value, currency)


def _to_provider(money: Money, rules: AmountRules) -> int:
    currency = money.currency
    iso = _iso_digits(currency)
    exponent = provider_exponent(currency, rules=rules)
    step = charge_step(currency, rules=rules)
    shown = f"{major_text(money.amount, currency)} {currency}"
    if money.amount % step:
        raise ProviderAmountError(
            CheckoutErrorCode.NOT_CHARGEABLE,
            f"{rules.name} cannot charge {shown}: amounts must be multiples of "
            f"{major_text(step, currency)} {currency}")
    minimum = rules.minimums.get(currency)
    floor = from_major(minimum, currency) if minimum is not None else 1
    if money.amount < floor:
        limit = f"{minimum} {currency}" if minimum is not None else "more than zero"
        raise ProviderAmountError(CheckoutErrorCode.BELOW_MINIMUM,
                                  f"{rules.name} cannot charge {shown}: the minimum is {limit}")
    if exponent >= iso:
        amount = money.amount * 10 ** (exponent - iso)
    else:
        amount = money.amount // 10 ** (iso - exponent)
    digits = rules.max_digits.get(currency, rules.default_max_digits)
    if digits is not None and amount >= 10 ** digits:
        raise ProviderAmountError(CheckoutErrorCode.ABOVE_MAXIMUM,
                                  f"{rules.name} cannot charge {shown} in one payment (over {digits} digits)")
    return amount
