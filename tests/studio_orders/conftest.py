"""Fixtures of the studio Orders/Customers tests: Qt offscreen with the preview's URL scheme registered
before the QApplication exists (the main window has a preview), the studio's own look, a real cloud and
main windows (tests/support_linked_studio.py), and a studio session whose store is linked to a given
cloud address."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from support_linked_studio import prepare_qt

prepare_qt()

from shared.storefront.service import DataDir, open_store  # noqa: E402
from shared.sync import device  # noqa: E402
from support_linked_studio import live_cloud, studio_look, window_on  # noqa: E402,F401 - fixtures for this folder


@pytest.fixture
def linked_session(demo_dir: Path, qapp) -> Iterator[Callable[[str], Any]]:
    """linked_session(remote) -> (session, sync): the demo store linked to `remote` (a fake cloud that
    only answers the admin API), with a SyncController that is never started (no sync cycles)."""
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
