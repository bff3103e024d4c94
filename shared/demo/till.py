"""The demo's point-of-sale till: a POS device token of the demo store's shop, made anew each time
`vibeshop demo` starts (the token is shown once; the previous run's is revoked), and a product with few
units left there, so a newcomer can watch `vibeshop pos simulate` sell its last unit while its page is
open (docs/pos-api.md, "Reference client")."""

from __future__ import annotations

from dataclasses import dataclass

from shared.accounts.service import add_pos_device, list_pos_devices, revoke_pos_device
from shared.db import Connection
from shared.db.repositories.carts import variant_facts
from shared.db.repositories.inventory import list_locations, stock_levels
from shared.db.repositories.pos_inventory import counts_page
from shared.storefront.service import DataDir, Store

DEMO_TILL = "Demo till"
TILL_SHOP = "Pine Street shop"


@dataclass(frozen=True)
class DemoTill:
    """The till's token, its shop, and the variant with the fewest units (at least one) there."""

    token: str
    location_name: str
    sku: str
    units: int
    page: str           # the variant's product page: /products/HANDLE?variant=ID


def open_demo_till(data: DataDir, store: Store) -> DemoTill:
    """Revoke the previous run's demo till and make a new one at the shop (or the first location)."""
    catalog = data.catalog()
    try:
        for device in list_pos_devices(catalog, store.db, store_id=store.record.id):
            if device.name == DEMO_TILL and device.revoked_at is None:
                revoke_pos_device(catalog, device_id=device.id, store_id=store.record.id)
        locations = store.db.read(list_locations)
        location = next((loc for loc in locations if loc.name == TILL_SHOP), locations[0])
        made = add_pos_device(catalog, store.db, store_id=store.record.id, location=location.id, name=DEMO_TILL)
    finally:
        catalog.close()
    sku, units, page = store.db.read(lambda conn: _scarcest(conn, location.id))
    return DemoTill(made.token, location.name, sku, units, page)


def _scarcest(conn: Connection, location_id: str) -> tuple[str, int, str]:
    """(sku, on hand, page address) of the active variant with the fewest units in stock at the location
    and none anywhere else, so that selling them there sells it out on the storefront."""
    stocked = [(qty, sku, variant_id) for variant_id, sku, qty, _at in
               counts_page(conn, location_id=location_id, updated_after="", after=None, limit=100_000)
               if qty > 0 and sku]
    ids = [variant_id for _qty, _sku, variant_id in stocked]
    facts, levels = variant_facts(conn, ids), stock_levels(conn, ids)
    for qty, sku, variant_id in sorted(stocked):
        elsewhere = sum(max(n, 0) for loc, n in levels.get(variant_id, {}).items() if loc != location_id)
        if variant_id in facts and not elsewhere:
            return sku, qty, f"/products/{facts[variant_id].handle}?variant={variant_id}"
    return "", 0, ""
