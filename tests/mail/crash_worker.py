"""A worker process the crash tests kill with SIGKILL at a chosen point (run as a script).

    python crash_worker.py DB SMTP_PORT MODE
MODE: 'after-commit' (the order's write committed, nothing sent), 'after-claim' (the row is claimed
and the worker is about to send) or 'after-accept' (the server accepted the message; the row is not
marked sent yet). It prints the mode's name when it gets there, then waits to be killed."""

from __future__ import annotations

import asyncio
import sys
import time
from contextlib import asynccontextmanager

from orders import simple_email
from shared.db import connect
from shared.mail import RetryPolicy, SmtpConfig, SmtpSender, deliver_due, enqueue_email


def reached(point: str) -> None:
    """Say where we are and wait for the SIGKILL."""
    print(point, flush=True)
    time.sleep(3600)


class StoppingSender:
    """The real SMTP sender, stopping before or after the server's reply."""

    def __init__(self, port: int, mode: str):
        self.inner = SmtpSender(SmtpConfig(host="127.0.0.1", port=port, sender="orders@vibeshop.test"))
        self.default_from, self.mode = self.inner.default_from, mode

    @asynccontextmanager
    async def session(self):  # noqa: ANN201
        async with self.inner.session() as session:
            yield self._Stopping(session, self.mode)

    class _Stopping:
        def __init__(self, session, mode: str):  # noqa: ANN001
            self.session, self.mode = session, mode

        async def send(self, message) -> None:  # noqa: ANN001
            if self.mode == "after-claim":
                reached("after-claim")
            await self.session.send(message)
            reached("after-accept")


def main() -> None:
    path, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    db = connect(path)
    db.write(lambda conn: enqueue_email(conn, simple_email(), dedupe_key="order:1001:confirmation"))
    if mode == "after-commit":
        reached("after-commit")
    # A short lease, so the restarted worker takes the row over soon after the crash.
    asyncio.run(deliver_due(db, StoppingSender(port, mode), policy=RetryPolicy(lease=0.5)))


if __name__ == "__main__":
    main()
