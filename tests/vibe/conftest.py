"""Fixtures for the vibe sandbox tests: real V8 in real worker processes, no mocks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.vibe import StoreExecutor

from .support import FAST


@pytest.fixture(scope="module")
def executor() -> Iterator[StoreExecutor]:
    """One store's executor with a short time limit, shared by a module's tests."""
    ex = StoreExecutor("store-a", limits=FAST)
    yield ex
    ex.close()
