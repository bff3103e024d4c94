"""Payments: sealed Stripe credentials, the PaymentIntent of each order attempt, webhook events seen."""

from __future__ import annotations

from dataclasses import dataclass

from shared.db.database import Connection


@dataclass(frozen=True)
class SealedStripeCredentials:
    """The stored row: ciphertexts and masked hints, never a key in clear."""

    mode: str
    secret_key_sealed: str
    publishable_key_sealed: str
    webhook_secret_sealed: str
    secret_key_hint: str
    publishable_key_hint: str
    webhook_secret_hint: str
    updated_at: str


@dataclass(frozen=True)
class PaymentAttemptRow:
    """The PaymentIntent created for one order attempt."""

    attempt_key: str
    provider: str
    intent_id: str
    amount: int
    currency: str
    payment_method: str
    created_at: str


_CRED_COLS = ("mode, secret_key_sealed, publishable_key_sealed, webhook_secret_sealed, secret_key_hint, "
              "publishable_key_hint, webhook_secret_hint, updated_at")
_ATTEMPT_COLS = "attempt_key, provider, intent_id, amount, currency, payment_method, created_at"


def get_stripe_credentials(conn: Connection) -> SealedStripeCredentials | None:
    """The store's sealed Stripe credentials, if set."""
    row = conn.one(f"SELECT {_CRED_COLS} FROM stripe_credentials WHERE id = 1")
    return None if row is None else SealedStripeCredentials(*row)


def put_stripe_credentials(conn: Connection, creds: SealedStripeCredentials) -> None:
    """Set (or replace) the store's sealed Stripe credentials."""
    conn.execute(f"INSERT OR REPLACE INTO stripe_credentials (id, {_CRED_COLS}) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (creds.mode, creds.secret_key_sealed, creds.publishable_key_sealed, creds.webhook_secret_sealed,
                  creds.secret_key_hint, creds.publishable_key_hint, creds.webhook_secret_hint, creds.updated_at))


def delete_stripe_credentials(conn: Connection) -> bool:
    """Forget the store's Stripe credentials; True if there were some."""
    return conn.execute("DELETE FROM stripe_credentials WHERE id = 1").rowcount > 0


def get_attempt(conn: Connection, attempt_key: str) -> PaymentAttemptRow | None:
    """The PaymentIntent recorded for an order attempt."""
    row = conn.one(f"SELECT {_ATTEMPT_COLS} FROM payment_attempts WHERE attempt_key = ?", (attempt_key,))
    return None if row is None else PaymentAttemptRow(*row)


def insert_attempt(conn: Connection, attempt: PaymentAttemptRow) -> PaymentAttemptRow:
    """Record an attempt's PaymentIntent; if the attempt already has one (a concurrent request won),
    keep the first and return it."""
    conn.execute(f"INSERT OR IGNORE INTO payment_attempts ({_ATTEMPT_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (attempt.attempt_key, attempt.provider, attempt.intent_id, attempt.amount, attempt.currency,
                  attempt.payment_method, attempt.created_at))
    stored = get_attempt(conn, attempt.attempt_key)
    assert stored is not None
    return stored


def record_webhook_event(conn: Connection, *, event_id: str, type: str, intent_id: str | None,
                         received_at: str) -> str | None:
    """Note a delivery of an event. Returns None the first time, else when it was processed
    (None too if an earlier delivery was never finished)."""
    conn.execute("INSERT OR IGNORE INTO payment_webhook_events (event_id, type, intent_id, received_at) "
                 "VALUES (?, ?, ?, ?)", (event_id, type, intent_id, received_at))
    return conn.scalar("SELECT processed_at FROM payment_webhook_events WHERE event_id = ?", (event_id,))


def mark_webhook_processed(conn: Connection, event_id: str, processed_at: str) -> None:
    """Mark an event done: later deliveries of it are duplicates. Callable inside finalize's own
    transaction, so the order and this mark commit together."""
    conn.execute("UPDATE payment_webhook_events SET processed_at = COALESCE(processed_at, ?) WHERE event_id = ?",
                 (processed_at, event_id))
