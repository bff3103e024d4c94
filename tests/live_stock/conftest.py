"""Live stock against the seeded demo store: POS device tokens at both of its locations, and a product
with one variant whose stock the tests set (the storefront sums a variant's stock over locations)."""

from __future__ import annotations

from pathlib import Path

import pytest

from live_support import LiveSetup
from shared.accounts.service import create_pos_device_token
from shared.db.repositories.inventory import list_locations
from shared.storefront.service import DataDir, open_store


@pytest.fixture
def live_setup(demo_dir: Path) -> LiveSetup:
    store = open_store(DataDir(demo_dir), "demo")
    try:
        locations = {loc.name: loc.id for loc in store.db.read(list_locations)}
        product_id, handle, variant_id, sku = store.db.read(lambda conn: conn.one(
            "SELECT p.id, p.handle, v.id, v.sku FROM products p JOIN variants v ON v.product_id = p.id "
            "WHERE v.sku <> '' AND (SELECT count(*) FROM variants w WHERE w.product_id = p.id) = 1 "
            "AND (SELECT count(*) FROM variants w WHERE w.sku = v.sku) = 1 ORDER BY p.handle LIMIT 1"))
    finally:
        store.close()
    catalog = DataDir(demo_dir).catalog()
    try:
        tokens = tuple(create_pos_device_token(catalog, store_id=store.record.id, location_id=locations[name],
                                               name=f"till {index}")[1]
                       for index, name in enumerate(sorted(locations)))
    finally:
        catalog.close()
    return LiveSetup(demo_dir, tokens, product_id, handle, variant_id, sku)
