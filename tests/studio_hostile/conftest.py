"""Fixtures of the studio's hostile tests: Qt offscreen with the studio's look, a flaky cloud on loopback
(hostile_cloud.py) and a studio session linked to it whose SyncController never syncs by itself, so
each test says when the network goes wrong."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from support_linked_studio import prepare_qt

prepare_qt()

from hostile_cloud import HostileCloud  # noqa: E402
from support_linked_studio import linked_session, live_cloud, studio_look, window_on  # noqa: E402,F401 - fixtures


@pytest.fixture
def hostile_cloud() -> Iterator[HostileCloud]:
    cloud = HostileCloud().start()
    yield cloud
    cloud.close()


@pytest.fixture
def short_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A hanging cloud gives up after 2 s rather than 30 (the wait is for the dialog, never the clock)."""
    import httpx

    monkeypatch.setattr("shared.sync.client.TIMEOUT", httpx.Timeout(2.0, connect=2.0))
