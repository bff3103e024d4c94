"""Fixtures of the studio Orders/Customers tests: Qt offscreen with the preview's URL scheme registered
before the QApplication exists (the main window has a preview), the studio's own look, and a studio
session whose store is linked to a given cloud address."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if hasattr(os, "geteuid") and os.geteuid() == 0 and "--no-sandbox" not in os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", ""):
    os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "") + " --no-sandbox").strip()

from studio.none_refcount import guard_none_refcount  # noqa: E402 - after the environment above
from studio.preview.scheme import register_scheme  # noqa: E402

guard_none_refcount()
register_scheme()

from shared.storefront.service import DataDir, open_store  # noqa: E402
from shared.sync import device  # noqa: E402


@pytest.fixture
def studio_look(qapp) -> Iterator[None]:
    """The studio's own style, so the screenshots show what the merchant sees."""
    from studio.style import apply_style

    before = (qapp.style().name(), qapp.palette(), qapp.font(), qapp.styleSheet())
    apply_style(qapp)
    yield
    qapp.setStyle(before[0])
    qapp.setPalette(before[1])
    qapp.setFont(before[2])
    qapp.setStyleSheet(before[3])


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
