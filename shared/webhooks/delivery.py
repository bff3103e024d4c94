"""Sending the webhook deliveries the outbox holds (kind 'webhook'), after commit.

`WebhookSender(...).deliver(db)` does one pass over a store database: it claims the due rows with the
outbox's lease (so two workers or processes never send one delivery at once, and a crash before the
receiver answered sends it once, later), POSTs each signed body with httpx (timeouts, redirects never
followed, the address checked against SSRF and pinned), and records each attempt in the delivery log in
the same write that marks the outbox row sent or reschedules it. Register it with the mail worker:

    OutboxWorker(mail_sender, databases, kinds={WEBHOOK: WebhookSender(allow_loopback=...).deliver})

A failing delivery is retried with exponential backoff for `retry_for` (24 h); a subscription that
has failed continuously for `disable_after` (24 h) is disabled and the merchant gets an e-mail.
As with mail, the one at-least-once window is a crash after the receiver's 2xx and before the row is
marked sent; the copy sent again has the same Vibeshop-Event-Id for the receiver to drop."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from shared.db import Connection, Database, DatabaseBusyError
from shared.db.repositories import outbox as outbox_repo
from shared.db.repositories import webhooks as repo
from shared.db.stamps import new_id
from shared.webhooks.errors import WebhookError
from shared.webhooks.events import WEBHOOK
from shared.webhooks.notify import notify_disabled
from shared.webhooks.signing import EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER, sign
from shared.webhooks.urls import check_url, resolve_allowed

log = logging.getLogger(__name__)
USER_AGENT = "Vibeshop-Webhooks/1"


@dataclass(frozen=True)
class WebhookPolicy:
    """When to try again: base * 2**(attempt-1) seconds, at most `cap`, less a random part of up to
    `jitter`; a delivery is given up `retry_for` seconds after its event, and a subscription failing
    without a success for `disable_after` seconds is disabled. `timeout` bounds one request."""

    base: float = 30.0
    cap: float = 3600.0
    jitter: float = 0.5
    retry_for: float = 24 * 3600.0
    disable_after: float = 24 * 3600.0
    timeout: float = 10.0
    lease: float = 120.0
    batch: int = 20
    concurrency: int = 8

    def delay(self, attempts: int, rand: Callable[[], float] = random.random) -> float:
        """Seconds to wait after the `attempts`-th failed attempt."""
        plain = min(self.cap, self.base * 2 ** max(0, attempts - 1))
        return plain * (1 - self.jitter * rand())


DEFAULT_WEBHOOK_POLICY = WebhookPolicy()


@dataclass(frozen=True)
class Outcome:
    """What one HTTP attempt gave: the receiver's status (None without an answer) and an error text."""

    status: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        """Whether the receiver accepted the delivery (any 2xx)."""
        return self.status is not None and 200 <= self.status < 300


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


class WebhookSender:
    """Sends webhook deliveries; one per worker (it holds the HTTP connection pool).
    `allow_loopback` is the cloud's test mode (local receivers allowed)."""

    def __init__(self, *, allow_loopback: bool = False, policy: WebhookPolicy = DEFAULT_WEBHOOK_POLICY,
                 client: httpx.AsyncClient | None = None):
        self.allow_loopback, self.policy = allow_loopback, policy
        self._client = client or httpx.AsyncClient(
            timeout=httpx.Timeout(policy.timeout, connect=min(5.0, policy.timeout)), follow_redirects=False,
            trust_env=False, limits=httpx.Limits(max_connections=policy.concurrency * 2))

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def deliver(self, db: Database) -> float | None:
        """Send `db`'s due deliveries (all of them, batch after batch). Seconds until the next one is
        due (0: now), None if none waits: the OutboxWorker's hook for the 'webhook' kind."""
        while await self._batch(db):
            pass
        due = await db.run_read(lambda conn: outbox_repo.next_due_at(conn, kind=WEBHOOK))
        if due is None:
            return None
        return max(0.0, (datetime.fromisoformat(due) - datetime.now(UTC)).total_seconds())

    async def _batch(self, db: Database) -> bool:
        """One claimed batch sent side by side; whether another may be due (the batch was full)."""
        now = datetime.now(UTC)
        token = new_id()
        rows = await db.run_write(lambda conn: outbox_repo.claim_due(
            conn, kind=WEBHOOK, now=_stamp(now), lease_until=_stamp(now + timedelta(seconds=self.policy.lease)),
            token=token, limit=self.policy.batch))
        gate = asyncio.Semaphore(self.policy.concurrency)
        loop = asyncio.get_running_loop()
        # No request is started in the second half of the lease: a slow receiver must not let the lease
        # run out under a send (another worker would take the row and send it too).
        start_by = loop.time() + self.policy.lease / 2

        async def one(row: outbox_repo.OutboxRow) -> None:
            async with gate:
                try:
                    if loop.time() >= start_by:
                        stamp = _stamp(datetime.now(UTC))
                        await db.run_write(lambda conn: outbox_repo.release(conn, row_id=row.id, token=token,
                                                                            now=stamp))
                        return
                    await self._deliver_row(db, row, token)
                except Exception:  # noqa: BLE001 - the row's lease runs out and it is tried again
                    log.exception("webhook outbox row %s failed", row.id)

        await asyncio.gather(*(one(row) for row in rows))
        return len(rows) == self.policy.batch

    async def _deliver_row(self, db: Database, row: outbox_repo.OutboxRow, token: str) -> None:
        try:
            delivery_id = str(json.loads(row.payload)["delivery"])
        except (ValueError, KeyError, TypeError):
            await db.run_write(lambda conn: outbox_repo.mark_failed(conn, row_id=row.id, token=token,
                                                                    error="not a webhook delivery"))
            return
        delivery, subscription = await db.run_read(lambda conn: _load(conn, delivery_id))
        if delivery is None or subscription is None or not subscription.active or self._abandoned(delivery):
            reason = ("the subscription was deleted" if subscription is None
                      else "the subscription is turned off" if not subscription.active
                      else "its worker kept stopping while sending it")
            await db.run_write(lambda conn: _drop(conn, row, token, delivery, reason))
            return
        outcome = await self.send(subscription.url, subscription.secret, delivery)
        # Recorded at once, trying again while the database is busy: a row left leased after a 2xx would
        # be sent a second time when its lease runs out.
        for attempt in range(1, 4):
            try:
                await db.run_write(lambda conn: self._record(conn, row, token, delivery, outcome))
                return
            except DatabaseBusyError:
                if attempt == 3:
                    raise
                log.warning("webhook delivery %s sent but the database is busy; recording it again", delivery.id)

    def _abandoned(self, delivery: repo.DeliveryRow) -> bool:
        """A delivery still claimed long after its retry window: its workers died while sending it
        (nothing was recorded), so it is given up rather than taken over forever."""
        age = (datetime.now(UTC) - datetime.fromisoformat(delivery.created_at)).total_seconds()
        return age >= 2 * self.policy.retry_for + self.policy.lease

    async def send(self, url: str, secret: str, delivery: repo.DeliveryRow) -> Outcome:
        """POST one delivery's body, signed now, to `url` (checked and resolved first). Never raises
        for the receiver's failures: they are the Outcome's error."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        body = delivery.body.encode()
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
                   SIGNATURE_HEADER: sign(secret, body), EVENT_ID_HEADER: delivery.event_id,
                   EVENT_TYPE_HEADER: delivery.event_type}
        try:
            target = check_url(url, allow_loopback=self.allow_loopback)
            address = await asyncio.wait_for(resolve_allowed(target, allow_loopback=self.allow_loopback),
                                             self.policy.timeout)
            request = _pinned(self._client, target, str(address), body, headers)
            response = await self._client.send(request, stream=True)
            await response.aclose()             # the answer's body is not read: a status is all we need
        except WebhookError as exc:
            return Outcome(None, f"refused: {exc}", _ms(loop.time() - started))
        except asyncio.TimeoutError:
            return Outcome(None, "the receiver's name did not resolve in time", _ms(loop.time() - started))
        except httpx.HTTPError as exc:
            return Outcome(None, f"{type(exc).__name__}: {exc}"[:500] or type(exc).__name__,
                           _ms(loop.time() - started))
        status = response.status_code
        error = "" if 200 <= status < 300 else (
            f"redirect to {response.headers.get('location', '?')[:200]} not followed" if 300 <= status < 400
            else f"the receiver answered {status}")
        return Outcome(status, error, _ms(loop.time() - started))

    def _record(self, conn: Connection, row: outbox_repo.OutboxRow, token: str, delivery: repo.DeliveryRow,
                outcome: Outcome) -> None:
        """The attempt's outcome, in one write: the log, the delivery, the outbox row and the streak."""
        now = datetime.now(UTC)
        stamp = _stamp(now)
        repo.insert_attempt(conn, id=new_id(), delivery_id=delivery.id, attempt=row.attempts,
                            status_code=outcome.status, duration_ms=outcome.duration_ms, error=outcome.error, now=stamp)
        if outcome.ok:
            if not outbox_repo.mark_sent(conn, row_id=row.id, token=token, now=stamp):
                log.warning("webhook delivery %s was sent after its lease ran out", delivery.id)
            repo.finish_delivery(conn, delivery_id=delivery.id, status="succeeded", attempts=row.attempts,
                                 last_status=outcome.status, error="", now=stamp)
            repo.record_success(conn, subscription_id=delivery.subscription_id)
            return
        created = datetime.fromisoformat(delivery.created_at)
        if (now - created).total_seconds() >= self.policy.retry_for:
            error = f"gave up after {row.attempts} attempts: {outcome.error}"
            outbox_repo.mark_failed(conn, row_id=row.id, token=token, error=error[:1000])
            repo.finish_delivery(conn, delivery_id=delivery.id, status="failed", attempts=row.attempts,
                                 last_status=outcome.status, error=error[:1000], now=stamp)
        else:
            due = _stamp(now + timedelta(seconds=self.policy.delay(row.attempts)))
            outbox_repo.reschedule(conn, row_id=row.id, token=token, next_attempt_at=due, error=outcome.error[:1000])
            repo.finish_delivery(conn, delivery_id=delivery.id, status="pending", attempts=row.attempts,
                                 last_status=outcome.status, error=outcome.error[:1000], now=None)
        subscription = repo.record_failure(conn, subscription_id=delivery.subscription_id, now=stamp)
        if subscription is not None and subscription.failing_since is not None:
            failing_for = (now - datetime.fromisoformat(subscription.failing_since)).total_seconds()
            if failing_for >= self.policy.disable_after:
                hours = failing_for / 3600
                reason = (f"Every delivery failed for {hours:.1f} hours ({subscription.consecutive_failures} "
                          f"attempts in a row); the last: {outcome.error}")[:1000]
                if repo.disable_subscription(conn, subscription_id=subscription.id, reason=reason, now=stamp):
                    notify_disabled(conn, subscription, reason=reason, now=stamp)


def _load(conn: Connection, delivery_id: str) -> tuple[repo.DeliveryRow | None, repo.SubscriptionRow | None]:
    """A delivery and its subscription (None for either that is gone)."""
    delivery = repo.get_delivery(conn, delivery_id)
    return delivery, repo.get_subscription(conn, delivery.subscription_id) if delivery else None


def _drop(conn: Connection, row: outbox_repo.OutboxRow, token: str, delivery: repo.DeliveryRow | None,
          reason: str) -> None:
    """Give up a delivery whose subscription is gone or off, without sending it."""
    outbox_repo.mark_failed(conn, row_id=row.id, token=token, error=f"not sent: {reason}")
    if delivery is not None and repo.get_delivery(conn, delivery.id) is not None:
        repo.finish_delivery(conn, delivery_id=delivery.id, status="failed", attempts=delivery.attempts,
                             last_status=delivery.last_status, error=f"not sent: {reason}",
                             now=_stamp(datetime.now(UTC)))


def _pinned(client: httpx.AsyncClient, target, address: str, body: bytes,  # noqa: ANN001 - a urls.Target
            headers: dict[str, str]) -> httpx.Request:
    """The request to the checked address: the URL's host stays in the Host header and, for https, in
    the TLS server name (SNI and the certificate check), so the name is not resolved a second time."""
    url = httpx.URL(target.url)
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if ":" not in target.host else f"[{target.host}]"
    if target.port != default_port:
        host_header += f":{target.port}"
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    return client.build_request("POST", url.copy_with(host=address), content=body,
                                headers={**headers, "Host": host_header}, extensions=extensions)


def _ms(seconds: float) -> int:
    return max(0, int(seconds * 1000))
