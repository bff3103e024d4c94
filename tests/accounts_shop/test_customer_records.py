"""Customers as records: made by orders (`customer_for_order`), consent with its history, saved addresses
checked by the checkout's rules, the admin list's totals, export, erase, and the guest cart joining the
account's cart on sign-in. Real libSQL files; the demo store where a catalog is needed."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from accounts_shop_support import make_order, queued_code
from shared.cart.service import add_to_cart, cart_view, find_cart
from shared.customers import (ConsentSource, CustomerError, CustomerErrorCode, add_address, consent_history,
                              customer_detail, record_consent,
                              customer_for_order, erase_customer, export_customer, get_customer, list_customers,
                              make_default_address, remove_address, request_sign_in_code, saved_addresses,
                              set_marketing_consent, subscribe, verify_sign_in_code)
from shared.db.repositories.customers import ERASED_EMAIL
from shared.inventory import available
from shared.mail import MailBranding, enqueue_email
from shared.mail.account_mail import render_sign_in_code
from shared.orders import get_order

BRANDING = MailBranding(store_name="North Goods")
ADDRESS = {"name": "Ada Lovelace", "street_address": "1 Market St", "city": "San Francisco",
           "country_area": "California",
           "postal_code": "94103", "country_code": "US"}


def test_customer_for_order_makes_one_customer_per_email(db) -> None:
    first = db.write(lambda conn: customer_for_order(conn, email="ada@example.com", name="", now="2026-12-05T10:00:00"))
    again = db.write(lambda conn: customer_for_order(conn, email=" ADA@example.com ", name="Ada Lovelace",
                                                    accepts_marketing=True))
    assert first == again
    customer = get_customer(db, first)
    assert customer.name == "Ada Lovelace" and customer.accepts_marketing
    db.write(lambda conn: customer_for_order(conn, email="ada@example.com", name="Someone Else"))
    assert get_customer(db, first).name == "Ada Lovelace"           # an order never overwrites a name
    with pytest.raises(CustomerError):
        db.write(lambda conn: customer_for_order(conn, email="nope", name=""))


def test_consent_changes_are_recorded_with_time_and_source(db) -> None:
    assert subscribe(db, email="ada@example.com")
    customer_id = list_customers(db).customers[0].id
    assert set_marketing_consent(db, customer_id, consented=False, source=ConsentSource.ACCOUNT)
    assert not set_marketing_consent(db, customer_id, consented=False, source=ConsentSource.ACCOUNT)   # no change
    assert set_marketing_consent(db, customer_id, consented=True, source=ConsentSource.ADMIN)
    history = customer_detail(db, customer_id)["consentHistory"]
    assert [(e["consented"], e["source"]) for e in history] == [(True, "newsletter_form"), (False, "account"),
                                                                (True, "admin")]
    assert all(e["at"] for e in history)
    with pytest.raises(CustomerError) as missing:
        set_marketing_consent(db, "no-such-id", consented=True, source="admin")
    assert missing.value.code == CustomerErrorCode.NOT_FOUND


def test_addresses_are_checked_normalised_and_owned(db) -> None:
    ada = db.write(lambda conn: customer_for_order(conn, email="ada@example.com", name="Ada"))
    bob = db.write(lambda conn: customer_for_order(conn, email="bob@example.com", name="Bob"))
    first = add_address(db, ada, address=ADDRESS)
    assert first.is_default and first.address["country_area"] == "CA" and first.address["city"] == "SAN FRANCISCO"
    with pytest.raises(CustomerError) as wrong:
        add_address(db, ada, address={**ADDRESS, "postal_code": "1234"})
    assert wrong.value.code == CustomerErrorCode.INVALID and "postal_code" in wrong.value.fields
    with pytest.raises(CustomerError) as unknown:
        add_address(db, ada, address={**ADDRESS, "evil": "<script>"})
    assert unknown.value.code == CustomerErrorCode.INVALID
    second = add_address(db, ada, address={**ADDRESS, "street_address": "2 Market St"}, make_default=True)
    listed = db.read(lambda conn: saved_addresses(conn, ada))
    assert [a.id for a in listed] == [second.id, first.id] and listed[0].is_default and not listed[1].is_default
    with pytest.raises(CustomerError):                   # another customer's address is not found
        remove_address(db, bob, first.id)
    with pytest.raises(CustomerError):
        make_default_address(db, bob, first.id)
    remove_address(db, ada, second.id)
    assert [(a.id, a.is_default) for a in db.read(lambda conn: saved_addresses(conn, ada))] == [(first.id, True)]


def test_the_list_counts_orders_and_paid_totals_and_pages(db) -> None:
    for index in range(3):
        db.write(lambda conn, i=index: customer_for_order(conn, email=f"c{i}@example.com", name=f"Customer {i}",
                                                          now=f"2026-12-05T10:00:0{i}"))
    make_order(db, email_address="C1@example.com", total=2500)
    make_order(db, email_address="c1@example.com", total=1000)
    make_order(db, email_address="c1@example.com", total=700, paid=False)      # pay in store: not spent yet
    page = list_customers(db, limit=2)
    assert [c.email for c in page.customers] == ["c2@example.com", "c1@example.com"] and page.next_before
    c1 = page.customers[1].to_json()
    assert c1["ordersCount"] == 3 and c1["totalSpent"] == {"amount": 3500, "currency": "USD"}
    rest = list_customers(db, limit=2, before=page.next_before)
    assert [c.email for c in rest.customers] == ["c0@example.com"] and rest.next_before is None
    assert [c.email for c in list_customers(db, query="Customer 1").customers] == ["c1@example.com"]
    assert list_customers(db, query="100%_").customers == ()
    for bad in ({"limit": 0}, {"limit": 101}, {"before": "garbage"}):
        with pytest.raises(CustomerError):
            list_customers(db, **bad)


def test_export_gives_profile_addresses_orders_and_consent(db) -> None:
    customer_id = db.write(lambda conn: customer_for_order(conn, email="ada@example.com", name="Ada",
                                                           accepts_marketing=True))
    add_address(db, customer_id, address=ADDRESS)
    order = make_order(db, email_address="ada@example.com")
    make_order(db, email_address="someone@example.com")
    data = json.loads(json.dumps(export_customer(db, customer_id)))
    assert data["profile"]["email"] == "ada@example.com" and data["profile"]["marketingConsent"] is True
    assert [o["number"] for o in data["orders"]] == [order.number] and data["orders"][0]["lines"]
    assert data["addresses"][0]["address"]["street_address"] == "1 Market St"
    assert [e["source"] for e in data["consentHistory"]] == ["checkout"]


def test_erase_deletes_the_profile_and_keeps_orders_without_personal_data(db) -> None:
    started = request_sign_in_code(db, email="ada@example.com", client="192.0.2.1", branding=BRANDING)
    signed = verify_sign_in_code(db, token=started.token, code=queued_code(db, "ada@example.com"))
    customer_id = signed.customer.id
    add_address(db, customer_id, address=ADDRESS)
    set_marketing_consent(db, customer_id, consented=True, source="account")
    order = make_order(db, email_address="Ada@example.com", name="Ada Lovelace")
    other = make_order(db, email_address="bob@example.com", name="Bob")
    db.write(lambda conn: enqueue_email(conn, render_sign_in_code(to="ada@example.com", code="123456",
                                                                  branding=BRANDING), dedupe_key="pending-one"))
    db.write(lambda conn: conn.execute("UPDATE outbox SET status = 'sent' WHERE dedupe_key LIKE 'signin:%'"))
    assert erase_customer(db, customer_id) == 1
    kept = get_order(db, order_id=order.id)
    assert kept.email == ERASED_EMAIL and kept.customer_name == ""
    assert kept.shipping_address == {"country_code": "US", "country_area": "CA", "erased": True}
    assert kept.total == order.total and kept.lines == order.lines            # the accounts still add up
    assert all("Ada" not in e.message and "@example.com" not in e.message for e in kept.events)
    assert get_order(db, order_id=other.id).email == "bob@example.com"
    everything = db.read(lambda conn: "\n".join(
        str(row) for table in ("customers", "customer_addresses", "customer_consent_events", "customer_sessions",
                               "customer_login_codes", "outbox", "orders", "order_events")
        for row in conn.all(f"SELECT * FROM {table}")))
    assert "ada@example.com" not in everything.lower() and "Lovelace" not in everything
    with pytest.raises(CustomerError) as gone:
        get_customer(db, customer_id)
    assert gone.value.code == CustomerErrorCode.NOT_FOUND


def _variants(store) -> list[str]:  # noqa: ANN001
    def pick(conn):  # noqa: ANN001, ANN202
        ids = [r[0] for r in conn.all("SELECT v.id FROM variants v JOIN products p ON p.id = v.product_id "
                                      "WHERE p.status = 'active' ORDER BY v.id")]
        free = available(conn, ids, now=datetime.now(UTC))
        return [v for v in ids if free[v] >= 5]
    return store.db.read(pick)


def _sign_in(db, cart_token):  # noqa: ANN001, ANN202
    started = request_sign_in_code(db, email="ada@example.com", client="192.0.2.1", branding=BRANDING)
    return verify_sign_in_code(db, token=started.token, code=queued_code(db, "ada@example.com"), cart_token=cart_token)


def test_a_guest_cart_joins_the_accounts_cart_on_sign_in(demo_store) -> None:
    db, now = demo_store.db, datetime.now(UTC)
    a, b, c = _variants(demo_store)[:3]
    phone = db.write(lambda conn: add_to_cart(conn, None, variant_id=a, quantity=1, now=now)).token
    db.write(lambda conn: add_to_cart(conn, phone, variant_id=b, quantity=1, now=now))
    assert _sign_in(db, phone).cart_token is None          # the phone's cart becomes the account's
    laptop = db.write(lambda conn: add_to_cart(conn, None, variant_id=b, quantity=2, now=now)).token
    db.write(lambda conn: add_to_cart(conn, laptop, variant_id=c, quantity=1, now=now))
    assert _sign_in(db, laptop).cart_token is None         # the laptop keeps its cart, with the phone's lines
    view = db.read(lambda conn: cart_view(conn, laptop, now=now))
    assert {line.variant_id: line.quantity for line in view.lines} == {b: 3, c: 1, a: 1}
    assert db.read(lambda conn: find_cart(conn, phone, now=now)) is None
    fresh = _sign_in(db, None).cart_token                   # a browser without a cart gets the account's
    assert fresh and fresh != laptop
    assert db.read(lambda conn: cart_view(conn, fresh, now=now)).item_count == 5
    assert db.read(lambda conn: find_cart(conn, laptop, now=now)) is None


def test_consent_by_email_for_checkout_boxes_and_unsubscribe_links(db) -> None:
    assert not db.write(lambda conn: record_consent(conn, email="new@example.com", consented=False,
                                                    source=ConsentSource.UNSUBSCRIBE_LINK))
    assert list_customers(db).customers == ()                   # withdrawing makes nobody
    assert db.write(lambda conn: record_consent(conn, email="new@example.com", consented=True,
                                                source=ConsentSource.CHECKOUT))
    assert db.write(lambda conn: record_consent(conn, email="NEW@example.com", consented=False,
                                                source=ConsentSource.UNSUBSCRIBE_LINK))
    customer = list_customers(db).customers[0]
    assert not customer.accepts_marketing
    assert [(e.consented, e.source) for e in consent_history(db, customer.id)] == [
        (True, "checkout"), (False, "unsubscribe_link")]


def test_every_email_the_checkout_accepts_makes_a_customer(db) -> None:
    from shared.checkout.attempt import CheckoutRequest, check_request

    for address in ("jösé@example.com", "o.neil+tag@example.co.uk", "UPPER@EXAMPLE.COM"):
        try:
            check_request(CheckoutRequest(lines=(("v", 1),), email=address, payment_method="stripe"))
        except Exception as exc:  # noqa: BLE001 - only the e-mail matters here
            assert getattr(exc, "field", None) != "email", address
        assert db.write(lambda conn, a=address: customer_for_order(conn, email=a, name=""))


def test_a_device_copy_carries_no_account_rows(db) -> None:
    from shared.db.repositories.copies import remove_shopper_data

    started = request_sign_in_code(db, email="ada@example.com", client="192.0.2.1", branding=BRANDING)
    signed = verify_sign_in_code(db, token=started.token, code=queued_code(db, "ada@example.com"))
    add_address(db, signed.customer.id, address=ADDRESS)
    set_marketing_consent(db, signed.customer.id, consented=True, source="account")
    db.write(remove_shopper_data)
    tables = ("customers", "customer_sessions", "customer_login_codes", "customer_addresses", "customer_consent_events")
    assert db.read(lambda conn: [conn.scalar(f"SELECT count(*) FROM {t}") for t in tables]) == [0] * len(tables)
