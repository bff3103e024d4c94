"""The stock ledger: movements applied once by change id, occurred_at stored as UTC, counts as anchors
(Square's worked example), the storefront's summaries following along, and the migration that added
all this to a database that already had movements."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from inventory.helpers import T0, make_locations, make_product, receive, summary
from shared.db import Database, DatabaseError, connect
from shared.db import migrate
from shared.db.repositories import inventory as repo
from shared.db.stamps import new_id
from shared.inventory import (
    InventoryError, InventoryErrorCode, LocationPolicy, available, commit_holds, hold_stock, record_count,
    record_movement,
)
from shared.models import StockMovement

LEDGER_MIGRATION = 11


def at(hour: int, minute: int) -> datetime:
    return T0.replace(hour=hour, minute=minute)


def on_hand(db: Database, variant_id: str, location_id: str) -> int:
    return db.read(lambda conn: repo.stock_levels(conn, [variant_id]))[variant_id][location_id]


def move(db: Database, variant_id: str, location_id: str, delta: int, when: datetime, *, reason: str = "sold",
         change_id: str | None = None) -> bool:
    return db.write(lambda conn: record_movement(conn, change_id=change_id or new_id(), variant_id=variant_id,
                                                 location_id=location_id, delta=delta, reason=reason,
                                                 occurred_at=when, now=T0 + timedelta(hours=5)))


def count(db: Database, variant_id: str, location_id: str, quantity: int, when: datetime) -> bool:
    return db.write(lambda conn: record_count(conn, change_id=new_id(), variant_id=variant_id, location_id=location_id,
                                              quantity=quantity, occurred_at=when, now=T0 + timedelta(hours=5)))


def test_a_change_is_applied_once_and_occurred_at_is_stored_in_utc(db: Database):
    (variant, _), (shop, _) = make_product(db), make_locations(db)
    change = new_id()
    local = datetime(2030, 1, 1, 9, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert move(db, variant, shop, 4, local, reason="received", change_id=change)
    assert not move(db, variant, shop, 4, local, reason="received", change_id=change)
    assert not move(db, variant, shop, 4, local, reason="received", change_id=change.upper())
    [row] = db.read(lambda conn: repo.list_movements(conn, variant))
    assert row.occurred_at == "2030-01-01T14:30:00.000000+00:00"
    assert on_hand(db, variant, shop) == 4 and summary(db, variant) == 4


def test_counts_anchor_stock_and_late_movements_land_where_they_happened(db: Database):
    """Square's worked example: 100, a sale of 3 at 13:10, a count of 95 at 13:30, an offline sale of 2
    made at 13:20 uploaded at 13:35 leaves 95; waste of 2 at 13:40 gives 93."""
    (variant, _), (shop, warehouse) = make_product(db), make_locations(db)
    move(db, variant, shop, 100, at(9, 0), reason="received")
    move(db, variant, shop, -3, at(13, 10))
    assert on_hand(db, variant, shop) == 97
    count(db, variant, shop, 95, at(13, 30))
    assert on_hand(db, variant, shop) == 95
    move(db, variant, shop, -2, at(13, 20))           # the offline sale, uploaded late: inside the count
    assert on_hand(db, variant, shop) == 95
    move(db, variant, shop, -2, at(13, 40), reason="adjusted")
    assert on_hand(db, variant, shop) == 93
    # An older count changes nothing; a newer one re-anchors, counting what happened after it.
    count(db, variant, shop, 50, at(12, 0))
    assert on_hand(db, variant, shop) == 93
    move(db, variant, shop, -1, at(14, 10))
    count(db, variant, shop, 10, at(14, 0))
    assert on_hand(db, variant, shop) == 9
    # A movement at the very instant of the latest count is taken as counted already.
    move(db, variant, shop, -4, at(14, 0))
    assert on_hand(db, variant, shop) == 9
    # Other locations are their own ledgers; the storefront's per-variant summary is their sum.
    move(db, variant, warehouse, 6, at(9, 0), reason="received")
    assert summary(db, variant) == 15
    assert db.read(lambda conn: available(conn, [variant], now=at(15, 0))) == {variant: 15}


def test_a_count_of_zero_marks_the_product_sold_out_on_the_storefront(db: Database):
    (variant,), (shop, _) = make_product(db, variants=1), make_locations(db)
    product_available = lambda: db.read(lambda conn: conn.scalar(  # noqa: E731
        "SELECT ps.available FROM product_summary ps JOIN variants v ON v.product_id = ps.product_id WHERE v.id = ?",
        (variant,)))
    receive(db, variant, shop, 2)
    assert product_available() == 1
    count(db, variant, shop, 0, T0 + timedelta(hours=1))
    assert product_available() == 0 and summary(db, variant) == 0


def test_sales_through_holds_and_counts_share_one_ledger(db: Database):
    (variant, _), (shop, _) = make_product(db), make_locations(db)
    receive(db, variant, shop, 5)
    db.write(lambda conn: hold_stock(conn, group_id="c", lines=[(variant, 2)], location_policy=LocationPolicy.at(shop),
                                     now=T0 + timedelta(hours=1)))
    db.write(lambda conn: commit_holds(conn, group_id="c", reference="order-1", now=T0 + timedelta(hours=1)))
    count(db, variant, shop, 4, T0 + timedelta(minutes=30))     # counted before the sale: 4 - 2
    assert on_hand(db, variant, shop) == 2


def test_bad_movements_are_refused_with_codes(db: Database):
    (variant, _), (shop, _) = make_product(db), make_locations(db)
    cases = [
        (dict(delta=0), InventoryErrorCode.INVALID),
        (dict(delta=2.5), InventoryErrorCode.INVALID),
        (dict(reason="counted"), InventoryErrorCode.INVALID),
        (dict(reason="stolen"), InventoryErrorCode.INVALID),
        (dict(change_id="not-a-uuid"), InventoryErrorCode.INVALID),
        (dict(occurred_at=T0.replace(tzinfo=None)), InventoryErrorCode.INVALID),
        (dict(occurred_at="yesterday"), InventoryErrorCode.INVALID),
        (dict(variant_id="nope"), InventoryErrorCode.UNKNOWN_VARIANT),
        (dict(location_id="nowhere"), InventoryErrorCode.UNKNOWN_LOCATION),
    ]
    for change, code in cases:
        kwargs = {"change_id": new_id(), "variant_id": variant, "location_id": shop, "delta": 1,
                  "reason": "received", "occurred_at": T0, "now": T0, **change}
        with pytest.raises(InventoryError) as caught:
            db.write(lambda conn, kw=kwargs: record_movement(conn, **kw))
        assert caught.value.code == code, change
    with pytest.raises(InventoryError):
        db.write(lambda conn: record_count(conn, change_id=new_id(), variant_id=variant, location_id=shop,
                                           quantity=-1, occurred_at=T0, now=T0))
    # The table itself refuses a count without its quantity, and the ledger stays append-only.
    with pytest.raises(DatabaseError, match="count"):
        db.write(lambda conn: repo.insert_movement(conn, StockMovement(new_id(), variant, shop, 0, "counted", "",
                                                                       T0.isoformat(), T0.isoformat())))
    receive(db, variant, shop, 1)
    with pytest.raises(DatabaseError, match="append-only"):
        db.write(lambda conn: conn.execute("UPDATE stock_movements SET occurred_at = ''"))
    assert db.read(lambda conn: conn.scalar("SELECT count(*) FROM stock_movements")) == 1


def test_the_ledger_migration_keeps_existing_stock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    shipped = migrate.migrations_for
    monkeypatch.setattr(migrate, "migrations_for",
                        lambda kind: [m for m in shipped(kind) if kind != "store" or m.version < LEDGER_MIGRATION])
    old = connect(tmp_path / "store.db")
    (variant, other), (shop, warehouse) = make_product(old), make_locations(old)

    def old_style(conn) -> None:      # what earlier code wrote: no occurred_at, one stamp without a fraction
        for vid, loc, delta, stamp in [(variant, shop, 5, "2029-05-01T10:00:00+00:00"),
                                       (variant, warehouse, 2, "2029-05-01T10:00:00.250000+00:00"),
                                       (variant, shop, -1, "2029-05-02T10:00:00.000000+00:00"),
                                       (other, shop, 3, "2029-05-02T11:00:00.000000+00:00")]:
            conn.execute("INSERT INTO stock_movements (id, variant_id, location_id, delta, reason, created_at) "
                         "VALUES (?, ?, ?, ?, 'received', ?)", (new_id(), vid, loc, delta, stamp))

    old.write(old_style)
    old.close()
    monkeypatch.setattr(migrate, "migrations_for", shipped)
    db = connect(tmp_path / "store.db")
    try:
        assert db.read(lambda conn: repo.stock_levels(conn, [variant, other])) == {
            variant: {shop: 4, warehouse: 2}, other: {shop: 3}}
        assert summary(db, variant) == 6 and summary(db, other) == 3
        stamps = sorted(m.occurred_at for m in db.read(lambda conn: repo.list_movements(conn, variant)))
        assert stamps[0] == "2029-05-01T10:00:00.000000+00:00" and all(len(s) == 32 for s in stamps)
        count(db, variant, shop, 10, datetime(2029, 5, 1, 12, tzinfo=timezone.utc))
        assert on_hand(db, variant, shop) == 9      # the count, then the sale of 1 on May 2nd
    finally:
        db.close()
