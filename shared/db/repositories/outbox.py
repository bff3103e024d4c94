"""The side-effect outbox (migration 0012): rows written inside a caller's write, claimed with a lease,
then marked sent, rescheduled or failed. Times are ISO 8601 UTC text (they sort as text).

Every function here runs inside `Database.write` (claims and marks) or `Database.read`; the claim is
one BEGIN IMMEDIATE transaction, so two workers (two processes on one file, or two connections to a
libSQL server) never claim the same row while its lease lasts."""

from __future__ import annotations

from dataclasses import dataclass

from shared.db.database import Connection

_COLS = ("id, kind, payload, dedupe_key, status, attempts, next_attempt_at, claimed_until, claim_token, "
         "last_error, created_at, sent_at")


@dataclass(frozen=True)
class OutboxRow:
    """One stored side effect."""

    id: str
    kind: str
    payload: str
    dedupe_key: str
    status: str
    attempts: int
    next_attempt_at: str
    claimed_until: str | None
    claim_token: str | None
    last_error: str
    created_at: str
    sent_at: str | None


def insert_row(conn: Connection, *, id: str, kind: str, payload: str, dedupe_key: str, now: str) -> bool:
    """Insert a pending row due now; False (nothing written) when the dedupe key is already there."""
    cursor = conn.execute(
        "INSERT INTO outbox (id, kind, payload, dedupe_key, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (dedupe_key) DO NOTHING", (id, kind, payload, dedupe_key, now, now))
    return cursor.rowcount == 1


def get_row(conn: Connection, row_id: str) -> OutboxRow | None:
    """One row by id."""
    row = conn.one(f"SELECT {_COLS} FROM outbox WHERE id = ?", (row_id,))
    return OutboxRow(*row) if row else None


def get_by_dedupe_key(conn: Connection, dedupe_key: str) -> OutboxRow | None:
    """One row by its dedupe key."""
    row = conn.one(f"SELECT {_COLS} FROM outbox WHERE dedupe_key = ?", (dedupe_key,))
    return OutboxRow(*row) if row else None


def list_rows(conn: Connection, *, kind: str | None = None, status: str | None = None,
              limit: int = 100) -> list[OutboxRow]:
    """Rows, newest first, optionally of one kind and status."""
    rows = conn.all(
        f"SELECT {_COLS} FROM outbox WHERE (? IS NULL OR kind = ?) AND (? IS NULL OR status = ?) "
        "ORDER BY created_at DESC, id LIMIT ?", (kind, kind, status, status, limit))
    return [OutboxRow(*row) for row in rows]


def claim_due(conn: Connection, *, kind: str, now: str, lease_until: str, token: str,
              limit: int) -> list[OutboxRow]:
    """Claim up to `limit` due rows of a kind: pending ones whose time has come and 'sending' ones
    whose lease ran out (their worker died). Each gets the lease, the token and one more attempt."""
    ids = [row[0] for row in conn.all(
        "SELECT id FROM (SELECT id, next_attempt_at AS due FROM outbox "
        "                WHERE kind = ? AND status = 'pending' AND next_attempt_at <= ? "
        "                UNION ALL "
        "                SELECT id, claimed_until AS due FROM outbox "
        "                WHERE kind = ? AND status = 'sending' AND claimed_until <= ?) "
        "ORDER BY due, id LIMIT ?", (kind, now, kind, now, limit))]
    for row_id in ids:
        conn.execute("UPDATE outbox SET status = 'sending', claimed_until = ?, claim_token = ?, "
                     "attempts = attempts + 1 WHERE id = ?", (lease_until, token, row_id))
    claimed = [get_row(conn, row_id) for row_id in ids]
    return [row for row in claimed if row is not None]


def mark_sent(conn: Connection, *, row_id: str, token: str, now: str) -> bool:
    """Record a delivery; False when the claim was lost (its lease ran out and another worker took it)."""
    cursor = conn.execute(
        "UPDATE outbox SET status = 'sent', sent_at = ?, claimed_until = NULL, claim_token = NULL, "
        "last_error = '' WHERE id = ? AND claim_token = ? AND status = 'sending'", (now, row_id, token))
    return cursor.rowcount == 1


def reschedule(conn: Connection, *, row_id: str, token: str, next_attempt_at: str, error: str) -> bool:
    """Put a claimed row back as pending, due at `next_attempt_at`, with the error that stopped it."""
    cursor = conn.execute(
        "UPDATE outbox SET status = 'pending', next_attempt_at = ?, claimed_until = NULL, claim_token = NULL, "
        "last_error = ? WHERE id = ? AND claim_token = ? AND status = 'sending'",
        (next_attempt_at, error, row_id, token))
    return cursor.rowcount == 1


def mark_failed(conn: Connection, *, row_id: str, token: str, error: str) -> bool:
    """Give a claimed row up for good: status 'failed', kept with its last error for the merchant."""
    cursor = conn.execute(
        "UPDATE outbox SET status = 'failed', claimed_until = NULL, claim_token = NULL, last_error = ? "
        "WHERE id = ? AND claim_token = ? AND status = 'sending'", (error, row_id, token))
    return cursor.rowcount == 1


def release(conn: Connection, *, row_id: str, token: str, now: str) -> bool:
    """Hand back a claimed row that was not tried (its batch ran out of lease): pending, due now,
    its attempt not counted."""
    cursor = conn.execute(
        "UPDATE outbox SET status = 'pending', next_attempt_at = ?, claimed_until = NULL, claim_token = NULL, "
        "attempts = max(0, attempts - 1) WHERE id = ? AND claim_token = ? AND status = 'sending'",
        (now, row_id, token))
    return cursor.rowcount == 1


def delete_sent_before(conn: Connection, *, before: str) -> int:
    """Delete rows sent before `before` (failed and pending rows stay); how many went."""
    return conn.execute("DELETE FROM outbox WHERE status = 'sent' AND sent_at < ?", (before,)).rowcount


def retry_failed(conn: Connection, *, row_id: str, now: str) -> bool:
    """Make a failed row pending again, due now, with a fresh attempt count (a merchant's "send again")."""
    cursor = conn.execute(
        "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ? AND status = 'failed'",
        (now, row_id))
    return cursor.rowcount == 1


def next_due_at(conn: Connection, *, kind: str) -> str | None:
    """When the next row of a kind becomes due (a pending row's time or a lease's end), if any."""
    return conn.scalar(
        "SELECT min(due) FROM (SELECT min(next_attempt_at) AS due FROM outbox WHERE kind = ? AND status = 'pending' "
        "UNION ALL SELECT min(claimed_until) FROM outbox WHERE kind = ? AND status = 'sending')", (kind, kind))
