"""`vibeshop sync` refreshes the catalogue too (the studio's path, shared/sync/catalog_refresh.py): with
the real console script against `vibeshop cloud serve`, a POS count made after linking reaches the data
folder, the output says how many catalogue rows were refreshed, and a fall to a variant's threshold is
printed once."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from catalog_live_support import CatalogSetup, count_change, sale_change
from shared.storefront.service import DataDir, open_store
from support import VIBESHOP, serving


def _vibeshop(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([VIBESHOP, *args], capture_output=True, text=True, timeout=120, check=False)


def _ok(*args: str) -> str:
    result = _vibeshop(*args)
    assert result.returncode == 0, f"vibeshop {' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture
def cloud(catalog_setup: CatalogSetup) -> Iterator[str]:
    with serving(catalog_setup.data) as server:
        yield server.url


def _on_hand(folder: Path, setup: CatalogSetup) -> int:
    store = open_store(DataDir(folder), "demo")
    try:
        return store.db.read(lambda conn: conn.scalar(
            "SELECT on_hand FROM location_stock WHERE variant_id = ? AND location_id = ?",
            (setup.variant_id, setup.location_id)))
    finally:
        store.close()


def _pos(cloud: str, setup: CatalogSetup, body: dict) -> None:
    answer = httpx.post(f"{cloud}/pos/v1/inventory/changes", json=body, headers=setup.pos_headers(), timeout=30)
    assert answer.status_code == 200, answer.text


def test_vibeshop_sync_pulls_the_catalogue_feed(cloud: str, catalog_setup: CatalogSetup, tmp_path: Path) -> None:
    laptop = tmp_path / "laptop"
    code = _ok("cloud", "device", "add", "--data", str(catalog_setup.data), "--store", "demo").strip().splitlines()[-1]
    _ok("link", "--data", str(laptop), "--remote", cloud, "--code", code, "--name", "Laptop")
    first = _ok("sync", "--data", str(laptop))
    assert "catalogue row(s)" in first and first.strip().endswith("up to date"), first
    assert "refreshed 0 catalogue" in _ok("sync", "--data", str(laptop))       # nothing moved since

    # A POS count after linking: only the catalogue feed brings it (it is not a content change).
    _pos(cloud, catalog_setup, count_change(catalog_setup, 17))
    assert _on_hand(laptop, catalog_setup) != 17
    out = _ok("sync", "--data", str(laptop))
    assert out.startswith("Pushed 0, pulled 0, refreshed ") and "refreshed 0 " not in out, out
    assert _on_hand(laptop, catalog_setup) == 17

    # A threshold set by another device of the store, then a sale down to it: announced once.
    answer = httpx.put(f"{cloud}/_sync/catalog/alerts", json={"variant_id": catalog_setup.variant_id, "threshold": 5},
                       headers=catalog_setup.sync_headers(), timeout=30)
    assert answer.status_code == 200, answer.text
    _pos(cloud, catalog_setup, sale_change(catalog_setup, 13))
    out = _ok("sync", "--data", str(laptop))
    assert "Low stock: Harbor Classic Tee / Navy / M — 4 left at Pine Street shop" in out.splitlines(), out
    assert _on_hand(laptop, catalog_setup) == 4
    _pos(cloud, catalog_setup, sale_change(catalog_setup, 1))
    out = _ok("sync", "--data", str(laptop))
    assert "Pine Street shop" not in out and _on_hand(laptop, catalog_setup) == 3      # still low: said once

