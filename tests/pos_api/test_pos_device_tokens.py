"""POS device tokens: one store and one location, made and revoked with `vibeshop cloud pos device`."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from shared.accounts.errors import AuthError
from shared.accounts.service import check_token
from shared.db.repositories.inventory import list_locations
from shared.storefront.service import DataDir, open_store
from support import VIBESHOP


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([VIBESHOP, *args], capture_output=True, text=True, env={**os.environ}, timeout=120)


def _locations(data: Path) -> dict[str, str]:
    store = open_store(DataDir(data), "demo")
    try:
        return {loc.name: loc.id for loc in store.db.read(list_locations)}
    finally:
        store.close()


def test_a_pos_device_token_is_bound_to_its_store_and_location_and_can_be_revoked(demo_dir: Path) -> None:
    locations = _locations(demo_dir)
    made = _cli("cloud", "pos", "device", "add", "--data", str(demo_dir), "--store", "demo",
                "--location", "Harbor warehouse", "--name", "till 1")
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    catalog = DataDir(demo_dir).catalog()
    try:
        grant = check_token(catalog, token)
        assert grant.scopes == frozenset({"pos"}) and grant.location_id == locations["Harbor warehouse"]
        by_id = _cli("cloud", "pos", "device", "add", "--data", str(demo_dir), "--store", "demo",
                     "--location", locations["Pine Street shop"])
        assert by_id.returncode == 0
        assert check_token(catalog, by_id.stdout.strip().splitlines()[-1]).location_id == locations["Pine Street shop"]
        revoked = _cli("cloud", "pos", "device", "revoke", "--data", str(demo_dir), grant.token_id)
        assert revoked.returncode == 0, revoked.stderr
        try:
            check_token(catalog, token)
            raise AssertionError("a revoked POS token still works")
        except AuthError:
            pass
    finally:
        catalog.close()


def test_an_unknown_location_makes_no_token(demo_dir: Path) -> None:
    refused = _cli("cloud", "pos", "device", "add", "--data", str(demo_dir), "--store", "demo", "--location", "Moon")
    assert refused.returncode == 2 and "Pine Street shop" in refused.stderr
