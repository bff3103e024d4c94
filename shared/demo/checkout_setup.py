"""The demo store's checkout setup (docs/checkout.md, "Setup"): what a small Maine shop selling online
would set up. US sales tax by state with prices shown before tax; US shipping at a flat $5.00, free
over $75; international shipping by weight; local delivery around Port Clyde; pickup at the Pine
Street shop; a WELCOME10 code and free shipping over $100."""

from __future__ import annotations

from shared.checkout.setup import (
    Discount, DiscountKind, DiscountMethod, LocalDelivery, RateKind, RateTier, ShippingRate, ShippingZone, TaxRate,
    TaxSetup, ZoneArea)
from shared.checkout import setup_rows as rows
from shared.db import Connection
from shared.db.repositories import checkout_setup as repo
from shared.db.stamps import utc_now
from shared.models import Location

TAX = TaxSetup(prices_include_tax=False, default_rate="0", tax_shipping=False, rates=(
    TaxRate("US", "5.5", "ME", "Maine sales tax"),
    TaxRate("US", "6.25", "MA", "Massachusetts sales tax"),
    TaxRate("US", "8.875", "NY", "New York sales tax"),
    TaxRate("US", "7.25", "CA", "California sales tax"),
    TaxRate("US", "6", "VT", "Vermont sales tax"),
    TaxRate("CA", "5", "", "GST"),
    TaxRate("GB", "20", "", "VAT"),
))

ZONES = (
    ShippingZone("us", "United States", (ZoneArea("US"),), (
        ShippingRate("us-standard", "Standard", RateKind.FLAT, price=500, free_over=7500, min_days=3, max_days=5),
        ShippingRate("us-express", "Express", RateKind.FLAT, price=1500, min_days=1, max_days=2),
    )),
    ShippingZone("international", "International",
                 tuple(ZoneArea(country) for country in ("CA", "GB", "IE", "FR", "DE", "NL", "AU", "JP")), (
        ShippingRate("intl-standard", "International standard", RateKind.WEIGHT, tiers=(
            RateTier(0, 1500), RateTier(500, 2500), RateTier(2000, 4000), RateTier(5000, 6500)),
            min_days=6, max_days=14),
    )),
)

LOCAL = (LocalDelivery("local", "Local delivery", "US", ("04855", "04860", "04859", "04861", "04841"),
                       price=300, free_over=5000, min_days=1, max_days=1),)

DISCOUNTS = (
    Discount("welcome10", DiscountKind.PERCENTAGE, DiscountMethod.CODE, title="Welcome offer", code="WELCOME10",
             percent="10", min_subtotal=2000, once_per_customer=True),
    Discount("free-shipping-100", DiscountKind.FREE_SHIPPING, DiscountMethod.AUTOMATIC,
             title="Free shipping over $100", min_subtotal=10000),
)

PICKUP_INSTRUCTIONS = "Usually ready in 2 hours. Come to the counter at 14 Pine Street with your order number."


def seed_checkout(conn: Connection, shop: Location) -> bool:
    """Write the demo setup unless the store has one already (idempotent: a second run, or a store
    seeded before checkout existed, gets it once). Pickup is offered at `shop`. True when written."""
    stored = repo.get_settings(conn)          # the row always exists (migration 0016): saved once it has a stamp
    if (stored is not None and stored["updated_at"]) or repo.list_discounts(conn):
        return False
    stamp = utc_now()
    repo.put_settings(conn, {**rows.settings_row(TAX, ZONES, LOCAL), "updated_at": stamp})
    repo.put_pickup(conn, {"id": shop.id, "enabled": 1, "name": shop.name, "address": shop.address,
                           "country": "US", "region": "ME", "postal_code": "04855",
                           "instructions": PICKUP_INSTRUCTIONS, "updated_at": stamp}, new=True)
    for position, discount in enumerate(DISCOUNTS):
        repo.put_discount(conn, {**rows.discount_row(discount), "position": position, "created_at": stamp,
                                 "updated_at": stamp}, new=True)
    return True
