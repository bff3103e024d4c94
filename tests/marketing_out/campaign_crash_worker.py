"""The campaign sender as a process the crash test kills with SIGKILL (run as a script):

    python campaign_crash_worker.py DB MAIL_DIR
It sends the store's campaign as the cloud does, a batch per (simulated) second followed by an outbox
delivery pass into MAIL_DIR, printing 'batch N' after each and then waiting for a line on stdin before
the next, until the test kills it: the test paces it, so on a loaded machine it cannot run ahead and
finish the campaign before the kill."""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta

from marketing_seed import T0
from shared.db import connect
from shared.mail import DirectorySender, RetryPolicy, deliver_due
from shared.marketing.worker import send_campaign_step


async def main() -> None:
    db = connect(sys.argv[1])
    sender = DirectorySender(sys.argv[2], default_from="news@vibeshop.test")
    policy = RetryPolicy(lease=0.5, batch=7)
    now, batch = T0, 0
    while True:
        now += timedelta(seconds=1)          # the rate's clock, simulated: one batch per step
        due = send_campaign_step(db, now=now)
        await deliver_due(db, sender, policy=policy)
        batch += 1
        print(f"batch {batch}", flush=True)
        if due is None:
            print("done", flush=True)
        if not sys.stdin.readline():         # the test's "go on" (or the kill); the end of input: stop
            return


if __name__ == "__main__":
    asyncio.run(main())
