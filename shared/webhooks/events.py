"""Store events for the merchant's webhook subscriptions.

`emit_event` is called inside the write transaction that made the event (an order placed, paid,
fulfilled, ...), so the event exists exactly when the change does; the deliveries go through the
outbox after commit (shared/webhooks/delivery.py)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from shared.db import Connection
from shared.db.repositories import webhooks as repo
from shared.db.stamps import new_id, utc_now
from shared.mail.outbox import enqueue

EVENT_TYPES = ("order.created", "order.paid", "order.fulfilled", "order.ready_for_pickup", "order.cancelled",
               "order.oversold", "refund.created", "customer.created")
TEST_EVENT = "webhook.test"         # the merchant's "Send test": to one subscription, whatever it listens to
WEBHOOK = "webhook"                 # the outbox kind of a delivery
MAX_DEDUPE_KEY = 150


def event_id_for(dedupe_key: str) -> str:
    """The event's id, derived from its dedupe key: an event emitted twice (a retried write) has one id,
    so a receiver that dedupes on Vibeshop-Event-Id sees one event."""
    return "evt_" + hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]


def event_body(*, event_id: str, event_type: str, data: Mapping[str, Any], created: str) -> str:
    """The JSON body every subscription receives (and whose exact bytes are signed)."""
    # default=str: a value JSON cannot hold (a datetime) becomes text rather than failing the caller's write.
    return json.dumps({"id": event_id, "type": event_type, "created": created, "data": dict(data)},
                      ensure_ascii=False, separators=(",", ":"), default=str)


def emit_event(conn: Connection, *, event_type: str, data: Mapping[str, Any], dedupe_key: str) -> None:
    """Queue `event_type` with its JSON `data` for every active subscription to it, in the caller's
    write; `dedupe_key` (say 'order:ID:paid') makes a repeat of the same event a no-op. Each delivery is
    an outbox row, sent after commit (never after a rollback). Raises ValueError for an unknown type or
    a dedupe key that is empty or longer than 150 characters."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type: {event_type}")
    if not isinstance(dedupe_key, str) or not dedupe_key.strip() or len(dedupe_key) > MAX_DEDUPE_KEY:
        raise ValueError(f"a dedupe key needs 1 to {MAX_DEDUPE_KEY} characters")
    subscriptions = [s for s in repo.active_subscriptions(conn) if event_type in s.events]
    if not subscriptions:
        return
    now = utc_now()
    event_id = event_id_for(dedupe_key)
    body = event_body(event_id=event_id, event_type=event_type, data=data, created=now)
    for subscription in subscriptions:
        queue_delivery(conn, subscription_id=subscription.id, event_id=event_id, event_type=event_type,
                       dedupe_key=dedupe_key, body=body, now=now)


def queue_delivery(conn: Connection, *, subscription_id: str, event_id: str, event_type: str, dedupe_key: str,
                   body: str, now: str) -> str | None:
    """One delivery and its outbox row (in the caller's write); None when this subscription had this
    event already."""
    delivery_id = new_id()
    if not repo.insert_delivery(conn, id=delivery_id, subscription_id=subscription_id, event_id=event_id,
                                event_type=event_type, dedupe_key=dedupe_key, body=body, now=now):
        return None
    enqueue(conn, kind=WEBHOOK, payload={"delivery": delivery_id}, dedupe_key=f"webhook:{delivery_id}")
    return delivery_id
