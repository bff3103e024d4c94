"""The mail tests' SMTP sink: a real aiosmtpd server on a loopback port, stoppable and restartable."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from email.policy import default as default_policy

import pytest
from aiosmtpd.controller import Controller

from support import free_port


class Sink:
    """An SMTP server collecting what it accepts; `start()` and `stop()` simulate an outage, and
    `refuse` makes it answer DATA with that reply instead of 250."""

    def __init__(self) -> None:
        self.port = free_port()      # Controller(port=0) fails: pick a free port first
        self.messages: list[Message] = []
        self.refuse: str | None = None
        self.arrived = threading.Condition()
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802 - aiosmtpd's hook
        """Keep the message (or refuse it)."""
        if self.refuse:
            return self.refuse
        with self.arrived:
            self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
            self.arrived.notify_all()
        return "250 OK"

    def start(self) -> None:
        """Listen on the sink's port."""
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        """Stop listening (connections are refused)."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Message]:
        """The messages once at least `count` arrived (the timeout only catches a hang)."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.messages) >= count, timeout):
                raise AssertionError(f"{count} messages expected, {len(self.messages)} arrived")
            return list(self.messages)


@pytest.fixture
def sink() -> Iterator[Sink]:
    """A running SMTP sink."""
    server = Sink()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def down_sink() -> Iterator[Sink]:
    """An SMTP sink not started yet: its port refuses connections until `start()`."""
    server = Sink()
    yield server
    server.stop()
