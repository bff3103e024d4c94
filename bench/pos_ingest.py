"""POS ingest (issue 13, Benchmark "Ingest"): stock changes per second posted to POST
/pos/v1/inventory/changes in batches of 100 (sales of the demo shop's stocked SKUs, each batch under
its own Idempotency-Key, every change_id new), against the peer: a plain aiohttp handler that parses
the same bytes with json and answers, no more. The ratio is the peer's rate over Vibeshop's (> 1: the
peer is faster; it does no auth, no idempotency record, no ledger).

Both servers run as their own process with one worker (the shop as bench.storefront_app does it: no
rate limit, since one client sends everything; `vibeshop cloud serve` allows one address 20 requests a
second, i.e. 2,000 changes a second per till). The client posts one batch at a time (a till uploading
its backlog) and then with CONCURRENT batches in flight (several tills).

Where a batch's time goes (cProfile of one batch of 100 in-process, issue 13's second pass): the write
transaction is nearly all of it; the idempotency claim and finish are two small writes (well under a
millisecond each). Inside the write: the ledger rows with their triggers (one multi-row INSERT), the
oversold check of every pair whose stock is below zero (this benchmark sells the demo's stock below zero
within a second, so every batch pays it; it reads the pair's sales history), the stock answered back,
and the commit. More batches in flight do not help: the store has one writer, and libSQL holds the GIL
while a statement runs, so the requests take turns on one core.

`python -m bench.pos_ingest [SECONDS]` runs only this table (SECONDS per run, default 5)."""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
from aiohttp import web

from bench.timing import table

ROOT = Path(__file__).resolve().parents[1]
HOST = "demo.localhost"
SHOP = "Pine Street shop"
BATCH = 100
SECONDS = 5.0
CONCURRENT = 4


# --- the peer: parse the same bytes, answer ----------------------------------------------------------

async def peer_changes(request: web.Request) -> web.Response:
    """What a handler that only parses the batch does."""
    changes = json.loads(await request.read())["changes"]
    return web.json_response({"applied": len(changes), "duplicates": 0, "stock": []})


def serve_peer(port: int) -> None:
    """The peer's process."""
    app = web.Application(client_max_size=1024 ** 2)
    app.router.add_post("/pos/v1/inventory/changes", peer_changes)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# --- the shop ----------------------------------------------------------------------------------------

def prepare(data: Path) -> tuple[str, list[str]]:
    """Seed the demo store; a POS device token of its shop and the SKUs stocked there."""
    from shared.accounts.service import create_pos_device_token
    from shared.db.repositories.inventory import list_locations
    from shared.demo.seed import seed_demo
    from shared.storefront.service import DataDir

    data_dir = DataDir(data)
    store = seed_demo(data_dir).store
    try:
        location = {loc.name: loc.id for loc in store.db.read(list_locations)}[SHOP]
        skus = [row[0] for row in store.db.read(lambda conn: conn.all(
            "SELECT v.sku FROM location_stock s JOIN variants v ON v.id = s.variant_id WHERE s.location_id = ? "
            "AND v.sku IN (SELECT sku FROM variants WHERE sku <> '' GROUP BY sku HAVING count(*) = 1)", (location,)))]
        store_id = store.record.id
    finally:
        store.close()
    catalog = data_dir.catalog()
    try:
        token = create_pos_device_token(catalog, store_id=store_id, location_id=location, name="bench")[1]
    finally:
        catalog.close()
    return token, skus


def batch_body(skus: list[str], rng: random.Random) -> bytes:
    """100 sales, new change ids, made now."""
    now = datetime.now(UTC).isoformat()
    return json.dumps({"changes": [
        {"change_id": str(uuid.uuid4()), "type": "adjust", "sku": rng.choice(skus), "delta": -1, "reason": "sale",
         "occurred_at": now, "reference": "bench"} for _ in range(BATCH)]}).encode()


async def post_for(url: str, token: str, skus: list[str], *, seconds: float, concurrent: int) -> tuple[float, int]:
    """Changes per second acknowledged over `seconds` with `concurrent` batches in flight; and how many
    answers were not 200 (must be 0)."""
    rng = random.Random(7)
    headers = {"Host": HOST, "Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    done, bad = 0, 0

    async def till(session: aiohttp.ClientSession, until: float) -> None:
        nonlocal done, bad
        while time.perf_counter() < until:
            body = batch_body(skus, rng)
            async with session.post(url, data=body, headers={**headers, "Idempotency-Key": str(uuid.uuid4())}
                                    ) as answer:
                await answer.read()
                if answer.status == 200:
                    done += BATCH
                else:
                    bad += 1

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(till(session, time.perf_counter() + 1.0) for _ in range(concurrent)))   # warm-up
        done, bad = 0, 0
        start = time.perf_counter()
        await asyncio.gather(*(till(session, start + seconds) for _ in range(concurrent)))
        return done / (time.perf_counter() - start), bad


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the server on port {port} did not start")


def run(seconds: float = SECONDS, *, template: Path | None = None) -> list[tuple[str, float, str]]:
    """The table's rows (`template`: a seeded demo data folder to copy instead of seeding one);
    RuntimeError when a batch was not answered 200."""
    tmp = Path(tempfile.mkdtemp(prefix="vibeshop-bench-pos-"))
    shop_port, peer_port = _free_port(), _free_port()
    procs: list[subprocess.Popen] = []
    try:
        if template is not None:
            shutil.copytree(template, tmp / "data")
        token, skus = prepare(tmp / "data")
        procs.append(subprocess.Popen([sys.executable, "-m", "bench.storefront_app", str(tmp / "data"),  # noqa: S603
                                       str(shop_port)], cwd=ROOT))
        procs.append(subprocess.Popen([sys.executable, "-m", "bench.pos_ingest", "--peer", str(peer_port)],  # noqa: S603
                                      cwd=ROOT))
        _wait_up(shop_port, procs[0])
        _wait_up(peer_port, procs[1])
        rows = []
        for concurrent in (1, CONCURRENT):
            figures = {}
            for name, port in (("vibeshop", shop_port), ("peer", peer_port)):
                url = f"http://127.0.0.1:{port}/pos/v1/inventory/changes"
                rate, bad = asyncio.run(post_for(url, token, skus, seconds=seconds, concurrent=concurrent))
                if bad:
                    raise RuntimeError(f"{name}: {bad} batches were not answered 200")
                figures[name] = rate
            label = "one batch at a time" if concurrent == 1 else f"{concurrent} batches in flight"
            rows += [(f"{label}: vibeshop changes/s", figures["vibeshop"],
                      f"ratio {figures['peer'] / figures['vibeshop']:.1f}x (the peer's rate over Vibeshop's)"),
                     (f"{label}: peer changes/s", figures["peer"], "json.loads of the same bytes, answer")]
        return rows
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)
        shutil.rmtree(tmp, ignore_errors=True)


def main(seconds: float = SECONDS) -> None:
    """Print the table."""
    rows = run(seconds)
    print(table("POS ingest: POST /pos/v1/inventory/changes, batches of 100, loopback, one worker", rows))
    print()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--peer"]:
        serve_peer(int(sys.argv[2]))
    else:
        main(float(sys.argv[1]) if len(sys.argv) > 1 else SECONDS)
