"""The outbox: side effects written in the caller's own write, delivered after commit.

`enqueue_email(conn, email, dedupe_key=...)` is called INSIDE the write that makes the order: the row
commits with the order or vanishes with its rollback. After the commit, the workers of this process
are woken (through `Connection.on_commit`); workers in other processes find the row when they poll.

Delivery guarantees (shared/mail/delivery.py does the sending):
- A row is claimed with a lease (`claimed_until`, `claim_token`) in one BEGIN IMMEDIATE transaction,
  so two workers, in one process or several, never send one row at the same time.
- A crash before the SMTP server accepted the message (between commit and send, or during the
  send) leaves the row pending or leased: it is sent once, later, when the lease has run out.
- The only at-least-once window is a crash after the server accepted the message (its 250 reply to
  DATA) and before the row is marked sent: the row is marked sent in the very next step, on the same
  open connection, before anything else is sent. A copy sent again then has the same Message-ID
  (derived from the row), so it is recognisable as a duplicate. SMTP itself cannot do better: it has
  no idempotency key.
- The same `dedupe_key` enqueued twice (a finalize called by the redirect and by the webhook) is one
  row, so one e-mail.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from shared.db import Connection
from shared.db.repositories import outbox as repo
from shared.db.stamps import new_id, utc_now
from shared.mail.errors import MailError, MailErrorCode
from shared.mail.message import OutgoingEmail

log = logging.getLogger(__name__)
EMAIL = "email"
MAX_DEDUPE_KEY = 200

_listeners: set[Callable[[str], None]] = set()
_listeners_lock = threading.Lock()


def add_listener(listener: Callable[[str], None]) -> None:
    """Call listener(database_key) after each commit that enqueued something (a worker's wake-up)."""
    with _listeners_lock:
        _listeners.add(listener)


def remove_listener(listener: Callable[[str], None]) -> None:
    """Stop calling a listener given to `add_listener`."""
    with _listeners_lock:
        _listeners.discard(listener)


def _notify(database_key: str) -> None:
    with _listeners_lock:
        listeners = list(_listeners)
    for listener in listeners:
        try:
            listener(database_key)
        except Exception:  # noqa: BLE001 - a worker's wake-up must never fail the caller's write
            log.exception("outbox listener failed")


def enqueue(conn: Connection, *, kind: str, payload: dict, dedupe_key: str) -> str | None:
    """Write one side effect into the outbox, inside the caller's write transaction.

    Returns the new row's id, or None when a row with this dedupe key exists already (nothing is
    written: enqueueing is idempotent). Raises MailError(INVALID_MESSAGE) for an empty or overlong
    dedupe key; DatabaseError outside a write."""
    if not isinstance(dedupe_key, str) or not dedupe_key.strip() or len(dedupe_key) > MAX_DEDUPE_KEY:
        raise MailError(MailErrorCode.INVALID_MESSAGE, f"a dedupe key needs 1 to {MAX_DEDUPE_KEY} characters")
    row_id = new_id()
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    if not repo.insert_row(conn, id=row_id, kind=kind, payload=text, dedupe_key=dedupe_key, now=utc_now()):
        return None
    key = conn.database_key
    conn.on_commit(lambda: _notify(key))
    return row_id


def enqueue_email(conn: Connection, email: OutgoingEmail, *, dedupe_key: str) -> str | None:
    """Queue an e-mail inside the caller's write: sent after commit, never after a rollback, once per
    dedupe key (say 'order:ID:confirmation'). Render it before the write (render_* functions) to keep
    the write short. Returns the outbox row id, or None if the key was queued before."""
    return enqueue(conn, kind=EMAIL, payload=email.to_payload(), dedupe_key=dedupe_key)


def outbox_entries(conn: Connection, *, kind: str | None = None, status: str | None = None,
                   limit: int = 100) -> list[repo.OutboxRow]:
    """The newest outbox rows (for the merchant's view and tests): status, attempts, last error."""
    return repo.list_rows(conn, kind=kind, status=status, limit=limit)


def prune_sent(conn: Connection, *, older_than_days: float = 30) -> int:
    """Delete e-mails sent more than `older_than_days` ago (failed ones stay for the merchant to see).
    Their dedupe keys go with them: the orders domain's own uniqueness keeps finalize idempotent."""
    before = (datetime.now(UTC) - timedelta(days=older_than_days)).isoformat(timespec="microseconds")
    return repo.delete_sent_before(conn, before=before)


def retry_failed_entry(conn: Connection, *, entry_id: str) -> bool:
    """Queue a failed row again with fresh attempts (after the merchant fixed the mail settings)."""
    ok = repo.retry_failed(conn, row_id=entry_id, now=utc_now())
    if ok:
        key = conn.database_key
        conn.on_commit(lambda: _notify(key))
    return ok
