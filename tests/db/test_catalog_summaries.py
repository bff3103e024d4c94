"""The trigger-kept summaries (migration 0004) always agree with the source rows they summarise."""

from __future__ import annotations

from shared.db.stamps import new_id, utc_now


def _check(db) -> None:
    mismatched_stock = db.read(lambda c: c.all(
        "SELECT v.id FROM variants v LEFT JOIN variant_stock s ON s.variant_id = v.id "
        "WHERE coalesce(s.on_hand, 0) <> (SELECT coalesce(sum(delta), 0) FROM stock_movements m WHERE m.variant_id = v.id)"))
    assert mismatched_stock == []
    mismatched_products = db.read(lambda c: c.all(
        "SELECT p.id FROM products p JOIN product_summary ps ON ps.product_id = p.id WHERE "
        "ps.min_price IS NOT (SELECT min(price_amount) FROM variants WHERE product_id = p.id) OR "
        "ps.max_price IS NOT (SELECT max(price_amount) FROM variants WHERE product_id = p.id) OR "
        "ps.available <> EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id AND "
        "(SELECT coalesce(sum(delta), 0) FROM stock_movements m WHERE m.variant_id = v.id) > 0)"))
    assert mismatched_products == []
    assert db.read(lambda c: c.scalar("SELECT count(*) FROM products")) == db.read(
        lambda c: c.scalar("SELECT count(*) FROM product_summary"))


def test_summaries_match_the_demo_and_follow_every_change(demo_store) -> None:
    db = demo_store.db
    _check(db)
    variant, location = db.read(lambda c: c.one(
        "SELECT v.id, (SELECT id FROM locations LIMIT 1) FROM variants v JOIN products p ON p.id = v.product_id "
        "WHERE p.handle = 'lavender-fog-candle' LIMIT 1"))
    assert db.read(lambda c: c.scalar("SELECT available FROM product_summary ps JOIN products p ON p.id = ps.product_id "
                                      "WHERE p.handle = 'lavender-fog-candle'")) == 0
    db.write(lambda c: c.execute("INSERT INTO stock_movements (id, variant_id, location_id, delta, reason, created_at) "
                                 "VALUES (?, ?, ?, 3, 'received', ?)", (new_id(), variant, location, utc_now())))
    _check(db)
    db.write(lambda c: c.execute("INSERT INTO stock_movements (id, variant_id, location_id, delta, reason, created_at) "
                                 "VALUES (?, ?, ?, -3, 'sold', ?)", (new_id(), variant, location, utc_now())))
    _check(db)
    db.write(lambda c: c.execute("UPDATE variants SET price_amount = 1 WHERE id = ?", (variant,)))
    _check(db)
    db.write(lambda c: c.execute("DELETE FROM variants WHERE id = ?", (variant,)))
    _check(db)
    db.write(lambda c: c.execute("DELETE FROM products WHERE handle = 'lavender-fog-candle'"))
    _check(db)
