"""The database a newly linked device starts from (GET /_sync/snapshot) carries the catalogue and the
content, but no shoppers: no customers, carts or orders, not even as deleted bytes in the file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sync_http_support import pair
from shared.mail import OutgoingEmail, enqueue_email
from shared.storefront.service import DataDir, open_store

EMAIL = "ada.lovelace@example.org"
MAILED = "grace.hopper@example.org"       # only in the outbox: a confirmation waiting to be sent


def _add_a_shopper(data: Path) -> None:
    store = open_store(DataDir(data), "demo")
    try:
        def write(conn) -> None:
            variant = conn.scalar("SELECT id FROM variants LIMIT 1")
            conn.execute("INSERT INTO customers (id, email, name, created_at) VALUES ('c1', ?, 'Ada', '2026-12-01')",
                         (EMAIL,))
            conn.execute("INSERT INTO carts (id, token, customer_id, currency, created_at, updated_at) "
                         "VALUES ('k1', 'secret-cart-token', 'c1', 'USD', '2026-12-01', '2026-12-01')")
            conn.execute("INSERT INTO cart_lines (id, cart_id, variant_id, quantity, seen_price, seen_currency, "
                         "position, added_at) VALUES ('l1', 'k1', ?, 1, 2500, 'USD', 0, '2026-12-01')", (variant,))
            conn.execute("INSERT INTO orders (id, number, customer_id, email, currency, subtotal_amount, "
                         "total_amount, created_at, updated_at) VALUES ('o1', 1001, 'c1', ?, 'USD', 2500, 2500, "
                         "'2026-12-01', '2026-12-01')", (EMAIL,))
            conn.execute("INSERT INTO order_lines (id, order_id, variant_id, title, quantity, unit_amount) "
                         "VALUES ('ol1', 'o1', ?, 'Mug', 1, 2500)", (variant,))
            enqueue_email(conn, OutgoingEmail(to=MAILED, subject="Order #1001 confirmed", text="Mug", html=""),
                          dedupe_key="order:o1:confirmation")

        store.db.write(write)
    finally:
        store.close()


async def test_the_device_snapshot_has_the_catalogue_and_no_shoppers(cloud, demo_dir: Path, tmp_path: Path) -> None:
    _add_a_shopper(demo_dir)
    device = await pair(cloud, demo_dir)
    response = await cloud.get("/_sync/snapshot", headers=device.headers)
    assert response.status == 200
    raw = await response.read()
    assert EMAIL.encode() not in raw and b"secret-cart-token" not in raw and MAILED.encode() not in raw
    path = tmp_path / "snapshot.db"
    path.write_bytes(raw)
    with sqlite3.connect(path) as conn:
        counts = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                  for table in ("customers", "carts", "cart_lines", "orders", "order_lines", "outbox", "products",
                                "variants", "pages", "blocks")}
    shoppers = ("customers", "carts", "cart_lines", "orders", "order_lines", "outbox")
    assert {t: n for t, n in counts.items() if t in shoppers} == dict.fromkeys(shoppers, 0)
    assert counts["products"] > 0 and counts["variants"] > 0 and counts["pages"] > 0 and counts["blocks"] > 0
    store = open_store(DataDir(demo_dir), "demo")       # the live store keeps its shoppers
    try:
        assert store.db.read(lambda conn: conn.scalar("SELECT count(*) FROM orders")) == 1
    finally:
        store.close()
