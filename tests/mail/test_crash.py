"""A worker killed (SIGKILL) between the order's commit and the send: the restarted worker sends the
e-mail exactly once. Killed after the server accepted it but before the row was marked sent (the
one at-least-once window, shared/mail/outbox.py), the copy sent again has the same Message-ID."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from shared.db import connect
from shared.mail import RetryPolicy, SmtpConfig, SmtpSender, deliver_due, outbox_entries
from support import wait_for

SCRIPT = Path(__file__).with_name("crash_worker.py")


def run_until_killed(db_path: Path, port: int, mode: str) -> None:
    """Start the worker script, wait until it reached `mode`'s point, then SIGKILL it."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(SCRIPT.parent.parent), str(SCRIPT.parent),
                                                       os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, str(SCRIPT), str(db_path), str(port), mode], env=env,
                            stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline().strip()
        assert line == mode, f"the worker stopped at {line!r}"
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()


async def deliver_after_restart(db_path: Path, port: int) -> None:
    """A restarted worker: passes until the row is sent (a killed worker's lease runs out first)."""
    db = connect(db_path)
    sender = SmtpSender(SmtpConfig(host="127.0.0.1", port=port, sender="orders@vibeshop.test"))
    try:
        def sent() -> bool:
            asyncio.run(deliver_due(db, sender, policy=RetryPolicy(lease=0.5)))
            return db.read(lambda conn: outbox_entries(conn))[0].status == "sent"

        await asyncio.to_thread(wait_for, sent, "the restarted worker sending the row")
    finally:
        db.close()


@pytest.mark.parametrize("mode", ["after-commit", "after-claim"])
async def test_a_crash_before_the_send_delivers_exactly_once_later(tmp_path: Path, sink, mode: str):
    db_path = tmp_path / "store.db"
    run_until_killed(db_path, sink.port, mode)
    assert sink.messages == []

    await deliver_after_restart(db_path, sink.port)

    [message] = sink.wait_for(1)
    assert message["To"] == "shopper1@example.com"
    db = connect(db_path)
    try:
        [row] = db.read(lambda conn: outbox_entries(conn))
    finally:
        db.close()
    assert row.status == "sent" and row.attempts == (1 if mode == "after-commit" else 2)
    assert len(sink.messages) == 1


async def test_a_crash_after_the_server_accepted_resends_with_the_same_message_id(tmp_path: Path, sink):
    db_path = tmp_path / "store.db"
    run_until_killed(db_path, sink.port, "after-accept")
    assert len(sink.wait_for(1)) == 1

    await deliver_after_restart(db_path, sink.port)

    first, again = sink.wait_for(2)
    assert first["Message-ID"] == again["Message-ID"]      # recognisable as one message
    assert len(sink.messages) == 2
