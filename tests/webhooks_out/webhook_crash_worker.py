"""A webhook worker process the crash test kills with SIGKILL at a chosen point (run as a script).

    python webhook_crash_worker.py DB RECEIVER_URL MODE
MODE: 'after-commit' (the event's write committed, nothing sent) or 'after-claim' (the delivery is
claimed and about to be sent). It prints the mode's name when it gets there, then waits to be killed."""

from __future__ import annotations

import asyncio
import sys
import time

from shared.db import connect
from shared.webhooks import WebhookPolicy, WebhookSender, create_subscription, emit_event


def reached(point: str) -> None:
    """Say where we are and wait for the SIGKILL."""
    print(point, flush=True)
    time.sleep(3600)


class StoppingSender(WebhookSender):
    """The real sender, stopping just before the request."""

    async def send(self, url, secret, delivery):  # noqa: ANN001, ANN201
        reached("after-claim")
        return await super().send(url, secret, delivery)


def main() -> None:
    path, url, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    db = connect(path)
    db.write(lambda conn: create_subscription(conn, {"url": url, "events": ["order.paid"]}, allow_loopback=True))
    db.write(lambda conn: emit_event(conn, event_type="order.paid", data={"id": "ord_1"}, dedupe_key="ord_1:paid"))
    if mode == "after-commit":
        reached("after-commit")
    # A short lease, so the restarted worker takes the delivery over soon after the crash.
    asyncio.run(StoppingSender(allow_loopback=True, policy=WebhookPolicy(lease=0.5)).deliver(db))


if __name__ == "__main__":
    main()
