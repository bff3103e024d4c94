"""The merchant's webhook subscriptions: a URL, the event types it wants, and a signing secret that is
shown once, when the subscription is made (afterwards only its last four characters)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from shared.db import Connection
from shared.db.repositories import webhooks as repo
from shared.db.stamps import new_id, utc_now
from shared.webhooks.errors import WebhookError, WebhookErrorCode
from shared.webhooks.events import EVENT_TYPES, TEST_EVENT, event_body, event_id_for, queue_delivery
from shared.webhooks.urls import check_url

MAX_DESCRIPTION = 500
MAX_SUBSCRIPTIONS = 50
_FIELDS = ("url", "events", "description", "active")


@dataclass(frozen=True)
class Subscription:
    """A subscription as the merchant sees it (the secret only in `created_subscription`'s answer)."""

    id: str
    url: str
    events: tuple[str, ...]
    description: str
    active: bool
    disabled_reason: str
    disabled_at: str | None
    failing_since: str | None
    consecutive_failures: int
    secret_hint: str
    created_at: str
    updated_at: str

    @classmethod
    def from_row(cls, row: repo.SubscriptionRow) -> Subscription:
        """The merchant's view of a stored row."""
        return cls(id=row.id, url=row.url, events=row.events, description=row.description, active=row.active,
                   disabled_reason=row.disabled_reason, disabled_at=row.disabled_at, failing_since=row.failing_since,
                   consecutive_failures=row.consecutive_failures, secret_hint="…" + row.secret[-4:],
                   created_at=row.created_at, updated_at=row.updated_at)

    def to_json(self) -> dict[str, Any]:
        """The admin API's JSON: `disabled` is true when the platform turned it off for failing."""
        return {"id": self.id, "url": self.url, "events": list(self.events), "description": self.description,
                "active": self.active, "disabled": bool(self.disabled_reason), "disabledReason": self.disabled_reason,
                "disabledAt": self.disabled_at, "failingSince": self.failing_since,
                "consecutiveFailures": self.consecutive_failures, "secretHint": self.secret_hint,
                "createdAt": self.created_at, "updatedAt": self.updated_at}


def _events(value: Any) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(e, str) for e in value):
        raise WebhookError(WebhookErrorCode.INVALID_EVENTS, "events must be a list of event types: "
                           + ", ".join(EVENT_TYPES), field="events")
    unknown = sorted(set(value) - set(EVENT_TYPES))
    if unknown:
        raise WebhookError(WebhookErrorCode.INVALID_EVENTS, f"unknown event types: {', '.join(unknown)} "
                           f"(known: {', '.join(EVENT_TYPES)})", field="events")
    return [e for e in EVENT_TYPES if e in value]


def _description(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_DESCRIPTION:
        raise WebhookError(WebhookErrorCode.INVALID, f"description must be text of at most {MAX_DESCRIPTION} "
                           "characters", field="description")
    return value.strip()


def _active(value: Any) -> bool:
    if not isinstance(value, bool):
        raise WebhookError(WebhookErrorCode.INVALID, "active must be true or false", field="active")
    return value


def _check_fields(changes: dict[str, Any]) -> None:
    unknown = sorted(set(changes) - set(_FIELDS))
    if unknown:
        raise WebhookError(WebhookErrorCode.INVALID, f"unknown fields: {', '.join(unknown)} "
                           f"(a subscription has {', '.join(_FIELDS)})", field=unknown[0])


def new_secret() -> str:
    """A signing secret: 'whsec_' and 32 random bytes, URL-safe."""
    return "whsec_" + secrets.token_urlsafe(32)


def create_subscription(conn: Connection, fields: dict[str, Any], *, allow_loopback: bool = False
                        ) -> tuple[Subscription, str]:
    """Make a subscription from the admin API's fields {url, events, description?, active?} (in a write).
    Returns it and its secret (shown this once). Raises WebhookError with the field at fault."""
    _check_fields(fields)
    url = check_url(fields.get("url"), allow_loopback=allow_loopback).url
    events = _events(fields.get("events"))
    description = _description(fields.get("description", ""))
    active = _active(fields.get("active", True))
    if len(repo.list_subscriptions(conn)) >= MAX_SUBSCRIPTIONS:
        raise WebhookError(WebhookErrorCode.INVALID, f"a store can have at most {MAX_SUBSCRIPTIONS} subscriptions")
    subscription_id, secret = new_id(), new_secret()
    repo.insert_subscription(conn, id=subscription_id, url=url, events=events, secret=secret,
                             description=description, active=active, now=utc_now())
    return get_subscription(conn, subscription_id), secret


def get_subscription(conn: Connection, subscription_id: str) -> Subscription:
    """One subscription; raises WebhookError(NOT_FOUND)."""
    row = repo.get_subscription(conn, subscription_id)
    if row is None:
        raise WebhookError(WebhookErrorCode.NOT_FOUND, "There is no such webhook subscription")
    return Subscription.from_row(row)


def list_subscriptions(conn: Connection) -> list[Subscription]:
    """Every subscription of the store, oldest first."""
    return [Subscription.from_row(row) for row in repo.list_subscriptions(conn)]


def update_subscription(conn: Connection, subscription_id: str, changes: dict[str, Any], *,
                        allow_loopback: bool = False) -> Subscription:
    """Change some of {url, events, description, active} (in a write). Turning a subscription on
    again (active: true) forgets its failures and why it was disabled. Raises WebhookError."""
    _check_fields(changes)
    current = get_subscription(conn, subscription_id)
    url = check_url(changes["url"], allow_loopback=allow_loopback).url if "url" in changes else current.url
    events = _events(changes["events"]) if "events" in changes else list(current.events)
    description = _description(changes["description"]) if "description" in changes else current.description
    active = _active(changes["active"]) if "active" in changes else current.active
    repo.update_subscription(conn, id=subscription_id, url=url, events=events, description=description,
                             active=active, reset_failures=active and not current.active, now=utc_now())
    return get_subscription(conn, subscription_id)


def delete_subscription(conn: Connection, subscription_id: str) -> None:
    """Delete a subscription with its delivery log (queued deliveries are dropped when claimed).
    Raises WebhookError(NOT_FOUND)."""
    if not repo.delete_subscription(conn, subscription_id):
        raise WebhookError(WebhookErrorCode.NOT_FOUND, "There is no such webhook subscription")


def queue_test_event(conn: Connection, subscription_id: str) -> str:
    """Queue a 'webhook.test' event to this one subscription (the merchant's "Send test"), delivered
    like any other through the outbox and logged. Returns the delivery id. Raises WebhookError(NOT_FOUND)."""
    subscription = get_subscription(conn, subscription_id)
    now = utc_now()
    dedupe_key = f"test:{new_id()}"
    event_id = event_id_for(dedupe_key)
    body = event_body(event_id=event_id, event_type=TEST_EVENT, created=now,
                      data={"subscriptionId": subscription.id, "message": "A test event from Vibeshop."})
    delivery_id = queue_delivery(conn, subscription_id=subscription.id, event_id=event_id, event_type=TEST_EVENT,
                                 dedupe_key=dedupe_key, body=body, now=now)
    assert delivery_id is not None      # a fresh key cannot collide
    return delivery_id


@dataclass(frozen=True)
class Delivery:
    """One event sent (or being sent) to a subscription, with its attempts."""

    row: repo.DeliveryRow
    attempts: tuple[repo.AttemptRow, ...]

    def to_json(self) -> dict[str, Any]:
        """The admin API's JSON of a delivery and its log."""
        row = self.row
        return {"id": row.id, "eventId": row.event_id, "eventType": row.event_type, "status": row.status,
                "attempts": row.attempts, "lastStatus": row.last_status, "lastError": row.last_error,
                "createdAt": row.created_at, "completedAt": row.completed_at,
                "log": [{"attempt": a.attempt, "statusCode": a.status_code, "durationMs": a.duration_ms,
                         "error": a.error, "at": a.created_at} for a in self.attempts]}


def list_deliveries(conn: Connection, subscription_id: str, *, limit: int = 50,
                    before: str | None = None) -> list[Delivery]:
    """A subscription's deliveries, newest first, each with its attempts. Raises WebhookError(NOT_FOUND)."""
    get_subscription(conn, subscription_id)
    if not 1 <= limit <= 200:
        raise WebhookError(WebhookErrorCode.INVALID, "limit must be between 1 and 200", field="limit")
    rows = repo.list_deliveries(conn, subscription_id=subscription_id, limit=limit, before=before)
    attempts: dict[str, list[repo.AttemptRow]] = {}
    for attempt in repo.list_attempts(conn, [row.id for row in rows]):
        attempts.setdefault(attempt.delivery_id, []).append(attempt)
    return [Delivery(row, tuple(attempts.get(row.id, ()))) for row in rows]


def get_delivery(conn: Connection, delivery_id: str) -> Delivery:
    """One delivery with its attempts. Raises WebhookError(NOT_FOUND)."""
    row = repo.get_delivery(conn, delivery_id)
    if row is None:
        raise WebhookError(WebhookErrorCode.NOT_FOUND, "There is no such webhook delivery")
    return Delivery(row, tuple(repo.list_attempts(conn, [row.id])))


def prune_deliveries(conn: Connection, *, older_than_days: float = 30) -> int:
    """Delete the log of deliveries finished more than `older_than_days` ago (in a write; the periodic
    purge calls it). Pending ones stay. How many went."""
    before = (datetime.now(UTC) - timedelta(days=older_than_days)).isoformat(timespec="microseconds")
    return repo.delete_finished_before(conn, before=before)
