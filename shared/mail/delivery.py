"""Delivering the outbox's e-mails after commit: `deliver_due(db, sender)` once, `OutboxWorker` forever.

One pass claims the due rows with a lease, opens one session of the sender, sends each message and
marks its row sent right after the server accepted it; a failure reschedules the row with
exponential backoff and jitter, or gives it up (status 'failed', kept with its last error) after
`RetryPolicy.max_attempts` claims or at once for a permanent refusal (5xx). What this guarantees and
the one at-least-once window are written in shared/mail/outbox.py."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from shared.db import Database, DatabaseBusyError
from shared.db.repositories import outbox as repo
from shared.db.stamps import new_id
from shared.mail.errors import MailError, MailErrorCode
from shared.mail.message import OutgoingEmail, build_mime
from shared.mail.outbox import EMAIL, add_listener, remove_listener
from shared.mail.senders import MailSender

log = logging.getLogger(__name__)
# Delivers one database's due outbox rows of one kind; seconds until its next row is due, None if none waits.
KindDelivery = Callable[[Database], Awaitable["float | None"]]


@dataclass(frozen=True)
class RetryPolicy:
    """When to try again: base * 2**(attempt-1) seconds, at most `cap`, each delay scaled by a random
    factor in [1 - jitter, 1] (so many stores' mail does not retry in lockstep); given up after
    `max_attempts` claims. `lease` must outlast one batch's sends (the SMTP timeout times the batch)."""

    base: float = 30.0
    cap: float = 3600.0
    jitter: float = 0.5
    max_attempts: int = 10          # about 3 hours of trying with the defaults
    lease: float = 300.0
    batch: int = 20

    def delay(self, attempts: int, rand: Callable[[], float] = random.random) -> float:
        """Seconds to wait after the `attempts`-th failed attempt."""
        plain = min(self.cap, self.base * 2 ** max(0, attempts - 1))
        return plain * (1 - self.jitter * rand())


DEFAULT_POLICY = RetryPolicy()


@dataclass(frozen=True)
class DeliveryReport:
    """What one pass did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __add__(self, other: DeliveryReport) -> DeliveryReport:
        return DeliveryReport(self.sent + other.sent, self.retrying + other.retrying, self.failed + other.failed)


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


async def deliver_due(db: Database, sender: MailSender, *, policy: RetryPolicy = DEFAULT_POLICY) -> DeliveryReport:
    """Send every e-mail of `db`'s outbox that is due now (in batches of `policy.batch`), once.

    Safe to run in several workers and processes at once: each row is claimed with a lease first.
    Returns how many were sent, rescheduled and given up; raises only for database failures."""
    report = DeliveryReport()
    while True:
        batch, more = await _deliver_batch(db, sender, policy)
        report += batch
        if not more:
            return report


async def _deliver_batch(db: Database, sender: MailSender, policy: RetryPolicy) -> tuple[DeliveryReport, bool]:
    """One claimed batch sent: (what happened, whether more may be due: a full batch or rows handed back)."""
    now = datetime.now(UTC)
    token = new_id()
    rows = await db.run_write(lambda conn: repo.claim_due(
        conn, kind=EMAIL, now=_stamp(now), lease_until=_stamp(now + timedelta(seconds=policy.lease)),
        token=token, limit=policy.batch))
    if not rows:
        return DeliveryReport(), False
    # No message is started in the second half of the lease: a slow server must not let the lease
    # run out under a send (another worker would take the row and send it too).
    loop = asyncio.get_running_loop()
    start_by = loop.time() + policy.lease / 2
    outcomes: Counter[str] = Counter()
    pending = list(rows)
    try:
        async with sender.session() as session:
            while pending and loop.time() < start_by:
                outcomes[await _send_one(db, session, sender, pending[0], token, policy)] += 1
                pending.pop(0)
    except MailError as exc:            # the session could not open (server down): every row waits
        for row in pending:
            outcomes[await _record_failure(db, row, token, exc, policy)] += 1
        pending = []
    if pending:
        stamp = _stamp(datetime.now(UTC))
        await db.run_write(lambda conn: [repo.release(conn, row_id=row.id, token=token, now=stamp) for row in pending])
    report = DeliveryReport(outcomes["sent"], outcomes["retry"], outcomes["failed"])
    return report, bool(pending) or len(rows) == policy.batch


async def _send_one(db: Database, session, sender: MailSender, row: repo.OutboxRow, token: str,  # noqa: ANN001
                    policy: RetryPolicy) -> str:
    """Send one claimed row and record the outcome at once: 'sent', 'retry' or 'failed'."""
    if row.attempts > policy.max_attempts:      # taken over again and again: its workers keep dying on it
        return await _record_failure(db, row, token, MailError(
            MailErrorCode.DELIVERY_PERMANENT, f"gave up: claimed {row.attempts} times without an answer"), policy)
    try:
        email = OutgoingEmail.from_payload(json.loads(row.payload))
        message = build_mime(email, row_id=row.id, default_from=sender.default_from)
    except (MailError, ValueError) as exc:
        error = exc if isinstance(exc, MailError) else MailError(MailErrorCode.INVALID_MESSAGE, str(exc))
        return await _record_failure(db, row, token, MailError(MailErrorCode.DELIVERY_PERMANENT, str(error)), policy)
    try:
        await session.send(message)
    except MailError as exc:
        return await _record_failure(db, row, token, exc, policy)
    # Accepted: mark it sent before anything else happens, so a crash now is the shortest possible window.
    if not await _mark_sent(db, row.id, token):
        log.warning("outbox row %s was sent after its lease ran out; another worker may send it again", row.id)
    return "sent"


async def _mark_sent(db: Database, row_id: str, token: str, *, tries: int = 3) -> bool:
    """Record a delivery, trying again if the database is busy for a while: a row left 'sending' would
    be sent a second time when its lease runs out."""
    for attempt in range(1, tries + 1):
        stamp = _stamp(datetime.now(UTC))
        try:
            return await db.run_write(lambda conn: repo.mark_sent(conn, row_id=row_id, token=token, now=stamp))
        except DatabaseBusyError:
            if attempt == tries:
                raise
            log.warning("outbox row %s sent but the database is busy; marking it again", row_id)
    return False


async def _record_failure(db: Database, row: repo.OutboxRow, token: str, exc: MailError,
                          policy: RetryPolicy) -> str:
    """Reschedule a failed row with backoff, or give it up: 'retry' or 'failed'."""
    error = str(exc)[:1000]
    if exc.permanent or row.attempts >= policy.max_attempts:
        reason = error if exc.permanent else f"gave up after {row.attempts} attempts: {error}"
        await db.run_write(lambda conn: repo.mark_failed(conn, row_id=row.id, token=token, error=reason))
        log.warning("outbox e-mail %s failed for good: %s", row.id, reason)
        return "failed"
    due = _stamp(datetime.now(UTC) + timedelta(seconds=policy.delay(row.attempts)))
    await db.run_write(lambda conn: repo.reschedule(conn, row_id=row.id, token=token, next_attempt_at=due,
                                                    error=error))
    return "retry"


async def next_due_in(db: Database) -> float | None:
    """Seconds until the next e-mail of `db` becomes due (0 if one is due now), or None if none waits."""
    due = await db.run_read(lambda conn: repo.next_due_at(conn, kind=EMAIL))
    if due is None:
        return None
    return max(0.0, (datetime.fromisoformat(due) - datetime.now(UTC)).total_seconds())


class OutboxWorker:
    """Delivers the outbox of every database `databases()` names, in the background of one event loop.

    It wakes at once when a write in this process enqueued mail (after its commit), and otherwise
    looks every `poll_interval` seconds (another process may have enqueued) or when a retry is due.
    Start and stop it from the app's cleanup_ctx: `await worker.start()` ... `await worker.stop()`.

    `kinds` delivers the outbox's other kinds in the same passes: {kind: deliver(db)}, where
    `deliver` sends the database's due rows of that kind (claiming them like `deliver_due`) and returns
    the seconds until its next row is due, or None (shared/webhooks: {"webhook": WebhookSender().deliver}).
    `sender` None: no mail is configured, e-mails wait in the outbox while the other kinds go out."""

    def __init__(self, sender: MailSender | None, databases: Callable[[], Iterable[Database]], *,
                 policy: RetryPolicy = DEFAULT_POLICY, poll_interval: float = 10.0,
                 kinds: Mapping[str, KindDelivery] | None = None):
        self.sender, self.policy, self.poll_interval = sender, policy, poll_interval
        self.kinds = dict(kinds or {})
        self._databases = databases
        self._wake = asyncio.Event()
        self._poked: set[str] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._stopping = False

    async def start(self) -> None:
        """Start delivering (and listening for commits that enqueued mail)."""
        self._loop = asyncio.get_running_loop()
        self._stopping = False
        add_listener(self.wake)
        self._task = asyncio.ensure_future(self._run())

    async def stop(self, *, grace: float = 10.0) -> None:
        """Stop after the message being sent (waiting up to `grace` seconds, then cancelling: a row
        cut off mid-send keeps its lease and is sent by a worker after the lease runs out)."""
        remove_listener(self.wake)
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError):
                await asyncio.wait_for(self._task, grace)
            self._task = None

    def wake(self, database_key: str | None = None) -> None:
        """Deliver soon (thread-safe): database_key's outbox at once, or every database if None."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(self._poke, database_key)

    def _poke(self, database_key: str | None) -> None:
        self._poked.add(database_key or "*")
        self._wake.set()

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        next_full = loop.time()                 # the first pass looks at every database
        due_at: dict[str, float] = {}           # database url -> when its next retry is due
        while not self._stopping:
            poked, self._poked = self._poked, set()
            self._wake.clear()                  # a poke during the pass sets it again: no sleep then
            now = loop.time()
            full = now >= next_full or "*" in poked
            if full:
                next_full = now + self.poll_interval
            seen: dict[str, float] = {}
            for db in self._list_databases():
                if full or db.url in poked or due_at.get(db.url, float("inf")) <= now:
                    seconds = await self._pass(db)
                    seen[db.url] = float("inf") if seconds is None else loop.time() + seconds
                else:
                    seen[db.url] = due_at.get(db.url, float("inf"))
                if self._stopping:
                    return
            due_at = seen                       # databases no longer open are forgotten
            await self._sleep(min([next_full, *due_at.values()]) - loop.time())

    def _list_databases(self) -> list[Database]:
        try:
            return list(self._databases())
        except Exception:  # noqa: BLE001 - the next poll tries again; a bad list must not end delivery
            log.exception("outbox worker could not list the databases")
            return []

    async def _pass(self, db: Database) -> float | None:
        """Deliver one database's due rows of every kind; seconds until its next retry is due, None if
        none waits."""
        waits: list[float | None] = []
        if self.sender is not None:
            waits.append(await self._pass_kind(db, EMAIL, self._deliver_mail))
        for kind, deliver in self.kinds.items():
            waits.append(await self._pass_kind(db, kind, deliver))
        known = [wait for wait in waits if wait is not None]
        return min(known) if known else None

    async def _deliver_mail(self, db: Database) -> float | None:
        await deliver_due(db, self.sender, policy=self.policy)
        return await next_due_in(db)

    async def _pass_kind(self, db: Database, kind: str, deliver: KindDelivery) -> float | None:
        try:
            return await deliver(db)
        except Exception:  # noqa: BLE001 - one broken database or kind must not stop every store's mail
            log.exception("outbox delivery of %s failed for %s", kind, db.url)
            return self.poll_interval

    async def _sleep(self, seconds: float) -> bool:
        """Wait for a wake-up or the timeout; True when woken."""
        try:
            await asyncio.wait_for(self._wake.wait(), max(0.0, seconds))
            return True
        except asyncio.TimeoutError:
            return False
