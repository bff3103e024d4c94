"""The checkout setup as the store database keeps it (migration 0016): the stored form of each synced
row and its problems, for the table rules (shared/sync/rules.py) and the setup service (setup_store.py).

Three tables, split by concern so per-field last-writer-wins sync keeps edits to different things:
- `checkout_settings`, one row (id "checkout"): tax switches, default rate, the tax rates, the shipping
  zones and local delivery (lists as JSON text, each list one field), the location shipped orders take
  stock from (`ship_from`, NULL: the first with stock) and the hold time (`hold_minutes`, migration 0018);
- `pickup_locations`, one row per store location (id = the location's id), `enabled` when it offers
  pickup;
- `discounts`, one row per discount, one column per field (codes in capitals, NULL when automatic).

Every row is checked by building the part of a CheckoutSetup it holds and running setup_from_json
(so the same rules as `validate_setup`); problems name the column, and inside a JSON column the path
(`tax_rates[2].rate`, `shipping_zones[0].rates[1].price`). Pure functions: no SQL here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from shared.checkout.errors import SetupError
from shared.checkout.setup import (
    DEFAULT_HOLD_MINUTES, CheckoutSetup, Discount, LocalDelivery, PickupLocation, ShippingSetup, ShippingZone,
    TaxSetup)
from shared.checkout.setup_json import setup_from_json, setup_to_json

SETTINGS_ID = "checkout"
#: The longest list a JSON column of the checkout setup may hold (rates, zones, postal codes...).
MAX_JSON_CHARS = 200_000
_ANY_CURRENCY = "USD"   # setup rules do not depend on the currency; the storefront row holds the real one

# Setup path prefix -> the column holding it.
_SETTINGS_COLUMNS = (
    ("tax.prices_include_tax", "prices_include_tax"), ("tax.tax_shipping", "tax_shipping"),
    ("tax.default_rate", "default_rate"), ("tax.rates", "tax_rates"),
    ("shipping.zones", "shipping_zones"), ("shipping.local_delivery", "local_delivery"),
    ("shipping.ship_from", "ship_from"), ("hold_minutes", "hold_minutes"),
)
#: The settings row's setup columns (all but id and updated_at).
SETTINGS_COLUMNS = tuple(column for _path, column in _SETTINGS_COLUMNS)
DISCOUNT_COLUMNS = ("method", "kind", "code", "title", "percent", "amount", "min_subtotal", "product_ids",
                    "collection_ids", "starts_at", "ends_at", "usage_limit", "once_per_customer")
PICKUP_COLUMNS = ("enabled", "name", "address", "country", "region", "postal_code", "instructions")


def _flag(value: Any) -> Any:
    """0/1 as a bool; anything else as it is, for the rules to refuse."""
    return bool(value) if type(value) is int and value in (0, 1) else value


def _json(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str) else value


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


# ---- checkout_settings ------------------------------------------------------------------------------

def settings_row(tax: TaxSetup, zones: tuple[ShippingZone, ...], local_delivery: tuple[LocalDelivery, ...], *,
                 ship_from: str | None = None, hold_minutes: int = DEFAULT_HOLD_MINUTES) -> dict[str, Any]:
    """The stored form of the settings row (without id and updated_at)."""
    shipping = setup_to_json(CheckoutSetup(_ANY_CURRENCY, shipping=ShippingSetup(zones=zones,
                                                                                   local_delivery=local_delivery)))
    tax_json = setup_to_json(CheckoutSetup(_ANY_CURRENCY, tax=tax))["tax"]
    return {"prices_include_tax": int(tax.prices_include_tax), "tax_shipping": int(tax.tax_shipping),
            "default_rate": tax.default_rate, "tax_rates": _dumps(tax_json["rates"]),
            "shipping_zones": _dumps(shipping["shipping"]["zones"]),
            "local_delivery": _dumps(shipping["shipping"]["local_delivery"]),
            "ship_from": ship_from, "hold_minutes": hold_minutes}


def _settings_json(row: Mapping[str, Any]) -> dict[str, Any]:
    tax: dict[str, Any] = {}
    shipping: dict[str, Any] = {}
    for name, key in (("prices_include_tax", "prices_include_tax"), ("tax_shipping", "tax_shipping")):
        if name in row:
            tax[key] = _flag(row[name])
    if "default_rate" in row:
        tax["default_rate"] = row["default_rate"]
    if "tax_rates" in row:
        tax["rates"] = _json(row["tax_rates"])
    for name, key in (("shipping_zones", "zones"), ("local_delivery", "local_delivery")):
        if name in row:
            shipping[key] = _json(row[name])
    if "ship_from" in row:
        shipping["ship_from"] = row["ship_from"]
    data = {"currency": _ANY_CURRENCY, "tax": tax, "shipping": shipping}
    if "hold_minutes" in row:
        data["hold_minutes"] = row["hold_minutes"]
    return data


def settings_setup_from_row(row: Mapping[str, Any] | None) -> CheckoutSetup:
    """What a stored settings row holds as a CheckoutSetup: tax, shipping zones, local delivery and
    ship_from, and the hold time (no pickup, no discounts; the currency is a placeholder). None: the
    defaults. Raises SetupError when the row does not hold a valid setup."""
    return CheckoutSetup(_ANY_CURRENCY) if row is None else setup_from_json(_settings_json(row))


def settings_from_row(row: Mapping[str, Any] | None) -> tuple[TaxSetup, ShippingSetup]:
    """The tax setup and the shipping zones, local delivery and ship_from of a stored settings row (None:
    none yet, the defaults). Raises SetupError when the row does not hold a valid setup."""
    setup = settings_setup_from_row(row)
    return setup.tax, setup.shipping


def _column_problems(error: SetupError, columns: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    """(column[.rest], message) for each problem, its setup path turned into the column holding it."""
    out = []
    for problem in error.problems:
        field = problem.field
        for prefix, column in columns:
            if field == prefix or field.startswith(prefix + ".") or field.startswith(prefix + "["):
                field = column + field[len(prefix):]
                break
        out.append((field, problem.message))
    return out


def settings_row_problems(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every problem of a settings row's values (stored form), as (field, message)."""
    try:
        settings_from_row(row)
    except SetupError as error:
        return _column_problems(error, _SETTINGS_COLUMNS)
    return []


# ---- pickup_locations --------------------------------------------------------------------------------

def pickup_from_row(row: Mapping[str, Any]) -> PickupLocation:
    """The PickupLocation a stored row describes (whether or not it is enabled)."""
    return PickupLocation(id=row["id"], name=row["name"], country=row["country"], region=row["region"],
                          postal_code=row["postal_code"], address=row["address"],
                          ready_text=row["instructions"] or PickupLocation.ready_text)


def pickup_row_problems(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Problems of a pickup row: an enabled location (or one with a country) needs a real country and
    region, as the address the order is taxed at."""
    if not (row.get("enabled") == 1 or row.get("country")):
        return []
    data = {"id": row.get("id") or "x", "name": row.get("name") or "x", "country": row.get("country", ""),
            "region": row.get("region", ""), "postal_code": row.get("postal_code", "")}
    try:
        setup_from_json({"currency": _ANY_CURRENCY, "shipping": {"pickup": [data]}})
    except SetupError as error:
        problems = _column_problems(error, (("shipping.pickup[0]", ""),))
        return [(field.lstrip("."), message) for field, message in problems]
    return []


# ---- discounts -----------------------------------------------------------------------------------------

def discount_row(discount: Discount) -> dict[str, Any]:
    """The stored form of a discount (without position and stamps): code in capitals, NULL if none."""
    data = setup_to_json(CheckoutSetup(_ANY_CURRENCY, discounts=(discount,)))["discounts"][0]
    return {"id": discount.id, **{name: data[name] for name in DISCOUNT_COLUMNS},
            "code": discount.code.upper() or None, "product_ids": _dumps(data["product_ids"]),
            "collection_ids": _dumps(data["collection_ids"]), "once_per_customer": int(discount.once_per_customer)}


def _discount_json(row: Mapping[str, Any]) -> dict[str, Any]:
    data = {name: row[name] for name in DISCOUNT_COLUMNS if name in row}
    data["id"] = row.get("id") or "discount"   # an update's row may lack its key: any id will do
    if "code" in data:
        data["code"] = data["code"] or ""
    for name in ("product_ids", "collection_ids"):
        if name in data:
            data[name] = _json(data[name])
    if "once_per_customer" in data:
        data["once_per_customer"] = _flag(data["once_per_customer"])
    return data


def discount_from_row(row: Mapping[str, Any]) -> Discount:
    """The Discount a stored row holds. Raises SetupError when it is not a valid discount."""
    return setup_from_json({"currency": _ANY_CURRENCY, "discounts": [_discount_json(row)]}).discounts[0]


def discount_row_problems(row: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every problem of a discount row (stored form, whole row), as (column, message)."""
    problems = []
    code = row.get("code")
    if isinstance(code, str) and code != code.upper():
        problems.append(("code", "is stored in capitals (codes match whatever case the shopper types)"))
    try:
        discount_from_row(row)
    except SetupError as error:
        found = _column_problems(error, (("discounts[0]", ""),))
        problems += [(field.lstrip("."), message) for field, message in found]
    return problems
