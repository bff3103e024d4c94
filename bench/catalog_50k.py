"""A 50,000-product catalogue made directly in SQL (seconds, not minutes), then the storefront's
collection filtering and search on it, with the query plans checked for index use."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from bench.timing import median_ms
from shared.storefront import routes
from shared.storefront.service import DataDir, create_store

N = 50_000
WORDS = ["harbor", "pine", "linen", "wool", "cedar", "stone", "drift", "fog", "tide", "ember", "moss", "slate"]
KINDS = ["Lamp", "Mug", "Tee", "Scarf", "Candle", "Tote", "Print", "Bowl", "Hat", "Towel"]


def _fill(conn) -> None:
    words = ", ".join(f"('{w}')" for w in WORDS)
    kinds = ", ".join(f"('{k}')" for k in KINDS)
    conn.script(f"""
CREATE TEMP TABLE w(v); INSERT INTO w VALUES {words};
CREATE TEMP TABLE k(v); INSERT INTO k VALUES {kinds};
CREATE TEMP TABLE n(i INTEGER PRIMARY KEY);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < {N}) INSERT INTO n SELECT i FROM c;
INSERT INTO products (id, handle, title, description_html, vendor, product_type, tags, status, created_at, updated_at)
SELECT 'p' || i, 'product-' || i,
       (SELECT v FROM w WHERE rowid = 1 + i % 12) || ' ' || (SELECT v FROM k WHERE rowid = 1 + i % 10) || ' ' || i,
       '<p>A ' || (SELECT v FROM w WHERE rowid = 1 + (i / 7) % 12) || ' thing.</p>', 'Maker ' || (i % 40),
       (SELECT v FROM k WHERE rowid = 1 + i % 10),
       json_array((SELECT v FROM w WHERE rowid = 1 + (i / 3) % 12), CASE WHEN i % 9 = 0 THEN 'sale' ELSE 'new' END),
       'active', printf('2026-01-01T00:00:%05d', i), printf('2026-01-01T00:00:%05d', i)
FROM n;
INSERT INTO product_options (id, product_id, name, position, "values")
SELECT 'o' || i, 'p' || i, 'Size', 0, '["S","M","L"]' FROM n;
INSERT INTO variants (id, product_id, title, sku, price_amount, compare_at_amount, currency, option1, position,
                      created_at, updated_at)
SELECT 'v' || i || s.size, 'p' || i, s.size, 'SKU-' || i || s.size, 1000 + (i * 37) % 9000 + s.extra, NULL, 'USD',
       s.size, s.pos, '2026-01-01', '2026-01-01'
FROM n, (SELECT 'S' AS size, 0 AS pos, 0 AS extra UNION ALL SELECT 'M', 1, 0 UNION ALL SELECT 'L', 2, 200) s;
INSERT INTO locations (id, name, created_at) VALUES ('loc', 'Shop', '2026-01-01');
INSERT INTO stock_movements (id, variant_id, location_id, delta, reason, created_at)
SELECT 'm' || i, 'v' || i || 'M', 'loc', 1 + i % 5, 'received', '2026-01-01' FROM n WHERE i % 2 = 0;
INSERT INTO collections (id, handle, title, sort_order, created_at, updated_at)
VALUES ('big', 'everything', 'Everything', 'manual', '2026-01-01', '2026-01-01');
INSERT INTO collection_products (collection_id, product_id, position) SELECT 'big', 'p' || i, i FROM n;
""")


def _plans(conn) -> list[str]:
    """Query plan lines that scan a big table without an index (there should be none but the scope)."""
    from shared.db.repositories import browse

    flt = browse.ProductFilter(price_from=2000, price_to=5000, options={"Size": ("M",)}, in_stock_only=True)
    scope, params = browse._scope("big")
    where, where_params = browse._where(flt)
    rows = conn.all(f"EXPLAIN QUERY PLAN SELECT p.id {scope}{where}", [*params, *where_params])
    return [r[-1] for r in rows]


def bench_large_catalog() -> list[tuple[str, float, str]]:
    """Make the catalogue, then time filtering and search (medians)."""
    folder = Path(tempfile.mkdtemp(prefix="vibeshop-bench-50k-"))
    try:
        store = create_store(DataDir(folder), slug="big-shop", name="Big shop")
        store.db.write(_fill)

        def collection(params):
            return lambda: store.db.read(lambda conn: routes.collection_route(
                conn, handle="everything", params=params, path="/collections/everything", currency="USD"))

        def search(q):
            return lambda: store.db.read(lambda conn: routes.search_route(conn, params=[("q", q)], path="/search"))

        filtered = [("option.Size", "M"), ("price_min", "20"), ("price_max", "50"), ("available", "1"),
                    ("sort", "price-asc")]
        rows = [
            ("collection page 1, no filter", median_ms(collection([]), runs=15, warmup=2), "manual order, 24 per page"),
            ("collection filtered + sorted", median_ms(collection(filtered), runs=15, warmup=2),
             "size M, $20-50, in stock, price low-high"),
            ("collection page 100, filtered", median_ms(collection([*filtered, ("page", "100")]), runs=15, warmup=2),
             "deep pagination"),
            ("search 'linen lamp'", median_ms(search("linen lamp"), runs=15, warmup=2), "FTS5 BM25, prefix"),
            ("search 'lnen' (typo)", median_ms(search("lnen"), runs=15, warmup=2), "typo rewritten via fts5vocab"),
        ]
        plans = store.db.read(_plans)
        scans = [p for p in plans if p.startswith("SCAN") and "USING" not in p]
        rows.append(("query plan check", 0.0, "full scans: " + (", ".join(scans) or "none")))
        store.close()
        return rows
    finally:
        shutil.rmtree(folder, ignore_errors=True)
