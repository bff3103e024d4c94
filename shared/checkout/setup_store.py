"""The merchant's checkout setup as stored in a store database: read it whole for the checkout, save it
part by part from the studio (docs/checkout.md, "Setup").

- `load_checkout_setup(conn) -> CheckoutSetup`: everything the pricing engine needs, in the store's
  currency, pickup limited to the locations that offer it; validated (raises SetupError).
- `save_tax`, `save_shipping`, `save_ship_from`, `save_hold_minutes`, `save_pickup`, `save_discount`,
  `remove_discount` (take a Database, write in one transaction): each validates with the same rules as
  `validate_setup` and raises SetupError whose FieldProblems name the field (`tax.rates[1].rate`,
  `shipping.zones[0].rates[0].price`, `shipping.ship_from`, `hold_minutes`, `discount.code`,
  `pickup.country`), or CheckoutError NOT_FOUND; nothing is written then.
- `list_pickup_options(conn)`: every store location with its pickup setting, for the studio.

Payment keys are not part of this: they never leave the cloud (shared/payments)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

import orjson

from shared.checkout import setup_rows as rows
from shared.checkout.errors import CheckoutError, FieldProblem, SetupError
from shared.checkout.errors import CheckoutErrorCode as Code
from shared.checkout.setup import (
    DEFAULT_HOLD_MINUTES, CheckoutSetup, Discount, DiscountMethod, LocalDelivery, PickupLocation, ShippingSetup,
    ShippingZone, TaxSetup)
from shared.checkout.validation import validate_setup
from shared.db.database import Connection, Database
from shared.db.repositories import checkout_setup as repo
from shared.db.repositories.inventory import list_locations
from shared.db.repositories.storefront import get_storefront
from shared.db.stamps import new_id, utc_now


@dataclass(frozen=True)
class PickupOption:
    """A store location and whether shoppers may collect orders there (`enabled`), with the address
    a pickup order is taxed at and the instructions shown at checkout."""

    location_id: str
    name: str
    address: str
    enabled: bool = False
    country: str = ""
    region: str = ""
    postal_code: str = ""
    instructions: str = ""


def _currency(conn: Connection) -> str:
    store = get_storefront(conn)
    return store.currency if store is not None else "USD"


def load_checkout_setup(conn: Connection) -> CheckoutSetup:
    """The store's whole checkout setup (defaults where nothing was saved: no tax, no shipping, no
    discounts, holds of 10 minutes, shipping from the first location with stock). `shipping.ship_from`
    is as stored, even when this database has no such location (the checkout then takes the first with
    stock). Raises SetupError if the stored parts do not make a valid setup together."""
    stored = (repo.get_settings(conn), repo.list_pickup(conn), repo.list_discounts(conn), _currency(conn))
    return _setup_of(orjson.dumps(stored, option=orjson.OPT_SORT_KEYS))


@lru_cache(maxsize=256)
def _setup_of(stored: bytes) -> CheckoutSetup:
    """The setup the stored rows make, parsed and validated once per distinct content (every price
    check of every checkout reads it; the rows are a few small reads, the parse and the validation of
    zones and rates are not)."""
    settings_row, pickup_rows, discount_rows, currency = orjson.loads(stored)
    settings = rows.settings_setup_from_row(settings_row)
    pickup = tuple(rows.pickup_from_row(row) for row in pickup_rows if row["enabled"])
    discounts = tuple(rows.discount_from_row(row) for row in discount_rows)
    setup = dataclasses.replace(settings, currency=currency,
                                shipping=dataclasses.replace(settings.shipping, pickup=pickup), discounts=discounts)
    validate_setup(setup)
    return setup


def _check(setup: CheckoutSetup, *, rename: tuple[str, str] | None = None) -> None:
    """validate_setup, with the problems' paths renamed (`discounts[0]` -> `discount`)."""
    try:
        validate_setup(setup)
    except SetupError as error:
        if rename is None:
            raise
        old, new = rename
        raise SetupError([dataclasses.replace(p, field=new + p.field[len(old):] if p.field.startswith(old)
                                              else p.field) for p in error.problems]) from None


def save_tax(db: Database, tax: TaxSetup) -> TaxSetup:
    """Store the tax setup (prices include tax, tax on shipping, default rate, rates by place).
    Raises SetupError naming each bad field (`tax.rates[2].region`)."""
    def write(conn: Connection) -> TaxSetup:
        _check(CheckoutSetup(_currency(conn), tax=tax))
        _, shipping = rows.settings_from_row(repo.get_settings(conn))
        fields = rows.settings_row(tax, shipping.zones, shipping.local_delivery)
        repo.put_settings(conn, {k: fields[k] for k in ("prices_include_tax", "tax_shipping", "default_rate",
                                                        "tax_rates")} | {"updated_at": utc_now()})
        return tax
    return db.write(write)


def save_shipping(db: Database, *, zones: tuple[ShippingZone, ...],
                  local_delivery: tuple[LocalDelivery, ...]) -> ShippingSetup:
    """Store the shipping zones with their rates and the local delivery areas. Raises SetupError
    naming each bad field (`shipping.zones[0].rates[1].tiers`, `shipping.local_delivery[0].postal_codes`)."""
    def write(conn: Connection) -> ShippingSetup:
        shipping = ShippingSetup(zones=tuple(zones), local_delivery=tuple(local_delivery))
        _check(CheckoutSetup(_currency(conn), shipping=shipping))
        tax, _ = rows.settings_from_row(repo.get_settings(conn))
        fields = rows.settings_row(tax, shipping.zones, shipping.local_delivery)
        repo.put_settings(conn, {"shipping_zones": fields["shipping_zones"],
                                 "local_delivery": fields["local_delivery"], "updated_at": utc_now()})
        return shipping
    return db.write(write)


def _check_location(conn: Connection, location_id: str | None, field: str) -> None:
    """SetupError NOT_FOUND naming `field` unless location_id is None or one of the store's locations."""
    if location_id is not None and not repo.location_exists(conn, location_id):
        raise SetupError([FieldProblem(field, Code.NOT_FOUND, f"the store has no location {location_id!r}")])


def save_ship_from(db: Database, location_id: str | None) -> str | None:
    """Say which location shipped and locally delivered orders take their stock from: one of the store's
    locations (only its stock), or None for the first location with stock. Raises SetupError naming
    `shipping.ship_from` for a malformed id or a location the store does not have."""
    def write(conn: Connection) -> str | None:
        _check(CheckoutSetup(_currency(conn), shipping=ShippingSetup(ship_from=location_id)))
        _check_location(conn, location_id, "shipping.ship_from")
        repo.put_settings(conn, {"ship_from": location_id, "updated_at": utc_now()})
        return location_id
    return db.write(write)


def save_hold_minutes(db: Database, minutes: int) -> int:
    """Say how long starting checkout holds the cart's units, in whole minutes (1 to 1440). Raises
    SetupError naming `hold_minutes`."""
    def write(conn: Connection) -> int:
        _check(CheckoutSetup(_currency(conn), hold_minutes=minutes))
        repo.put_settings(conn, {"hold_minutes": minutes, "updated_at": utc_now()})
        return minutes
    return db.write(write)


def list_pickup_options(conn: Connection) -> list[PickupOption]:
    """Every store location with its pickup setting (locations never set up are not enabled)."""
    saved = {row["id"]: row for row in repo.list_pickup(conn)}
    out = []
    for location in list_locations(conn):
        row = saved.get(location.id)
        out.append(PickupOption(location.id, location.name, location.address) if row is None else PickupOption(
            location.id, location.name, location.address, bool(row["enabled"]), row["country"], row["region"],
            row["postal_code"], row["instructions"]))
    return out


def save_pickup(db: Database, location_id: str, *, enabled: bool, country: str = "", region: str = "",
                postal_code: str = "", instructions: str = "") -> PickupOption:
    """Say whether a store location offers pickup, where it is (country, region and postal code: the
    place a pickup order is taxed at) and what shoppers are told. Raises CheckoutError NOT_FOUND for an
    unknown location, SetupError naming the field (`pickup.country`, `pickup.region`)."""
    country, region = country.strip().upper(), region.strip().upper()

    def write(conn: Connection) -> PickupOption:
        location = next((loc for loc in list_locations(conn) if loc.id == location_id), None)
        if location is None:
            raise CheckoutError(Code.NOT_FOUND, f"the store has no location {location_id!r}")
        if enabled or country:
            _check(CheckoutSetup(_currency(conn), shipping=ShippingSetup(pickup=(PickupLocation(
                location.id, location.name, country, region, postal_code.strip()),))),
                rename=("shipping.pickup[0]", "pickup"))
        row = {"id": location.id, "enabled": int(enabled), "name": location.name, "address": location.address,
               "country": country, "region": region, "postal_code": postal_code.strip(),
               "instructions": instructions.strip(), "updated_at": utc_now()}
        repo.put_pickup(conn, row, new=repo.get_pickup(conn, location.id) is None)
        return PickupOption(location.id, location.name, location.address, enabled, country, region,
                            row["postal_code"], row["instructions"])
    return db.write(write)


def list_discounts(conn: Connection) -> list[Discount]:
    """Every discount, in the merchant's order."""
    return [rows.discount_from_row(row) for row in repo.list_discounts(conn)]


def save_discount(db: Database, discount: Discount) -> Discount:
    """Create (empty or unknown id) or replace a discount. Codes are kept in capitals and unique.
    Returns the stored discount. Raises SetupError naming the field (`discount.code`, `discount.percent`)."""
    code = discount.code.strip().upper() if discount.method == DiscountMethod.CODE else discount.code.strip()
    discount = dataclasses.replace(discount, id=discount.id or new_id(), code=code, title=discount.title.strip())

    def write(conn: Connection) -> Discount:
        _check(CheckoutSetup(_currency(conn), discounts=(discount,)), rename=("discounts[0]", "discount"))
        owner = repo.code_owner(conn, code) if code else None
        if owner is not None and owner != discount.id:
            raise SetupError([FieldProblem("discount.code", Code.DUPLICATE,
                                           f"another discount already uses the code {code}")])
        current = repo.get_discount(conn, discount.id)
        stamp = utc_now()
        row = {**rows.discount_row(discount), "updated_at": stamp}
        if current is None:
            row |= {"position": repo.next_discount_position(conn), "created_at": stamp}
        repo.put_discount(conn, row, new=current is None)
        return rows.discount_from_row(repo.get_discount(conn, discount.id))
    return db.write(write)


def remove_discount(db: Database, discount_id: str) -> None:
    """Delete a discount (orders that used it keep their snapshot). Raises CheckoutError NOT_FOUND."""
    def write(conn: Connection) -> None:
        if not repo.delete_discount(conn, discount_id):
            raise CheckoutError(Code.NOT_FOUND, f"there is no discount {discount_id!r}")
    db.write(write)


@dataclass(frozen=True)
class SetupReplacement:
    """A whole checkout setup to store at once (a files import): tax, shipping zones and local delivery,
    the pickup setting of the locations listed, the complete list of discounts, the shipping location
    (None: the first with stock) and the hold time."""

    tax: TaxSetup
    zones: tuple[ShippingZone, ...]
    local_delivery: tuple[LocalDelivery, ...]
    pickup: tuple[PickupOption, ...]
    discounts: tuple[Discount, ...]
    ship_from: str | None = None
    hold_minutes: int = DEFAULT_HOLD_MINUTES


def replace_checkout_setup_in(conn: Connection, new: SetupReplacement) -> bool:
    """Inside the caller's transaction: store `new` (discounts not listed are deleted, pickup of
    unlisted locations is left as it is), writing only what differs. True when something changed.
    Raises SetupError (nothing written by the caller's rollback) naming the field: an unknown
    location (`pickup[1].location_id`, `shipping.ship_from`), or codes swapped between two discounts."""
    _check(CheckoutSetup(_currency(conn), tax=new.tax, shipping=ShippingSetup(
        zones=new.zones, local_delivery=new.local_delivery, ship_from=new.ship_from), discounts=new.discounts,
        hold_minutes=new.hold_minutes))
    _check_location(conn, new.ship_from, "shipping.ship_from")
    changed = False
    fields = rows.settings_row(new.tax, new.zones, new.local_delivery, ship_from=new.ship_from,
                               hold_minutes=new.hold_minutes)
    stored = repo.get_settings(conn)
    if stored is None or any(stored[k] != v for k, v in fields.items()):
        repo.put_settings(conn, {**fields, "updated_at": utc_now()})
        changed = True
    known = {loc.id: loc for loc in list_locations(conn)}
    for index, option in enumerate(new.pickup):
        location = known.get(option.location_id)
        if location is None:
            raise SetupError([FieldProblem(f"pickup[{index}].location_id", Code.NOT_FOUND,
                                           f"the store has no location {option.location_id!r}")])
        if option.enabled or option.country:
            _check(CheckoutSetup(_currency(conn), shipping=ShippingSetup(pickup=(PickupLocation(
                location.id, location.name, option.country, option.region, option.postal_code),))),
                rename=("shipping.pickup[0]", f"pickup[{index}]"))
        row = {"id": location.id, "enabled": int(option.enabled), "name": location.name,
               "address": location.address, "country": option.country, "region": option.region,
               "postal_code": option.postal_code, "instructions": option.instructions}
        current = repo.get_pickup(conn, location.id)
        if current is None and option == PickupOption(location.id, option.name, option.address):
            continue                # never set up and still not: nothing to store
        if current is None or any(current[k] != v for k, v in row.items()):
            repo.put_pickup(conn, {**row, "updated_at": utc_now()}, new=current is None)
            changed = True
    return _replace_discounts(conn, new.discounts) or changed


def _replace_discounts(conn: Connection, discounts: tuple[Discount, ...]) -> bool:
    listed = {d.id for d in discounts}
    changed = False
    for row in repo.list_discounts(conn):
        if row["id"] not in listed:
            repo.delete_discount(conn, row["id"])
            changed = True
    stamp = utc_now()
    for index, discount in enumerate(discounts):
        row = {**rows.discount_row(discount), "position": index}
        owner = repo.code_owner(conn, row["code"]) if row["code"] else None
        if owner is not None and owner != discount.id:
            raise SetupError([FieldProblem(f"discounts[{index}].code", Code.DUPLICATE,
                                           f"the code {row['code']} belongs to another discount in the store: "
                                           "swap codes in two imports")])
        current = repo.get_discount(conn, discount.id)
        if current is None:
            repo.put_discount(conn, {**row, "created_at": stamp, "updated_at": stamp}, new=True)
        elif any(current[k] != v for k, v in row.items()):
            repo.put_discount(conn, {**row, "updated_at": stamp}, new=False)
        else:
            continue
        changed = True
    return changed
