"""The cloud killed with SIGKILL while it applies a large push (docs/sync-protocol.md section 4: "A
push that dies half-way leaves nothing applied ... The device's retry is then applied once"): after a
restart on the same data the working copy holds the state before the push, not a part of it, and the device's next sync leaves exactly what the same push applied
without a crash leaves (the control: the same ops applied to a copy of the working copy)."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path
from typing import Any

from cloud.sync.working_copy import working_copy_path
from sync_http_support import add_blocks, ledger, serving
from shared.db import Database, connect
from shared.db.repositories import copies
from shared.db.repositories import sync as repo
from shared.storefront.service import DataDir, open_store
from shared.sync import device, merge
from shared.sync.tables import ORDER, SPECS
from shared.sync.client import RemoteError, Syncer, link
from support import VIBESHOP

OPS = 10_000         # 20,000 would take the cloud ~10 s to apply here, and the test applies them 3 times


def _state(db: Database) -> dict[str, Any]:
    """What a push changes: every synced row, the change log, and the device ledgers."""
    def read(conn) -> dict[str, Any]:
        rows = {spec.name: [dict(r) for r in repo.all_rows(conn, spec)] for spec in ORDER}
        log = [(e["seq"], e["table"], e["key"], e["row"], e["op_id"]) for e in repo.log_since(conn, 0, 10**9)]
        return {"rows": rows, "log": log}

    return db.read(read)


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat() if path.exists() else None
    return (stat.st_size, stat.st_mtime_ns) if stat else (0, 0)


def test_a_push_killed_mid_flight_is_applied_once_by_the_retry(demo_dir: Path, tmp_path: Path) -> None:
    with serving(demo_dir) as server:
        code = subprocess.run([VIBESHOP, "cloud", "device", "add", "--data", str(demo_dir), "--store", "demo"],
                              capture_output=True, text=True, check=True, timeout=60).stdout.strip().splitlines()[-1]
        laptop = tmp_path / "laptop"
        store = link(DataDir(laptop), remote=server.url, code=code, device_name="Laptop")
        device_id = device.link_state(store.db).device_id
        add_blocks(store, OPS)
        assert len(device.form_ops(store.db)) == OPS

        # The control: the same ops on a consistent copy of the working copy, without a crash.
        work_path = working_copy_path(DataDir(demo_dir), store.record.id)
        work = connect(work_path)
        control = tmp_path / "control.db"
        work.maintenance(lambda conn: copies.vacuum_into(conn, control))
        work.close()
        control_db = connect(control)
        before = _state(control_db)
        merge.apply_push(control_db, device_id, [op.to_json() for op in device.pending_ops(store.db)])
        after = _state(control_db)
        assert ledger(control_db, device_id) == OPS
        control_db.close()

        outcome: list[Any] = []
        syncer = Syncer(store)

        def sync() -> None:
            try:
                outcome.append(syncer.sync())
            except RemoteError as exc:
                outcome.append(exc)

        # Killed as soon as the cloud's transaction spills its first pages into the WAL: the push is
        # being applied, and (10,000 ops being megabytes of pages) far from committed.
        wal = Path(f"{work_path}-wal")
        quiet = _stamp(wal)
        pushing = threading.Thread(target=sync)
        pushing.start()
        deadline = time.monotonic() + 60
        while _stamp(wal) == quiet:
            assert time.monotonic() < deadline and pushing.is_alive(), "the push never reached the working copy"
            time.sleep(0.002)
        server.kill()
        pushing.join(timeout=60)
        assert len(outcome) == 1 and isinstance(outcome[0], RemoteError) and outcome[0].code == "offline", outcome
        assert len(device.pending_ops(store.db)) == OPS         # not acknowledged: the device will retry

    work = connect(work_path)                   # no server now: what a crash left on disk
    try:
        crashed = _state(work)
        assert crashed == before, "a push killed before its commit left something applied"
        assert ledger(work, device_id) == 0
    finally:
        work.close()

    with serving(demo_dir, port=server.port):
        report = syncer.sync()
        assert report.pushed == OPS
        assert device.pending_ops(store.db) == []
        again = syncer.sync()
        assert again.pushed == 0
    syncer.close()
    work = connect(work_path)
    try:
        assert _state(work) == after
        assert ledger(work, device_id) == OPS
    finally:
        work.close()
    local = store.db.read(lambda conn: len(repo.all_rows(conn, SPECS["blocks"])))
    assert local == len(after["rows"]["blocks"])
    store.close()
    open_store(DataDir(demo_dir), "demo").close()
