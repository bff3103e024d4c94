"""GET /_sync/catalog reads a page's rows a table at a time (shared/sync/catalog_refresh.py
`_PageRows`): the answer is byte for byte the one the former row-at-a-time reads gave, kept here as
the reference, for pages of every size over a log where parents moved past their children, rows were
deleted, and two-column keys (stock, collection members) changed. Prints a small timing comparison."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from shared.db import Connection
from shared.db.repositories import catalog_changes as repo
from shared.db.stamps import utc_now
from shared.sync import catalog_refresh


def _reference_page(conn: Connection, after: int, limit: int) -> dict[str, Any]:
    """The feed page as it was built before, one statement per row and per parent."""
    entries = repo.changes_after(conn, after, limit + 1)
    more = len(entries) > limit
    entries = entries[:limit]
    changes: list[dict[str, Any]] = []
    needed: dict[tuple[str, tuple[Any, ...]], dict[str, Any]] = {}
    for seq, table, key_text in entries:
        if table not in repo.CATALOG_TABLES:
            continue
        key = repo.decode_key(table, key_text)
        row = repo.read_row(conn, table, key)
        changes.append({"seq": seq, "table": table, "key": key[0] if len(key) == 1 else list(key), "row": row})
        if row is not None:
            _reference_parents(conn, table, row, seq, needed)
    parents = [{"table": t, "key": k[0], "row": row} for (t, k), row in
               sorted(needed.items(), key=lambda item: list(repo.CATALOG_TABLES).index(item[0][0]))]
    return {"changes": changes, "parents": parents, "cursor": entries[-1][0] if entries else after, "more": more}


def _reference_parents(conn: Connection, table: str, row: Mapping[str, Any], seq: int,
                       needed: dict[tuple[str, tuple[Any, ...]], dict[str, Any]]) -> None:
    for column, parent in repo.PARENTS.get(table, ()):
        key = (row.get(column),)
        if key[0] is None or (parent, key) in needed:
            continue
        parent_seq = repo.entry_seq(conn, parent, key)
        if parent_seq is not None and parent_seq <= seq:
            continue
        parent_row = repo.read_row(conn, parent, key)
        if parent_row is not None:
            needed[(parent, key)] = parent_row
            _reference_parents(conn, parent, parent_row, seq, needed)


def _churn(conn: Connection) -> None:
    """Changes in an order that makes pages need parents: children first, their parents after; new
    products, options and members; deletions; stock and thresholds; a location renamed last."""
    now = utc_now()
    variants = conn.all("SELECT id, product_id FROM variants ORDER BY sku")
    for index, (variant_id, product_id) in enumerate(variants):
        conn.execute("UPDATE variants SET title = title || '', updated_at = ? WHERE id = ?", (now, variant_id))
        if index % 3 == 0:
            conn.execute("UPDATE location_stock SET on_hand = on_hand + 1 WHERE variant_id = ?", (variant_id,))
        if index % 5 == 0:
            conn.execute("INSERT OR REPLACE INTO stock_alerts (variant_id, threshold, updated_at) VALUES (?, 2, ?)",
                         (variant_id, now))
        if index % 4 == 0:
            conn.execute("UPDATE products SET title = title || ' ', updated_at = ? WHERE id = ?", (now, product_id))
    for n in range(40):
        conn.execute("INSERT INTO products (id, handle, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                     (f"p-g{n}", f"grouped-{n}", f"Grouped {n}", now, now))
        conn.execute("INSERT INTO product_options (id, product_id, name, position, \"values\") "
                     "VALUES (?, ?, 'Size', 1, '[\"S\"]')", (f"o-g{n}", f"p-g{n}"))
        conn.execute("INSERT INTO variants (id, product_id, title, sku, price_amount, currency, created_at, "
                     "updated_at) VALUES (?, ?, 'S', ?, 900, 'USD', ?, ?)", (f"v-g{n}", f"p-g{n}", f"G-{n}", now, now))
        collection = conn.scalar("SELECT id FROM collections ORDER BY handle LIMIT 1 OFFSET ?",
                                 (n % max(1, conn.scalar("SELECT count(*) FROM collections")),))
        if collection is not None:
            conn.execute("INSERT OR IGNORE INTO collection_products (collection_id, product_id, position) "
                         "VALUES (?, ?, ?)", (collection, f"p-g{n}", 1000 + n))
            if n % 2:
                conn.execute("UPDATE collections SET updated_at = ? WHERE id = ?", (now, collection))
        if n % 3 == 0:
            conn.execute("UPDATE products SET title = 'Grouped again' WHERE id = ?", (f"p-g{n}",))
    for (product_id,) in conn.all("SELECT id FROM products WHERE id NOT LIKE 'p-g%' ORDER BY id LIMIT 3"):
        conn.execute("DELETE FROM products WHERE id = ?", (product_id,))
    conn.execute("DELETE FROM products WHERE id IN ('p-g7', 'p-g8')")
    conn.execute("UPDATE locations SET address = address || ' ' WHERE id = (SELECT min(id) FROM locations)")


def _more_products(conn: Connection) -> None:
    """200 more products of two variants each, stocked at every location, each product edited after
    its variants (so a page has parents to carry)."""
    now = utc_now()
    locations = [r[0] for r in conn.all("SELECT id FROM locations")]
    for n in range(200):
        conn.execute("INSERT INTO products (id, handle, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                     (f"p-m{n}", f"more-{n}", f"More {n}", now, now))
        for size in ("S", "M"):
            variant = f"v-m{n}-{size}"
            conn.execute("INSERT INTO variants (id, product_id, title, sku, price_amount, currency, created_at, "
                         "updated_at) VALUES (?, ?, ?, ?, 1500, 'USD', ?, ?)",
                         (variant, f"p-m{n}", size, f"M-{n}-{size}", now, now))
            for location in locations:
                conn.execute("INSERT INTO location_stock (variant_id, location_id, on_hand) VALUES (?, ?, 3)",
                             (variant, location))
        conn.execute("UPDATE products SET title = 'More again' WHERE id = ?", (f"p-m{n}",))


def test_grouped_pages_equal_the_row_at_a_time_pages_byte_for_byte(demo_store) -> None:
    db = demo_store.db
    first = db.read(repo.latest_seq)
    db.write(_churn)
    latest = db.read(repo.latest_seq)
    assert latest - first > 400
    compared = 0
    for after in (0, first, first + 37, latest - 120, latest - 1, latest):
        for limit in (1, 7, 100, 1000):
            grouped = db.read(lambda conn: catalog_refresh.catalog_page(conn, after, limit))
            reference = db.read(lambda conn: _reference_page(conn, after, limit))
            assert json.dumps(grouped).encode() == json.dumps(reference).encode(), (after, limit)
            compared += 1
    # The pages made while children came before parents carried those parents.
    some = db.read(lambda conn: catalog_refresh.catalog_page(conn, first, 7))
    assert compared == 24 and some["changes"]


def test_a_full_page_is_fewer_statements_and_its_timing_is_printed(demo_store) -> None:
    db = demo_store.db
    db.write(_churn)
    db.write(_more_products)
    after = 0                          # the whole catalogue: more than one full page

    def timed(build) -> tuple[float, str]:
        started = time.perf_counter()
        page = db.read(lambda conn: build(conn, after, 1000))
        return time.perf_counter() - started, json.dumps(page)

    reference_s, reference = min(timed(_reference_page) for _ in range(3))
    grouped_s, grouped = min(timed(catalog_refresh.catalog_page) for _ in range(3))
    assert grouped == reference
    statements: list[str] = []

    def counted(conn: Connection) -> Any:
        original = conn.execute

        def execute(sql: str, *args: Any) -> Any:
            statements.append(sql)
            return original(sql, *args)

        conn.execute = execute          # type: ignore[method-assign]
        try:
            return catalog_refresh.catalog_page(conn, after, 1000)
        finally:
            del conn.execute
    db.read(counted)
    changes = len(json.loads(grouped)["changes"])
    print(f"\ncatalogue page of {changes} changes: row at a time {reference_s * 1000:.1f} ms, "
          f"grouped {grouped_s * 1000:.1f} ms ({reference_s / grouped_s:.1f}x), {len(statements)} statements")
    assert changes == 1000 and len(statements) < 40
