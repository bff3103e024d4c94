"""A large outbox goes to a real `vibeshop cloud serve` in several pushes, in order, each applied and
acknowledged on its own (docs/sync-protocol.md section 4)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from sync_http_support import add_blocks, ledger, serving
from cloud.sync.working_copy import working_copy_path
from shared.db import connect
from shared.storefront.service import DataDir
from shared.sync import device
from shared.sync.client import Syncer, link
from support import VIBESHOP


def test_an_outbox_over_the_bound_is_pushed_in_parts(demo_dir: Path, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    with serving(demo_dir) as server:
        code = subprocess.run([VIBESHOP, "cloud", "device", "add", "--data", str(demo_dir), "--store", "demo"],
                              capture_output=True, text=True, check=True, timeout=60).stdout.strip().splitlines()[-1]
        store = link(DataDir(tmp_path / "laptop"), remote=server.url, code=code, device_name="Laptop")
        device_id = device.link_state(store.db).device_id
        add_blocks(store, 120)
        device.form_ops(store.db)
        monkeypatch.setattr(device, "MAX_PUSH_BYTES", 16 * 1024)
        parts = device.push_bodies(store.db)
        assert len(parts) > 3
        syncer = Syncer(store)
        try:
            report = syncer.sync()
        finally:
            syncer.close()
        assert report.pushed == 120 and device.pending_ops(store.db) == []
    work = connect(working_copy_path(DataDir(demo_dir), store.record.id))
    try:
        assert ledger(work, device_id) == 120
    finally:
        work.close()
        store.close()
