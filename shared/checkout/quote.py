"""`quote_order`: the pricing engine. Pure: the caller reads prices, setup and usage counts from the
database and passes them in; the same inputs always give the same Quote.

Order of the computation (docs/checkout.md, "Money and rounding"):
1. line amounts = unit price x quantity; subtotal = their sum;
2. discounts (discounts.py): one amount discount spread over lines by largest remainder;
3. shipping options priced on the merchandise value after discounts and the total weight; the chosen
   option's price, less a free-shipping discount;
4. tax per line on the discounted line amount, and on shipping if the store taxes it, each rounded half
   up at the destination's rate (a pickup order: the location's); inclusive prices contain it;
5. total = subtotal - discount_total + shipping + tax (exclusive prices only) + rounding, where the
   rounding (<= 0) brings the total down to a multiple of the payment provider's `charge_step`, so the
   total shown is exactly the amount charged.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from fractions import Fraction
from typing import Any

from shared.checkout.discounts import CodeProblem, select_discounts
from shared.checkout.errors import CheckoutError, CheckoutErrorCode, FieldProblem, SetupError
from shared.checkout.rounding import parse_percent, percent_text, tax_exclusive, tax_inclusive
from shared.checkout.setup import CheckoutSetup, DiscountKind, DiscountUsage, TaxSetup
from shared.checkout.shipping import DeliveryKind, Destination, ShippingOption, list_shipping_options
from shared.models.money import Money, major_text


@dataclass(frozen=True)
class PricedLine:
    """A cart line with its price read from the database (never from the shopper's post)."""

    variant_id: str
    product_id: str
    unit_price: int
    quantity: int
    collection_ids: tuple[str, ...] = ()
    weight_grams: int = 0
    taxable: bool = True

    @property
    def amount(self) -> int:
        """Unit price times quantity, in minor units."""
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class QuoteLine:
    """A priced line: `subtotal` (unit x quantity) - `discount` (+ `tax` when prices exclude it) =
    `total`. With inclusive prices `tax` is the part of the total that is tax."""

    variant_id: str
    product_id: str
    quantity: int
    unit_price: Money
    subtotal: Money
    discount: Money
    tax: Money
    total: Money
    tax_rate: str


@dataclass(frozen=True)
class AppliedDiscount:
    """A discount the quote applied, with what it saved (the order's usage counts go up by one for
    each, when the order is placed)."""

    discount_id: str
    label: str
    code: str
    kind: DiscountKind
    amount: Money


@dataclass(frozen=True)
class Quote:
    """Every amount the checkout shows, all in the store's currency.

    total = subtotal - discount_total + shipping + (tax unless prices_include_tax) + rounding, exactly;
    discount_total = line discounts + shipping_discount. `total` is a multiple of the charge step it
    was quoted with, so `to_provider_amount(quote.total)` charges exactly what is shown."""

    currency: str
    prices_include_tax: bool
    lines: tuple[QuoteLine, ...]
    subtotal: Money
    discount_total: Money
    shipping: Money
    shipping_discount: Money
    shipping_tax: Money
    tax: Money
    rounding: Money
    total: Money
    shipping_options: tuple[ShippingOption, ...]
    shipping_option: ShippingOption | None
    discounts: tuple[AppliedDiscount, ...]
    code_problem: CodeProblem | None

    def to_json(self) -> dict[str, Any]:
        """The quote as JSON-ready data: every amount as {"amount": int, "currency": code}, enums as
        their values (what the checkout page and the order snapshot store)."""
        return _jsonable(self)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Money):
        return value.to_json()
    if dataclasses.is_dataclass(value):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (tuple, list)):
        return [_jsonable(item) for item in value]
    return value


def _rate(text: str, field: str) -> Fraction:
    try:
        return parse_percent(text)
    except ValueError as error:
        raise SetupError([FieldProblem(field, CheckoutErrorCode.BAD_RATE, str(error))]) from None


def resolve_tax_rate(tax: TaxSetup, destination: Destination) -> Fraction:
    """The destination's rate: its (country, region) entry, else its country's, else the default."""
    by_key = {(rate.country, rate.region): (index, rate) for index, rate in enumerate(tax.rates)}
    for key in ((destination.country, destination.region), (destination.country, "")):
        if key[0] and key in by_key:
            index, rate = by_key[key]
            return _rate(rate.rate, f"tax.rates[{index}].rate")
    return _rate(tax.default_rate, "tax.default_rate")


def _check_lines(lines: tuple[PricedLine, ...]) -> None:
    for index, line in enumerate(lines):
        for name in ("unit_price", "quantity", "weight_grams"):
            value = getattr(line, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise CheckoutError(CheckoutErrorCode.BAD_LINE,
                                    f"lines[{index}].{name} must be a non-negative integer, not {value!r}")
        if line.quantity == 0:
            raise CheckoutError(CheckoutErrorCode.BAD_LINE, f"lines[{index}].quantity must be at least 1")


def _tax_destination(setup: CheckoutSetup, destination: Destination, option: ShippingOption | None) -> Destination:
    if option is not None and option.kind == DeliveryKind.PICKUP:
        location = next(loc for loc in setup.shipping.pickup if loc.id == option.location_id)
        return Destination(location.country, location.region, location.postal_code)
    return destination


def quote_order(setup: CheckoutSetup, *, lines: tuple[PricedLine, ...] | list[PricedLine],
                destination: Destination = Destination(), shipping_option_id: str | None = None,
                code: str | None = None, customer_email: str = "", usage: DiscountUsage = DiscountUsage(),
                now: datetime, charge_step: int = 1) -> Quote:
    """Price an order (see the module docstring for the steps). `shipping_option_id` picks one of the
    options available for the destination (None, or one no longer available, leaves shipping unchosen
    and at zero). `charge_step` is amounts.charge_step(currency) for the payment provider.

    Raises CheckoutError(BAD_LINE) for impossible lines and SetupError for a setup that
    validate_setup would refuse (a bad rate). A code that does not apply is not an error: the quote
    carries it in `code_problem`."""
    lines = tuple(lines)
    _check_lines(lines)
    currency = setup.currency
    if isinstance(charge_step, bool) or not isinstance(charge_step, int) or charge_step < 1:
        raise CheckoutError(CheckoutErrorCode.BAD_VALUE,
                            f"charge_step must be a positive integer, not {charge_step!r}")
    selection = select_discounts(
        setup.discounts, lines, code=code, now=now, usage=usage, email=customer_email,
        minimum_text=lambda amount: f"{major_text(amount, currency)} {currency}")
    subtotal = sum(line.amount for line in lines)
    line_discounts = selection.allocations
    merchandise = subtotal - sum(line_discounts)
    options = list_shipping_options(setup.shipping, destination=destination, currency=currency,
                                    merchandise_value=merchandise,
                                    weight_grams=sum(line.weight_grams * line.quantity for line in lines))
    option = next((o for o in options if o.id == shipping_option_id), None)
    shipping = option.price.amount if option else 0
    shipping_discount = shipping if selection.shipping_discount is not None else 0
    tax_at = _tax_destination(setup, destination, option)
    rate = resolve_tax_rate(setup.tax, tax_at)
    extract = tax_inclusive if setup.tax.prices_include_tax else tax_exclusive
    quote_lines = tuple(_quote_line(line, discount, rate if line.taxable else Fraction(0), extract,
                                    setup.tax.prices_include_tax, currency)
                        for line, discount in zip(lines, line_discounts))
    shipping_tax = extract(shipping - shipping_discount, rate) if setup.tax.tax_shipping else 0
    tax = sum(q.tax.amount for q in quote_lines) + shipping_tax
    before = merchandise + shipping - shipping_discount + (0 if setup.tax.prices_include_tax else tax)
    rounding = -(before % charge_step)
    money = lambda amount: Money(amount, currency)  # noqa: E731 -- one currency for every amount below
    return Quote(
        currency=currency, prices_include_tax=setup.tax.prices_include_tax, lines=quote_lines,
        subtotal=money(subtotal), discount_total=money(sum(line_discounts) + shipping_discount),
        shipping=money(shipping), shipping_discount=money(shipping_discount),
        shipping_tax=money(shipping_tax), tax=money(tax), rounding=money(rounding),
        total=money(before + rounding), shipping_options=options, shipping_option=option,
        discounts=_applied(selection, line_discounts, shipping_discount, currency),
        code_problem=selection.code_problem)


def _quote_line(line: PricedLine, discount: int, rate: Fraction, extract, inclusive: bool, currency: str) -> QuoteLine:
    net = line.amount - discount
    tax = extract(net, rate)
    return QuoteLine(
        variant_id=line.variant_id, product_id=line.product_id, quantity=line.quantity,
        unit_price=Money(line.unit_price, currency), subtotal=Money(line.amount, currency),
        discount=Money(discount, currency), tax=Money(tax, currency),
        total=Money(net + (0 if inclusive else tax), currency), tax_rate=percent_text(rate))


def _applied(selection, line_discounts, shipping_discount: int, currency: str) -> tuple[AppliedDiscount, ...]:
    applied = []
    for discount, amount in ((selection.amount_discount, sum(line_discounts)),
                             (selection.shipping_discount, shipping_discount)):
        if discount is not None:
            applied.append(AppliedDiscount(discount_id=discount.id, label=discount.label, code=discount.code,
                                           kind=discount.kind, amount=Money(amount, currency)))
    return tuple(applied)
