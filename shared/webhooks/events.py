"""Store events for the merchant's webhook subscriptions.

`emit_event` is called inside the write transaction that made the event (an order placed, paid,
fulfilled, ...), so the event exists exactly when the change does; the deliveries go through the
outbox after commit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.db import Connection

EVENT_TYPES = ("order.created", "order.paid", "order.fulfilled", "order.ready_for_pickup", "order.cancelled",
               "refund.created", "customer.created")


def emit_event(conn: Connection, *, event_type: str, data: Mapping[str, Any], dedupe_key: str) -> None:
    """Queue `event_type` with its JSON `data` for every active subscription to it, in the caller's
    write; `dedupe_key` (say 'order:ID:paid') makes a repeat of the same event a no-op. Until the
    subscriptions exist this records nothing."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type: {event_type}")
