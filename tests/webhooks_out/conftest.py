"""Fixtures of the outbound webhook tests: a loopback receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from webhook_receiver import Receiver


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A receiver that fails the first two deliveries, then accepts."""
    server = Receiver(fail_first=2)
    await server.start()
    yield server
    await server.stop()
