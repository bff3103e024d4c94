"""Holds are checkouts in progress: the live store database keeps them, the copy a device starts from
does not (the stock ledger itself goes along, like the catalogue)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cloud.sync.working_copy import device_copy
from inventory.helpers import T0, make_locations, make_product, receive
from shared.inventory import LocationPolicy, hold_stock
from shared.storefront.service import Store


def test_a_device_copy_carries_the_stock_but_no_holds(store: Store, tmp_path: Path):
    (variant, _), (shop, _) = make_product(store.db), make_locations(store.db)
    receive(store.db, variant, shop, 3)
    store.db.write(lambda conn: hold_stock(conn, group_id="secret-checkout-id", lines=[(variant, 1)],
                                           location_policy=LocationPolicy.at(shop), now=T0))
    target = tmp_path / "device.db"
    device_copy(store, target)
    assert b"secret-checkout-id" not in target.read_bytes()
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM stock_holds").fetchone()[0] == 0
        assert conn.execute("SELECT on_hand FROM location_stock WHERE variant_id = ?", (variant,)).fetchone()[0] == 3
    assert store.db.read(lambda conn: conn.scalar("SELECT count(*) FROM stock_holds")) == 1
