"""Outbound webhooks: the merchant's subscriptions to store events, signed like Stripe's, delivered
after commit from the outbox with retries (issue 12, section 5).

Public API: `emit_event(conn, event_type=..., data=..., dedupe_key=...)` inside the write that made the
event; EVENT_TYPES."""

from shared.webhooks.events import EVENT_TYPES, emit_event

__all__ = ["EVENT_TYPES", "emit_event"]
