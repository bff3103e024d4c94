"""The poke WebSocket (docs/sync-protocol.md section 8): a device holding GET /_sync/poke hears
{"cursor": N} after another device's push, also when another worker process handled the push."""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path

import aiohttp
import pytest

from cloud.sync.working_copy import working_copy_path
from sync_http_support import hlc, pair, serving, sync_headers
from shared.db import connect
from shared.db.repositories import sync as repo
from shared.storefront.service import DataDir, open_store
from shared.sync import merge
from shared.sync.tables import SPECS
from support import VIBESHOP

PUSHES = 6          # each over a new connection: with 2 workers, some land on the other one


async def _pair(session: aiohttp.ClientSession, url: str, data: Path, name: str) -> dict:
    code = subprocess.run([VIBESHOP, "cloud", "device", "add", "--data", str(data), "--store", "demo"],
                          capture_output=True, text=True, check=True, timeout=60).stdout.strip().splitlines()[-1]
    async with session.post(f"{url}/_sync/pair", json={"code": code, "device_name": name},
                            headers=sync_headers()) as response:
        assert response.status == 200, await response.text()
        return await response.json()


@pytest.mark.parametrize("workers", [1, 2])
async def test_a_push_pokes_the_other_devices_of_the_store(demo_dir: Path, workers: int) -> None:
    with serving(demo_dir, workers=workers) as server:
        async with aiohttp.ClientSession() as session:
            a = await _pair(session, server.url, demo_dir, "A")
            b = await _pair(session, server.url, demo_dir, "B")
            me = a["device_id"]
            async with session.post(f"{server.url}/_sync/pull", json={"cursor": 0, "limit": 5000},
                                    headers=sync_headers(a["device_token"])) as response:
                page = next(c for c in (await response.json())["changes"] if c["table"] == "pages")

            refused = await session.get(f"{server.url}/_sync/poke", headers=sync_headers())
            assert refused.status == 401 and (await refused.json())["error"] == "unauthorized"

            async with session.ws_connect(f"{server.url}/_sync/poke", headers=sync_headers(b["device_token"])) as ws:
                for n in range(1, PUSHES + 1):
                    op = {"op_id": f"{me}:{n}", "hlc": hlc(me, n), "table": "pages", "key": page["key"],
                          "fields": {"title": f"Poke {n}"}, "base": {"title": page["clocks"]["title"]}}
                    async with aiohttp.ClientSession() as fresh:        # a new connection, any worker
                        async with fresh.post(f"{server.url}/_sync/push", json={"device_id": me, "ops": [op]},
                                              headers=sync_headers(a["device_token"])) as response:
                            assert response.status == 200
                            cursor = (await response.json())["cursor"]
                    assert await asyncio.wait_for(ws.receive_json(), timeout=10) == {"cursor": cursor}


async def test_a_push_by_another_worker_right_after_connecting_is_announced(cloud, demo_dir: Path) -> None:
    """The watcher's first look at a store must not swallow a push made just before it (another
    worker's: here, another connection to the working copy, as another process has)."""
    a, b = await pair(cloud, demo_dir, name="A"), await pair(cloud, demo_dir, name="B")
    store = open_store(DataDir(demo_dir), "demo")
    store.close()
    other_worker = connect(working_copy_path(DataDir(demo_dir), store.record.id))
    try:
        page = other_worker.read(lambda conn: repo.all_rows(conn, SPECS["pages"]))[0]
        op = {"op_id": f"{a.device_id}:1", "hlc": hlc(a.device_id), "table": "pages", "key": page["id"],
              "fields": {"title": "From another worker"}, "base": {"title": None}}
        async with cloud.ws_connect("/_sync/poke", headers=b.headers) as ws:
            pushed = await asyncio.to_thread(merge.apply_push, other_worker, a.device_id, [op])
            assert await asyncio.wait_for(ws.receive_json(), timeout=10) == {"cursor": pushed.cursor}
    finally:
        other_worker.close()
