"""The order list on a few thousand orders: every page of every plan (newest first, by date, by search)
holds exactly the orders a plain reading of the rules gives, and the first page and the e-mail search
are read through an index, never by reading every order (EXPLAIN QUERY PLAN)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.orders import customer_email, seed_orders
from order_list_support import add_order, make_store
from shared.db.repositories import orders as repo
from shared.orders import list_orders
from shared.orders.filters import OrderFilters, check_filters, resolve_dates

COUNT = 4000                    # one every ten minutes from 2024-01-01 00:00 UTC: to 2024-01-28 18:30
CASES = [
    {}, {"payment_status": "refunded"}, {"fulfillment_status": "on_hold"}, {"delivery": "pickup"},
    {"payment_status": "paid", "fulfillment_status": "unfulfilled", "delivery": "local_delivery"},
    {"since": "2024-01-02", "until": "2024-01-03"}, {"since": "2024-01-27"}, {"until": "2024-01-01"},
    {"since": "2024-01-05T10:00:00+02:00", "until": "2024-01-05T12:00:00+02:00", "payment_status": "paid"},
    {"since": "2024-01-20", "until": "2024-01-28", "delivery": "ship"}, {"since": "2024-01-28T18:00:00Z"},
    {"q": "#2500"}, {"q": "5000"}, {"q": customer_email(1234).upper()}, {"q": "ada.love"}, {"q": "ada@"},
    {"q": "lovelace"}, {"q": "van der"}, {"q": "mary ann q"}, {"q": "a"}, {"q": "k"}, {"q": "Müller"},
    {"q": "nobody"}, {"q": "lovelace", "payment_status": "unpaid"}, {"q": "a", "since": "2024-01-10"},
    {"email": customer_email(1234)}, {"email": "nobody@example.com"},
]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    made = make_store(Path(tmp_path_factory.mktemp("orders")))
    made.db.write(lambda conn: seed_orders(conn, COUNT))
    # The clock went back: a newer number with an older stamp is still found by its date.
    made.db.write(lambda conn: add_order(conn, email="late@example.com", name="Kim Late", payment="refunded",
                                         at="2024-01-02T12:00:00.000000+00:00"))
    yield made
    made.close()


def _fold(text: str) -> str:
    return "".join(c.lower() if c.isascii() else c for c in text)


def _matches(row: tuple, query) -> bool:  # noqa: ANN001, C901 - the rules, spelled out plainly
    number, email, name, payment, fulfillment, delivery, created_at = row
    checks = [(query.payment_status, payment), (query.fulfillment_status, fulfillment), (query.delivery, delivery)]
    if any(wanted is not None and wanted != value for wanted, value in checks):
        return False
    if query.created_from is not None and created_at < query.created_from:
        return False
    if query.created_before is not None and created_at >= query.created_before:
        return False
    if query.email is not None and _fold(email) != _fold(query.email):
        return False
    search = query.search
    if search is None:
        return True
    if search.kind == "number":
        return number == search.number
    text = _fold(search.text)
    if search.kind == "email":
        return _fold(email).startswith(text)
    words = [name, name[name.find(" ") + 1:], name[name.rfind(" ") + 1:], email]
    return any(_fold(word).startswith(text) for word in words)


def _all_pages(store, filters: dict, limit: int) -> list[int]:  # noqa: ANN001
    found, before = [], None
    while True:
        page = list_orders(store.db, **filters, limit=limit, before=before)
        assert len(page.orders) <= limit
        found += [order.number for order in page.orders]
        if page.next_before is None:
            return found
        assert page.next_before == page.orders[-1].number
        before = page.next_before


def _query(filters: dict):  # noqa: ANN202
    return resolve_dates(check_filters(OrderFilters(**filters)), "UTC")


def _plan(store, filters: dict, limit: int = 51) -> list[str]:  # noqa: ANN001
    query = _query(filters)

    def explain(conn):  # noqa: ANN001, ANN202
        sql, params = repo.order_list_sql(conn, query, limit=limit)
        return [row[-1] for row in conn.all("EXPLAIN QUERY PLAN " + sql, params)]

    return store.db.read(explain)


def test_every_page_of_every_plan_holds_what_the_rules_say(store) -> None:  # noqa: ANN001
    rows = store.db.read(lambda conn: conn.all(
        "SELECT number, email, customer_name, payment_status, fulfillment_status, "
        "json_extract(delivery, '$.method'), created_at FROM orders ORDER BY number DESC"))
    plans = set()
    for filters in CASES:
        query = _query(filters)
        expected = [row[0] for row in rows if _matches(row, query)]
        for limit in (50, 7):
            assert _all_pages(store, filters, limit) == expected, (filters, limit)
        plans.add(store.db.read(lambda conn, q=query: repo.list_plan(conn, q, limit=51)))
    assert plans == set(repo.ListPlan)        # the cases go through each way of reading a page
    assert store.db.read(lambda conn: repo.list_plan(conn, _query({"q": "a"}), limit=51)) == repo.ListPlan.NEWEST
    assert store.db.read(lambda conn: repo.list_plan(conn, _query({"q": "mary ann q"}), limit=51)) \
        == repo.ListPlan.SEARCH
    assert store.db.read(lambda conn: repo.list_plan(conn, _query(CASES[5]), limit=51)) == repo.ListPlan.DATES


def test_first_page_and_email_search_read_an_index(store) -> None:  # noqa: ANN001
    first = _plan(store, {})
    assert len(first) == 1 and first[0].startswith("SCAN orders USING INDEX sqlite_autoindex_orders"), first
    # The index it walks is the order numbers' (newest first, stopping after the page).
    index = first[0].rsplit(" ", 1)[-1]
    assert store.db.read(lambda conn: conn.all(f"PRAGMA index_info('{index}')"))[0][2] == "number"
    local_part = customer_email(1234).split("@")[0] + "@"
    for filters in ({"email": customer_email(1234)}, {"q": customer_email(1234)}, {"q": local_part.upper()}):
        plan = _plan(store, filters)
        assert plan[0].startswith("SEARCH orders USING COVERING INDEX orders_by_email_and_number") \
            or plan[0].startswith("SEARCH orders USING INDEX orders_by_email_and_number"), (filters, plan)
        assert not any(line.startswith("SCAN") for line in plan), (filters, plan)
    assert not any("TEMP B-TREE" in line for line in _plan(store, {"email": customer_email(1234)}))
    for filters, index in (({"payment_status": "refunded"}, "orders_by_payment_status"),
                           ({"fulfillment_status": "on_hold"}, "orders_by_fulfillment_status"),
                           ({"delivery": "pickup"}, "orders_by_delivery_method"),
                           ({"q": "#2500"}, "sqlite_autoindex_orders")):
        plan = _plan(store, filters)
        assert len(plan) == 1 and index in plan[0] and "TEMP B-TREE" not in plan[0], (filters, plan)


def test_no_case_reads_every_order(store) -> None:  # noqa: ANN001
    for filters in CASES:
        plan = _plan(store, filters)
        assert all(not line.startswith("SCAN orders") or "USING" in line for line in plan), (filters, plan)
        # A walk down an index stops at the page; sorting is only ever of an index range's orders.
        assert any(name in " ".join(plan) for name in ("orders_by_", "sqlite_autoindex_orders")), (filters, plan)
