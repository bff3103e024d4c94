"""The demo's point-of-sale till: a POS device token of the demo store's shop, and a product with few
units left there, so a newcomer can watch `vibeshop pos simulate` sell its last unit while its page is
open (docs/pos-api.md, "Reference client").

A merchant's device token is shown once and never stored. The demo's till is the one exception: its
token is kept in DATA/demo-till.token (readable by its owner only, like the studio's own token in
DATA/studio), so each start of `vibeshop demo` prints the same till instead of revoking the last run's
and piling revoked "Demo till" rows on the studio's Point of sale page. A till revoked by hand, or a
file lost, gets a new till (and any other live demo till is revoked)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from shared.accounts.errors import AuthError
from shared.accounts.service import add_pos_device, check_token, list_pos_devices, revoke_pos_device
from shared.db import Connection, Database
from shared.db.repositories.carts import variant_facts
from shared.db.repositories.inventory import list_locations, stock_levels
from shared.db.repositories.pos_inventory import counts_page
from shared.storefront.service import DataDir, Store

DEMO_TILL = "Demo till"
TILL_SHOP = "Pine Street shop"
TOKEN_FILE = "demo-till.token"


@dataclass(frozen=True)
class DemoTill:
    """The till's token, its shop, and the variant with the fewest units (at least one) there."""

    token: str
    location_name: str
    sku: str
    units: int
    page: str           # the variant's product page: /products/HANDLE?variant=ID


def open_demo_till(data: DataDir, store: Store) -> DemoTill:
    """The last run's demo till when its token still works, else a new one at the shop (or the first
    location), with every other live demo till revoked."""
    kept = data.root / TOKEN_FILE
    catalog = data.catalog()
    try:
        token, location_id = _working_till(catalog, store, kept)
        if token is None:
            for device in list_pos_devices(catalog, store.db, store_id=store.record.id):
                if device.name == DEMO_TILL and device.revoked_at is None:
                    revoke_pos_device(catalog, device_id=device.id, store_id=store.record.id)
            locations = store.db.read(list_locations)
            location_id = next((loc for loc in locations if loc.name == TILL_SHOP), locations[0]).id
            token = add_pos_device(catalog, store.db, store_id=store.record.id, location=location_id,
                                   name=DEMO_TILL).token
            _keep_token(kept, token)
    finally:
        catalog.close()
    location_name = next(loc.name for loc in store.db.read(list_locations) if loc.id == location_id)
    sku, units, page = store.db.read(lambda conn: _scarcest(conn, location_id))
    return DemoTill(token, location_name, sku, units, page)


def _working_till(catalog: Database, store: Store, kept: Path) -> tuple[str | None, str]:
    """(token, location id) of the kept till when its token still sells at a location of the store."""
    try:
        token = kept.read_text(encoding="utf-8").strip()
        grant = check_token(catalog, token)
    except (OSError, UnicodeDecodeError, AuthError):
        return None, ""
    locations = {loc.id for loc in store.db.read(list_locations)}
    if grant.store_id != store.record.id or "pos" not in grant.scopes or grant.location_id not in locations:
        return None, ""
    return token, grant.location_id


def _keep_token(path: Path, token: str) -> None:
    """Write the till's token for the next run, readable by its owner only."""
    path.unlink(missing_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(token + "\n")


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
