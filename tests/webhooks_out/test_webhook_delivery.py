"""Outbound webhooks delivered from the outbox to a real loopback receiver: retried until accepted
(exactly one accepted delivery, signed with the subscription's secret), one delivery per event and
subscription, nothing after a rollback, and a subscription that keeps failing is disabled and the
merchant told by e-mail."""

from __future__ import annotations

import asyncio
import json

import pytest

from shared.db import Database
from shared.db.repositories import outbox as outbox_repo
from shared.db.repositories.storefront import get_storefront, update_storefront
from shared.mail import OutboxWorker, outbox_entries
from shared.webhooks import (WEBHOOK, WebhookError, WebhookPolicy, WebhookSender, create_subscription, emit_event,
                             get_subscription, list_deliveries, prune_deliveries, queue_test_event, update_subscription,
                             verify_signature)
from webhook_receiver import Receiver

FAST = WebhookPolicy(base=0.01, cap=0.05, jitter=0.0, lease=30)
ORDER = {"id": "ord_1", "number": "#1001", "total": {"amount": 2500, "currency": "EUR"}}


async def subscribe(db: Database, url: str, events: list[str] | None = None) -> tuple[str, str]:
    """A subscription (test mode: loopback allowed); its id and secret."""
    subscription, secret = await db.run_write(lambda conn: create_subscription(
        conn, {"url": url, "events": events or ["order.created", "order.paid"]}, allow_loopback=True))
    return subscription.id, secret


async def emit(db: Database, event_type: str = "order.created", key: str = "order:ord_1:created") -> None:
    await db.run_write(lambda conn: emit_event(conn, event_type=event_type, data=ORDER, dedupe_key=key))


async def deliver_until(db: Database, sender: WebhookSender, done, what: str) -> None:  # noqa: ANN001
    """Passes of the sender until `done()` (each pass sleeps until the next retry is due)."""
    for _ in range(200):
        wait = await sender.deliver(db)
        if done():
            return
        await asyncio.sleep(min(wait if wait is not None else 0.01, 0.1))
    raise AssertionError(f"never happened: {what}")


async def test_a_receiver_failing_twice_gets_exactly_one_accepted_signed_delivery(db, receiver: Receiver):
    subscription_id, secret = await subscribe(db, receiver.url)
    sender = WebhookSender(allow_loopback=True, policy=FAST)
    worker = OutboxWorker(None, lambda: [db], kinds={WEBHOOK: sender.deliver}, poll_interval=0.05)
    await worker.start()
    try:
        await emit(db)                                    # the commit wakes the worker
        await receiver.wait_for(3)
    finally:
        await worker.stop()
        await sender.aclose()

    assert [r.answered for r in receiver.requests] == [500, 500, 200]
    [accepted] = receiver.accepted
    event = json.loads(accepted.body)
    assert event["type"] == "order.created" and event["data"] == ORDER
    assert accepted.headers["Vibeshop-Event-Type"] == "order.created"
    assert {r.headers["Vibeshop-Event-Id"] for r in receiver.requests} == {event["id"]}   # one id for the retries
    assert verify_signature(secret, accepted.body, accepted.headers["Vibeshop-Signature"]) > 0
    with pytest.raises(WebhookError):
        verify_signature("whsec_wrong", accepted.body, accepted.headers["Vibeshop-Signature"])
    with pytest.raises(WebhookError):
        verify_signature(secret, accepted.body.replace(b"2500", b"1"), accepted.headers["Vibeshop-Signature"])
    [delivery] = await db.run_read(lambda conn: list_deliveries(conn, subscription_id))
    log = delivery.to_json()
    assert log["status"] == "succeeded" and log["attempts"] == 3 and log["lastStatus"] == 200
    assert [(a["attempt"], a["statusCode"]) for a in log["log"]] == [(1, 500), (2, 500), (3, 200)]
    assert "500" in log["log"][0]["error"] and log["log"][2]["error"] == ""
    [row] = await db.run_read(lambda conn: outbox_entries(conn, kind=WEBHOOK))
    assert row.status == "sent"
    after = await db.run_read(lambda conn: get_subscription(conn, subscription_id))
    assert after.active and after.failing_since is None and after.consecutive_failures == 0


async def test_one_delivery_per_event_and_subscription_and_none_after_a_rollback(db, receiver: Receiver):
    receiver.fail_first = 0
    wants_created, _ = await subscribe(db, receiver.url, ["order.created"])
    wants_paid, _ = await subscribe(db, receiver.url, ["order.paid"])
    paused, _ = await subscribe(db, receiver.url, ["order.created"])
    await db.run_write(lambda conn: update_subscription(conn, paused, {"active": False}))

    await emit(db)
    await emit(db)                                        # the same event again (a retried finalize)

    def rolled_back(conn) -> None:  # noqa: ANN001
        emit_event(conn, event_type="order.created", data=ORDER, dedupe_key="order:ord_2:created")
        raise RuntimeError("the order's write failed")

    with pytest.raises(RuntimeError):
        await db.run_write(rolled_back)
    rows = await db.run_read(lambda conn: outbox_entries(conn, kind=WEBHOOK))
    assert len(rows) == 1
    for subscription_id, count in ((wants_created, 1), (wants_paid, 0), (paused, 0)):
        assert len(await db.run_read(lambda conn, s=subscription_id: list_deliveries(conn, s))) == count

    sender = WebhookSender(allow_loopback=True, policy=FAST)
    try:
        await deliver_until(db, sender, lambda: len(receiver.accepted) == 1, "the delivery")
        await sender.deliver(db)
    finally:
        await sender.aclose()
    assert len(receiver.requests) == 1
    with pytest.raises(ValueError):
        await db.run_write(lambda conn: emit_event(conn, event_type="order.shipped", data={}, dedupe_key="x"))


async def test_a_subscription_failing_for_the_whole_window_is_disabled_and_the_merchant_told(store):
    db = store.db
    front = await db.run_read(get_storefront)
    front.settings["email"] = "owner@north-goods.test"
    await db.run_write(lambda conn: update_storefront(conn, front))
    down = Receiver(always=503)
    await down.start()
    subscription_id, _ = await subscribe(db, down.url)
    # The whole 24 hours in a moment: a delivery is given up and its subscription disabled at the first failure.
    sender = WebhookSender(allow_loopback=True, policy=WebhookPolicy(retry_for=0, disable_after=0))
    try:
        await emit(db)
        await emit(db, "order.paid", "order:ord_1:paid")
        await sender.deliver(db)
    finally:
        await sender.aclose()
        await down.stop()

    subscription = await db.run_read(lambda conn: get_subscription(conn, subscription_id))
    assert not subscription.active and subscription.to_json()["disabled"] is True
    assert "503" in subscription.disabled_reason
    deliveries = await db.run_read(lambda conn: list_deliveries(conn, subscription_id))
    assert {d.row.status for d in deliveries} == {"failed"}
    [mail] = await db.run_read(lambda conn: outbox_entries(conn, kind="email"))
    payload = json.loads(mail.payload)
    assert payload["to"] == "owner@north-goods.test" and "Webhook disabled" in payload["subject"]
    await emit(db, "order.paid", "order:ord_9:paid")      # a disabled subscription gets no new events
    assert len(await db.run_read(lambda conn: list_deliveries(conn, subscription_id))) == 2

    again = await db.run_write(lambda conn: update_subscription(conn, subscription_id, {"active": True}))
    assert again.active and again.disabled_reason == "" and again.consecutive_failures == 0


async def test_failures_within_the_window_retry_without_disabling(db):
    down = Receiver(always=500)
    await down.start()
    subscription_id, _ = await subscribe(db, down.url)
    sender = WebhookSender(allow_loopback=True, policy=WebhookPolicy(base=0.01, cap=0.02, jitter=0.0))
    try:
        await emit(db)
        await deliver_until(db, sender, lambda: len(down.requests) >= 3, "three attempts")
    finally:
        await sender.aclose()
        await down.stop()
    subscription = await db.run_read(lambda conn: get_subscription(conn, subscription_id))
    assert subscription.active and subscription.consecutive_failures >= 3 and subscription.failing_since
    [row] = await db.run_read(lambda conn: outbox_entries(conn, kind=WEBHOOK))
    assert row.status == "pending" and row.last_error == "the receiver answered 500"


async def test_a_redirect_is_not_followed(db):
    elsewhere = Receiver()
    await elsewhere.start()
    bouncing = Receiver(redirect_to=elsewhere.url)
    await bouncing.start()
    subscription_id, _ = await subscribe(db, bouncing.url)
    sender = WebhookSender(allow_loopback=True, policy=FAST)
    try:
        await emit(db)
        await sender.deliver(db)
    finally:
        await sender.aclose()
        await bouncing.stop()
        await elsewhere.stop()
    assert len(bouncing.requests) == 1 and elsewhere.requests == []
    [delivery] = await db.run_read(lambda conn: list_deliveries(conn, subscription_id))
    assert delivery.row.status == "pending" and "not followed" in delivery.row.last_error


async def test_the_test_event_goes_to_one_subscription(db, receiver: Receiver):
    receiver.fail_first = 0
    first, secret = await subscribe(db, receiver.url, ["customer.created"])
    await subscribe(db, receiver.url, ["customer.created"])
    await db.run_write(lambda conn: queue_test_event(conn, first))
    sender = WebhookSender(allow_loopback=True, policy=FAST)
    try:
        await deliver_until(db, sender, lambda: len(receiver.accepted) == 1, "the test event")
    finally:
        await sender.aclose()
    [got] = receiver.requests
    assert got.headers["Vibeshop-Event-Type"] == "webhook.test"
    verify_signature(secret, got.body, got.headers["Vibeshop-Signature"])
    assert (await db.run_read(lambda conn: outbox_repo.next_due_at(conn, kind=WEBHOOK))) is None


async def test_the_log_of_finished_deliveries_is_pruned_and_pending_ones_stay(db, receiver: Receiver):
    receiver.fail_first = 0
    subscription_id, _ = await subscribe(db, receiver.url)
    await emit(db)
    sender = WebhookSender(allow_loopback=True, policy=FAST)
    try:
        await deliver_until(db, sender, lambda: len(receiver.accepted) == 1, "the delivery")
    finally:
        await sender.aclose()
    await emit(db, "order.paid", "order:ord_1:paid")          # still pending
    assert await db.run_write(lambda conn: prune_deliveries(conn, older_than_days=1)) == 0
    assert await db.run_write(lambda conn: prune_deliveries(conn, older_than_days=-1)) == 1
    [left] = await db.run_read(lambda conn: list_deliveries(conn, subscription_id))
    assert left.row.event_type == "order.paid" and left.row.status == "pending"


async def test_no_request_starts_in_the_second_half_of_the_lease(db, receiver: Receiver):
    """Rows a batch could not start in time are handed back untried (due now, the attempt not counted)."""
    await subscribe(db, receiver.url)
    await emit(db)
    sender = WebhookSender(allow_loopback=True, policy=WebhookPolicy(lease=0.0))
    try:
        assert await sender.deliver(db) == 0.0
    finally:
        await sender.aclose()
    assert receiver.requests == []
    [row] = await db.run_read(lambda conn: outbox_entries(conn, kind=WEBHOOK))
    assert row.status == "pending" and row.attempts == 0
