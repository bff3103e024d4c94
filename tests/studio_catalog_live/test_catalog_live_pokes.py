"""The studio's CatalogLive under quick pokes, against `vibeshop cloud serve`: the catalogue cursor is
never read on the UI thread, a burst of pokes makes one pull, a poke that arrives while a pull is
running (and that the pull missed) gets exactly one more pull, and a poke the last pull already
covered makes none. Each step waits for the pulls to end, never for a time."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QThread

from catalog_live_support import CatalogSetup, count_change, link_studio_folder
from shared.db.repositories import catalog_changes
from shared.storefront.service import DataDir, open_store
from shared.sync import catalog_refresh, device
from support import serving

WAIT = 30_000        # ms: only catches a hang


class _Recorder:
    """Counts the pulls that reach the cloud and the threads that read the stored cursor; a pull can be
    held after it read the cloud, before its result goes back to the UI thread."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.pulls, self.cursor_threads = 0, []
        self.hold: threading.Event | None = None
        self.pulled = threading.Event()
        real_pull, real_cursor = catalog_refresh.pull_catalog, catalog_refresh.catalog_cursor

        def pull(*args, **kwargs):
            result = real_pull(*args, **kwargs)
            self.pulls += 1
            self.pulled.set()
            if self.hold is not None:
                assert self.hold.wait(60), "the test never let the pull finish"
            return result

        def cursor(db):
            self.cursor_threads.append(QThread.currentThread())
            return real_cursor(db)

        monkeypatch.setattr(catalog_refresh, "pull_catalog", pull)
        monkeypatch.setattr(catalog_refresh, "catalog_cursor", cursor)


@pytest.fixture
def live(catalog_setup: CatalogSetup, tmp_path: Path, qtbot, monkeypatch) -> Iterator[tuple]:
    """(CatalogLive of a linked studio session, recorder, cloud URL); not started."""
    from studio.publish.catalog_live import CatalogLive
    from studio.session import StudioSession

    with serving(catalog_setup.data) as server:
        folder = link_studio_folder(catalog_setup, tmp_path / "studio", server.url)
        session = StudioSession(DataDir(folder), open_store(DataDir(folder), "demo"))
        recorder = _Recorder(monkeypatch)
        catalog_live = CatalogLive(session)
        try:
            yield catalog_live, recorder, server.url
        finally:
            catalog_live.stop()
            session.close()


def _idle(live) -> bool:
    return not live._pulling and live._tasks.running == 0


def _latest(setup: CatalogSetup) -> int:
    store = open_store(DataDir(setup.data), "demo")
    try:
        return store.db.read(catalog_changes.latest_seq)
    finally:
        store.close()


def _pos_count(cloud: str, setup: CatalogSetup, quantity: int) -> int:
    answer = httpx.post(f"{cloud}/pos/v1/inventory/changes", json=count_change(setup, quantity),
                        headers=setup.pos_headers(), timeout=30)
    assert answer.status_code == 200, answer.text
    return _latest(setup)


def _on_hand(live, setup: CatalogSetup) -> int:
    return live.session.db.read(lambda conn: conn.scalar(
        "SELECT on_hand FROM location_stock WHERE variant_id = ? AND location_id = ?",
        (setup.variant_id, setup.location_id)))


def test_pokes_are_coalesced_none_lost_none_doubled_and_the_cursor_is_read_off_the_ui_thread(
        live, catalog_setup: CatalogSetup, qtbot) -> None:
    catalog_live, recorder, cloud = live
    ui = QThread.currentThread()
    # Pokes before any pull: the cursor is not known in memory yet; the worker reads it.
    newest = _latest(catalog_setup)
    catalog_live.link = device.link_state(catalog_live.session.db)
    with qtbot.waitSignal(catalog_live.refreshed, timeout=WAIT):
        for _ in range(20):
            catalog_live.poked.emit(newest)
    qtbot.waitUntil(lambda: _idle(catalog_live), timeout=WAIT)
    assert recorder.pulls == 1                                  # 20 pokes, one pull
    assert recorder.cursor_threads and all(t is not ui for t in recorder.cursor_threads)

    # A burst of pokes for one change: one pull, which brings it.
    seq = _pos_count(cloud, catalog_setup, 11)
    with qtbot.waitSignal(catalog_live.refreshed, timeout=WAIT):
        for _ in range(50):
            catalog_live.poked.emit(seq)
    qtbot.waitUntil(lambda: _idle(catalog_live), timeout=WAIT)
    assert recorder.pulls == 2 and _on_hand(catalog_live, catalog_setup) == 11

    # Pokes the last pull covered: no pull, no database read, decided at once on the UI thread.
    reads = len(recorder.cursor_threads)
    catalog_live.poked.emit(seq)
    catalog_live.poked.emit(seq - 1)
    assert _idle(catalog_live) and recorder.pulls == 2 and len(recorder.cursor_threads) == reads

    # A change made while a pull is running, after it read the cloud: its poke gets one more pull.
    recorder.hold, recorder.pulled = threading.Event(), threading.Event()
    catalog_live.refresh_now()
    assert recorder.pulled.wait(30)                              # the pull read the cloud; it is held
    later = _pos_count(cloud, catalog_setup, 12)
    catalog_live.poked.emit(later)
    catalog_live.poked.emit(later)
    assert recorder.pulls == 3 and catalog_live._pulling
    recorder.hold.set()
    qtbot.waitUntil(lambda: recorder.pulls == 4 and _idle(catalog_live), timeout=WAIT)
    assert _on_hand(catalog_live, catalog_setup) == 12
    assert all(t is not ui for t in recorder.cursor_threads)
