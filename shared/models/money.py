"""Money: integer minor units and an ISO 4217 currency code. Never a float.

How many digits a currency's minor unit has comes from ONE table, iso4217.json beside this file
(generated from ISO 4217 list one by scripts/iso4217_table.py). Python reads it here; the V8 helpers
get the same numbers as data (shared/vibe/worker.py) and format with exactly these digits, never
ICU's own (ICU shows IQD with 0 digits where ISO says 3: a price 1,000 times off).

Comparisons: amounts in two currencies are different values, so `==` is False between them (never
True, and Money stays usable in sets and as a dict key); ordering (<, <=, >, >=) and arithmetic
between two currencies raise MoneyError(CURRENCY_MISMATCH): there is no exchange rate here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from enum import StrEnum
from functools import total_ordering
from importlib import resources
from types import MappingProxyType
from typing import Any

from shared.errors import VibeshopError


class MoneyErrorCode(StrEnum):
    """Why an amount or a currency was refused."""

    UNKNOWN_CURRENCY = "unknown_currency"
    CURRENCY_MISMATCH = "currency_mismatch"
    BAD_AMOUNT = "bad_amount"


class MoneyError(VibeshopError, ValueError):
    """A refused money operation, with its code (also a ValueError, as bad values have always been)."""

    def __init__(self, code: MoneyErrorCode, message: str):
        super().__init__(code, message)


def _load_table() -> dict[str, Any]:
    text = resources.files("shared.models").joinpath("iso4217.json").read_text(encoding="utf-8")
    return json.loads(text)


_TABLE = _load_table()
#: Where the table comes from (ISO list, publication date, package version).
TABLE_SOURCE: str = _TABLE["source"]
#: Code -> digits of the minor unit, for every code money can be kept in (ISO's "N.A." codes such
#: as XAU or XXX have no minor unit, so no amount in minor units means anything in them).
MINOR_UNITS: MappingProxyType[str, int] = MappingProxyType({
    code: entry["minor_units"] for code, entry in _TABLE["currencies"].items() if entry["minor_units"] is not None})
#: Codes a store can sell in: every code with a minor unit except ISO's funds (BOV, CLF, USN, ...).
#: Withdrawn codes (BGN since 2026) stay accepted: stores and amounts created in them must keep working.
STORE_CURRENCIES: frozenset[str] = frozenset(
    code for code, entry in _TABLE["currencies"].items()
    if entry["minor_units"] is not None and not entry.get("fund"))


def minor_digits(currency: str) -> int:
    """How many decimal digits the currency's minor unit has (JPY 0, USD 2, IQD 3, CLF 4).

    Raises MoneyError(UNKNOWN_CURRENCY) for a code the table does not have or that has no minor unit:
    guessing (the old default of 2) is how prices end up 100 times off."""
    digits = MINOR_UNITS.get(currency) if isinstance(currency, str) else None
    if digits is None:
        raise MoneyError(MoneyErrorCode.UNKNOWN_CURRENCY,
                         f"{currency!r} is not an ISO 4217 currency with a minor unit")
    return digits


def to_major(amount: int, currency: str) -> Decimal:
    """The exact decimal amount in major units: 2400 JPY -> 2400, 123456 IQD -> 123.456."""
    return Decimal(int(amount)).scaleb(-minor_digits(currency))


def major_text(amount: int, currency: str) -> str:
    """The amount as a plain decimal with exactly the currency's digits ("24.00", "2400", "1.234"):
    what schema.org prices and number inputs take. h.formatAmount in the V8 helpers writes the same."""
    digits = minor_digits(currency)
    return f"{to_major(amount, currency):.{digits}f}"


def from_major(value: str | Decimal, currency: str, *, rounding: str = ROUND_HALF_EVEN) -> int:
    """Minor units from a decimal in major units ("24.5" USD -> 2450), exactly (no float on the
    way); digits beyond the currency's are rounded with `rounding`. Raises MoneyError(BAD_AMOUNT)
    for text that is not a finite decimal."""
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise MoneyError(MoneyErrorCode.BAD_AMOUNT, f"{value!r} is not a decimal amount") from None
    if not number.is_finite():
        raise MoneyError(MoneyErrorCode.BAD_AMOUNT, f"{value!r} is not a decimal amount")
    return int(number.scaleb(minor_digits(currency)).to_integral_value(rounding=rounding))


@total_ordering
@dataclass(frozen=True)
class Money:
    """An amount in minor units (cents for USD, yen for JPY, fils for IQD) of one currency.

    `==` is True only for the same amount in the same currency; ordering across currencies raises."""

    amount: int
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise TypeError(f"Money amount must be an int of minor units, not {type(self.amount).__name__}")
        if not (isinstance(self.currency, str) and len(self.currency) == 3 and self.currency.isalpha()
                and self.currency.isupper()):
            raise MoneyError(MoneyErrorCode.UNKNOWN_CURRENCY,
                             f"currency must be an ISO 4217 code like 'USD', not {self.currency!r}")
        minor_digits(self.currency)

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return self.amount < other.amount

    def times(self, quantity: int) -> Money:
        """This amount times an integer quantity."""
        return Money(self.amount * int(quantity), self.currency)

    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if self.currency != other.currency:
            raise MoneyError(MoneyErrorCode.CURRENCY_MISMATCH, f"cannot combine {self.currency} and {other.currency}")

    def to_json(self) -> dict[str, object]:
        """The shape blocks see: {"amount": 1999, "currency": "USD"}."""
        return {"amount": self.amount, "currency": self.currency}
