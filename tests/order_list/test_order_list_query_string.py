"""GET /api/admin/orders's query string read by `parse_order_filters` (cloud/server/order_filters.py):
real query strings parsed as aiohttp parses them, then listed; unknown, repeated or malformed
parameters refused with the field they name."""

from __future__ import annotations

from pathlib import Path

import pytest
from yarl import URL

from cloud.server.order_filters import parse_order_filters
from order_list_support import small_store
from shared.orders import InvalidOrderFilter, OrderErrorCode, OrderFilters, list_orders


def _parse(query_string: str) -> OrderFilters:
    return parse_order_filters(URL(f"http://shop.test/api/admin/orders?{query_string}").query)


def test_a_query_string_lists_what_it_says(tmp_path: Path) -> None:
    store = small_store(tmp_path)
    try:
        assert _parse("") == OrderFilters()
        assert _parse("q=&payment_status=&limit=") == OrderFilters()           # empty: not narrowed
        filters = _parse("payment_status=paid&delivery=ship&since=2026-03-01&until=2026-03-03T23:59:59-05:00"
                         "&q=%20Ada%20&limit=1")
        assert filters == OrderFilters(payment_status="paid", delivery="ship", since="2026-03-01",
                                       until="2026-03-03T23:59:59-05:00", q="Ada", limit=1)
        page = list_orders(store.db, **filters.as_kwargs())
        assert [o.number for o in page.orders] == [1006] and page.next_before == 1006
        after = _parse(f"payment_status=paid&delivery=ship&q=Ada&limit=1&before={page.next_before}")
        assert [o.number for o in list_orders(store.db, **after.as_kwargs()).orders] == [1001]
        assert [o.number for o in list_orders(store.db, **_parse("q=%231003").as_kwargs()).orders] == [1003]
        assert [o.number for o in list_orders(store.db, **_parse("q=ADA%40EXAMPLE.COM").as_kwargs()).orders] \
            == [1004, 1001]
        assert [o.number for o in list_orders(store.db, **_parse("email=ada%40example.com&fulfillment_status="
                                                                  "fulfilled").as_kwargs()).orders] == [1004]
        with pytest.raises(InvalidOrderFilter) as caught:           # a value the list refuses: still a 400
            list_orders(store.db, **_parse("delivery=drone").as_kwargs())
        assert caught.value.field == "delivery" and caught.value.code == OrderErrorCode.INVALID
    finally:
        store.close()


@pytest.mark.parametrize(("query_string", "field"), [
    ("status=paid", "status"), ("financial_status=paid", "financial_status"), ("q=a&q=b", "q"),
    ("limit=ten", "limit"), ("limit=-1", "limit"), ("limit=1e3", "limit"), ("limit=" + "9" * 50, "limit"),
    ("limit=%EF%BC%95", "limit"),                                   # a full-width digit five
])
def test_unknown_repeated_or_malformed_parameters_are_refused(query_string: str, field: str) -> None:
    with pytest.raises(InvalidOrderFilter) as caught:
        _parse(query_string)
    assert caught.value.field == field and caught.value.code == OrderErrorCode.INVALID and str(caught.value)
