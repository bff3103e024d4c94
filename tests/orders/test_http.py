"""The cloud side of orders: the Stripe webhook (signed by a real localstripe, duplicates, any order
with the confirmation call, another store's payment refused), the shopper's order page, the admin
API's orders and their scope. The demo store is the shop; its database is the app's own."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
import json
import os
from pathlib import Path

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from cloud.server.keys import STORES
from shared.accounts.service import create_token
from shared.checkout.attempt import CheckoutRequest
from shared.checkout.finalize import OutcomeStatus, finalize
from shared.checkout.shipping import Destination
from shared.checkout.workflow import place_order
from shared.inventory import available
from shared.payments import ENV_VAR
from shared.storefront.service import DataDir, create_store
from support_checkout import served_checkout_context
from support_stripe import LocalStripe, WebhookInbox, serve, sign

DEMO = {"Host": "demo.localhost"}
KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()


@pytest.fixture
async def shop(aiohttp_client, demo_dir: Path, localstripe: LocalStripe, monkeypatch: pytest.MonkeyPatch):
    """The app serving the demo store with Stripe keys for localstripe; (client, store, context)."""
    monkeypatch.setenv(ENV_VAR, KEY)
    create_store(DataDir(demo_dir), slug="other-shop", name="Other shop").close()
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, stripe_api=localstripe.url,
                                                         mail_dir=demo_dir / "mail")))
    store = await client.app[STORES].store_for("demo.localhost")
    ctx = served_checkout_context(store, key=KEY, api_base=localstripe.url)
    return client, store, ctx


def _request(store, *, email: str = "ada@example.com") -> CheckoutRequest:
    def pick(conn):
        ids = [r[0] for r in conn.all("SELECT id FROM variants ORDER BY id")]
        free = available(conn, ids, now=datetime.now(UTC))
        return next(v for v in ids if free[v] >= 2)

    variant = store.db.read(pick)
    return CheckoutRequest(lines=((variant, 1),), email=email, payment_method="stripe", shipping_option_id="standard",
                           destination=Destination("US", "CA", "94103"),
                           shipping_address={"name": "Ada", "street_address": "1 Market St", "city": "SAN FRANCISCO",
                                             "country_area": "CA", "postal_code": "94103", "country_code": "US"})


def _count(store, sql: str) -> int:
    return store.db.read(lambda conn: conn.scalar(sql))


async def test_localstripes_webhook_and_the_confirmation_call_make_one_order(shop, localstripe: LocalStripe) -> None:
    client, store, ctx = shop
    inbox = WebhookInbox()
    runner, url = await serve(inbox.app())
    localstripe.register_webhook(f"{url}/hook")
    try:
        outcome = await place_order(ctx, _request(store), card=localstripe.card("4000002500003155"))   # 3DS
        localstripe.authenticate(outcome.payment_intent_id, outcome.client_secret, success=True)
        body, signature = await inbox.wait_for("payment_intent.succeeded", outcome.payment_intent_id)
    finally:
        await runner.cleanup()
    headers = {**DEMO, "Stripe-Signature": signature, "Content-Type": "application/json"}
    first = await client.post("/webhooks/stripe", data=body, headers=headers)     # the webhook first
    assert first.status == 200 and (await first.json()) == {"received": True}
    after = await finalize(ctx, attempt_id=outcome.attempt_id)                     # then the browser's call
    again = await client.post("/webhooks/stripe", data=body, headers=headers)     # and a duplicate delivery
    assert again.status == 200 and (await again.json())["duplicate"] is True
    assert after.status is OutcomeStatus.COMPLETED and _count(store, "SELECT count(*) FROM orders") == 1
    assert _count(store, "SELECT count(*) FROM outbox") == 2
    assert _count(store, "SELECT count(*) FROM stock_movements WHERE reference IN (SELECT id FROM orders)") == 1


def _event(intent: dict, *, event_id: str = "evt_1", kind: str = "payment_intent.succeeded") -> bytes:
    return json.dumps({"id": event_id, "object": "event", "type": kind, "created": 1,
                       "data": {"object": intent}}).encode()


async def test_a_webhook_after_the_confirmation_changes_nothing(shop, localstripe: LocalStripe) -> None:
    client, store, ctx = shop
    outcome = await place_order(ctx, _request(store), card="pm_card_visa")
    intent = localstripe.get(f"/v1/payment_intents/{outcome.payment_intent_id}")
    body = _event(intent)
    response = await client.post("/webhooks/stripe", data=body, headers={**DEMO, "Stripe-Signature": sign(body)})
    assert response.status == 200
    assert _count(store, "SELECT count(*) FROM orders") == 1 and _count(store, "SELECT count(*) FROM outbox") == 2
    assert _count(store, "SELECT count(*) FROM payment_webhook_events WHERE processed_at IS NOT NULL") == 1


async def test_forged_unsigned_and_foreign_webhooks_are_refused(shop, localstripe: LocalStripe) -> None:
    client, store, ctx = shop
    outcome = await place_order(ctx, _request(store), card="pm_card_visa")
    intent = localstripe.get(f"/v1/payment_intents/{outcome.payment_intent_id}")
    body = _event(intent, event_id="evt_forged")
    for headers in ({}, {"Stripe-Signature": sign(body, "whsec_notTheStoresSecret")}):
        response = await client.post("/webhooks/stripe", data=body, headers={**DEMO, **headers})
        assert response.status == 400
    foreign = _event({**intent, "metadata": {**intent["metadata"], "vibeshop_store": "another-store"}}, event_id="evt_f")
    response = await client.post("/webhooks/stripe", data=foreign, headers={**DEMO, "Stripe-Signature": sign(foreign)})
    assert response.status == 400 and (await response.json())["error"]["code"] == "foreign_store"
    other = await client.post("/webhooks/stripe", data=body, headers={"Host": "other-shop.localhost",
                                                                      "Stripe-Signature": sign(body)})
    assert other.status == 400       # that store has no Stripe keys: nothing is recorded
    assert _count(store, "SELECT count(*) FROM payment_webhook_events") == 0


async def test_the_order_page_is_private_and_not_cached(shop) -> None:
    client, store, ctx = shop
    outcome = await place_order(ctx, _request(store), card="pm_card_visa")
    order = outcome.order
    response = await client.get(f"/orders/{order.status_token}", headers=DEMO)
    text = await response.text()
    assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert f"Order #{order.number}" in text and order.lines[0].title in text and "Paid" in text
    assert "SAN FRANCISCO" in text
    missing = await client.get("/orders/" + "x" * 43, headers=DEMO)
    assert missing.status == 404 and "noindex" in missing.headers["X-Robots-Tag"]


async def test_admin_orders_need_the_orders_scope(shop, demo_dir: Path) -> None:
    client, store, ctx = shop
    outcome = await place_order(ctx, _request(store), card="pm_card_visa")
    catalog = DataDir(demo_dir).catalog()
    try:
        reader = create_token(catalog, store_id=store.record.id, name="orders", scopes=["orders:read"])
        other = create_token(catalog, store_id=store.record.id, name="store", scopes=["store:read"])
    finally:
        catalog.close()
    refused = await client.get("/api/admin/orders", headers={**DEMO, "Authorization": f"Bearer {other}"})
    assert refused.status == 403
    auth = {**DEMO, "Authorization": f"Bearer {reader}"}
    listing = await (await client.get("/api/admin/orders", headers=auth)).json()
    assert [o["number"] for o in listing["orders"]] == [outcome.order.number] and listing["nextBefore"] is None
    assert listing["orders"][0]["paymentStatus"] == "paid" and "lines" not in listing["orders"][0]
    detail = await client.get(f"/api/admin/orders/{outcome.order.id}", headers=auth)
    body = await detail.json()
    assert detail.status == 200 and body["lines"][0]["quantity"] == 1 and body["events"][0]["kind"] == "placed"
    by_number = await client.get(f"/api/admin/orders/{outcome.order.number}", headers=auth)
    assert (await by_number.json())["id"] == outcome.order.id
    assert (await client.get("/api/admin/orders/nope", headers=auth)).status == 404
    # "²" is a digit to str.isdigit but not to int: read as a number, it once answered 500
    assert (await client.get("/api/admin/orders/%C2%B2", headers=auth)).status == 404
    assert (await client.get("/api/admin/orders?payment_status=maybe", headers=auth)).status == 400


async def test_a_failed_payment_webhook_releases_the_holds(shop, localstripe: LocalStripe) -> None:
    client, store, ctx = shop
    outcome = await place_order(ctx, _request(store), card=localstripe.card("4000002500003155"))
    assert _count(store, "SELECT count(*) FROM stock_holds") == 1
    localstripe.authenticate(outcome.payment_intent_id, outcome.client_secret, success=False)
    intent = localstripe.get(f"/v1/payment_intents/{outcome.payment_intent_id}")
    body = _event(intent, event_id="evt_failed", kind="payment_intent.payment_failed")
    response = await client.post("/webhooks/stripe", data=body, headers={**DEMO, "Stripe-Signature": sign(body)})
    assert response.status == 200
    assert _count(store, "SELECT count(*) FROM stock_holds") == 0 and _count(store, "SELECT count(*) FROM orders") == 0
    assert _count(store, "SELECT count(*) FROM checkout_attempts WHERE status = 'failed'") == 1
