"""`vibeshop cloud pos device add|list|revoke` over the same services as the admin API: the list shows
name, location, created, last use and state; revoke refuses an ordinary token (it is not a device)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from shared.accounts.service import create_token
from shared.storefront.service import DataDir, open_store
from support import VIBESHOP


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([VIBESHOP, *args], capture_output=True, text=True, env={**os.environ}, timeout=120)


def test_list_shows_devices_and_revoke_marks_them(demo_dir: Path) -> None:
    data = str(demo_dir)
    empty = _cli("cloud", "pos", "device", "list", "--data", data, "--store", "demo")
    assert empty.returncode == 0 and empty.stdout == ""
    made = _cli("cloud", "pos", "device", "add", "--data", data, "--store", "demo", "--location", "Pine Street shop",
                "--name", "Front till")
    assert made.returncode == 0, made.stderr
    device_id = made.stdout.strip().splitlines()[-1].split("_")[1]
    listed = _cli("cloud", "pos", "device", "list", "--data", data, "--store", "demo").stdout.splitlines()
    assert len(listed) == 1
    fields = listed[0].split("\t")
    assert fields[:3] == [device_id, "Front till", "Pine Street shop"] and fields[4:] == ["never used", "active"]

    assert _cli("cloud", "pos", "device", "revoke", "--data", data, device_id).returncode == 0
    again = _cli("cloud", "pos", "device", "revoke", "--data", data, device_id)
    assert again.returncode == 2 and "already revoked" in again.stderr
    listed = _cli("cloud", "pos", "device", "list", "--data", data, "--store", "demo").stdout
    assert listed.split("\t")[-1].startswith("revoked ")

    store = open_store(DataDir(demo_dir), "demo")
    store.close()
    catalog = DataDir(demo_dir).catalog()
    try:
        plain_id = create_token(catalog, store_id=store.record.id, name="api", scopes=["orders:read"]).split("_")[1]
    finally:
        catalog.close()
    refused = _cli("cloud", "pos", "device", "revoke", "--data", data, plain_id)
    assert refused.returncode == 2 and "No POS device" in refused.stderr
