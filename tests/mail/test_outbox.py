"""The outbox: written in the caller's transaction, delivered after commit to a real SMTP server
(aiosmtpd), retried with backoff, given up visibly, never sent by two workers at once."""

from __future__ import annotations

import asyncio
import contextlib
import json
from pathlib import Path

import pytest

from orders import branding, shipped_order, simple_email
from shared.db import Database, connect
from shared.db.repositories import outbox as repo
from shared.mail import (DirectorySender, MailError, OutboxWorker, RetryPolicy, SmtpConfig, SmtpSender,
                         deliver_due, enqueue_email, message_id_for, outbox_entries, prune_sent,
                         render_order_confirmation, retry_failed_entry)
from support import wait_for

FAST = RetryPolicy(base=0.05, cap=0.2, max_attempts=4, lease=30)


def smtp(port: int) -> SmtpSender:
    """A sender to the sink on loopback."""
    return SmtpSender(SmtpConfig(host="127.0.0.1", port=port, sender="orders@vibeshop.test", timeout=5))


def rows(db: Database) -> list[repo.OutboxRow]:
    """Every outbox row."""
    return db.read(lambda conn: outbox_entries(conn, limit=1000))


async def test_a_committed_write_sends_one_mail_with_both_parts_and_inlined_css(db, sink):
    email = render_order_confirmation(shipped_order(), branding())
    row_id = await db.run_write(lambda conn: enqueue_email(conn, email, dedupe_key="order:1:confirmation"))

    report = await deliver_due(db, smtp(sink.port))

    assert report.sent == 1
    [message] = sink.wait_for(1)
    assert message["To"] == "jane@example.com"
    assert message["Subject"] == "Order #1001 confirmed"
    assert message["From"] == "North Goods <orders@vibeshop.test>"
    assert message["Reply-To"] == "hello@north-goods.example"
    assert message["Message-ID"] == message_id_for(row_id, "vibeshop.test")
    assert message.get_content_type() == "multipart/alternative"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Harbor Tee (Large / Navy) x 2: $48.00" in text and "Total: $69.15 USD" in text
    assert 'style="' in html and "background: #1559a8" in html          # the theme's accent, inlined
    assert ".button {" not in html                                        # no class rules left to inline
    [row] = rows(db)
    assert (row.status, row.attempts, row.sent_at is not None, row.claim_token) == ("sent", 1, True, None)
    assert (await deliver_due(db, smtp(sink.port))).sent == 0             # sent means sent once
    assert len(sink.messages) == 1


async def test_a_rolled_back_write_sends_nothing(db, sink):
    def order_then_fail(conn):
        enqueue_email(conn, simple_email(), dedupe_key="order:2:confirmation")
        raise RuntimeError("payment step failed")

    with pytest.raises(RuntimeError):
        await db.run_write(order_then_fail)

    assert (await deliver_due(db, smtp(sink.port))).sent == 0
    assert rows(db) == [] and sink.messages == []


async def test_the_same_dedupe_key_twice_is_one_mail(db, sink):
    first = await db.run_write(lambda conn: enqueue_email(conn, simple_email(), dedupe_key="order:3:confirmation"))
    again = await db.run_write(lambda conn: enqueue_email(conn, simple_email(), dedupe_key="order:3:confirmation"))

    assert first is not None and again is None
    assert (await deliver_due(db, smtp(sink.port))).sent == 1
    assert len(sink.messages) == 1


async def test_smtp_down_is_retried_with_backoff_then_delivered_when_it_comes_back(db, down_sink):
    await db.run_write(lambda conn: enqueue_email(conn, simple_email(), dedupe_key="k"))
    sender = smtp(down_sink.port)

    first = await deliver_due(db, sender, policy=FAST)
    [row] = rows(db)
    assert first.retrying == 1 and row.status == "pending" and row.attempts == 1
    assert "SMTP server" in row.last_error and row.next_attempt_at > row.created_at
    assert (await deliver_due(db, sender, policy=FAST)).retrying == 0    # not due yet: backoff waits

    worker = OutboxWorker(sender, lambda: [db], policy=FAST, poll_interval=3600)
    await worker.start()
    try:
        await asyncio.to_thread(wait_for, lambda: rows(db)[0].attempts >= 2, "a second attempt")
        down_sink.start()
        await asyncio.to_thread(down_sink.wait_for, 1)
        await asyncio.to_thread(wait_for, lambda: rows(db)[0].status == "sent", "the row marked sent")
    finally:
        await worker.stop()
    assert len(down_sink.messages) == 1 and rows(db)[0].last_error == ""


def test_backoff_doubles_up_to_the_cap_with_jitter():
    policy = RetryPolicy(base=30, cap=3600, jitter=0.5)
    assert [policy.delay(n, rand=lambda: 0.0) for n in (1, 2, 3, 8, 20)] == [30, 60, 120, 3600, 3600]
    assert policy.delay(2, rand=lambda: 1.0) == 30          # at most half taken off


async def test_a_message_is_given_up_after_max_attempts_and_stays_visible(db, down_sink):
    await db.run_write(lambda conn: enqueue_email(conn, simple_email(), dedupe_key="k"))
    policy = RetryPolicy(base=0, cap=0, max_attempts=3)
    reports = [await deliver_due(db, smtp(down_sink.port), policy=policy) for _ in range(4)]

    assert [(r.retrying, r.failed) for r in reports] == [(1, 0), (1, 0), (0, 1), (0, 0)]
    [row] = rows(db)
    assert row.status == "failed" and row.attempts == 3 and row.last_error.startswith("gave up after 3 attempts")

    assert await db.run_write(lambda conn: retry_failed_entry(conn, entry_id=row.id))  # "send again"
    down_sink.start()
    assert (await deliver_due(db, smtp(down_sink.port), policy=policy)).sent == 1


async def test_a_permanent_refusal_fails_at_once(db, sink):
    sink.refuse = "550 5.1.1 mailbox unavailable"
    await db.run_write(lambda conn: enqueue_email(conn, simple_email(), dedupe_key="k"))

    report = await deliver_due(db, smtp(sink.port), policy=FAST)

    assert report.failed == 1
    [row] = rows(db)
    assert row.status == "failed" and row.attempts == 1 and "550" in row.last_error


async def test_a_temporary_refusal_is_retried(db, sink):
    sink.refuse = "451 4.3.0 try again later"
    await db.run_write(lambda conn: enqueue_email(conn, simple_email(), dedupe_key="k"))

    assert (await deliver_due(db, smtp(sink.port), policy=FAST)).retrying == 1
    assert rows(db)[0].status == "pending" and "451" in rows(db)[0].last_error


async def test_two_workers_on_one_database_send_each_mail_once(tmp_path: Path, sink):
    first, second = connect(tmp_path / "store.db"), connect(tmp_path / "store.db")   # two connections
    try:
        def enqueue_many(conn):
            for n in range(30):
                enqueue_email(conn, simple_email(n), dedupe_key=f"order:{n}:confirmation")

        await first.run_write(enqueue_many)
        policy = RetryPolicy(batch=4)
        one, two = await asyncio.gather(deliver_due(first, smtp(sink.port), policy=policy),
                                        deliver_due(second, smtp(sink.port), policy=policy))

        assert one.sent + two.sent == 30
        sent_to = sorted(str(m["To"]) for m in sink.wait_for(30))
        assert sent_to == sorted(f"shopper{n}@example.com" for n in range(30))
        assert all(row.status == "sent" and row.attempts == 1 for row in rows(first))
    finally:
        first.close()
        second.close()


async def test_two_running_workers_send_each_mail_once(tmp_path: Path, sink):
    first, second = connect(tmp_path / "store.db"), connect(tmp_path / "store.db")
    workers = [OutboxWorker(smtp(sink.port), lambda db=db: [db], policy=RetryPolicy(batch=2), poll_interval=0.01)
               for db in (first, second)]
    try:
        for worker in workers:
            await worker.start()
        for n in range(20):
            await (first if n % 2 else second).run_write(
                lambda conn, n=n: enqueue_email(conn, simple_email(n), dedupe_key=f"k{n}"))
        await asyncio.to_thread(wait_for, lambda: all(r.status == "sent" for r in rows(first))
                                and len(rows(first)) == 20, "every row sent")
    finally:
        for worker in workers:
            await worker.stop()
        first.close()
        second.close()
    assert sorted(str(m["To"]) for m in sink.messages) == sorted(f"shopper{n}@example.com" for n in range(20))


async def test_the_worker_wakes_when_a_write_commits(db, sink):
    worker = OutboxWorker(smtp(sink.port), lambda: [db], poll_interval=3600)   # it would never poll in time
    await worker.start()
    try:
        await asyncio.sleep(0)
        await asyncio.to_thread(wait_for, lambda: worker._task is not None, "the worker running")
        await db.run_write(lambda conn: enqueue_email(conn, simple_email(), dedupe_key="k"))
        [message] = await asyncio.to_thread(sink.wait_for, 1)
    finally:
        await worker.stop()
    assert message["To"] == "shopper1@example.com"


async def test_a_broken_payload_fails_visibly_and_does_not_stop_the_others(db, sink):
    def enqueue_both(conn):
        repo.insert_row(conn, id="bad", kind="email", payload=json.dumps({"to": "nobody"}), dedupe_key="bad",
                        now="2000-01-01T00:00:00.000000+00:00")
        enqueue_email(conn, simple_email(), dedupe_key="good")

    await db.run_write(enqueue_both)
    report = await deliver_due(db, smtp(sink.port))

    assert (report.sent, report.failed) == (1, 1)
    assert db.read(lambda conn: repo.get_row(conn, "bad")).status == "failed"


def test_an_empty_dedupe_key_is_refused(db):
    with pytest.raises(MailError):
        db.write(lambda conn: enqueue_email(conn, simple_email(), dedupe_key=" "))
    assert rows(db) == []


async def test_the_directory_sender_writes_eml_files_once_per_row(db, tmp_path: Path):
    email = render_order_confirmation(shipped_order(), branding())
    row_id = await db.run_write(lambda conn: enqueue_email(conn, email, dedupe_key="k"))
    folder = tmp_path / "mail"

    assert (await deliver_due(db, DirectorySender(folder, default_from="orders@vibeshop.test"))).sent == 1

    [path] = folder.glob("*.eml")
    assert path.name.startswith("order-1001-confirmed-outbox-")
    text = path.read_text()
    assert message_id_for(row_id, "vibeshop.test") in text and "Content-Type: text/html" in text
    assert not list(folder.glob(".*.tmp"))


class SlowSender:
    """Writes .eml files, each taking a while: longer than half the lease."""

    def __init__(self, folder: Path, pause: float):
        self.inner, self.pause = DirectorySender(folder), pause
        self.default_from = self.inner.default_from
        self.sent: list[str] = []

    @contextlib.asynccontextmanager
    async def session(self):  # noqa: ANN201
        async with self.inner.session() as session:
            yield self._Slow(self, session)

    class _Slow:
        def __init__(self, owner, session):  # noqa: ANN001
            self.owner, self.session = owner, session

        async def send(self, message) -> None:  # noqa: ANN001
            await asyncio.sleep(self.owner.pause)
            await self.session.send(message)
            self.owner.sent.append(str(message["To"]))


async def test_a_batch_hands_back_what_it_cannot_start_within_half_its_lease(db, tmp_path: Path):
    await db.run_write(lambda conn: [enqueue_email(conn, simple_email(n), dedupe_key=f"k{n}") for n in range(3)])
    sender = SlowSender(tmp_path / "mail", pause=0.3)

    report = await deliver_due(db, sender, policy=RetryPolicy(lease=0.4, batch=3))

    assert report.sent == 3 and sorted(sender.sent) == [f"shopper{n}@example.com" for n in range(3)]
    assert all(row.status == "sent" and row.attempts == 1 for row in rows(db))   # a hand-back is no attempt


async def test_sent_mail_is_pruned_and_failed_mail_kept(db, sink, down_sink):
    await db.run_write(lambda conn: enqueue_email(conn, simple_email(1), dedupe_key="sent"))
    await deliver_due(db, smtp(sink.port))
    await db.run_write(lambda conn: enqueue_email(conn, simple_email(2), dedupe_key="failed"))
    await deliver_due(db, smtp(down_sink.port), policy=RetryPolicy(max_attempts=1))

    assert await db.run_write(lambda conn: prune_sent(conn, older_than_days=0)) == 1
    assert [row.dedupe_key for row in rows(db)] == ["failed"]


async def test_a_row_whose_workers_keep_dying_is_given_up_without_sending(db, sink):
    await db.run_write(lambda conn: enqueue_email(conn, simple_email(), dedupe_key="k"))
    policy = RetryPolicy(max_attempts=2)
    for _ in range(2):       # two workers claimed it and died before an answer (leases ran out)
        await db.run_write(lambda conn: repo.claim_due(conn, kind="email", now="9999-12-31", lease_until="0000",
                                                       token="dead", limit=1))

    report = await deliver_due(db, smtp(sink.port), policy=policy)

    [row] = rows(db)
    assert report.failed == 1 and row.status == "failed" and "claimed 3 times" in row.last_error
    assert sink.messages == []
