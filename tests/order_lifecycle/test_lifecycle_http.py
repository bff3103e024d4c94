"""The admin API's order actions on a real app (the demo store, localstripe, mail into a folder):
fulfil with tracking and the shipping e-mail arrives, a partial refund, illegal ones answered 409
with the reason, bad input 400/422, scopes, and the packing slip and invoice as PDF."""

from __future__ import annotations

import asyncio
import base64
import io
import os
from datetime import UTC, datetime
from pathlib import Path

import pypdf
import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from cloud.server.keys import STORES
from shared.accounts import service as accounts
from shared.checkout.attempt import CheckoutRequest
from shared.checkout.shipping import Destination
from shared.checkout.workflow import place_order
from shared.inventory import available
from shared.storefront.service import create_store
from shared.payments import ENV_VAR
from support_checkout import served_checkout_context
from support_stripe import LocalStripe

DEMO = {"Host": "demo.localhost"}
KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()


@pytest.fixture
async def app(aiohttp_client, demo_dir: Path, localstripe: LocalStripe, monkeypatch: pytest.MonkeyPatch):
    """(client, store, checkout context, headers of an orders:read+write token, of a read-only one)."""
    monkeypatch.setenv(ENV_VAR, KEY)
    # orders:write joins the token scopes with issue 12 (shared/accounts is wired by the integrator).
    monkeypatch.setattr(accounts, "SCOPES", accounts.SCOPES | {"orders:read", "orders:write"})
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, stripe_api=localstripe.url,
                                                         mail_dir=demo_dir / "mail")))
    store = await client.app[STORES].store_for("demo.localhost")
    ctx = served_checkout_context(store, key=KEY, api_base=localstripe.url)
    catalog = client.app[STORES].catalog
    writer = accounts.create_token(catalog, store_id=store.record.id, name="Device: Ada's Mac",
                                   scopes=["orders:read", "orders:write"])
    reader = accounts.create_token(catalog, store_id=store.record.id, name="reports", scopes=["orders:read"])
    return (client, store, ctx, {**DEMO, "Authorization": f"Bearer {writer}"},
            {**DEMO, "Authorization": f"Bearer {reader}"})


async def _order(store, ctx, *, quantity: int = 2) -> dict:
    def pick(conn):
        ids = [r[0] for r in conn.all("SELECT id FROM variants ORDER BY id")]
        free = available(conn, ids, now=datetime.now(UTC))
        return next(v for v in ids if free[v] >= quantity + 1)

    variant = store.db.read(pick)
    outcome = await place_order(ctx, CheckoutRequest(
        lines=((variant, quantity),), email="ada@example.com", payment_method="stripe", shipping_option_id="standard",
        destination=Destination("US", "CA", "94103"), customer_name="Ada Lovelace",
        shipping_address={"name": "Ada <b>Lovelace</b>", "street_address": "1 Market St", "city": "SAN FRANCISCO",
                          "country_area": "CA", "postal_code": "94103", "country_code": "US"}), card="pm_card_visa")
    return {"id": outcome.order.id, "number": outcome.order.number}


async def _mail_with(folder: Path, words: str) -> str:
    """The text of the first .eml in `folder` holding `words`, once the outbox worker wrote it."""
    while True:
        for path in sorted(folder.glob("**/*.eml")) if folder.exists() else ():
            text = path.read_text(errors="replace")
            if words in text:
                return text
        await asyncio.sleep(0.05)


async def test_fulfil_with_tracking_sends_the_shipping_email_then_a_partial_refund(app, demo_dir: Path) -> None:
    client, store, ctx, auth, _ = app
    placed = await _order(store, ctx)
    detail = await client.get(f"/api/admin/orders/{placed['number']}", headers=auth)
    assert detail.status == 200
    order = await detail.json()
    line = order["lines"][0]
    assert line["fulfilledQuantity"] == 0 and order["refundable"] == order["total"]
    assert [m["kind"] for m in order["messages"]] == ["confirmation", "merchant"]
    shipped = await client.post(f"/api/admin/orders/{order['id']}/fulfillments", headers=auth, json={
        "lines": [{"lineId": line["id"], "quantity": 2}], "carrier": "UPS", "trackingNumber": "1Z999AA1",
        "trackingUrl": "https://www.ups.com/track?tracknum=1Z999AA1"})
    assert shipped.status == 200
    after = await shipped.json()
    assert after["fulfillmentStatus"] == "fulfilled" and after["fulfillments"][0]["trackingNumber"] == "1Z999AA1"
    assert after["events"][-1]["actor"] == "device:Ada's Mac"
    mail = await asyncio.wait_for(_mail_with(demo_dir / "mail", "1Z999AA1"), 30)
    assert f"Order #{placed['number']} is on the way" in mail
    refund = await client.post(f"/api/admin/orders/{order['id']}/refunds", headers=auth, json={
        "lines": [{"lineId": line["id"], "quantity": 1}], "reason": "One arrived torn"})
    assert refund.status == 201
    refunded = await refund.json()
    unit = line["total"]["amount"] // 2
    assert refunded["paymentStatus"] == "partially_refunded"
    assert refunded["refunds"][0]["amount"] == {"amount": unit, "currency": order["currency"]}
    assert refunded["refundable"]["amount"] == order["total"]["amount"] - unit
    too_much = await client.post(f"/api/admin/orders/{order['id']}/refunds", headers=auth,
                                 json={"amount": {"amount": order["total"]["amount"], "currency": order["currency"]}})
    assert too_much.status == 422
    problem = (await too_much.json())["error"]
    assert problem["field"] == "amount" and problem["code"] == "invalid"
    refund_mail = await asyncio.wait_for(_mail_with(demo_dir / "mail", "One arrived torn"), 30)
    assert f"Refund for order #{placed['number']}" in refund_mail


async def test_illegal_actions_answer_409_with_the_reason(app) -> None:
    client, store, ctx, auth, _ = app
    placed = await _order(store, ctx, quantity=1)
    base = f"/api/admin/orders/{placed['id']}"
    picked = await client.post(f"{base}/picked-up", headers=auth, json={})
    assert picked.status == 409
    assert (await picked.json())["error"] == {"status": 409, "code": "illegal_transition",
                                              "message": f"#{placed['number']} is not a pickup order"}
    assert (await client.post(f"{base}/fulfillments", headers=auth, json={})).status == 200
    cancel = await client.post(f"{base}/cancel", headers=auth, json={"reason": "changed mind"})
    assert cancel.status == 409 and "refund them instead" in (await cancel.json())["error"]["message"]


async def test_bad_input_scopes_and_unknown_orders(app) -> None:
    client, store, ctx, auth, read_only = app
    placed = await _order(store, ctx, quantity=1)
    base = f"/api/admin/orders/{placed['id']}"
    malformed = await client.post(f"{base}/fulfillments", headers=auth, data=b"{not json")
    assert malformed.status == 400
    unknown = await client.post(f"{base}/cancel", headers=auth, json={"why": "x"})
    assert unknown.status == 422 and (await unknown.json())["error"]["field"] == "why"
    wrong = await client.post(f"{base}/refunds", headers=auth, json={"amount": "all"})
    assert wrong.status == 422 and (await wrong.json())["error"]["field"] == "amount"
    lines = await client.post(f"{base}/fulfillments", headers=auth, json={"lines": [{"lineId": "x", "quantity": 1}]})
    assert lines.status == 422 and (await lines.json())["error"]["field"] == "lines"
    assert (await client.post(f"{base}/cancel", headers=read_only, json={})).status == 403
    assert (await client.post(f"{base}/cancel", headers=DEMO, json={})).status == 401
    assert (await client.get("/api/admin/orders/9999999", headers=auth)).status == 404
    assert (await client.post("/api/admin/orders/no-such-id/cancel", headers=auth, json={})).status == 404
    assert (await client.get(base, headers=read_only)).status == 200
    other = create_store(store.data_dir, slug="other-shop", name="Other shop")
    foreign = accounts.create_token(client.app[STORES].catalog, store_id=other.record.id, name="theirs",
                                    scopes=["orders:read", "orders:write"])
    other.close()
    theirs = {**DEMO, "Authorization": f"Bearer {foreign}"}
    assert (await client.post(f"{base}/cancel", headers=theirs, json={})).status == 403
    assert (await client.get(f"{base}/invoice.pdf", headers=theirs)).status == 403


async def test_packing_slip_and_invoice_are_pdfs_of_the_order(app) -> None:
    client, store, ctx, auth, read_only = app
    placed = await _order(store, ctx, quantity=2)
    order = await (await client.get(f"/api/admin/orders/{placed['id']}", headers=read_only)).json()
    for kind, words in (("packing-slip", ["Packing slip", "Ship to"]), ("invoice", ["Invoice", "Total", "Paid"])):
        response = await client.get(f"/api/admin/orders/{placed['id']}/{kind}.pdf", headers=read_only)
        assert response.status == 200 and response.content_type == "application/pdf"
        text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(await response.read())).pages)
        for word in [*words, f"#{placed['number']}", order["lines"][0]["title"], "Ada <b>Lovelace</b>"]:
            assert word in text, (kind, word)


async def _authorized_pickup(store, ctx) -> dict:
    """A pickup order whose card is only authorized, as checkout makes it with capture at pickup on."""
    from shared.models.money import Money
    from shared.payments import PaymentStatus

    location, variant = store.db.read(lambda conn: conn.one(
        "SELECT location_id, variant_id FROM stock_movements GROUP BY variant_id, location_id "
        "HAVING sum(delta) > 3 ORDER BY location_id LIMIT 1"))
    outcome = await place_order(ctx, CheckoutRequest(lines=((variant, 1),), email="ada@example.com",
                                                     payment_method="pay_in_store", shipping_option_id=location))
    order = outcome.order
    provider = await ctx.provider("stripe")
    try:
        result = await provider.charge(Money(order.total.amount, order.currency), payment_method="pm_card_visa",
                                       idempotency_key=f"auth-{order.id}", metadata={}, capture_method="manual")
    finally:
        await provider.aclose()
    assert result.status is PaymentStatus.AUTHORIZED
    store.db.write(lambda conn: conn.execute(
        "UPDATE orders SET payment_status = 'authorized', payment_provider = 'stripe', payment_intent_id = ? "
        "WHERE id = ?", (result.intent_id, order.id)))
    return {"id": order.id, "number": order.number, "intent": result.intent_id, "created": order.created_at}


async def test_pickup_authorize_then_ready_email_then_picked_up_captures(app, demo_dir: Path,
                                                                        localstripe: LocalStripe) -> None:
    client, store, ctx, auth, _ = app
    placed = await _authorized_pickup(store, ctx)
    base = f"/api/admin/orders/{placed['id']}"
    early = await client.post(f"{base}/picked-up", headers=auth, json={})
    assert early.status == 409 and "not ready for pickup" in (await early.json())["error"]["message"]
    ready = await client.post(f"{base}/ready-for-pickup", headers=auth, json={})
    assert ready.status == 200 and (await ready.json())["pickupStatus"] == "ready"
    mail = await asyncio.wait_for(_mail_with(demo_dir / "mail", f"Order #{placed['number']} is ready for pickup"), 30)
    assert "ada@example.com" in mail
    assert localstripe.get(f"/v1/payment_intents/{placed['intent']}")["status"] == "requires_capture"
    picked = await client.post(f"{base}/picked-up", headers=auth, json={})
    assert picked.status == 200
    order = await picked.json()
    assert (order["paymentStatus"], order["pickupStatus"], order["fulfillmentStatus"]) == ("paid", "picked_up",
                                                                                           "fulfilled")
    assert localstripe.get(f"/v1/payment_intents/{placed['intent']}")["status"] == "succeeded"


async def test_the_background_pass_cancels_an_expired_authorization(app, localstripe: LocalStripe) -> None:
    from datetime import timedelta

    from cloud.server.orders_api import expire_authorizations_everywhere

    client, store, ctx, auth, _ = app
    placed = await _authorized_pickup(store, ctx)
    assert await expire_authorizations_everywhere(client.app, datetime.now(UTC)) == 0
    later = datetime.fromisoformat(placed["created"]) + timedelta(days=7, minutes=5)
    assert await expire_authorizations_everywhere(client.app, later) == 1
    order = await (await client.get(f"/api/admin/orders/{placed['id']}", headers=auth)).json()
    assert order["cancelledAt"] and order["paymentStatus"] == "voided"
    assert any(e["kind"] == "authorization_expired" and e["actor"] == "system" for e in order["events"])
    assert localstripe.get(f"/v1/payment_intents/{placed['intent']}")["status"] == "canceled"
