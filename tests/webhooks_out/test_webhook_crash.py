"""A webhook worker killed (SIGKILL) between the event's commit and the send, or after claiming the
delivery: the restarted worker delivers it exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from shared.db import connect
from shared.mail import outbox_entries
from shared.webhooks import WEBHOOK, WebhookPolicy, WebhookSender
from support import wait_for_async
from webhook_receiver import Receiver

SCRIPT = Path(__file__).with_name("webhook_crash_worker.py")


def run_until_killed(db_path: Path, url: str, mode: str) -> None:
    """Start the worker script, wait until it reached `mode`'s point, then SIGKILL it."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SCRIPT.parent.parent.parent), str(SCRIPT.parent),
                                                       os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, str(SCRIPT), str(db_path), url, mode], env=env,
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line == mode, f"the worker stopped at {line!r}"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()


@pytest.mark.parametrize("mode", ["after-commit", "after-claim"])
async def test_a_crash_before_the_send_delivers_exactly_once_later(tmp_path: Path, mode: str):
    receiver = Receiver()
    await receiver.start()
    db_path = tmp_path / "store.db"
    try:
        await asyncio.to_thread(run_until_killed, db_path, receiver.url, mode)
        assert receiver.requests == []
        db = connect(db_path)
        sender = WebhookSender(allow_loopback=True, policy=WebhookPolicy(lease=0.5))
        try:
            async def delivered() -> bool:        # the restarted worker: passes until the lease ran out
                await sender.deliver(db)
                return bool(receiver.accepted)
            await wait_for_async(delivered, "the restarted worker's delivery")
            await sender.deliver(db)              # and one more pass: nothing is sent twice
            [row] = await db.run_read(lambda conn: outbox_entries(conn, kind=WEBHOOK))
        finally:
            await sender.aclose()
            db.close()
    finally:
        await receiver.stop()
    assert len(receiver.requests) == 1 and len(receiver.accepted) == 1
    assert row.status == "sent" and row.attempts == (1 if mode == "after-commit" else 2)
