"""A working copy locked by another process for longer than the cloud waits: the device gets the
protocol's JSON `503 busy` with Retry-After (nothing applied), and reads go on meanwhile."""

from __future__ import annotations

from pathlib import Path

from sync_http_support import pair, refused
from shared.db import database as database_module
from shared.storefront.service import DataDir
from support import write_lock_held


async def test_a_locked_working_copy_answers_busy_and_reads_go_on(cloud, demo_dir: Path, monkeypatch) -> None:
    monkeypatch.setattr(database_module, "BUSY_WAIT", 0.05)
    device = await pair(cloud, demo_dir, "other-shop")        # makes the store's working copy
    with write_lock_held(DataDir(demo_dir).working_copy_path(device.store["id"])):
        answer = await cloud.post("/_sync/resolve", json={"conflict_id": "none", "keep": "current"},
                                  headers=device.headers)
        await refused(answer, 503, "busy")
        assert int(answer.headers["Retry-After"]) >= 1
        pulled = await cloud.post("/_sync/pull", json={"cursor": 0}, headers=device.headers)
        assert pulled.status == 200 and (await pulled.json())["changes"]
