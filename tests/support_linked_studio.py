"""What the studio tests share: Qt offscreen set up before the QApplication exists, the studio's own look,
`vibeshop cloud serve` on loopback with studio data folders linked to it by real pairing (so the studio's
token has the scopes pairing grants), and main windows opened on such folders.

A studio test folder's conftest.py calls `prepare_qt()` when it is imported (pytest-qt creates the
application later, in its `qapp` fixture) and imports the fixtures it uses from here."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from shared.storefront.service import DataDir, open_store
from shared.sync.client import link
from support import VIBESHOP, free_port, start_cloud


def prepare_qt() -> None:
    """Qt offscreen (no sandbox as root) and the preview's URL scheme registered: Qt requires the
    scheme before the QApplication exists."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--no-sandbox" not in flags:
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (flags + " --no-sandbox").strip()
    from studio.none_refcount import guard_none_refcount
    from studio.preview.scheme import register_scheme

    guard_none_refcount()
    register_scheme()


class LiveCloud:
    """`vibeshop cloud serve` on one loopback port over a data folder; it can be stopped and started again."""

    def __init__(self, data: Path):
        self.data, self.port = data, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = start_cloud(self.data, self.port)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:      # a graceful shutdown waits for open poke sockets; the studio must cope with a kill too
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=20)

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        """A `vibeshop cloud ...` command on this cloud's data folder."""
        return subprocess.run([VIBESHOP, "cloud", *args, "--data", str(self.data)], capture_output=True, text=True,
                              timeout=60)

    def pairing_code(self) -> str:
        """A new pairing code for the demo store, as `vibeshop cloud device add` prints it."""
        made = self.cli("device", "add", "--store", "demo")
        assert made.returncode == 0, made.stderr
        return made.stdout.strip().splitlines()[-1]

    def link(self, folder: Path, name: str = "Laptop") -> None:
        """Pair the studio data folder `folder` with the demo store, as `vibeshop link` does."""
        link(DataDir(folder), remote=self.url, code=self.pairing_code(), device_name=name).close()

    def add_pos_device(self, location: str, name: str) -> str:
        """A POS device of the demo store at `location` (`vibeshop cloud pos device add`); its token."""
        made = self.cli("pos", "device", "add", "--store", "demo", "--location", location, "--name", name)
        assert made.returncode == 0, made.stderr
        return made.stdout.strip().splitlines()[-1]

    def shopper_page(self) -> str:
        """The demo store's home page as a shopper gets it."""
        response = httpx.get(f"{self.url}/", headers={"Host": f"demo.localhost:{self.port}"}, timeout=30)
        assert response.status_code == 200
        return response.text


@contextmanager
def running_cloud(data: Path) -> Iterator[LiveCloud]:
    """The cloud over a data folder, running until the block ends."""
    server = LiveCloud(data)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def live_cloud(demo_dir: Path) -> Iterator[LiveCloud]:
    """The cloud over a private copy of the demo data, running for the test."""
    with running_cloud(demo_dir) as server:
        yield server


@pytest.fixture
def studio_look(qapp) -> Iterator[None]:
    """The studio's own style (studio.qss), as `vibeshop studio` applies it, so the screenshots show
    what the merchant sees; the application's previous look is restored afterwards."""
    from studio.style import apply_style

    before = (qapp.style().name(), qapp.palette(), qapp.font(), qapp.styleSheet())
    apply_style(qapp)
    yield
    qapp.setStyle(before[0])
    qapp.setPalette(before[1])
    qapp.setFont(before[2])
    qapp.setStyleSheet(before[3])


def open_main_window(qtbot, folder: Path) -> tuple[Any, Any]:  # noqa: ANN001
    """The studio's main window on the demo store of a data folder, shown: (window, session)."""
    from studio.main_window import MainWindow
    from studio.session import StudioSession

    session = StudioSession(DataDir(folder), open_store(DataDir(folder), "demo"))
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.resize(1500, 950)
    window.show()
    return window, session


@pytest.fixture
def window_on(qtbot, studio_look) -> Iterator[Callable[[Path], Any]]:
    """window_on(folder): the main window on a data folder's demo store (closed after the test)."""
    opened = []

    def opener(folder: Path):
        window, session = open_main_window(qtbot, folder)
        opened.append((window, session))
        return window

    yield opener
    for window, session in opened:
        window.close()
        session.close()


@pytest.fixture
def linked_session(demo_dir: Path, qapp, studio_look) -> Iterator[Callable[[str], Any]]:
    """linked_session(remote) -> (session, sync): the demo store linked to `remote` (a fake or flaky cloud
    on loopback), with a SyncController that is never started (no sync cycles), so each test says when
    the network is used."""
    from studio.publish.controller import SyncController
    from shared.sync import device
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
