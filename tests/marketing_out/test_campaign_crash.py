"""A campaign to 1,000 subscribers, its sending process killed (SIGKILL) mid-send and resumed: every
consenting address gets exactly one copy, non-consenting customers none, and the rate bounds each batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

from marketing_seed import T0, seed_customers, set_rate
from shared.db import connect
from shared.mail import DirectorySender, RetryPolicy, deliver_due, outbox_entries
from shared.marketing import create_campaign, get_campaign, recipients, start_sending
from shared.marketing.worker import send_campaign_step
from support import wait_for

SCRIPT = Path(__file__).with_name("campaign_crash_worker.py")
SUBSCRIBERS, REFUSING, RATE = 1000, 25, 40


def kill_midway(db_path: Path, mail_dir: Path, batches: int) -> None:
    """Run the sender process until it has done `batches` batches, let it start the next one and SIGKILL
    it there (it waits for our "go on" after each batch, so it is never more than one batch ahead)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SCRIPT.parent), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, str(SCRIPT), str(db_path), str(mail_dir)], env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        for _ in range(batches):
            line = proc.stdout.readline().strip()
            assert line.startswith("batch"), f"the sender stopped at {line!r}"
            proc.stdin.write("go on\n")
            proc.stdin.flush()
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        proc.stdin.close()


def wait_out_leases(db) -> None:  # noqa: ANN001
    """Wait until every lease the killed sender held has run out: its rows can then be claimed again."""
    rows = db.read(lambda conn: outbox_entries(conn, kind="email", status="sending", limit=5000))
    held = max((datetime.fromisoformat(r.claimed_until) for r in rows if r.claimed_until), default=None)
    if held is not None:
        wait_for(lambda: datetime.now(UTC) > held, "the killed sender's leases to run out")


def copies_by_address(mail_dir: Path) -> Counter:
    """How many messages each address got in the .eml folder."""
    found: Counter = Counter()
    for path in mail_dir.glob("*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=default_policy)
        found[str(message["To"])] += 1
    return found


async def test_a_campaign_killed_mid_send_resumes_without_a_second_copy(tmp_path: Path):
    db_path, mail_dir = tmp_path / "store.db", tmp_path / "mail"
    db = connect(db_path)
    seed_customers(db, consenting=SUBSCRIBERS, refusing=REFUSING)
    set_rate(db, RATE)
    campaign = db.write(lambda conn: create_campaign(conn, {"subject": "Winter sale", "text": "Everything -20 %",
                                                            "html": "<p>Everything <b>-20 %</b></p>"}, now=T0))
    started = db.write(lambda conn: start_sending(conn, campaign.row.id, now=T0))
    assert started.counts == {"pending": SUBSCRIBERS}
    db.close()

    kill_midway(db_path, mail_dir, batches=9)       # 360 queued, most of them delivered

    db = connect(db_path)
    midway = db.read(lambda conn: get_campaign(conn, campaign.row.id))
    assert midway.row.status == "sending" and 0 < midway.counts.get("pending", 0) < SUBSCRIBERS
    assert len(list(mail_dir.glob("*.eml"))) < SUBSCRIBERS

    # The resumed sender: batches at the store's rate until done, the outbox delivered after each.
    wait_out_leases(db)
    sender = DirectorySender(mail_dir, default_from="news@vibeshop.test")
    now = T0 + timedelta(hours=1)
    while True:
        now += timedelta(seconds=1)
        queued_before = db.read(lambda conn: get_campaign(conn, campaign.row.id)).counts.get("pending", 0)
        due = send_campaign_step(db, now=now)
        queued_after = db.read(lambda conn: get_campaign(conn, campaign.row.id)).counts.get("pending", 0)
        assert queued_before - queued_after <= RATE                 # the rate bounds every batch
        await deliver_due(db, sender, policy=RetryPolicy(lease=0.5))
        if due is None:
            break

    copies = copies_by_address(mail_dir)
    assert set(copies) == {f"sub{i}@example.com" for i in range(SUBSCRIBERS)}      # none to the refusing
    assert set(copies.values()) == {1}
    done = db.read(lambda conn: get_campaign(conn, campaign.row.id))
    assert done.row.status == "sent" and done.counts == {"sent": SUBSCRIBERS}
    rows = db.read(lambda conn: outbox_entries(conn, kind="email", limit=5000))
    assert Counter(r.dedupe_key for r in rows if r.dedupe_key.startswith("campaign:")).most_common(1)[0][1] == 1
    assert len([r for r in rows if r.dedupe_key.startswith("campaign:")]) == SUBSCRIBERS
    listed = db.read(lambda conn: recipients(conn, campaign.row.id, limit=5))
    assert all(r["status"] == "queued" and r["delivery"] == "sent" for r in listed)
    db.close()


async def test_each_copy_carries_the_one_click_unsubscribe_headers(tmp_path: Path):
    db = connect(tmp_path / "store.db")
    seed_customers(db, consenting=2)
    set_rate(db, 10)
    campaign = db.write(lambda conn: create_campaign(conn, {"subject": "News", "text": "Hello"}, now=T0))
    db.write(lambda conn: start_sending(conn, campaign.row.id, now=T0))
    assert send_campaign_step(db, now=T0 + timedelta(seconds=1)) is None
    await deliver_due(db, DirectorySender(tmp_path / "mail", default_from="news@vibeshop.test"))
    [path, _] = sorted((tmp_path / "mail").glob("*.eml"))
    message = message_from_bytes(path.read_bytes(), policy=default_policy)
    assert message["List-Unsubscribe"].startswith("<http://shop.test/unsubscribe?t=")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Unsubscribe: http://shop.test/unsubscribe?t=" in message.get_body(("plain",)).get_content()
    db.close()
