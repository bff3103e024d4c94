"""Live stock under a POS (issue 13, section 2), on a copy of the demo store served by one worker:

- Propagation: a POS change (POST /pos/v1/inventory/changes) to the product page's stream (GET
  /live/stock) with 1,000 subscribers open, p50 and p99 over every (change, subscriber) pair, timed from
  just before the POST to the event's arrival; the sale made on the process holding the streams (its
  write nudges the watch) and on a second process serving the same store files, as another worker of
  `--workers 2` would (the stream's process learns of it at its watch's next look, every 0.1 s). The peer is the same event path with nothing behind it:
  a plain aiohttp-sse server in its own process (`python -m bench.pos_live peer PORT`) whose POST
  /publish hands the body to every open stream in memory, read by the same 1,000 clients. The ratio is
  the price of the real path: the POS request (auth, idempotency, the ledger write) and the cross-worker
  watch (a look every 0.1 s), which the peer, being one process with no database, does not pay.
  Also each server's memory per open stream (resident set growth over 1,000 streams).
- Cache: the home page's cache hit rate from the server's own /metrics (vibeshop_page_cache) while a
  shopper loads the home page HOME_RATE times a second, first with no POS, then while `vibeshop pos
  simulate` sells SALES_PER_SECOND random stocked variants of the demo catalogue at the shop,
  and the content version's moves during each phase.

`python -m bench.pos_live` runs only this table (about a minute, 25 s of it a POS and a shopper at a
slow pace; the demo's seeding takes about 10 s of the rest).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from aiohttp import web
from aiohttp_sse import EventSourceResponse

from bench.timing import table
from shared.accounts.service import add_store_pos_device
from shared.demo.seed import seed_demo
from shared.storefront.service import DataDir, open_store

ROOT = Path(__file__).resolve().parent.parent
SUBSCRIBERS = 1000
CHANGES = 15                 # timed changes per path
CHANGE_GAP = 0.2             # seconds between them: a varying phase against the watcher's looks
SALES_PER_SECOND = 5
POS_SECONDS = 20
QUIET_SECONDS = 5
HOME_RATE = 50               # home page loads per second in the cache phases
HOST = "demo.localhost"


@dataclass(frozen=True)
class Setup:
    """The demo copy, a POS token at its shop, the product the subscribers watch, every variant."""

    data: Path
    token: str
    product_id: str
    variant_id: str
    variants: tuple[str, ...]


def _seed(folder: Path) -> Setup:
    seed_demo(DataDir(folder)).store.close()
    till = add_store_pos_device(DataDir(folder), "demo", location="Pine Street shop", name="bench till")
    store = open_store(DataDir(folder), "demo")
    try:
        product_id, variant_id = store.db.read(lambda conn: conn.one(
            "SELECT p.id, v.id FROM products p JOIN variants v ON v.product_id = p.id "
            "WHERE (SELECT count(*) FROM variants w WHERE w.product_id = p.id) = 1 ORDER BY p.handle LIMIT 1"))
        variants = tuple(r[0] for r in store.db.read(lambda conn: conn.all("SELECT id FROM variants")))
    finally:
        store.close()
    return Setup(folder, till.token, product_id, variant_id, variants)


def _content_version(data: Path) -> int:
    store = open_store(DataDir(data), "demo")
    try:
        return store.db.read(lambda conn: int(conn.scalar("SELECT version FROM content_version")))
    finally:
        store.close()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _spawn(args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", *args], cwd=ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _ready(proc: subprocess.Popen, health: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            import urllib.request

            with urllib.request.urlopen(health, timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{proc.args} did not start")


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


# --- the peer: a plain aiohttp-sse fan-out, no database ------------------------------------------

def peer_app() -> web.Application:
    """GET /events (SSE: one event on connect, then every published body); POST /publish."""
    queues: set[asyncio.Queue] = set()

    async def events(request: web.Request) -> web.StreamResponse:
        queue: asyncio.Queue = asyncio.Queue()
        queues.add(queue)
        stream = EventSourceResponse()
        stream.ping_interval = 15
        try:
            await stream.prepare(request)
            await stream.send("{}", event="stock", id="0")
            number = 0
            while True:
                body = await queue.get()
                number += 1
                await stream.send(body, event="stock", id=str(number))
        except (ConnectionResetError, RuntimeError):
            pass
        finally:
            queues.discard(queue)
        return stream

    async def publish(request: web.Request) -> web.Response:
        body = await request.text()
        for queue in queues:
            queue.put_nowait(body)
        return web.json_response({"ok": True})

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_get("/events", events)
    app.router.add_post("/publish", publish)
    app.router.add_get("/_health", health)
    return app


# --- subscribers -----------------------------------------------------------------------------------

@dataclass
class Subscribers:
    """N open streams, each noting when its k-th event arrived (event 0: the state on connect)."""

    arrivals: list[list[float]] = field(default_factory=list)
    tasks: list[asyncio.Task] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def open(self, session: aiohttp.ClientSession, url: str, headers: dict[str, str], count: int) -> None:
        """Open `count` streams and wait until each has its first event."""
        for _ in range(count):
            self.arrivals.append([])
            self.tasks.append(asyncio.ensure_future(self._read(session, url, headers, self.arrivals[-1])))
        await self.wait_for(1, timeout=60)

    async def _read(self, session: aiohttp.ClientSession, url: str, headers: dict[str, str], out: list[float]):
        async with session.get(url, headers=headers, timeout=aiohttp.ClientTimeout(total=None)) as response:
            async for line in response.content:
                if line.startswith(b"data:"):
                    out.append(time.perf_counter())
                    self.changed.set()

    async def wait_for(self, events: int, *, timeout: float) -> int:
        """Wait until every stream has `events` events (or the timeout); how many have them."""
        deadline = time.monotonic() + timeout
        while True:
            done = sum(1 for a in self.arrivals if len(a) >= events)
            if done == len(self.arrivals) or time.monotonic() > deadline:
                return done
            self.changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), max(0.01, deadline - time.monotonic()))

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def _propagation(session: aiohttp.ClientSession, stream_url: str, headers: dict[str, str],
                       sends: list, pid: int) -> tuple[list[list[float]], int, float]:  # noqa: ANN001
    """([latencies in ms per sender], events lost, resident KB per open stream): CHANGES sends by each
    of `sends`, taking turns, to the same open streams."""
    rss_before = _rss_kb(pid)
    subscribers = Subscribers()
    await subscribers.open(session, stream_url, headers, SUBSCRIBERS)
    rss_after = _rss_kb(pid)
    latencies: list[list[float]] = [[] for _ in sends]
    lost = 0
    try:
        for index in range(1, CHANGES * len(sends) + 1):
            which = index % len(sends)
            started = time.perf_counter()
            await sends[which]()
            got = await subscribers.wait_for(index + 1, timeout=10)
            lost += len(subscribers.arrivals) - got
            latencies[which] += [(a[index] - started) * 1000 for a in subscribers.arrivals if len(a) > index]
            await asyncio.sleep(CHANGE_GAP + random.random() * 0.1)
    finally:
        await subscribers.close()
    return latencies, lost, (rss_after - rss_before) / SUBSCRIBERS


def _pos_change(setup: Setup, variant_id: str, *, delta: int) -> dict:
    return {"change_id": str(uuid.uuid4()), "type": "adjust", "variant_id": variant_id, "reason": "sale",
            "delta": delta, "occurred_at": datetime.now(UTC).isoformat(), "reference": "bench"}


async def _post_pos(session: aiohttp.ClientSession, base: str, setup: Setup, change: dict) -> None:
    async with session.post(f"{base}/pos/v1/inventory/changes", json={"changes": [change]}, headers={
            "Host": HOST, "Authorization": f"Bearer {setup.token}", "Idempotency-Key": str(uuid.uuid4())}) as answer:
        if answer.status != 200:
            raise RuntimeError(f"POS change refused: {answer.status} {await answer.text()}")


class Simulator:
    """`vibeshop pos simulate` (the reference POS client) selling SALES_PER_SECOND random stocked SKUs at
    the shop, as a subprocess with its own queue file; `sold` is read from its closing line."""

    def __init__(self, base: str, setup: Setup, per_second: float) -> None:
        self._args = [sys.executable, "-m", "vibeshop", "pos", "simulate", "--remote", base, "--host", HOST,
                      "--token", setup.token, "--sales-per-second", str(per_second), "--seed", "13",
                      "--queue", str(setup.data / "till-queue.sqlite")]
        self._proc: asyncio.subprocess.Process | None = None
        self.sold = 0

    async def start(self) -> None:
        self._proc = await asyncio.create_subprocess_exec(*self._args, stdout=asyncio.subprocess.PIPE,
                                                          stderr=asyncio.subprocess.STDOUT)

    async def stop(self) -> None:
        """SIGTERM: the simulator stops selling, sends what it queued and says how many it sold."""
        if self._proc is None:
            return
        self._proc.terminate()
        out, _ = await self._proc.communicate()
        found = re.search(rb"sold (\d+) units", out)
        self.sold = int(found[1]) if found else 0


_CACHE_LINE = re.compile(r'^vibeshop_page_cache_total\{result="(hit|miss)"\} ([0-9.e+]+)$', re.M)


async def _cache_counts(session: aiohttp.ClientSession, base: str) -> dict[str, float]:
    async with session.get(f"{base}/metrics") as answer:
        text = await answer.text()
    return {kind: float(value) for kind, value in _CACHE_LINE.findall(text)}


async def _home_phase(session: aiohttp.ClientSession, base: str, seconds: float) -> tuple[float, int]:
    """(hit rate of the page cache, home pages loaded) while loading / HOME_RATE times a second."""
    before = await _cache_counts(session, base)
    loads, next_at, end = 0, time.monotonic(), time.monotonic() + seconds
    while time.monotonic() < end:
        async with session.get(f"{base}/", headers={"Host": HOST}) as answer:
            await answer.read()
            assert answer.status == 200
        loads += 1
        next_at += 1 / HOME_RATE
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    after = await _cache_counts(session, base)
    hits, misses = after["hit"] - before["hit"], after["miss"] - before["miss"]
    return hits / max(1.0, hits + misses), loads


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


async def _run(setup: Setup, ports: dict[str, int], pids: dict[str, int]) -> list:
    base, other, peer = (f"http://127.0.0.1:{ports[name]}" for name in ("shop", "other", "peer"))
    rows: list[tuple[str, float, str]] = []
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        # a stock far from anything a page prints, so that the timed sales are plain changes
        await _post_pos(session, base, setup, {
            "change_id": str(uuid.uuid4()), "type": "count", "variant_id": setup.variant_id, "reason": "correction",
            "quantity": 100_000, "occurred_at": datetime.now(UTC).isoformat(), "reference": "bench"})

        def sale_to(url: str):  # noqa: ANN202
            return lambda: _post_pos(session, url, setup, _pos_change(setup, setup.variant_id, delta=-1))

        (same, cross), lost, ours_kb = await _propagation(
            session, f"{base}/live/stock?product={setup.product_id}", {"Host": HOST},
            [sale_to(base), sale_to(other)], pids["shop"])
        body = '{"variants":{"%s":{"available":true,"inventory":99999}}}' % setup.variant_id

        async def publish() -> None:
            async with session.post(f"{peer}/publish", data=body) as answer:
                await answer.read()

        (theirs,), theirs_lost, theirs_kb = await _propagation(session, f"{peer}/events", {}, [publish], pids["peer"])
        peer50, peer99 = _pct(theirs, .5), _pct(theirs, .99)
        note = f"{SUBSCRIBERS:,} open streams, {CHANGES} changes each"
        for name, values, how in (("same worker", same, "the worker that holds the streams"),
                                  ("other worker", cross, "another process: seen by the watch's next look")):
            p50, p99 = _pct(values, .5), _pct(values, .99)
            rows += [
                (f"propagation p50, sale on the {name}", p50,
                 f"{p50 / peer50:.1f}x the plain aiohttp-sse fan-out ({peer50:.1f} ms); POS request to {how}"),
                (f"propagation p99, sale on the {name}", p99,
                 f"{p99 / peer99:.1f}x the plain aiohttp-sse fan-out ({peer99:.1f} ms); {note}"),
            ]
        rows.append(("memory per open stream bytes", ours_kb * 1024,
                     f"server resident set growth / {SUBSCRIBERS:,}; peer {theirs_kb * 1024:.0f} B; "
                     f"events lost: {lost}, peer {theirs_lost}"))
        await asyncio.sleep(0.5)
        for _ in range(3):                 # render the home page once and let the version settle
            await _home_phase(session, base, 0.3)
        version = _content_version(setup.data)
        quiet, quiet_loads = await _home_phase(session, base, QUIET_SECONDS)
        quiet_moves = _content_version(setup.data) - version
        sales = Simulator(base, setup, SALES_PER_SECOND)
        version = _content_version(setup.data)
        await sales.start()
        try:
            busy, busy_loads = await _home_phase(session, base, POS_SECONDS)
        finally:
            await sales.stop()
        busy_moves = _content_version(setup.data) - version
        rows += [
            ("home page cache hits, no POS %", quiet * 100,
             f"{quiet_loads} loads at {HOME_RATE}/s over {QUIET_SECONDS} s; content version moved {quiet_moves}x"),
            (f"home page cache hits, POS {SALES_PER_SECOND}/s %", busy * 100,
             f"{busy / quiet:.3f}x the rate with no POS; {sales.sold} sales over {POS_SECONDS} s of random demo "
             f"variants moved the content version {busy_moves}x (flips and counts <= 5 only)"),
        ]
    return rows


def bench_pos_live() -> list[tuple[str, float, str]]:
    """Seed, start the shop and the peer, measure, stop."""
    folder = Path(tempfile.mkdtemp(prefix="vibeshop-bench-pos-live-"))
    procs: dict[str, subprocess.Popen] = {}
    try:
        ports = {name: _free_port() for name in ("shop", "other", "peer")}
        procs["peer"] = _spawn(["bench.pos_live", "peer", str(ports["peer"])])   # starts while the demo is seeded
        setup = _seed(folder / "data")
        for name in ("shop", "other"):        # two processes on the same store files, as two workers are
            procs[name] = _spawn(["bench.storefront_app", str(setup.data), str(ports[name])])
        for name, proc in procs.items():
            _ready(proc, f"http://127.0.0.1:{ports[name]}/_health")
        return asyncio.run(_run(setup, ports, {name: proc.pid for name, proc in procs.items()}))
    finally:
        for proc in procs.values():
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    """Print the live stock table."""
    print(table("Live stock under a POS: propagation and the page cache", bench_pos_live()))
    print()


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "peer":
        web.run_app(peer_app(), host="127.0.0.1", port=int(sys.argv[2]), print=None, access_log=None)
    else:
        main()
