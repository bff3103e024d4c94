"""The merchant's order list at 100,000 orders (issue 12, section 2): the first page, a search by e-mail,
by name and by number, and a filtered page, each through `list_orders` against the same statement run
as plain SQL (the peer) on the same libSQL file and connection; and the query plans checked for index
use. The orders are made in SQL (about a second), not through the checkout.

`python -m bench.orders [ORDERS]` runs only this table (100,000 orders unless told)."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.timing import median_ms, table
from shared.db import Connection
from shared.db.repositories import orders as repo
from shared.orders import list_orders
from shared.orders.filters import OrderFilters, check_filters, resolve_dates
from shared.storefront.service import DataDir, create_store

N = 100_000
CUSTOMERS = 20_000                       # about five orders each
FIRST = [("Ada", "ada"), ("Grace", "grace"), ("Alan", "alan"), ("Linus", "linus"), ("Margaret", "margaret"),
         ("John", "john"), ("Mary", "mary"), ("José", "jose"), ("Zoë", "zoe"), ("Ren", "ren"), ("Li", "li"),
         ("Oskar", "oskar"), ("Amara", "amara"), ("Noah", "noah"), ("Emma", "emma"), ("Liam", "liam"),
         ("Olivia", "olivia"), ("Mateo", "mateo"), ("Sofia", "sofia"), ("Yuki", "yuki"), ("Anna", "anna"),
         ("Mary Ann", "maryann"), ("Pierre", "pierre"), ("Ines", "ines"), ("Kofi", "kofi")]
LAST = [("Lovelace", "lovelace"), ("Hopper", "hopper"), ("Turing", "turing"), ("Torvalds", "torvalds"),
        ("Hamilton", "hamilton"), ("Smith", "smith"), ("van der Berg", "vanderberg"), ("García", "garcia"),
        ("Müller", "muller"), ("O'Brien", "obrien"), ("Nakamura", "nakamura"), ("Okafor", "okafor"),
        ("Dubois", "dubois"), ("Rossi", "rossi"), ("Kowalski", "kowalski"), ("Nguyen", "nguyen"),
        ("Svensson", "svensson"), ("Haddad", "haddad"), ("Silva", "silva"), ("Kim", "kim"), ("Ibrahim", "ibrahim"),
        ("Moreau", "moreau"), ("Tanaka", "tanaka"), ("Fischer", "fischer"), ("Quist", "quist")]
DOMAINS = ["example.com", "Mail.test", "shop.example", "post.example.org"]
START = "2024-01-01 00:00:00"            # one order every ten minutes from here (100,000: about 23 months)
STEP_SECONDS = 600


def _values(pairs: list[tuple[str, ...]]) -> str:
    return ", ".join("(" + ", ".join("'" + v.replace("'", "''") + "'" for v in pair) + ")" for pair in pairs)


def seed_orders(conn: Connection, count: int, *, first_number: int = 1001) -> None:
    """Insert `count` orders numbered from `first_number` (one line each), one every ten minutes from
    2024-01-01 UTC, in one statement per table: names of 25 x 25 first and last names (some of two
    words, some accented), ~5 orders per customer e-mail, 10% pickup (unpaid: pay in store), 10% local
    delivery, 2% refunded, 14% unfulfilled. Run it inside a write."""
    conn.script(f"""
CREATE TEMP TABLE IF NOT EXISTS bench_first(name, slug);
CREATE TEMP TABLE IF NOT EXISTS bench_last(name, slug);
CREATE TEMP TABLE IF NOT EXISTS bench_domain(name);
DELETE FROM bench_first; DELETE FROM bench_last; DELETE FROM bench_domain;
INSERT INTO bench_first VALUES {_values(FIRST)};
INSERT INTO bench_last VALUES {_values(LAST)};
INSERT INTO bench_domain VALUES {_values([(d,) for d in DOMAINS])};
CREATE TEMP TABLE IF NOT EXISTS bench_n(i INTEGER PRIMARY KEY, c INTEGER);
DELETE FROM bench_n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {count} - 1)
INSERT INTO bench_n SELECT i, (i * 7919) % {CUSTOMERS} FROM n;
INSERT INTO orders (id, number, email, currency, subtotal_amount, shipping_amount, tax_amount, total_amount,
                    status, created_at, updated_at, status_token, payment_provider, payment_status,
                    fulfillment_status, customer_name, shipping_address, billing_address, delivery, discounts)
SELECT 'bench-order-' || (i + {first_number}), i + {first_number},
       f.slug || '.' || l.slug || c || '@' || (SELECT name FROM bench_domain WHERE rowid = 1 + c % {len(DOMAINS)}),
       'USD', 2500 + (i % 40) * 100, CASE WHEN i % 10 = 0 THEN 0 ELSE 500 END, 0,
       2500 + (i % 40) * 100 + CASE WHEN i % 10 = 0 THEN 0 ELSE 500 END, 'open',
       strftime('%Y-%m-%dT%H:%M:%S.000000+00:00', '{START}', '+' || (i * {STEP_SECONDS}) || ' seconds'),
       strftime('%Y-%m-%dT%H:%M:%S.000000+00:00', '{START}', '+' || (i * {STEP_SECONDS}) || ' seconds'),
       'bench-token-' || (i + {first_number}), CASE WHEN i % 10 = 0 THEN 'pay_in_store' ELSE 'stripe' END,
       CASE WHEN i % 10 = 0 THEN 'unpaid' WHEN i % 50 = 1 THEN 'refunded' WHEN i % 50 = 3 THEN 'partially_refunded'
            ELSE 'paid' END,
       CASE WHEN i % 7 = 0 THEN 'unfulfilled' WHEN i % 97 = 5 THEN 'on_hold' ELSE 'fulfilled' END,
       f.name || ' ' || l.name,
       CASE WHEN i % 10 = 0 THEN 'null' ELSE json_object('name', f.name || ' ' || l.name,
            'address1', (c % 900 + 1) || ' Harbor Street', 'city', 'Portland', 'postalCode', '97201',
            'country', 'US') END,
       'null',
       json_object('method', CASE i % 10 WHEN 0 THEN 'pickup' WHEN 1 THEN 'local_delivery' ELSE 'ship' END,
                   'name', CASE i % 10 WHEN 0 THEN 'Pickup at the shop' WHEN 1 THEN 'Local delivery'
                                ELSE 'Standard' END, 'optionId', 'option-' || (i % 10)),
       '[]'
FROM bench_n
JOIN bench_first f ON f.rowid = 1 + c % {len(FIRST)}
JOIN bench_last l ON l.rowid = 1 + (c / {len(FIRST)}) % {len(LAST)};
INSERT INTO order_lines (id, order_id, position, variant_id, title, sku, quantity, unit_amount, subtotal_amount,
                         total_amount)
SELECT 'bench-order-' || (i + {first_number}) || ':0', 'bench-order-' || (i + {first_number}), 0, NULL, 'Linen tee',
       'TEE-' || (i % 40), 1, 2500 + (i % 40) * 100, 2500 + (i % 40) * 100, 2500 + (i % 40) * 100
FROM bench_n;
""")


def customer_email(c: int) -> str:
    """The e-mail `seed_orders` gives customer `c` (0 .. CUSTOMERS - 1)."""
    return f"{FIRST[c % len(FIRST)][1]}.{LAST[(c // len(FIRST)) % len(LAST)][1]}{c}@{DOMAINS[c % len(DOMAINS)]}"


# What is timed: (name, list_orders keyword arguments, note).
CASES: list[tuple[str, dict[str, Any], str]] = [
    ("first page (50)", {}, "newest first"),
    ("page 1,000 down (cursor)", {"before": 51_001}, "keyset: before=51001"),
    ("search: number", {"q": "#42001"}, "one order"),
    ("search: e-mail, exact", {"q": customer_email(4242).upper()}, "any case: 5 orders"),
    ("search: start of an e-mail", {"q": "ada.love"}, "160 orders: name words or e-mails starting so"),
    ("search: name, last word", {"q": "lovelace"}, "4,000 orders: walked from the newest"),
    ("search: name, few orders", {"q": "mary ann q"}, "160 orders: gathered from the indexes"),
    ("search: one letter", {"q": "k"}, "11,680 orders: walked from the newest"),
    ("filtered: paid, unfulfilled, ship", {"payment_status": "paid", "fulfillment_status": "unfulfilled",
                                            "delivery": "ship"}, "three filters"),
    ("filtered: pickup, last 30 days", {"delivery": "pickup", "since": "2025-10-25", "until": "2025-11-24"},
     "date range in the store's zone"),
    ("filtered: refunded in 2024-03", {"payment_status": "refunded", "since": "2024-03-01", "until": "2024-03-31"},
     "an old month: read by date"),
]


def _peer(store, kwargs: dict[str, Any]) -> Callable[[], object]:  # noqa: ANN001
    """The statement list_orders runs for `kwargs`, as plain SQL on the same connection: its rows as
    libSQL returns them (tuples), no checks, no plan choice, no Order objects."""
    query = resolve_dates(check_filters(OrderFilters(**kwargs)), "UTC")
    sql, params = store.db.read(lambda conn: repo.order_list_sql(conn, query, limit=query.limit + 1))
    return lambda: store.db.read(lambda conn: conn.all(sql, params))


def full_scans(store) -> list[str]:  # noqa: ANN001
    """Query plan lines of the timed cases that read every order or sort more than a page's worth
    (a search's OR of index ranges is sorted: expected, and not reported)."""
    found = []
    for name, kwargs, _note in CASES:
        query = resolve_dates(check_filters(OrderFilters(**kwargs)), "UTC")
        plan = store.db.read(lambda conn, q=query: [r[-1] for r in conn.all(
            "EXPLAIN QUERY PLAN " + repo.order_list_sql(conn, q, limit=51)[0],
            repo.order_list_sql(conn, q, limit=51)[1])])
        found += [f"{name}: {line}" for line in plan if line.startswith("SCAN") and "USING" not in line]
    return found


def bench_orders(count: int = N) -> list[tuple[str, float, str]]:
    """Make a store with `count` orders, then time each case against its plain SQL peer."""
    folder = Path(tempfile.mkdtemp(prefix="vibeshop-bench-orders-"))
    try:
        store = create_store(DataDir(folder), slug="busy-shop", name="Busy shop")
        started = time.perf_counter()
        store.db.write(lambda conn: seed_orders(conn, count))
        rows: list[tuple[str, float, str]] = [(f"seed {count:,} orders (SQL)", (time.perf_counter() - started) * 1000,
                                               "one statement per table")]
        for name, kwargs, note in CASES:
            ours = median_ms(lambda kw=kwargs: list_orders(store.db, **kw), runs=30, warmup=3)
            peer = median_ms(_peer(store, kwargs), runs=30, warmup=3)
            found = len(list_orders(store.db, **kwargs).orders)
            rows.append((name, ours, f"{ours / peer:.1f}x the plain SQL ({peer:.3f} ms); {found} rows; {note}"))
        scans = full_scans(store)
        rows.append(("query plan check", 0.0, "full scans of orders: " + ("; ".join(scans) or "none")))
        store.close()
        return rows
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main(count: int = N) -> None:
    """Print the order list table."""
    print(table(f"Order list and search: {count:,} orders", bench_orders(count)))
    print()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else N)
