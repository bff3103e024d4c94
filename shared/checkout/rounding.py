"""The one rounding rule of checkout pricing (docs/checkout.md, "Money and rounding").

Every amount is an int of minor units. Exact intermediate values are `Fraction`s (never floats); an amount
becomes an int in exactly two ways:
- `round_half_up`: to the nearest minor unit, halves away from zero. Used for every tax amount (per line,
  on the discounted line amount, and on shipping) and for a percentage discount's order-level amount.
  Half-up, not half-even, because that is what tax authorities ask of invoices (US states: "round up when
  the third decimal is 5 or more"; HMRC and most EU VAT rules: nearest penny, half up), and because a
  shopper checking a receipt by hand expects 0.5 to go up. Half-even's advantage (no bias in big sums)
  does not matter here: we round each line once, never sums of rounded values.
- `allocate`: splitting an integer total over weights by largest remainder, so the parts sum to the total
  exactly (a discount spread over lines).
"""

from __future__ import annotations

import re
from decimal import Decimal
from fractions import Fraction

ONE_HUNDRED = Fraction(100)
_PLAIN_DECIMAL = re.compile(r"[0-9]{1,3}(\.[0-9]{1,6})?")


def round_half_up(value: Fraction) -> int:
    """`value` rounded to the nearest integer, halves away from zero (2.5 -> 3, -2.5 -> -3)."""
    sign = -1 if value < 0 else 1
    magnitude = abs(value)
    whole, rest = divmod(magnitude.numerator, magnitude.denominator)
    if 2 * rest >= magnitude.denominator:
        whole += 1
    return sign * whole


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split `total` (>= 0) over non-negative `weights` in proportion, summing to `total` exactly.

    Each part is first floor(total * w / W); the units left over go one each to the parts with the
    largest remainders, earlier parts first on a tie (so the result never depends on anything but the
    order of the lines). All-zero weights only take a zero total."""
    weight_sum = sum(weights)
    if weight_sum == 0:
        if total:
            raise ValueError("cannot allocate a non-zero total over zero weights")
        return [0] * len(weights)
    parts = []
    remainders = []
    for index, weight in enumerate(weights):
        part, rest = divmod(total * weight, weight_sum)
        parts.append(part)
        remainders.append((-rest, index))
    left = total - sum(parts)
    for _, index in sorted(remainders)[:left]:
        parts[index] += 1
    return parts


def parse_percent(text: object) -> Fraction:
    """The fraction a decimal percent string stands for ("20" -> 1/5, "8.875" -> 71/800).

    Only strings are accepted: a float has already lost the exact rate, and a bare int could be read as
    percent or basis points. Raises ValueError for anything else or a value outside 0..100."""
    if not isinstance(text, str):
        raise ValueError(f"a rate must be a decimal string like '20' or '8.875', not {type(text).__name__}")
    plain = str(text).strip().removesuffix("%").strip()
    if not _PLAIN_DECIMAL.fullmatch(plain):  # no exponents, signs, NaN or thousands separators
        raise ValueError(f"{text!r} is not a decimal percent like '20' or '8.875'")
    number = Fraction(plain)                 # exact: a decimal string is a fraction of a power of ten
    if number < 0 or number > 100:
        raise ValueError(f"{text!r} is outside 0..100%")
    return number / ONE_HUNDRED


def tax_exclusive(amount: int, rate: Fraction) -> int:
    """Tax to add on a net `amount`: round_half_up(amount * rate)."""
    return round_half_up(amount * rate)


def tax_inclusive(amount: int, rate: Fraction) -> int:
    """Tax contained in a gross `amount`: round_half_up(amount * rate / (1 + rate))."""
    return round_half_up(amount * rate / (1 + rate))


def percent_text(rate: Fraction) -> str:
    """A rate as a plain percent string ("20", "8.875") for quotes and order snapshots."""
    value = Decimal(rate.numerator * 100) / Decimal(rate.denominator)
    text = format(value.normalize(), "f")
    return text
