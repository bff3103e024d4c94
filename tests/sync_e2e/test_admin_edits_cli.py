"""Issue 10's acceptance point "an admin API edit survives a device's publish", as a merchant meets it:
a real `vibeshop cloud serve`, a data folder linked with `vibeshop link`, the admin API over HTTP,
then `vibeshop sync` and `vibeshop publish` from the linked folder."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx

from shared.storefront.service import DataDir, open_store
from support import VIBESHOP, serving


def ok(*args: str) -> str:
    result = subprocess.run([VIBESHOP, *args], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, f"vibeshop {' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _storefront(folder: Path):
    store = open_store(DataDir(folder), "demo")
    try:
        return store.storefront()
    finally:
        store.close()


def test_admin_edits_reach_a_linked_folder_and_survive_its_publish(demo_dir: Path, tmp_path: Path) -> None:
    laptop = tmp_path / "laptop"
    with serving(demo_dir) as cloud:
        code = ok("cloud", "device", "add", "--data", str(demo_dir), "--store", "demo").strip().splitlines()[-1]
        ok("link", "--data", str(laptop), "--remote", cloud.url, "--code", code, "--name", "Laptop")
        token = ok("cloud", "token", "create", "--data", str(demo_dir), "--store", "demo", "--scope", "store:read",
                   "--scope", "store:write").strip().splitlines()[-1]
        admin = {"Host": f"demo.localhost:{cloud.port}", "Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=cloud.url, headers=admin, timeout=30) as http:
            renamed = http.patch("/api/admin/store", json={"name": "Harbor & Sons", "timezone": "Europe/Oslo"})
            assert renamed.status_code == 200, renamed.text
            ok("cloud", "store", "status", "--data", str(demo_dir), "--store", "demo", "inactive")

            ok("sync", "--data", str(laptop))
            front = _storefront(laptop)
            assert (front.name, front.timezone, front.status) == ("Harbor & Sons", "Europe/Oslo", "inactive")

            assert ok("publish", "--data", str(laptop), "--note", "After the rename").startswith("Release 1 is live")
            stored = http.get("/api/admin/store").json()
            assert (stored["name"], stored["timezone"], stored["status"]) == ("Harbor & Sons", "Europe/Oslo",
                                                                              "inactive")
            assert http.get("/", headers={"Authorization": ""}).status_code == 404      # still closed
