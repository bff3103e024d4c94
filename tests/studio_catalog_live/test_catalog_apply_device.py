"""A device applying the catalogue feed (shared/sync/catalog_refresh.py) against the real cloud app:
pages of one row still write (a new variant whose product's entry moved later comes with its parent),
a handle that moved between two products does not clash half-way, a cursor the cloud does not know
starts again from 0, and the device ends with the cloud's catalogue."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import httpx

from catalog_live_support import CatalogSetup
from shared.db.repositories import catalog_changes
from shared.db.stamps import utc_now
from shared.storefront.service import DataDir, open_store
from shared.sync import catalog_refresh

_PRODUCT_COLUMNS = "id, handle, title, status"


def _catalogue(db) -> tuple:
    return db.read(lambda conn: (
        conn.all(f"SELECT {_PRODUCT_COLUMNS} FROM products ORDER BY id"),
        conn.all("SELECT id, product_id, title, sku, price_amount FROM variants ORDER BY id"),
        conn.all("SELECT variant_id, location_id, on_hand FROM location_stock ORDER BY variant_id, location_id")))


def _add_product(conn, product_id: str, handle: str, variant_id: str) -> None:
    now = utc_now()
    conn.execute("INSERT INTO products (id, handle, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                 (product_id, handle, f"Product {handle}", now, now))
    conn.execute("INSERT INTO variants (id, product_id, title, sku, price_amount, currency, created_at, updated_at) "
                 "VALUES (?, ?, 'Default', ?, 1200, 'USD', ?, ?)", (variant_id, product_id, f"SKU-{variant_id}", now, now))


async def _pull(feed_client, setup: CatalogSetup, device_db, limit: int):
    remote = str(feed_client.make_url("")).rstrip("/")

    def run():
        with httpx.Client() as client:
            return catalog_refresh.pull_catalog(device_db, remote=remote, token=setup.sync_token, client=client,
                                                limit=limit)

    return await asyncio.to_thread(run)


async def test_a_device_catches_up_page_by_page(feed_client, catalog_setup: CatalogSetup, tmp_path: Path) -> None:
    device_dir = tmp_path / "device"
    shutil.copytree(catalog_setup.data, device_dir)          # what the device linked from
    device = open_store(DataDir(device_dir), "demo")
    cloud = open_store(DataDir(catalog_setup.data), "demo")
    try:
        first = await _pull(feed_client, catalog_setup, device.db, limit=1000)
        assert first.rows > 0 and first.cursor == cloud.db.read(catalog_changes.latest_seq)

        def edit(conn) -> None:
            _add_product(conn, "p-new", "new-tee", "v-new")
            conn.execute("UPDATE products SET title = 'Renamed later' WHERE id = 'p-new'")   # its entry moves past v-new
            _add_product(conn, "p-a", "spring", "v-a")
            conn.execute("UPDATE products SET handle = 'spring-old' WHERE id = 'p-a'")
            _add_product(conn, "p-b", "spring", "v-b")                    # takes the handle p-a gave up
            conn.execute("UPDATE products SET title = 'A again' WHERE id = 'p-a'")
            conn.execute("DELETE FROM products WHERE handle = 'harbor-classic-tee'")

        cloud.db.write(edit)
        result = await _pull(feed_client, catalog_setup, device.db, limit=1)
        assert result.rows >= 7
        assert _catalogue(device.db) == _catalogue(cloud.db)

        # A cursor the cloud never gave (the store was rebuilt): the device starts again from 0.
        device.db.write(lambda conn: catalog_changes.set_cursor(conn, 10**9))
        again = await _pull(feed_client, catalog_setup, device.db, limit=1000)
        assert again.cursor == cloud.db.read(catalog_changes.latest_seq)
        assert _catalogue(device.db) == _catalogue(cloud.db)
    finally:
        device.close()
        cloud.close()


def test_a_row_this_schema_refuses_is_skipped_not_blocking(demo_store) -> None:
    db = demo_store.db
    variant_id, location_id = db.read(lambda conn: conn.one("SELECT variant_id, location_id FROM location_stock LIMIT 1"))
    bad = db.read(lambda conn: catalog_changes.read_row(conn, "variants", (variant_id,)))
    page = {"changes": [
        {"seq": 5, "table": "variants", "key": variant_id, "row": {**bad, "price_amount": -1}},        # CHECK fails
        {"seq": 6, "table": "location_stock", "key": [variant_id, location_id],
         "row": {"variant_id": variant_id, "location_id": location_id, "on_hand": 4321, "counted_at": None}},
        {"seq": 7, "table": "no_such_table", "key": "x", "row": {"id": "x"}}],
        "parents": [], "cursor": 7, "more": False}
    result = catalog_refresh.apply_page(db, page)
    assert result.rows == 1 and result.cursor == 7
    assert db.read(catalog_changes.get_cursor) == 7
    assert db.read(lambda conn: conn.scalar("SELECT price_amount FROM variants WHERE id = ?", (variant_id,))) == bad[
        "price_amount"]
    assert db.read(lambda conn: conn.scalar("SELECT on_hand FROM location_stock WHERE variant_id = ? AND location_id = ?",
                                            (variant_id, location_id))) == 4321
