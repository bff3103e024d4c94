"""The marketing background loop: campaign batches at each store's rate, and the abandoned-checkout
reminders, over the stores a process has open. The e-mails it queues are delivered by the outbox's
own worker (shared/mail/delivery.py), woken by each commit."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from shared.db import Database
from shared.marketing.abandoned import remind_abandoned_checkouts
from shared.marketing.campaigns import send_due_batches

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def _utc_now() -> datetime:
    return datetime.now(UTC)


def send_campaign_step(db: Database, *, now: datetime) -> float | None:
    """One campaign batch for this store (its own write); seconds until the next, None when idle."""
    return db.write(lambda conn: send_due_batches(conn, now=now))


def remind_step(db: Database, *, now: datetime) -> int:
    """One pass of the abandoned-checkout reminders for this store (its own write)."""
    return db.write(lambda conn: remind_abandoned_checkouts(conn, now=now))


class MarketingWorker:
    """Runs the marketing steps in the background of an event loop: `await start()` / `await stop()`
    from the app's cleanup_ctx. `databases()` names the stores to serve; `clock` is injectable."""

    def __init__(self, databases: Callable[[], list[Database]], *, clock: Clock = _utc_now,
                 poll_interval: float = 5.0, remind_interval: float = 60.0):
        self.databases, self.clock = databases, clock
        self.poll_interval, self.remind_interval = poll_interval, remind_interval
        self._task: asyncio.Task | None = None
        self._wake = asyncio.Event()
        self._last_remind = float("-inf")     # the first pass reminds

    def wake(self) -> None:
        """Run a pass now (a campaign was just started)."""
        self._wake.set()

    async def start(self) -> None:
        """Start the loop."""
        self._task = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        """Stop the loop (a step under way finishes its write: each step is one transaction)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def run_pass(self) -> float:
        """One pass over every store; the seconds until the next is due."""
        loop = asyncio.get_running_loop()
        remind = loop.time() - self._last_remind >= self.remind_interval
        if remind:
            self._last_remind = loop.time()
        wait = self.poll_interval
        for db in self.databases():
            try:
                due = await db.run_write(lambda conn: send_due_batches(conn, now=self.clock()))
                if due is not None:
                    wait = min(wait, due)
                if remind:
                    await db.run_write(lambda conn: remind_abandoned_checkouts(conn, now=self.clock()))
            except Exception:  # noqa: BLE001 - one store's failure must not stop the others' mail
                log.exception("marketing pass failed for %s", getattr(db, "url", db))
        return max(wait, 0.01)

    async def _run(self) -> None:
        while True:
            wait = await self.run_pass()
            self._wake.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)
