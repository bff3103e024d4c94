"""The data layer on real libSQL files: pragmas, migrations, the one write path, savepoints,
append-only stock, integer money and bound parameters."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.db import Connection, Database, DatabaseError, MigrationError, connect
from shared.db import migrate
from shared.db.repositories import catalog, inventory
from shared.db.repositories import pages as page_repo
from shared.db.stamps import new_id, utc_now
from shared.models import Location, Money, Product, StockMovement, Variant
from shared.pages.service import create_page


def _schema(db: Database) -> list[tuple]:
    return db.read(lambda conn: conn.all(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"))


def _ledger(db: Database) -> list[tuple]:
    return db.read(lambda conn: conn.all("SELECT version, name, applied_at FROM schema_migrations ORDER BY version"))


def _product(*, variants: int = 1, price: int = 2500) -> Product:
    pid, now = new_id(), utc_now()
    return Product(pid, f"tee-{pid[:8]}", "Tee", variants=tuple(
        Variant(new_id(), pid, f"V{i}", f"SKU-{i}", Money(price + i, "USD"), None, (f"V{i}", None, None), i)
        for i in range(variants)), created_at=now, updated_at=now)


def _locations(db: Database) -> tuple[Location, Location]:
    shop = Location(new_id(), "Shop", is_default=True, created_at=utc_now())
    warehouse = Location(new_id(), "Warehouse", created_at=utc_now())

    def write(conn: Connection) -> None:
        inventory.insert_location(conn, shop)
        inventory.insert_location(conn, warehouse)

    db.write(write)
    return shop, warehouse


def test_connect_opens_an_embedded_file_with_wal_and_foreign_keys(tmp_path: Path):
    db = connect(tmp_path / "sub" / "store.db")
    try:
        assert (tmp_path / "sub" / "store.db").is_file()
        assert db.read(lambda conn: conn.scalar("PRAGMA journal_mode")) == "wal"
        assert db.read(lambda conn: conn.scalar("PRAGMA foreign_keys")) == 1
        # Foreign keys are enforced, not just switched on: a block cannot point at a missing page.
        with pytest.raises(DatabaseError, match="FOREIGN KEY"):
            db.write(lambda conn: conn.execute(
                "INSERT INTO blocks (id, page_id, kind, position, created_at, updated_at) "
                "VALUES ('b', 'no-such-page', 'hero', 0, '', '')"))
    finally:
        db.close()


@pytest.mark.parametrize("kind, table", [("store", "stock_movements"), ("catalog", "stores")])
def test_migrations_are_applied_at_open_and_recorded(tmp_path: Path, kind: str, table: str):
    db = connect(tmp_path / f"{kind}.db", migrations=kind)
    try:
        expected = [(m.version, m.name) for m in migrate.migrations_for(kind)]
        assert expected, "there must be migrations to apply"
        assert [(v, n) for v, n, _at in _ledger(db)] == expected
        assert db.read(lambda conn: conn.scalar(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))) == 1
    finally:
        db.close()


def test_reopening_applies_nothing_and_keeps_the_same_schema(tmp_path: Path):
    path = tmp_path / "store.db"
    first = connect(path)
    schema, ledger = _schema(first), _ledger(first)
    first.close()

    again = connect(path)
    try:
        assert _schema(again) == schema
        assert _ledger(again) == ledger            # same rows, same applied_at: nothing re-applied
        assert migrate.apply_migrations(again, "store") == []
        assert _schema(again) == schema
    finally:
        again.close()


def test_a_failing_migration_leaves_the_database_at_the_previous_version(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "store.db"
    connect(path).close()
    shipped = migrate.migrations_for

    versions = [m.version for m in shipped("store")]
    broken = max(versions) + 1

    def with_broken(kind: str) -> list[migrate.Migration]:
        # The first statement works, the second fails: the first must be rolled back with it.
        return [*shipped(kind), migrate.Migration(broken, "broken", "CREATE TABLE half_done (x INTEGER);\n"
                                                                    "INSERT INTO no_such_table VALUES (1);\n")]

    monkeypatch.setattr(migrate, "migrations_for", with_broken)
    with pytest.raises(MigrationError, match=f"{broken:04d}_broken"):
        connect(path)

    monkeypatch.setattr(migrate, "migrations_for", shipped)
    db = connect(path)
    try:
        assert [v for v, _n, _at in _ledger(db)] == versions
        assert db.read(lambda conn: conn.scalar(
            "SELECT count(*) FROM sqlite_master WHERE name = 'half_done'")) == 0
    finally:
        db.close()


def test_migrations_with_triggers_and_comments_run_statement_by_statement(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch):
    shipped = migrate.migrations_for
    sql = """-- a comment; with a semicolon
CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL DEFAULT 'a;b');
CREATE TRIGGER notes_frozen BEFORE UPDATE ON notes
BEGIN SELECT RAISE(ABORT, 'notes are frozen; sorry'); END;
/* trailing comment */
"""
    versions = [m.version for m in shipped("store")]
    extra = max(versions) + 1
    monkeypatch.setattr(migrate, "migrations_for",
                        lambda kind: [*shipped(kind), migrate.Migration(extra, "notes", sql)])
    db = connect(tmp_path / "store.db")
    try:
        assert [v for v, _n, _at in _ledger(db)] == [*versions, extra]
        db.write(lambda conn: conn.execute("INSERT INTO notes (id) VALUES (1)"))
        assert db.read(lambda conn: conn.scalar("SELECT body FROM notes")) == "a;b"
        with pytest.raises(DatabaseError, match="notes are frozen; sorry"):
            db.write(lambda conn: conn.execute("UPDATE notes SET body = 'x'"))
    finally:
        db.close()


def test_write_commits_everything_or_nothing(db: Database):
    db.write(lambda conn: conn.execute("INSERT INTO menus (handle, updated_at) VALUES ('main', 'now')"))

    def half_then_fail(conn: Connection) -> None:
        conn.execute("INSERT INTO menus (handle, updated_at) VALUES ('footer', 'now')")
        conn.execute("UPDATE menus SET items = '[1]' WHERE handle = 'main'")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        db.write(half_then_fail)

    def constraint_on_second(conn: Connection) -> None:
        conn.execute("INSERT INTO menus (handle, updated_at) VALUES ('side', 'now')")
        conn.execute("INSERT INTO menus (handle, updated_at) VALUES ('main', 'again')")   # duplicate key

    with pytest.raises(DatabaseError, match="UNIQUE"):
        db.write(constraint_on_second)
    assert db.read(lambda conn: conn.all("SELECT handle, items FROM menus")) == [("main", "[]")]
    # The connection is usable again after each rollback.
    db.write(lambda conn: conn.execute("INSERT INTO menus (handle, updated_at) VALUES ('side', 'now')"))
    assert db.read(lambda conn: conn.scalar("SELECT count(*) FROM menus")) == 2


def test_write_cannot_nest(db: Database):
    with pytest.raises(DatabaseError, match="cannot nest"):
        db.write(lambda conn: db.write(lambda inner: None))
    db.write(lambda conn: conn.execute("INSERT INTO menus (handle, updated_at) VALUES ('main', 'now')"))
    assert db.read(lambda conn: conn.scalar("SELECT count(*) FROM menus")) == 1


def test_on_commit_callbacks_run_only_after_the_commit(tmp_path: Path):
    path = tmp_path / "store.db"
    db, observer = connect(path), connect(path)
    seen: list[object] = []
    try:
        def commit_with_callback(conn: Connection) -> None:
            conn.execute("INSERT INTO menus (handle, updated_at) VALUES ('main', 'now')")
            # Another connection sees the row only once it is committed.
            db.on_commit(lambda: seen.append(observer.read(lambda c: c.scalar("SELECT count(*) FROM menus"))))
            seen.append("queued")

        db.write(commit_with_callback)
        assert seen == ["queued", 1]

        def rolled_back(conn: Connection) -> None:
            conn.execute("INSERT INTO menus (handle, updated_at) VALUES ('footer', 'now')")
            db.on_commit(lambda: seen.append("must not run"))
            raise ValueError("rolled back")

        with pytest.raises(ValueError):
            db.write(rolled_back)
        db.write(lambda conn: conn.execute("UPDATE menus SET items = '[]'"))   # a later commit
        assert seen == ["queued", 1]

        def failing_callback(conn: Connection) -> None:
            conn.execute("INSERT INTO menus (handle, updated_at) VALUES ('side', 'now')")
            db.on_commit(lambda: 1 / 0)
            db.on_commit(lambda: seen.append("second"))

        db.write(failing_callback)   # a failed side effect does not undo the committed write
        assert seen[-1] == "second"
        assert observer.read(lambda c: c.scalar("SELECT count(*) FROM menus")) == 2
    finally:
        db.close()
        observer.close()


def test_a_savepoint_rolls_back_alone(db: Database):
    def write(conn: Connection) -> None:
        conn.execute("INSERT INTO menus (handle, updated_at) VALUES ('before', 'now')")
        with pytest.raises(RuntimeError), conn.savepoint("inner"):
            conn.execute("INSERT INTO menus (handle, updated_at) VALUES ('inside', 'now')")
            raise RuntimeError("undo the inner unit only")
        with conn.savepoint("kept"):
            conn.execute("INSERT INTO menus (handle, updated_at) VALUES ('kept', 'now')")
        conn.execute("INSERT INTO menus (handle, updated_at) VALUES ('after', 'now')")

    db.write(write)
    assert sorted(r[0] for r in db.read(lambda conn: conn.all("SELECT handle FROM menus"))) == \
        ["after", "before", "kept"]


def test_stock_movements_are_append_only_and_summed_per_variant_and_location(db: Database):
    product = _product(variants=2)
    shop, warehouse = _locations(db)
    red, blue = product.variants
    moves = [(red, shop, 10, "received"), (red, shop, -3, "sold"), (red, warehouse, 5, "received"),
             (blue, warehouse, 7, "received"), (blue, warehouse, -7, "sold"), (red, shop, 1, "returned")]
    movements = [StockMovement(new_id(), v.id, loc.id, delta, reason, "", utc_now())
                 for v, loc, delta, reason in moves]

    def write(conn: Connection) -> list[bool]:
        catalog.insert_product(conn, product)
        return [inventory.insert_movement(conn, m) for m in movements]

    assert db.write(write) == [True] * len(movements)
    # The same movement (same id) is applied once only.
    assert db.write(lambda conn: inventory.insert_movement(conn, movements[0])) is False

    levels = db.read(lambda conn: inventory.stock_levels(conn, [red.id, blue.id]))
    assert levels == {red.id: {shop.id: 8, warehouse.id: 5}, blue.id: {warehouse.id: 0}}

    with pytest.raises(DatabaseError, match="append-only"):
        db.write(lambda conn: conn.execute("UPDATE stock_movements SET delta = 100"))
    with pytest.raises(DatabaseError, match="append-only"):
        db.write(lambda conn: conn.execute("DELETE FROM stock_movements WHERE id = ?", (movements[0].id,)))
    assert db.read(lambda conn: conn.scalar("SELECT count(*) FROM stock_movements")) == len(movements)
    assert db.read(lambda conn: inventory.stock_levels(conn, [red.id, blue.id])) == levels


def test_money_columns_are_integers(db: Database):
    columns = db.read(lambda conn: [(table, col[1], col[2]) for (table,) in conn.all(
        "SELECT name FROM sqlite_master WHERE type = 'table'") for col in conn.all(f"PRAGMA table_info({table})")])
    money = {(t, name): kind for t, name, kind in columns if name.endswith("_amount")}
    assert set(money) == {("variants", "price_amount"), ("variants", "compare_at_amount"),
                          ("orders", "subtotal_amount"), ("orders", "shipping_amount"), ("orders", "tax_amount"),
                          ("orders", "total_amount"), ("orders", "discount_amount"), ("order_lines", "unit_amount"),
                          ("order_lines", "subtotal_amount"), ("order_lines", "discount_amount"),
                          ("order_lines", "tax_amount"), ("order_lines", "total_amount"),
                          ("orders", "captured_amount")}
    assert set(money.values()) == {"INTEGER"}

    product = _product(price=1999)
    db.write(lambda conn: catalog.insert_product(conn, product))
    assert db.read(lambda conn: conn.all("SELECT DISTINCT typeof(price_amount) FROM variants")) == [("integer",)]
    loaded = db.read(lambda conn: catalog.get_products(conn, [product.id]))[product.id]
    assert loaded.variants[0].price == Money(1999, "USD")
    with pytest.raises(TypeError):
        Money(19.99, "USD")
    # The column refuses a negative price even when a caller bypasses the model.
    with pytest.raises(DatabaseError, match="CHECK"):
        db.write(lambda conn: conn.execute("UPDATE variants SET price_amount = -1"))


def test_parameters_are_bound_so_sql_looking_text_is_just_data(db: Database):
    hostile = "Robert'); DROP TABLE pages; --"
    page = create_page(db, title=hostile, slug="bobby")
    stored = db.read(lambda conn: page_repo.get_page(conn, page.id))
    assert stored.title == hostile
    assert db.read(lambda conn: page_repo.get_page_by_slug(conn, "x' OR '1'='1")) is None
    assert db.read(lambda conn: conn.scalar("SELECT count(*) FROM pages")) == 1
    assert db.read(lambda conn: [p.title for p in page_repo.list_pages(conn)]) == [hostile]
