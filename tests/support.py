"""Helpers the test modules share (tests/ is on sys.path because conftest.py lives there)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import html5lib
import httpx

# The console script installed next to the interpreter running the tests (.venv/bin/vibeshop).
VIBESHOP = str(Path(sys.executable).with_name("vibeshop"))


def parse_strict(document: str):
    """The document parsed by html5lib in strict mode (raises ParseError on any HTML5 parse error)."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(document)


def parse(document: str):
    """The document parsed leniently, for looking things up in it."""
    return html5lib.HTMLParser(namespaceHTMLElements=False).parse(document)


def block_ids(document: str) -> list[str]:
    """The data-block-id of every block wrapper, in document order."""
    return [el.get("data-block-id") for el in parse(document).iter() if el.get("data-block-id") is not None]


def stylesheet_href(document: str) -> str:
    """The href of the document's one stylesheet link (the theme's /assets/theme-HASH.css)."""
    links = [el.get("href") for el in parse(document).iter("link") if el.get("rel") == "stylesheet"]
    assert len(links) == 1, links
    return links[0]


def start_cloud(data: Path, port: int, *, workers: int = 1, own_session: bool = False) -> subprocess.Popen:
    """Start `vibeshop cloud serve` on 127.0.0.1:port and wait until it answers /_health."""
    proc = subprocess.Popen([VIBESHOP, "cloud", "serve", "--data", str(data), "--host", "127.0.0.1",
                             "--port", str(port), "--workers", str(workers)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=own_session)
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/_health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the cloud did not start")
        time.sleep(0.1)


def wait_for(condition, what: str, *, timeout: float = 30.0, every: float = 0.05):  # noqa: ANN001, ANN201
    """Poll `condition()` until it is truthy and return its value. `timeout` only catches a hang (it is not
    a speed claim: a loaded machine is slower, never wrong); then AssertionError names `what`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:g} s for {what}")
        time.sleep(every)


async def wait_for_async(condition, what: str, *, timeout: float = 30.0, every: float = 0.05):  # noqa: ANN001, ANN201
    """wait_for for a coroutine function `condition` (an HTTP request, say), polled on the event loop."""
    deadline = time.monotonic() + timeout
    while True:
        value = await condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:g} s for {what}")
        await asyncio.sleep(every)


class ManualClock:
    """A monotonic clock that moves only when the test moves it. Given to product code that reads a TTL
    on an injected clock (the page cache's version, the store directory's records), it lets a test step
    exactly past the TTL instead of sleeping it out: the change is then seen on the next request, on any
    machine, however slow."""

    def __init__(self) -> None:
        self.now = time.monotonic()     # starts at the real clock, so deadlines made from it stay near

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Let `seconds` pass on this clock."""
        self.now += seconds


def tool_path(package: str) -> Path:
    """The file the suite runs from a pinned npm tool of scripts/test-tools.txt (the vnu.jar of "vnu-jar"),
    installed by scripts/install-test-tools, which `make test` runs first."""
    root = Path(__file__).resolve().parents[1]
    cache = Path(os.environ.get("VIBESHOP_TEST_TOOLS") or root / ".cache" / "test-tools")
    for line in (root / "scripts" / "test-tools.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        spec, file, _sha = line.split()
        name = spec.rsplit("@", 1)[0]
        if name == package:
            path = cache / spec.replace("/", "+") / "node_modules" / name / file
            if not path.is_file():
                raise AssertionError(f"{path} is missing: run scripts/install-test-tools (make test does)")
            return path
    raise KeyError(f"{package} is not in scripts/test-tools.txt")


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """A `vibeshop cloud serve` subprocess."""

    proc: subprocess.Popen
    url: str
    port: int

    def kill(self) -> None:
        """SIGKILL, as a crash would: no cleanup, no commit."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=20)


@contextmanager
def serving(data: Path, *, workers: int = 1, port: int | None = None) -> Iterator[Server]:
    """`vibeshop cloud serve` on `data` until the block ends; waits until it answers /_health."""
    port = port or free_port()
    proc = start_cloud(data, port, workers=workers, own_session=True)
    server = Server(proc, f"http://127.0.0.1:{port}", port)
    try:
        yield server
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)     # its own session: the workers go with it
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=20)


_HOLD_LOCK = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("held", flush=True)
sys.stdin.readline()
conn.execute("COMMIT")
"""


@contextmanager
def write_lock_held(path: Path) -> Iterator[None]:
    """Another process (stdlib sqlite3) holds the write lock of the database file at `path` until the
    block ends: what another worker, a publish or a backup does."""
    proc = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, str(path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        yield
    finally:
        assert proc.stdin is not None
        proc.stdin.write("\n")
        proc.stdin.flush()
        proc.wait(timeout=60)
