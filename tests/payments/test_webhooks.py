"""Stripe webhooks in: localstripe's signed deliveries verify, duplicates and forgeries are refused."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import pytest

from shared.db import Database
from shared.models.money import Money
from shared.payments import (PaymentError, PaymentErrorCode, SecretBox, StripeOptions, WebhookKind, accept_webhook,
                             finish_webhook, provider_for)
from support_stripe import STORE_ID, WEBHOOK_SECRET, LocalStripe, WebhookInbox, serve, sign

TEE = Money(2500, "USD")


@pytest.fixture
async def inbox(localstripe: LocalStripe) -> AsyncIterator[WebhookInbox]:
    """A receiver registered with localstripe for signed events."""
    receiver = WebhookInbox()
    runner, url = await serve(receiver.app())
    localstripe.register_webhook(f"{url}/hook")
    yield receiver
    await runner.cleanup()


async def pay(db: Database, box: SecretBox, localstripe: LocalStripe, card: str, key: str) -> str:
    provider = provider_for(db, store_id=STORE_ID, method="stripe", box=box,
                            options=StripeOptions(api_base=localstripe.url))
    try:
        result = await provider.charge(TEE, payment_method=card, idempotency_key=key, metadata={})
    finally:
        await provider.aclose()
    assert result.intent_id
    return result.intent_id


def processed_events(db: Database) -> list[tuple]:
    return db.read(lambda conn: conn.all("SELECT event_id, processed_at IS NOT NULL FROM payment_webhook_events"))


async def test_a_signed_success_event_verifies_once(stripe_store: Database, box: SecretBox,
                                                    localstripe: LocalStripe, inbox: WebhookInbox) -> None:
    intent_id = await pay(stripe_store, box, localstripe, "pm_card_visa", "attempt-hook1")
    body, signature = await inbox.wait_for("payment_intent.succeeded", intent_id)
    event = accept_webhook(stripe_store, body, signature, WEBHOOK_SECRET, store_id=STORE_ID)
    assert event is not None and event.kind is WebhookKind.PAYMENT_SUCCEEDED
    assert (event.intent_id, event.amount, event.attempt_key) == (intent_id, TEE, "attempt-hook1")
    # Delivered again before finalize finished (a crash): handed over again, finalize is idempotent.
    again = accept_webhook(stripe_store, body, signature, WEBHOOK_SECRET, store_id=STORE_ID)
    assert again is not None and again.event_id == event.event_id
    finish_webhook(stripe_store, event.event_id)
    assert accept_webhook(stripe_store, body, signature, WEBHOOK_SECRET, store_id=STORE_ID) is None   # duplicate
    assert processed_events(stripe_store) == [(event.event_id, 1)]


async def test_a_signed_failure_event_carries_the_decline(stripe_store: Database, box: SecretBox,
                                                          localstripe: LocalStripe, inbox: WebhookInbox) -> None:
    intent_id = await pay(stripe_store, box, localstripe, localstripe.card("4000000000000341"), "attempt-hook2")
    body, signature = await inbox.wait_for("payment_intent.payment_failed", intent_id)
    event = accept_webhook(stripe_store, body, signature, WEBHOOK_SECRET, store_id=STORE_ID)
    assert event is not None and event.kind is WebhookKind.PAYMENT_FAILED and event.intent_id == intent_id
    assert "declined" in event.message.lower()


def event_body(*, store: str = STORE_ID, kind: str = "payment_intent.succeeded", event_id: str = "evt_test1") -> bytes:
    intent = {"id": "pi_test1", "object": "payment_intent", "amount": 2500, "currency": "usd",
              "metadata": {"vibeshop_store": store, "vibeshop_attempt": "attempt-x"}}
    return json.dumps({"id": event_id, "object": "event", "type": kind, "created": int(time.time()),
                       "data": {"object": intent}}).encode()


@pytest.mark.parametrize(("header", "body"), [
    (None, event_body()),                                              # unsigned
    ("", event_body()),
    ("t=1,v1=deadbeef", event_body()),                                 # forged
    (sign(event_body(), "whsec_someoneElse"), event_body()),           # another secret
    (sign(event_body()), event_body(event_id="evt_changed")),          # body altered after signing
    (sign(event_body(), at=int(time.time()) - 3600), event_body()),    # a replay older than the tolerance
])
def test_unsigned_forged_and_replayed_deliveries_are_refused(stripe_store: Database, header: str | None,
                                                              body: bytes) -> None:
    with pytest.raises(PaymentError) as caught:
        accept_webhook(stripe_store, body, header, WEBHOOK_SECRET, store_id=STORE_ID)
    assert caught.value.code == PaymentErrorCode.BAD_SIGNATURE
    assert processed_events(stripe_store) == []


def test_another_stores_payment_is_refused(stripe_store: Database) -> None:
    body = event_body(store="other-store")
    with pytest.raises(PaymentError) as caught:
        accept_webhook(stripe_store, body, sign(body), WEBHOOK_SECRET, store_id=STORE_ID)
    assert caught.value.code == PaymentErrorCode.FOREIGN_STORE
    assert processed_events(stripe_store) == []


def test_signed_but_malformed_or_unconsumed_events(stripe_store: Database) -> None:
    for body in (b"not json", b"[]", b"\xff\xfe", b'{"id": 5}',
                 json.dumps({"id": "evt_x", "type": "payment_intent.succeeded", "data": []}).encode(),
                 json.dumps({"id": "evt_x", "type": "payment_intent.succeeded",
                             "data": {"object": {"object": "charge"}}}).encode()):
        with pytest.raises(PaymentError) as caught:
            accept_webhook(stripe_store, body, sign(body), WEBHOOK_SECRET, store_id=STORE_ID)
        assert caught.value.code == PaymentErrorCode.BAD_EVENT
    odd = json.loads(event_body(event_id="evt_odd"))
    odd["created"], odd["data"]["object"]["amount"], odd["data"]["object"]["currency"] = "x", "x", 5
    odd_body = json.dumps(odd).encode()
    odd_event = accept_webhook(stripe_store, odd_body, sign(odd_body), WEBHOOK_SECRET, store_id=STORE_ID)
    assert odd_event is not None and (odd_event.amount, odd_event.created) == (None, 0)   # re-read the intent
    finish_webhook(stripe_store, "evt_odd")
    other = event_body(kind="charge.succeeded", event_id="evt_charge")
    assert accept_webhook(stripe_store, other, sign(other), WEBHOOK_SECRET, store_id=STORE_ID) is None
    assert ("evt_charge", 1) in processed_events(stripe_store)       # acknowledged, never handed over
    with pytest.raises(PaymentError) as caught:
        accept_webhook(stripe_store, other, sign(other), "", store_id=STORE_ID)
    assert caught.value.code == PaymentErrorCode.NOT_CONFIGURED
