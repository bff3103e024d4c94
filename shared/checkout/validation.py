"""Validation of the merchant's checkout setup before it is saved or published: every mistake as a
FieldProblem naming its field, so the studio can show each next to its input."""

from __future__ import annotations

import re
from datetime import datetime

from shared.checkout.addresses import address_form, is_country, region_codes
from shared.checkout.errors import CheckoutErrorCode as Code
from shared.checkout.errors import FieldProblem, SetupError
from shared.checkout.rounding import parse_percent
from shared.checkout.setup import (
    HOLD_MINUTES_RANGE, CheckoutSetup, Discount, DiscountKind, DiscountMethod, RateKind, ShippingRate, ShippingSetup,
    TaxSetup)
from shared.checkout.shipping import normalize_postal_code
from shared.models.money import STORE_CURRENCIES

#: Discount codes: letters, digits, "-" and "_", 1 to 64 characters (case-insensitive when matched).
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def validate_setup(setup: CheckoutSetup) -> None:
    """Raise SetupError listing every problem of `setup`; return None when it is valid."""
    problems = find_setup_problems(setup)
    if problems:
        raise SetupError(problems)


def find_setup_problems(setup: CheckoutSetup) -> list[FieldProblem]:
    """Every problem of `setup`, in field order (empty when valid)."""
    problems: list[FieldProblem] = []
    if setup.currency not in STORE_CURRENCIES:
        problems.append(FieldProblem("currency", Code.BAD_VALUE,
                                     f"{setup.currency!r} is not a currency a store can sell in"))
    problems += _tax_problems(setup.tax)
    problems += _shipping_problems(setup.shipping)
    problems += _discount_problems(setup.discounts)
    problems += _hold_problems(setup.hold_minutes)
    return problems


def _hold_problems(minutes) -> list[FieldProblem]:
    low, high = HOLD_MINUTES_RANGE
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not low <= minutes <= high:
        return [FieldProblem("hold_minutes", Code.BAD_VALUE,
                             f"must be a whole number of minutes from {low} to {high} (a day), not {minutes!r}")]
    return []


#: A location id as the store makes them (the sync rules' row id: letters, digits, "-" and "_", up to 64).
_LOCATION_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")


def _ship_from_problems(ship_from, problems: list[FieldProblem]) -> None:
    """The id's form only: whether the store has that location is the setup services' check (it needs the
    store's database, and a synced setup may name a location another database knows)."""
    if ship_from is not None and not (isinstance(ship_from, str) and _LOCATION_ID.fullmatch(ship_from)):
        problems.append(FieldProblem("shipping.ship_from", Code.BAD_VALUE,
                                     f"must be a location id, or empty for the first location with stock, "
                                     f"not {ship_from!r}"))


def _amount(value, field: str, problems: list, *, optional: bool = False, positive: bool = False) -> None:
    if optional and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < (1 if positive else 0):
        need = "a positive" if positive else "a non-negative"
        problems.append(FieldProblem(field, Code.BAD_AMOUNT,
                                     f"must be {need} whole number of minor units, not {value!r}"))


def _rate(value, field: str, problems: list) -> None:
    try:
        parse_percent(value)
    except ValueError as error:
        problems.append(FieldProblem(field, Code.BAD_RATE, str(error)))


def _place(country: str, regions: tuple[str, ...], field: str, problems: list, *, one_region: bool = False) -> bool:
    """Check a country and its regions against Google's address data; False if the country is unknown."""
    if not is_country(country):
        problems.append(FieldProblem(f"{field}.country", Code.BAD_COUNTRY, f"{country!r} is not a known country code"))
        return False
    known = region_codes(country)
    for index, region in enumerate(regions):
        if known and region not in known:
            where = f"{field}.region" if one_region else f"{field}.regions[{index}]"
            name = address_form(country).country_name.title()
            problems.append(FieldProblem(where, Code.BAD_REGION, f"{region!r} is not a region code of {name}"))
    return True


def _tax_problems(tax: TaxSetup) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    _rate(tax.default_rate, "tax.default_rate", problems)
    seen: set[tuple[str, str]] = set()
    for index, rate in enumerate(tax.rates):
        field = f"tax.rates[{index}]"
        _rate(rate.rate, f"{field}.rate", problems)
        _place(rate.country, (rate.region,) if rate.region else (), field, problems, one_region=True)
        if (rate.country, rate.region) in seen:
            problems.append(FieldProblem(field, Code.DUPLICATE,
                                         f"a second rate for {rate.country} {rate.region}".rstrip()))
        seen.add((rate.country, rate.region))
    return problems


def _shipping_problems(shipping: ShippingSetup) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    ids: set[str] = set()

    def unique(option_id: str, field: str) -> None:
        if not option_id:
            problems.append(FieldProblem(f"{field}.id", Code.MISSING, "needs an id"))
        elif option_id in ids:
            problems.append(FieldProblem(f"{field}.id", Code.DUPLICATE, f"the id {option_id!r} is used twice"))
        ids.add(option_id)

    _ship_from_problems(shipping.ship_from, problems)
    covered: dict[tuple[str, str], str] = {}
    for z, zone in enumerate(shipping.zones):
        for a, area in enumerate(zone.areas):
            field = f"shipping.zones[{z}].areas[{a}]"
            if _place(area.country, area.regions, field, problems):
                _overlaps(area, zone.name or zone.id, field, covered, problems)
        for r, rate in enumerate(zone.rates):
            unique(rate.id, f"shipping.zones[{z}].rates[{r}]")
            _rate_problems(rate, f"shipping.zones[{z}].rates[{r}]", problems)
    for p, location in enumerate(shipping.pickup):
        unique(location.id, f"shipping.pickup[{p}]")
        _place(location.country, (location.region,) if location.region else (), f"shipping.pickup[{p}]", problems,
               one_region=True)
    for d, delivery in enumerate(shipping.local_delivery):
        field = f"shipping.local_delivery[{d}]"
        unique(delivery.id, field)
        _place(delivery.country, (), field, problems)
        _amount(delivery.price, f"{field}.price", problems)
        _amount(delivery.free_over, f"{field}.free_over", problems, optional=True)
        _days(delivery.min_days, delivery.max_days, field, problems)
        if not delivery.postal_codes:
            problems.append(FieldProblem(f"{field}.postal_codes", Code.MISSING, "list at least one postal code"))
        for c, code in enumerate(delivery.postal_codes):
            if not normalize_postal_code(str(code).rstrip("*")):
                problems.append(FieldProblem(f"{field}.postal_codes[{c}]", Code.BAD_VALUE,
                                             f"{code!r} is not a postal code"))
    return problems


def _overlaps(area, zone_name: str, field: str, covered: dict, problems: list) -> None:
    """A destination is in at most one zone: a whole country overlaps any entry for that country."""
    keys = [(area.country, region) for region in area.regions] or [(area.country, "")]
    for key in keys:
        clash = covered.get(key) or covered.get((area.country, ""))
        if clash is None and key[1] == "":
            clash = next((name for (country, _), name in covered.items() if country == area.country), None)
        if clash is not None:
            where = f"{key[0]} {key[1]}".rstrip()
            problems.append(FieldProblem(field, Code.OVERLAPPING_ZONES,
                                         f"{where} is already in the zone {clash!r}; "
                                         "a destination can be in one zone only"))
        covered.setdefault(key, zone_name)


def _days(min_days, max_days, field: str, problems: list) -> None:
    for name, value in (("min_days", min_days), ("max_days", max_days)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            problems.append(FieldProblem(f"{field}.{name}", Code.BAD_VALUE,
                                         f"must be a whole number of days, not {value!r}"))
    if isinstance(min_days, int) and isinstance(max_days, int) and min_days > max_days:
        problems.append(FieldProblem(f"{field}.max_days", Code.BAD_VALUE, "the estimate ends before it starts"))


def _rate_problems(rate: ShippingRate, field: str, problems: list) -> None:
    if not rate.name:
        problems.append(FieldProblem(f"{field}.name", Code.MISSING, "needs a name shoppers will see"))
    _amount(rate.free_over, f"{field}.free_over", problems, optional=True)
    _days(rate.min_days, rate.max_days, field, problems)
    if rate.kind == RateKind.FLAT:
        _amount(rate.price, f"{field}.price", problems)
        if rate.tiers:
            problems.append(FieldProblem(f"{field}.tiers", Code.BAD_VALUE, "a flat rate has a price, not tiers"))
        return
    if rate.kind not in (RateKind.ORDER_VALUE, RateKind.WEIGHT):
        problems.append(FieldProblem(f"{field}.kind", Code.BAD_VALUE, f"{rate.kind!r} is not a kind of rate"))
        return
    if not rate.tiers:
        problems.append(FieldProblem(f"{field}.tiers", Code.MISSING, "a tiered rate needs at least one tier"))
    previous = None
    for t, tier in enumerate(rate.tiers):
        _amount(tier.start, f"{field}.tiers[{t}].start", problems)
        _amount(tier.price, f"{field}.tiers[{t}].price", problems)
        if isinstance(tier.start, int) and previous is not None and tier.start <= previous:
            problems.append(FieldProblem(f"{field}.tiers", Code.TIERS_OUT_OF_ORDER,
                                         f"tier {t + 1} starts at {tier.start}, not after tier {t} ({previous})"))
        previous = tier.start if isinstance(tier.start, int) else previous


def _discount_problems(discounts: tuple[Discount, ...]) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    ids: set[str] = set()
    codes: set[str] = set()
    for index, discount in enumerate(discounts):
        field = f"discounts[{index}]"
        if not discount.id or discount.id in ids:
            problems.append(FieldProblem(f"{field}.id", Code.DUPLICATE if discount.id else Code.MISSING,
                                         "needs an id of its own"))
        ids.add(discount.id)
        _code_problems(discount, field, codes, problems)
        _value_problems(discount, field, problems)
        _amount(discount.min_subtotal, f"{field}.min_subtotal", problems)
        _amount(discount.usage_limit, f"{field}.usage_limit", problems, optional=True, positive=True)
        _date_problems(discount.starts_at, discount.ends_at, field, problems)
    return problems


def _code_problems(discount: Discount, field: str, codes: set[str], problems: list) -> None:
    if discount.method == DiscountMethod.AUTOMATIC:
        if discount.code:
            problems.append(FieldProblem(f"{field}.code", Code.BAD_CODE, "an automatic discount has no code"))
        return
    if discount.method != DiscountMethod.CODE:
        problems.append(FieldProblem(f"{field}.method", Code.BAD_VALUE,
                                     f"{discount.method!r} is not code or automatic"))
        return
    if not CODE_PATTERN.fullmatch(discount.code or ""):
        problems.append(FieldProblem(f"{field}.code", Code.BAD_CODE,
                                     f"{discount.code!r}: use 1 to 64 letters, digits, '-' or '_'"))
    elif discount.code.upper() in codes:
        problems.append(FieldProblem(f"{field}.code", Code.DUPLICATE, f"the code {discount.code!r} is used twice"))
    codes.add((discount.code or "").upper())


def _value_problems(discount: Discount, field: str, problems: list) -> None:
    if discount.kind == DiscountKind.PERCENTAGE:
        _rate(discount.percent, f"{field}.percent", problems)
        if not problems or problems[-1].field != f"{field}.percent":
            if parse_percent(discount.percent) == 0:
                problems.append(FieldProblem(f"{field}.percent", Code.BAD_RATE, "a discount of 0% takes nothing off"))
    elif discount.kind == DiscountKind.FIXED_AMOUNT:
        _amount(discount.amount, f"{field}.amount", problems, positive=True)
    elif discount.kind != DiscountKind.FREE_SHIPPING:
        problems.append(FieldProblem(f"{field}.kind", Code.BAD_VALUE, f"{discount.kind!r} is not a kind of discount"))


def _date_problems(starts_at, ends_at, field: str, problems: list) -> None:
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value is not None and (not isinstance(value, datetime) or value.utcoffset() is None):
            problems.append(FieldProblem(f"{field}.{name}", Code.BAD_DATES,
                                         "must be a date and time with its time zone"))
            return
    if starts_at is not None and ends_at is not None and ends_at <= starts_at:
        problems.append(FieldProblem(f"{field}.ends_at", Code.BAD_DATES, "the discount ends before it starts"))
