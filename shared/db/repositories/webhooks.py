"""Outbound webhooks (migration 0021): subscriptions, one delivery per event and subscription, and the
log of attempts. Times are ISO 8601 UTC text (they sort as text). The sending's lease and retry
schedule are the outbox row's (shared/db/repositories/outbox.py); these tables say what was sent and
how each attempt went."""

from __future__ import annotations

import json
from dataclasses import dataclass

from shared.db.database import Connection

_SUB_COLS = ("id, url, events, secret, description, active, disabled_reason, disabled_at, failing_since, "
             "consecutive_failures, created_at, updated_at")
_DELIVERY_COLS = ("id, subscription_id, event_id, event_type, dedupe_key, body, status, attempts, last_status, "
                  "last_error, created_at, completed_at")
_ATTEMPT_COLS = "id, delivery_id, attempt, status_code, duration_ms, error, created_at"


@dataclass(frozen=True)
class SubscriptionRow:
    """One stored subscription (`events` decoded)."""

    id: str
    url: str
    events: tuple[str, ...]
    secret: str
    description: str
    active: bool
    disabled_reason: str
    disabled_at: str | None
    failing_since: str | None
    consecutive_failures: int
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class DeliveryRow:
    """One event for one subscription: the body sent every attempt and where it stands."""

    id: str
    subscription_id: str
    event_id: str
    event_type: str
    dedupe_key: str
    body: str
    status: str
    attempts: int
    last_status: int | None
    last_error: str
    created_at: str
    completed_at: str | None


@dataclass(frozen=True)
class AttemptRow:
    """One HTTP attempt of a delivery, for the merchant's log."""

    id: str
    delivery_id: str
    attempt: int
    status_code: int | None
    duration_ms: int
    error: str
    created_at: str


def _subscription(row) -> SubscriptionRow:  # noqa: ANN001 - a database row
    values = list(row)
    values[2] = tuple(json.loads(values[2]))
    values[5] = bool(values[5])
    return SubscriptionRow(*values)


def insert_subscription(conn: Connection, *, id: str, url: str, events: list[str], secret: str,
                        description: str, active: bool, now: str) -> None:
    """Store a new subscription."""
    conn.execute(
        "INSERT INTO webhook_subscriptions (id, url, events, secret, description, active, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (id, url, json.dumps(events), secret, description, int(active), now, now))


def get_subscription(conn: Connection, subscription_id: str) -> SubscriptionRow | None:
    """One subscription by id."""
    row = conn.one(f"SELECT {_SUB_COLS} FROM webhook_subscriptions WHERE id = ?", (subscription_id,))
    return _subscription(row) if row else None


def list_subscriptions(conn: Connection) -> list[SubscriptionRow]:
    """Every subscription, oldest first."""
    return [_subscription(r) for r in conn.all(f"SELECT {_SUB_COLS} FROM webhook_subscriptions "
                                               "ORDER BY created_at, id")]


def active_subscriptions(conn: Connection) -> list[SubscriptionRow]:
    """The subscriptions that receive events now."""
    return [_subscription(r) for r in conn.all(f"SELECT {_SUB_COLS} FROM webhook_subscriptions WHERE active = 1 "
                                               "ORDER BY created_at, id")]


def update_subscription(conn: Connection, *, id: str, url: str, events: list[str], description: str,
                        active: bool, reset_failures: bool, now: str) -> bool:
    """Change a subscription's fields; `reset_failures` (turned on again) forgets its failing streak
    and why it was disabled. False when there is no such subscription."""
    cursor = conn.execute(
        "UPDATE webhook_subscriptions SET url = ?, events = ?, description = ?, active = ?, updated_at = ?, "
        "disabled_reason = CASE WHEN ? THEN '' ELSE disabled_reason END, "
        "disabled_at = CASE WHEN ? THEN NULL ELSE disabled_at END, "
        "failing_since = CASE WHEN ? THEN NULL ELSE failing_since END, "
        "consecutive_failures = CASE WHEN ? THEN 0 ELSE consecutive_failures END WHERE id = ?",
        (url, json.dumps(events), description, int(active), now, reset_failures, reset_failures, reset_failures,
         reset_failures, id))
    return cursor.rowcount == 1


def delete_subscription(conn: Connection, subscription_id: str) -> bool:
    """Delete a subscription with its deliveries and their log; False when there was none."""
    conn.execute("DELETE FROM webhook_attempts WHERE delivery_id IN "
                 "(SELECT id FROM webhook_deliveries WHERE subscription_id = ?)", (subscription_id,))
    conn.execute("DELETE FROM webhook_deliveries WHERE subscription_id = ?", (subscription_id,))
    return conn.execute("DELETE FROM webhook_subscriptions WHERE id = ?", (subscription_id,)).rowcount == 1


def record_success(conn: Connection, *, subscription_id: str) -> None:
    """The receiver accepted a delivery: the failing streak ends."""
    conn.execute("UPDATE webhook_subscriptions SET failing_since = NULL, consecutive_failures = 0 WHERE id = ?",
                 (subscription_id,))


def record_failure(conn: Connection, *, subscription_id: str, now: str) -> SubscriptionRow | None:
    """A failed attempt: the streak grows (and starts now if it was not running). The updated row."""
    conn.execute("UPDATE webhook_subscriptions SET failing_since = coalesce(failing_since, ?), "
                 "consecutive_failures = consecutive_failures + 1 WHERE id = ?", (now, subscription_id))
    return get_subscription(conn, subscription_id)


def disable_subscription(conn: Connection, *, subscription_id: str, reason: str, now: str) -> bool:
    """Turn an active subscription off for failing; False if it was off already (tell the merchant once)."""
    cursor = conn.execute(
        "UPDATE webhook_subscriptions SET active = 0, disabled_reason = ?, disabled_at = ?, updated_at = ? "
        "WHERE id = ? AND active = 1", (reason, now, now, subscription_id))
    return cursor.rowcount == 1


def insert_delivery(conn: Connection, *, id: str, subscription_id: str, event_id: str, event_type: str,
                    dedupe_key: str, body: str, now: str) -> bool:
    """Store a pending delivery; False (nothing written) when this subscription has this event already."""
    cursor = conn.execute(
        "INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, dedupe_key, body, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (subscription_id, dedupe_key) DO NOTHING",
        (id, subscription_id, event_id, event_type, dedupe_key, body, now))
    return cursor.rowcount == 1


def get_delivery(conn: Connection, delivery_id: str) -> DeliveryRow | None:
    """One delivery by id."""
    row = conn.one(f"SELECT {_DELIVERY_COLS} FROM webhook_deliveries WHERE id = ?", (delivery_id,))
    return DeliveryRow(*row) if row else None


def list_deliveries(conn: Connection, *, subscription_id: str, limit: int = 50,
                    before: str | None = None) -> list[DeliveryRow]:
    """A subscription's deliveries, newest first (older than `before`, a created_at, when given)."""
    rows = conn.all(
        f"SELECT {_DELIVERY_COLS} FROM webhook_deliveries WHERE subscription_id = ? AND (? IS NULL OR created_at < ?) "
        "ORDER BY created_at DESC, id DESC LIMIT ?", (subscription_id, before, before, limit))
    return [DeliveryRow(*row) for row in rows]


def finish_delivery(conn: Connection, *, delivery_id: str, status: str, attempts: int, last_status: int | None,
                    error: str, now: str | None) -> None:
    """Record where a delivery stands after an attempt ('pending' again, 'succeeded' or 'failed')."""
    conn.execute("UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status = ?, last_error = ?, "
                 "completed_at = ? WHERE id = ?", (status, attempts, last_status, error, now, delivery_id))


def insert_attempt(conn: Connection, *, id: str, delivery_id: str, attempt: int, status_code: int | None,
                   duration_ms: int, error: str, now: str) -> None:
    """Log one attempt."""
    conn.execute(f"INSERT INTO webhook_attempts ({_ATTEMPT_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (id, delivery_id, attempt, status_code, duration_ms, error, now))


def list_attempts(conn: Connection, delivery_ids: list[str]) -> list[AttemptRow]:
    """The attempts of some deliveries, in order."""
    if not delivery_ids:
        return []
    marks = ", ".join("?" for _ in delivery_ids)
    rows = conn.all(f"SELECT {_ATTEMPT_COLS} FROM webhook_attempts WHERE delivery_id IN ({marks}) "
                    "ORDER BY delivery_id, attempt, created_at", tuple(delivery_ids))
    return [AttemptRow(*row) for row in rows]


def delete_finished_before(conn: Connection, *, before: str) -> int:
    """Delete deliveries finished (succeeded or failed) before `before`, with their attempts; how many went."""
    old = "SELECT id FROM webhook_deliveries WHERE status != 'pending' AND completed_at < ?"
    conn.execute(f"DELETE FROM webhook_attempts WHERE delivery_id IN ({old})", (before,))
    return conn.execute(f"DELETE FROM webhook_deliveries WHERE id IN ({old})", (before,)).rowcount
