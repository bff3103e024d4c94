"""The abandoned-checkout reminder, on a real store database with an injected clock: one e-mail per
checkout after the delay, none when an order was placed, none when the setting is off or the shopper did
not consent, and its link restores the cart (checked over HTTP in test_marketing_http.py)."""

from __future__ import annotations

import json

import pytest
from datetime import timedelta

from datetime import UTC, datetime

from marketing_seed import T0, make_order
from shared.customers import record_consent
from shared.db import Connection
from shared.db.stamps import new_id
from shared.inventory.holds import available
from shared.mail import outbox_entries
from shared.marketing import remind_abandoned_checkouts, restore_cart, update_settings
from shared.marketing.errors import MarketingError
from shared.marketing.settings import iso


def first_variant(conn: Connection) -> str:
    """An active variant with at least 2 units free (the demo's ids differ between sessions, and some of
    its variants are sold out)."""
    ids = [row[0] for row in conn.all("SELECT v.id FROM variants v JOIN products p ON p.id = v.product_id "
                                      "WHERE p.status = 'active' ORDER BY v.id")]
    free = available(conn, ids, now=datetime.now(UTC))
    return next(i for i in ids if free[i] >= 2)


def add_attempt(conn: Connection, *, email: str, at, variant: str, quantity: int = 2) -> str:  # noqa: ANN001
    """A checkout attempt as shared/checkout/workflow.py stores it (the columns this domain reads)."""
    attempt_id = new_id()
    request = {"lines": [[variant, quantity]], "email": email, "paymentMethod": "stripe"}
    conn.execute("INSERT INTO checkout_attempts (id, status, request, quote, hold_group, payment_method, created_at, "
                 "updated_at) VALUES (?, 'open', ?, '{}', ?, 'stripe', ?, ?)",
                 (attempt_id, json.dumps(request), f"attempt:{attempt_id}", iso(at), iso(at)))
    return attempt_id


def reminders(db) -> list:  # noqa: ANN001
    return [r for r in db.read(lambda conn: outbox_entries(conn, kind="email")) if r.dedupe_key.startswith("abandoned:")]


def turn_on(db, at) -> None:  # noqa: ANN001
    db.write(lambda conn: update_settings(conn, {"abandonedCheckout": {"enabled": True, "delaySeconds": 3600},
                                                 "siteUrl": "http://demo.localhost"}, now=at))


def test_one_reminder_after_the_delay_and_never_again(demo_store):  # noqa: ANN001
    db = demo_store.db
    turn_on(db, T0)
    db.write(lambda conn: record_consent(conn, email="ada@example.com", consented=True, source="checkout"))
    variant = db.read(first_variant)
    db.write(lambda conn: add_attempt(conn, email="ada@example.com", at=T0 + timedelta(minutes=1), variant=variant))

    assert db.write(lambda conn: remind_abandoned_checkouts(conn, now=T0 + timedelta(minutes=30))) == 0
    assert reminders(db) == []
    assert db.write(lambda conn: remind_abandoned_checkouts(conn, now=T0 + timedelta(minutes=62))) == 1
    for later in (63, 120, 600):
        assert db.write(lambda conn, m=later: remind_abandoned_checkouts(conn, now=T0 + timedelta(minutes=m))) == 0
    [row] = reminders(db)
    payload = json.loads(row.payload)
    assert payload["to"] == "ada@example.com"
    assert "/cart/restore?t=" in payload["text"] and payload["list_unsubscribe"].startswith("http://demo.localhost/unsubscribe?t=")


def test_no_reminder_when_off_when_ordered_or_without_consent(demo_store):  # noqa: ANN001
    db = demo_store.db
    variant = db.read(first_variant)
    db.write(lambda conn: record_consent(conn, email="ada@example.com", consented=True, source="checkout"))
    db.write(lambda conn: add_attempt(conn, email="ada@example.com", at=T0, variant=variant))
    # Off by default: nothing, and turning it on later never reaches back to that checkout.
    assert db.write(lambda conn: remind_abandoned_checkouts(conn, now=T0 + timedelta(hours=2))) == 0
    turn_on(db, T0 + timedelta(hours=2))
    assert db.write(lambda conn: remind_abandoned_checkouts(conn, now=T0 + timedelta(hours=4))) == 0

    start = T0 + timedelta(hours=5)
    db.write(lambda conn: add_attempt(conn, email="ada@example.com", at=start, variant=variant))
    make_order(db, email_address="ADA@example.com")         # the order came (now, after the attempt began)
    db.write(lambda conn: add_attempt(conn, email="bob@example.com", at=start, variant=variant))   # no consent
    now = datetime.now(UTC) + timedelta(hours=2)       # the order is stamped with the real time: after it
    assert db.write(lambda conn: remind_abandoned_checkouts(conn, now=now)) == 0
    assert reminders(db) == []
    outcomes = db.read(lambda conn: dict(conn.all(
        "SELECT json_extract(a.request, '$.email'), d.outcome FROM abandoned_checkouts d "
        "JOIN checkout_attempts a ON a.id = d.attempt_id")))
    assert outcomes == {"ada@example.com": "ordered", "bob@example.com": "no_consent"}


def test_the_restore_token_rebuilds_the_lines_and_a_forged_one_is_refused(demo_store):  # noqa: ANN001
    db = demo_store.db
    turn_on(db, T0)
    db.write(lambda conn: record_consent(conn, email="ada@example.com", consented=True, source="checkout"))
    variant = db.read(first_variant)
    db.write(lambda conn: add_attempt(conn, email="ada@example.com", at=T0 + timedelta(minutes=1), variant=variant))
    db.write(lambda conn: remind_abandoned_checkouts(conn, now=T0 + timedelta(hours=2)))
    text = json.loads(reminders(db)[0].payload)["text"]
    token = text.split("/cart/restore?t=")[1].split()[0]
    cart_token, restored, missing = db.write(lambda conn: restore_cart(conn, token, now=T0 + timedelta(hours=3)))
    assert cart_token and (restored, missing) == (1, 0)
    lines = db.read(lambda conn: conn.all("SELECT variant_id, quantity FROM cart_lines"))
    assert [tuple(r) for r in lines] == [(variant, 2)]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (forged, "", "x.y", token + "."):
        with pytest.raises(MarketingError):
            db.write(lambda conn, t=bad: restore_cart(conn, t, now=T0 + timedelta(hours=3)))
    with pytest.raises(MarketingError):        # expired after 30 days
        db.write(lambda conn: restore_cart(conn, token, now=T0 + timedelta(days=31)))
