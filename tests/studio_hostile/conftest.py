"""Fixtures of the studio's hostile tests: Qt offscreen with the studio's look, a flaky cloud on loopback
(hostile_cloud.py) and a studio session linked to it whose SyncController never syncs by itself, so
each test says when the network goes wrong."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from support_linked_studio import prepare_qt

prepare_qt()

from hostile_cloud import HostileCloud  # noqa: E402
from shared.storefront.service import DataDir, open_store  # noqa: E402
from shared.sync import device  # noqa: E402
from support_linked_studio import live_cloud, studio_look, window_on  # noqa: E402,F401 - fixtures for this folder


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


@pytest.fixture
def linked_session(demo_dir: Path, qapp, studio_look) -> Iterator[Callable[[str], Any]]:
    """linked_session(remote) -> (session, sync): the demo store linked to `remote`, with a SyncController
    that is never started (no sync cycles)."""
    from studio.publish.controller import SyncController
    from studio.session import StudioSession

    made = []

    def make(remote: str):
        data_dir = DataDir(demo_dir)
        store = open_store(data_dir, "demo")
        device.link_device(store.db, device_id="device-1", remote=remote, token="device-token")
        session = StudioSession(data_dir, store)
        sync = SyncController(session)
        made.append((session, sync))
        return session, sync

    yield make
    for session, sync in made:
        sync.stop()
        session.close()

