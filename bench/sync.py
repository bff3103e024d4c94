"""Sync figures (the sync issue), on loopback against a real `vibeshop cloud serve`:

- a push of 10,000 ops (forming them from dirty rows, the push request, the cloud applying them in
  one transaction), beside a plain aiohttp handler reading the same JSON body;
- the round trip of one change: a block setting changed in one linked studio until it is in the
  database of another studio that holds the poke WebSocket, beside a plain POST round trip of the
  same small body.

Both devices are linked through the real pairing flow. `python -m bench.sync peer PORT` is the
plain aiohttp peer."""

from __future__ import annotations

import asyncio
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import aiohttp
import httpx
from aiohttp import web

from bench.timing import table
from shared.accounts.pairing import create_pairing_code
from shared.db import Connection
from shared.db.repositories import pages as pages_repo
from shared.demo.seed import seed_demo
from shared.pages import service as pages
from shared.storefront.service import DataDir, Store, open_store
from shared.sync import device
from shared.sync.client import PROTOCOL, Syncer, _headers, link

ROOT = Path(__file__).resolve().parents[1]
PAGES, BLOCKS_PER_PAGE = 200, 49            # 200 page inserts + 9,800 block inserts = 10,000 ops
PUSH_RUNS = 3                               # each on a fresh cloud and a freshly linked device
ROUND_TRIPS = 30
PUSH_TARGET_MS, ROUND_TRIP_TARGET_MS = 2_000, 100


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited with {proc.returncode}")
        try:
            if httpx.get(f"{url}/_health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not start")


@contextmanager
def _process(args: list[str], url: str) -> Iterator[str]:
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_up(url, proc)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


class Cloud:
    """A `vibeshop cloud serve` on a private copy of the seeded demo data, and devices linked to it."""

    def __init__(self, template: Path, folder: Path):
        self.data = folder / "cloud"
        shutil.copytree(template, self.data)
        self.folder = folder
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def serve(self) -> Any:
        """The running server (a context manager giving its URL)."""
        return _process([sys.executable, "-m", "vibeshop", "cloud", "serve", "--data", str(self.data),
                         "--host", "127.0.0.1", "--port", str(self.port)], self.url)

    def link(self, name: str, client: httpx.Client) -> Store:
        """A new data folder paired with the demo store (a code made on the catalogue, then `link`)."""
        store_id = open_store(DataDir(self.data), "demo")
        store_id.close()
        catalog = DataDir(self.data).catalog()
        try:
            code = create_pairing_code(catalog, store_id=store_id.record.id)
        finally:
            catalog.close()
        return link(DataDir(self.folder / name), remote=self.url, code=code, device_name=name, client=client)


def _peer_handler_app() -> web.Application:
    async def take(request: web.Request) -> web.Response:
        body = await request.json()
        return web.json_response({"received": len(body.get("ops", ()))})

    async def health(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application(client_max_size=16 * 1024 * 1024)      # the sync API's body limit
    app.router.add_post("/take", take)
    app.router.add_get("/_health", health)
    return app


def serve_peer(port: int) -> None:
    """The transport's floor: aiohttp reading a JSON body and answering 200, nothing else."""
    web.run_app(_peer_handler_app(), host="127.0.0.1", port=port, print=None, access_log=None)


def _peer_post_ms(client: httpx.Client, url: str, body: dict[str, Any] | bytes) -> float:
    """One POST of the body (bytes: sent as they are, like a push; a dict: encoded as JSON first)."""
    start = time.perf_counter()
    if isinstance(body, bytes):
        response = client.post(f"{url}/take", content=body,
                               headers={**_headers("peer-token"), "Content-Type": "application/json"})
    else:
        response = client.post(f"{url}/take", json=body, headers=_headers("peer-token"))
    response.raise_for_status()
    return (time.perf_counter() - start) * 1000


# --- push of 10,000 ops -------------------------------------------------------------------------

def _make_edits(store: Store, run: int) -> None:
    """10,000 distinct rows for the outbox: PAGES new pages of BLOCKS_PER_PAGE blocks each (under
    the 60-block limit), written in one transaction as a folder import would."""
    def write(conn: Connection) -> None:
        for p in range(PAGES):
            page = pages.create_page_in(conn, title=f"Bench {run} page {p}", slug=f"bench-{run}-page-{p}")
            for b in range(BLOCKS_PER_PAGE):
                pages.add_block_in(conn, page_id=page.id, kind="rich-text",
                                   settings={"heading": f"Heading {p}.{b}"}, position=b)

    store.db.write(write)


def _push_once(store: Store, client: httpx.Client) -> tuple[float, float, bytes]:
    """Form ops, push them and have them acknowledged: what Syncer.sync() does before it pulls.
    Returns (milliseconds in all, milliseconds forming ops, the push body)."""
    syncer = Syncer(store, client=client)
    start = time.perf_counter()
    device.form_ops(store.db)
    formed = (time.perf_counter() - start) * 1000
    [body] = device.push_bodies(store.db)       # 5.2 MiB: one message, as sync() sends it
    answer = syncer._push(body)
    device.acknowledge(store.db, answer["last_op"])
    elapsed = (time.perf_counter() - start) * 1000
    if answer["applied"] != PAGES * (1 + BLOCKS_PER_PAGE):
        raise RuntimeError(f"expected {PAGES * (1 + BLOCKS_PER_PAGE)} ops applied, got {answer['applied']}")
    return elapsed, formed, body


def bench_push(template: Path, folder: Path, peer: str) -> list[tuple[str, float, str]]:
    """Medians over PUSH_RUNS fresh clouds; the peer gets the same body, with the same client, right after."""
    sync_ms, form_ms, pull_ms, peer_ms, ratios = [], [], [], [], []
    size = 0
    with httpx.Client() as client:
        for run in range(PUSH_RUNS):
            cloud = Cloud(template, folder / f"push-{run}")
            with cloud.serve():
                store = cloud.link("a", client)
                try:
                    _make_edits(store, run)
                    ms, formed, body = _push_once(store, client)
                    form_ms.append(formed)
                    start = time.perf_counter()
                    Syncer(store, client=client).pull()       # the cloud's state of the rows, back
                    pull_ms.append((time.perf_counter() - start) * 1000)
                finally:
                    store.close()
            for _ in range(2):
                _peer_post_ms(client, peer, body)             # warm the connection and the handler
            floor = statistics.median(_peer_post_ms(client, peer, body) for _ in range(3))
            sync_ms.append(ms)
            peer_ms.append(floor)
            ratios.append(ms / floor)
            size = len(body)
    push = statistics.median(sync_ms)
    met = "met" if push < PUSH_TARGET_MS else "NOT met"
    n = PAGES * (1 + BLOCKS_PER_PAGE)
    return [(f"push {n:,} ops: form + request + apply, ms", push,
             f"{statistics.median(ratios):.1f}x the peer; target < {PUSH_TARGET_MS} ms: {met}"),
            ("  of which forming the ops on the device, ms", statistics.median(form_ms),
             "the rest: the request and the cloud applying the ops in one transaction"),
            (f"peer: POST the same {size / 2**20:.1f} MiB JSON to aiohttp, ms", statistics.median(peer_ms),
             "the same bytes; json parsed by the handler, 200 back; same httpx client"),
            (f"pull the {n:,} changes back on the same device, ms", statistics.median(pull_ms),
             "after the push (what the rest of the sync cycle costs)")]


# --- one change, studio to studio ---------------------------------------------------------------

class PokedDevice:
    """Device B: holds the poke WebSocket in a thread of its own and pulls on each poke."""

    def __init__(self, store: Store):
        self.store = store
        self.syncer = Syncer(store, client=httpx.Client())
        self.applied = threading.Condition()
        self.pulls = 0
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_until_complete, args=(self._listen(),), daemon=True)
        self._stop: asyncio.Event | None = None

    def __enter__(self) -> PokedDevice:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the poke WebSocket did not open")
        return self

    def __exit__(self, *_exc: object) -> None:
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)
        self.syncer.close()

    async def _listen(self) -> None:
        self._stop = asyncio.Event()
        url = self.syncer.remote.replace("http://", "ws://") + "/_sync/poke"
        async with aiohttp.ClientSession() as session, session.ws_connect(url, headers=_headers(self.syncer.token)) as ws:
            self._ready.set()
            stopped = asyncio.ensure_future(self._stop.wait())
            while True:
                received = asyncio.ensure_future(ws.receive())
                await asyncio.wait({received, stopped}, return_when=asyncio.FIRST_COMPLETED)
                if stopped.done():
                    received.cancel()
                    return
                if received.result().type != aiohttp.WSMsgType.TEXT:
                    return
                self.syncer.pull()          # in this thread, as the studio's worker thread would
                with self.applied:
                    self.pulls += 1
                    self.applied.notify_all()

    def wait_for(self, block_id: str, heading: str, timeout: float = 10) -> None:
        """Block until the block's heading in B's database is `heading`."""
        deadline = time.monotonic() + timeout
        with self.applied:
            while self._heading(block_id) != heading:
                if not self.applied.wait(max(0.0, deadline - time.monotonic())):
                    raise RuntimeError(f"device B never saw {heading!r}")

    def _heading(self, block_id: str) -> str | None:
        block = self.store.db.read(lambda conn: pages_repo.get_block(conn, block_id))
        return None if block is None else block.settings.get("heading")


def _hero(store: Store) -> Any:
    def read(conn: Connection) -> Any:
        for page in pages_repo.list_pages(conn):
            for block in pages_repo.list_blocks(conn, page.id):
                if block.kind == "hero":
                    return block
        raise RuntimeError("the demo store has no hero block")

    return store.db.read(read)


def bench_round_trip(template: Path, folder: Path, peer: str) -> list[tuple[str, float, str]]:
    """A's edit of one block setting to B having it in its database, p50 over ROUND_TRIPS."""
    cloud = Cloud(template, folder / "round-trip")
    samples: list[float] = []
    with cloud.serve(), httpx.Client() as client:
        a, b = cloud.link("a", client), cloud.link("b", client)
        syncer = Syncer(a, client=client)
        hero = _hero(a)
        try:
            with PokedDevice(b) as watcher:
                for run in range(-3, ROUND_TRIPS):              # three warm-up runs
                    heading = f"Round trip {run}"
                    start = time.perf_counter()
                    pages.update_block_settings(a.db, block_id=hero.id, settings={**hero.settings, "heading": heading})
                    syncer.sync()
                    watcher.wait_for(hero.id, heading)
                    if run >= 0:
                        samples.append((time.perf_counter() - start) * 1000)
        finally:
            a.close()
            b.close()
        # The body A pushed for one such edit: one op with the block's settings.
        body = {"device_id": syncer.device_id,
                "ops": [{"op_id": f"{syncer.device_id}:1", "hlc": "0" * 13 + "-00000-" + syncer.device_id,
                         "table": "blocks", "key": hero.id, "fields": {"settings": hero.settings},
                         "base": {"settings": "0" * 13 + "-00000-cloud"}, "delete": False}]}
        for _ in range(3):
            _peer_post_ms(client, peer, body)
        floor = [_peer_post_ms(client, peer, body) for _ in range(ROUND_TRIPS)]
    p50, peer_p50 = statistics.median(samples), statistics.median(floor)
    met = "met" if p50 < ROUND_TRIP_TARGET_MS else "NOT met"
    size = len(httpx.Request("POST", peer, json=body).content)
    return [("one change, studio A to studio B, p50 ms", p50,
             f"{p50 / peer_p50:.0f}x the peer; target < {ROUND_TRIP_TARGET_MS} ms: {met}"),
            ("  the same, p90 ms", statistics.quantiles(samples, n=10)[-1],
             f"edit, A's sync cycle, poke, B's pull applied; {ROUND_TRIPS} runs"),
            (f"peer: POST the same {size} B body to aiohttp, p50 ms", peer_p50, "same httpx client")]


def main() -> None:
    """Print the sync table."""
    folder = Path(tempfile.mkdtemp(prefix="vibeshop-bench-sync-"))
    try:
        template = folder / "template"
        seed_demo(DataDir(template)).store.close()
        port = _free_port()
        peer_url = f"http://127.0.0.1:{port}"
        with _process([sys.executable, "-m", "bench.sync", "peer", str(port)], peer_url):
            rows = bench_push(template, folder, peer_url)
            rows += bench_round_trip(template, folder, peer_url)
        print(table(f"Sync (protocol {PROTOCOL}, loopback, `vibeshop cloud serve`)", rows))
        print()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["peer"]:
        serve_peer(int(sys.argv[2]))
    else:
        main()
