"""The merchant's order list: every filter, every kind of search, keyset pages that stay put while orders
arrive, and bad values refused with the field they name (shared/orders/filters.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from order_list_support import add_order, small_store
from shared.orders import InvalidOrderFilter, OrderError, OrderErrorCode, list_orders


@pytest.fixture
def store(tmp_path: Path):  # noqa: ANN201
    made = small_store(tmp_path)
    yield made
    made.close()


def numbers(store, **filters) -> list[int]:  # noqa: ANN001
    return [order.number for order in list_orders(store.db, **filters).orders]


def test_status_and_delivery_filters(store) -> None:  # noqa: ANN001
    assert numbers(store) == [1006, 1005, 1004, 1003, 1002, 1001]
    assert numbers(store, payment_status="paid") == [1006, 1005, 1001]
    assert numbers(store, payment_status="unpaid") == [1002]
    assert numbers(store, payment_status="refunded") == [1003]
    assert numbers(store, payment_status="voided") == []
    assert numbers(store, fulfillment_status="fulfilled") == [1004, 1003]
    assert numbers(store, fulfillment_status="on_hold") == [1005]
    assert numbers(store, fulfillment_status="partially_fulfilled") == [1006]
    assert numbers(store, delivery="ship") == [1006, 1004, 1001]
    assert numbers(store, delivery="pickup") == [1002]
    assert numbers(store, delivery="local_delivery") == [1003]
    assert numbers(store, delivery="none") == [1005]
    assert numbers(store, payment_status="paid", delivery="ship") == [1006, 1001]
    assert numbers(store, payment_status="paid", fulfillment_status="unfulfilled", delivery="ship") == [1001]
    assert numbers(store, email="ADA@Example.COM") == [1004, 1001]
    listed = list_orders(store.db, delivery="pickup").orders[0].to_json(detail=False)
    assert listed["deliveryMethod"] == "pickup" and listed["name"] == "#1002"


def test_dates_are_days_of_the_store_or_instants(store) -> None:  # noqa: ANN001
    # A day is the store's (New York: March 1st runs from 05:00 UTC to 05:00 UTC the next day).
    assert numbers(store, since="2026-03-01", until="2026-03-01") == [1003, 1002, 1001]
    assert numbers(store, since="2026-03-02") == [1006, 1005, 1004]
    assert numbers(store, until="2026-03-02") == [1004, 1003, 1002, 1001]
    # Instants are inclusive at both ends; without an offset they are the store's time.
    assert numbers(store, since="2026-03-02T15:00:00Z") == [1006, 1005, 1004]
    assert numbers(store, until="2026-03-02T15:00:00+00:00") == [1004, 1003, 1002, 1001]
    assert numbers(store, until="2026-03-02T14:59:59.999999Z") == [1003, 1002, 1001]
    assert numbers(store, since="2026-03-02T10:00:00", until="2026-03-02T10:00:00") == [1004]   # 15:00 UTC
    assert numbers(store, since="2026-03-03T07:00:00+00:00", until="2026-03-03T12:00:00+00:00") == [1005]
    assert numbers(store, since="2030-01-01") == [] and numbers(store, until="2020-01-01") == []
    # 1006 was made at midnight UTC on March 4th: 19:00 on the 3rd in New York.
    assert numbers(store, since="2026-03-01", until="2026-03-03", delivery="ship") == [1006, 1004, 1001]
    assert numbers(store, since="2026-03-01", until="2026-03-02", delivery="ship") == [1004, 1001]


def test_search_by_number_email_and_name_words(store) -> None:  # noqa: ANN001
    for q in ("#1003", "1003", " 1003 ", "# 1003"):
        assert numbers(store, q=q) == [1003], q
    assert numbers(store, q="9999") == []
    # An e-mail: the whole address or its start, in any case.
    assert numbers(store, q="ada@example.com") == [1004, 1001]
    assert numbers(store, q="ADA@EXAMPLE.COM") == [1004, 1001]
    assert numbers(store, q="ada@") == [1004, 1001]
    assert numbers(store, q="grace.hopper@navy") == [1002]
    assert numbers(store, q="ada@example.co") == [1004, 1001]
    assert numbers(store, q="nobody@example.com") == []
    # Text: the start of a name's first, second or last word, or of an e-mail.
    assert numbers(store, q="ada") == [1006, 1004, 1001]            # two names, and ADA.L@ by its e-mail
    assert numbers(store, q="LOVE") == [1004, 1001]
    assert numbers(store, q="ada love") == [1004, 1001]
    assert numbers(store, q="brewster") == [1002]                    # the second of three words
    assert numbers(store, q="hopper") == [1002]                      # the last word
    assert numbers(store, q="grace   b") == [1002]                   # spaces as one
    assert numbers(store, q="van der") == [1005] and numbers(store, q="Berg") == [1005]
    assert numbers(store, q="anna@berg") == [1005] and numbers(store, q="berg.test") == []
    assert numbers(store, q="Mül") == [1006]                         # accented letters as written
    assert numbers(store, q="ove") == []                             # inside a word: not a word start
    assert numbers(store, q="turing", payment_status="refunded") == [1003]
    assert numbers(store, q="turing", payment_status="paid") == []
    assert numbers(store, q="ada", delivery="ship", since="2026-03-02") == [1006, 1004]
    assert numbers(store, q="   ") == numbers(store)                 # an empty search is no search


def test_pages_stay_put_while_orders_arrive(store) -> None:  # noqa: ANN001
    first = list_orders(store.db, limit=2)
    assert [o.number for o in first.orders] == [1006, 1005] and first.next_before == 1005
    store.db.write(lambda conn: add_order(conn, email="new@example.com", name="New Buyer",
                                          at="2026-03-05T00:00:00.000000+00:00"))
    second = list_orders(store.db, limit=2, before=first.next_before)
    assert [o.number for o in second.orders] == [1004, 1003] and second.next_before == 1003
    third = list_orders(store.db, limit=2, before=f"#{second.next_before}")
    assert [o.number for o in third.orders] == [1002, 1001] and third.next_before is None
    assert numbers(store, limit=2) == [1007, 1006]                   # the new order heads the first page
    # Filtered and searched pages walk the same way.
    pages, before = [], None
    while True:
        page = list_orders(store.db, limit=1, payment_status="paid", before=before)
        pages += [o.number for o in page.orders]
        if page.next_before is None:
            break
        before = page.next_before
    assert pages == [1007, 1006, 1005, 1001]
    page = list_orders(store.db, q="ada", limit=2)
    assert [o.number for o in page.orders] == [1006, 1004] and page.next_before == 1004
    assert numbers(store, q="ada", limit=2, before=page.next_before) == [1001]
    assert list_orders(store.db, limit=3, before=1004).next_before is None        # 1003 to 1001: the last page


@pytest.mark.parametrize(("filters", "field"), [
    ({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"limit": True}, "limit"), ({"limit": "50"}, "limit"),
    ({"before": "x"}, "before"), ({"before": "-5"}, "before"), ({"before": "#"}, "before"),
    ({"before": "10.5"}, "before"), ({"before": "1" * 13}, "before"), ({"before": "١٢"}, "before"),
    ({"payment_status": "maybe"}, "payment_status"), ({"payment_status": "PAID"}, "payment_status"),
    ({"fulfillment_status": "shipped"}, "fulfillment_status"), ({"delivery": "drone"}, "delivery"),
    ({"since": "yesterday"}, "since"), ({"since": "2026-13-01"}, "since"), ({"until": "2026-02-30"}, "until"),
    ({"until": "03/01/2026"}, "until"), ({"since": "2026-03-02", "until": "2026-03-01"}, "until"),
    ({"since": "9999-12-31", "until": "9999-12-31"}, "since"), ({"q": "x" * 201}, "q"), ({"q": "a\x00b"}, "q"),
    ({"email": "x" * 400}, "email"),
])
def test_bad_values_are_refused_with_their_field(store, filters: dict, field: str) -> None:  # noqa: ANN001
    with pytest.raises(InvalidOrderFilter) as caught:
        list_orders(store.db, **filters)
    assert isinstance(caught.value, OrderError) and caught.value.code == OrderErrorCode.INVALID
    assert caught.value.field == field and str(caught.value)
