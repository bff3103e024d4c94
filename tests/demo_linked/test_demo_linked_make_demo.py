"""`vibeshop demo` links its studio to the demo's own cloud: the real console script serves a copy of the
demo data on a random loopback port, and once the server answers, DATA/studio holds the demo store as a
paired device of it (a one-time pairing code redeemed over HTTP; the device token has the pairing
scopes). A studio opened on that folder, as the demo opens it, shows an order placed in the demo cloud by
itself (the orders stream). A second run keeps the same device and token, with the new port, and leaves
one live demo studio token."""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from shared.accounts.pairing import DEVICE_SCOPES
from shared.accounts.service import check_token
from shared.db.repositories.accounts import list_tokens
from shared.demo.studio_link import TOKEN_NAME
from shared.storefront.service import DataDir, open_store
from shared.sync import device
from studio_orders.orders_support import place_pickup_order
from support import VIBESHOP, free_port

HANG = 240.0        # seconds: only catches a hang (the first link downloads the store and its images)


@dataclass
class DemoRun:
    """A running `vibeshop demo` and the lines it has printed so far."""

    proc: subprocess.Popen
    port: int
    lines: queue.Queue = field(default_factory=queue.Queue)
    seen: list[str] = field(default_factory=list)

    def wait_for_line(self, start: str) -> list[str]:
        """Every line up to and including the first that starts with `start`, and the one after it."""
        while not any(line.startswith(start) for line in self.seen[:-1]):
            try:
                line = self.lines.get(timeout=HANG)
            except queue.Empty:
                raise AssertionError(f"`vibeshop demo` printed no '{start}' line:\n{''.join(self.seen)}") from None
            assert line is not None, f"`vibeshop demo` ended:\n{''.join(self.seen)}"
            self.seen.append(line)
        return self.seen


@contextmanager
def demo_running(data: Path, cwd: Path) -> Iterator[DemoRun]:
    """`vibeshop demo --no-studio` over `data` on a free port, without a display, until the block ends."""
    port = free_port()
    proc = subprocess.Popen([VIBESHOP, "demo", "--data", str(data), "--port", str(port), "--no-studio"], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "DISPLAY": "", "WAYLAND_DISPLAY": ""})
    run = DemoRun(proc, port)

    def read() -> None:
        for line in proc.stdout:
            run.lines.put(line)
        run.lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        yield run
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)


def _studio_link(data: Path) -> device.LinkState:
    copy = open_store(DataDir(data / "studio"), "demo")
    try:
        state = device.link_state(copy.db)
        assert copy.record.id == _cloud_store_id(data)
    finally:
        copy.close()
    assert state is not None, "DATA/studio is linked"
    return state


def _cloud_store_id(data: Path) -> str:
    store = open_store(DataDir(data), "demo")
    store.close()
    return store.record.id


def _live_studio_tokens(data: Path) -> list[str]:
    catalog = DataDir(data).catalog()
    try:
        tokens = catalog.read(lambda conn: list_tokens(conn, _cloud_store_id(data)))
    finally:
        catalog.close()
    return [token_id for token_id, name, _scopes, _made, _used, revoked in tokens
            if name == TOKEN_NAME and revoked is None]


def _till_token(lines: list[str]) -> str:
    """The token of the printed `vibeshop pos feed` line."""
    feed = next(line for line in lines if " pos feed " in line).split()
    return feed[feed.index("--token") + 1]


def _grant(data: Path, token: str):  # noqa: ANN202
    catalog = DataDir(data).catalog()
    try:
        return check_token(catalog, token)
    finally:
        catalog.close()


def test_the_demo_links_its_studio_which_shows_the_demos_orders(demo_dir: Path, tmp_path: Path, window_on,
                                                                 qtbot) -> None:
    data = demo_dir
    with demo_running(data, tmp_path) as run:
        lines = run.wait_for_line("Studio: ")
        assert lines[-2].startswith("Studio: linked to this demo")
        command = lines[-1].split()                 # how to open it again, relative to the demo's folder
        assert command[-3:-1] == ["studio", "--data"] and (tmp_path / command[-1]).resolve() == data / "studio"
        state = _studio_link(data)
        assert state.remote == f"http://127.0.0.1:{run.port}"
        grant = _grant(data, state.token)
        assert grant.token_id == state.device_id and grant.store_id == _cloud_store_id(data)
        assert set(DEVICE_SCOPES) <= grant.scopes
        assert _live_studio_tokens(data) == [state.device_id]
        till = _till_token(lines)
        assert "pos" in _grant(data, till).scopes

        window = window_on(data / "studio")
        window.show_section("orders")
        orders = window.orders
        qtbot.waitUntil(lambda: orders.model.online and orders.listener is not None and orders.listener.connected,
                        timeout=int(HANG * 1000))
        assert orders.table.rowCount() == 0          # listed: the order below comes through the stream
        place_pickup_order(f"http://127.0.0.1:{run.port}", f"demo.localhost:{run.port}", email="nia@example.com")
        qtbot.waitUntil(lambda: orders.table.rowCount() == 1, timeout=int(HANG * 1000))
        orders.table.selectRow(0)
        qtbot.waitUntil(lambda: (orders.model.detail or {}).get("email") == "nia@example.com",
                        timeout=int(HANG * 1000))
        window.show_section("pos")
        page = window.pos_devices
        qtbot.waitUntil(lambda: page.online and page.table.rowCount() >= 1, timeout=int(HANG * 1000))
        assert page.table.item(0, 0).text() == "Demo till"
        window.close()

    with demo_running(data, tmp_path) as again:           # another port: same device, new address
        lines = again.wait_for_line("Studio: ")
        assert lines[-2].startswith("Studio: still linked to this demo")
        kept = _studio_link(data)
        assert (kept.device_id, kept.token) == (state.device_id, state.token)
        assert kept.remote == f"http://127.0.0.1:{again.port}"
        assert _live_studio_tokens(data) == [state.device_id]
        assert _till_token(again.seen) == till            # the same till, not a new one each run
        assert (data / "demo-till.token").stat().st_mode & 0o077 == 0


def test_the_demo_will_not_start_on_a_port_in_use(tmp_path: Path) -> None:
    """The studio is linked to whatever answers on the demo's port: another server there would get the
    pairing code, so the demo refuses to start, before seeding anything."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        ran = subprocess.run([VIBESHOP, "demo", "--data", str(tmp_path / "D"), "--port", str(port), "--no-studio"],
                             cwd=tmp_path, capture_output=True, text=True, timeout=120,
                             env={**os.environ, "DISPLAY": "", "WAYLAND_DISPLAY": ""})
    assert ran.returncode == 2 and f"port {port} is in use" in ran.stderr, ran.stderr
    assert not (tmp_path / "D").exists()


def test_the_demo_refuses_a_port_that_cannot_be(tmp_path: Path) -> None:
    ran = subprocess.run([VIBESHOP, "demo", "--data", str(tmp_path / "D"), "--port", "99999", "--no-studio"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert ran.returncode == 2 and "--port must be between 1 and 65535" in ran.stderr, ran.stderr
    assert "Traceback" not in ran.stderr and not (tmp_path / "D").exists()
