"""Builds checkout setups and carts from the plain dicts of rounding_cases.json (and other tests)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from shared.checkout import (
    CheckoutSetup, Destination, Discount, DiscountKind, DiscountMethod, LocalDelivery, PickupLocation,
    PricedLine, RateKind, RateTier, ShippingRate, ShippingSetup, ShippingZone, TaxRate, TaxSetup, ZoneArea)

TABLE = json.loads((Path(__file__).parent / "rounding_cases.json").read_text(encoding="utf-8"))
NOW = datetime.fromisoformat(TABLE["now"])


def build_tax(data: dict) -> TaxSetup:
    """A TaxSetup from its dict."""
    return TaxSetup(prices_include_tax=data.get("prices_include_tax", False),
                    default_rate=data.get("default_rate", "0"),
                    rates=tuple(TaxRate(**rate) for rate in data.get("rates", ())),
                    tax_shipping=data.get("tax_shipping", False))


def build_rate(data: dict) -> ShippingRate:
    """A ShippingRate from its dict."""
    data = dict(data)
    data["kind"] = RateKind(data.get("kind", "flat"))
    data["tiers"] = tuple(RateTier(**tier) for tier in data.get("tiers", ()))
    return ShippingRate(**data)


def build_shipping(data: dict) -> ShippingSetup:
    """A ShippingSetup from its dict."""
    zones = tuple(ShippingZone(id=zone["id"], name=zone["name"],
                               areas=tuple(ZoneArea(area["country"], tuple(area.get("regions", ())))
                                           for area in zone["areas"]),
                               rates=tuple(build_rate(rate) for rate in zone["rates"]))
                  for zone in data.get("zones", ()))
    pickup = tuple(PickupLocation(**location) for location in data.get("pickup", ()))
    local = tuple(LocalDelivery(**{**entry, "postal_codes": tuple(entry["postal_codes"])})
                  for entry in data.get("local_delivery", ()))
    return ShippingSetup(zones=zones, pickup=pickup, local_delivery=local)


def build_discount(data: dict) -> Discount:
    """A Discount from its dict (dates as ISO strings)."""
    data = dict(data)
    data["kind"] = DiscountKind(data["kind"])
    data["method"] = DiscountMethod(data["method"])
    for name in ("product_ids", "collection_ids"):
        data[name] = tuple(data.get(name, ()))
    for name in ("starts_at", "ends_at"):
        if data.get(name):
            data[name] = datetime.fromisoformat(data[name])
    return Discount(**data)


def build_setup(case: dict) -> CheckoutSetup:
    """The CheckoutSetup of a table case."""
    return CheckoutSetup(currency=case["currency"], tax=build_tax(case.get("tax", {})),
                         shipping=build_shipping(case.get("shipping", {})),
                         discounts=tuple(build_discount(d) for d in case.get("discounts", ())))


def build_lines(case: dict) -> list[PricedLine]:
    """The cart of a table case; variant and product ids default to v0, p0, v1, p1, ..."""
    lines = []
    for index, line in enumerate(case["lines"]):
        line = dict(line)
        line.setdefault("variant_id", f"v{index}")
        line.setdefault("product_id", f"p{index}")
        line["collection_ids"] = tuple(line.get("collection_ids", ()))
        lines.append(PricedLine(**line))
    return lines


def build_destination(case: dict) -> Destination:
    """The destination of a table case."""
    return Destination(**case.get("destination", {}))
