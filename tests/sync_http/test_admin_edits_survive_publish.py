"""Every admin API write followed by a device's publish (issue 10, section 2).

Store settings (name, currency, locale, timezone, settings) are authored content: an admin edit goes
live at once AND into the working copy as a cloud change, so devices pull it and a publish keeps it.
The store's status and slug are the cloud's own (cloud-only columns): publish and rollback never write
them and a device's push cannot change them. Custom domains live in the catalog only, which publish
never touches. (Image uploads: test_admin_media_reaches_devices.py.)"""

from __future__ import annotations

import asyncio
import io
import json
import threading
from pathlib import Path

import pytest
from PIL import Image

from cloud.sync.cloud_edits import edit_store_settings, upload_image
from cloud.sync.working_copy import WorkingCopies
from shared.releases import service as releases
from sync_http_support import hlc, pair, pull_all
from shared.accounts.service import create_token
from shared.db.repositories import sync as repo
from shared.storefront.service import DataDir, open_store
from shared.sync.hlc import format_hlc
from shared.sync.tables import SPECS

DEMO = {"Host": "demo.localhost"}


def _admin(data: Path) -> dict[str, str]:
    store = open_store(DataDir(data), "demo")
    store.close()
    catalog = DataDir(data).catalog()
    try:
        token = create_token(catalog, store_id=store.record.id, name="admin", scopes=["store:read", "store:write"])
    finally:
        catalog.close()
    return {**DEMO, "Authorization": f"Bearer {token}"}


def _live_storefront(data: Path) -> dict:
    store = open_store(DataDir(data), "demo")
    try:
        return store.db.read(lambda conn: repo.all_rows(conn, SPECS["storefront"]))[0]
    finally:
        store.close()


async def _publish(cloud, device, note: str = "x") -> dict:
    answer = await cloud.post("/_sync/publish", json={"device_id": device.device_id, "note": note},
                              headers=device.headers)
    assert answer.status == 200, await answer.text()
    return (await answer.json())["release"]


async def test_a_settings_edit_is_live_at_once_pulled_by_devices_and_kept_by_publish(cloud, demo_dir: Path) -> None:
    device = await pair(cloud, demo_dir)
    cursor = max(change["seq"] for change in await pull_all(cloud, device))
    await _publish(cloud, device, "before")
    admin = _admin(demo_dir)
    settings = {"website": "https://harbor.example", "colors": {"accent": "#1f5fbf"}}
    patched = await cloud.patch("/api/admin/store", json={"name": "Harbor & Sons", "locale": "en-GB",
                                                          "settings": settings}, headers=admin)
    assert patched.status == 200, await patched.text()
    assert (await patched.json())["name"] == "Harbor & Sons"
    home = await cloud.get("/", headers=DEMO)
    assert "Harbor &amp; Sons" in await home.text()                     # shoppers see it at once

    [change] = await pull_all(cloud, device, cursor)
    assert change["table"] == "storefront" and change["op_id"] is None
    assert change["row"]["name"] == "Harbor & Sons" and change["row"]["locale"] == "en-GB"
    assert json.loads(change["row"]["settings"]) == settings
    assert change["row"] == _live_storefront(demo_dir)                    # the same bytes as live
    assert {"name", "locale", "settings", "updated_at"} <= set(change["clocks"])

    preview = await (await cloud.get("/_sync/publish/preview", headers=device.headers)).json()
    assert "storefront" not in preview["summary"]["tables"]
    release = await _publish(cloud, device)
    assert "storefront" not in release["summary"]["tables"]
    stored = await (await cloud.get("/api/admin/store", headers=admin)).json()
    assert stored["name"] == "Harbor & Sons" and stored["locale"] == "en-GB" and stored["settings"] == settings


async def test_an_admin_edit_wins_over_an_older_device_edit_and_loses_to_a_newer_one(cloud, demo_dir: Path) -> None:
    device = await pair(cloud, demo_dir)
    front = next(c for c in await pull_all(cloud, device) if c["table"] == "storefront")
    older = format_hlc(1, 0, device.device_id)                      # an edit made before the admin's
    admin = _admin(demo_dir)
    assert (await cloud.patch("/api/admin/store", json={"name": "From the admin"}, headers=admin)).status == 200
    ops = [{"op_id": f"{device.device_id}:1", "hlc": older, "table": "storefront", "key": front["key"],
            "fields": {"name": "Made offline, long ago"}, "base": {"name": None}}]
    pushed = await cloud.post("/_sync/push", json={"device_id": device.device_id, "ops": ops}, headers=device.headers)
    assert pushed.status == 200, await pushed.text()
    await _publish(cloud, device)
    assert (await (await cloud.get("/api/admin/store", headers=admin)).json())["name"] == "From the admin"

    ops = [{"op_id": f"{device.device_id}:2", "hlc": hlc(device.device_id, 5), "table": "storefront",
            "key": front["key"], "fields": {"name": "Renamed in the studio"}, "base": {"name": None}}]
    assert (await cloud.post("/_sync/push", json={"device_id": device.device_id, "ops": ops},
                             headers=device.headers)).status == 200
    await _publish(cloud, device)
    assert (await (await cloud.get("/api/admin/store", headers=admin)).json())["name"] == "Renamed in the studio"


async def test_linked_devices_are_poked_after_an_admin_edit(cloud, demo_dir: Path) -> None:
    device = await pair(cloud, demo_dir)
    cursor = max(change["seq"] for change in await pull_all(cloud, device))
    admin = _admin(demo_dir)
    async with cloud.ws_connect("/_sync/poke", headers=device.headers) as ws:
        assert (await cloud.patch("/api/admin/store", json={"name": "Poked"}, headers=admin)).status == 200
        poked = await asyncio.wait_for(ws.receive_json(), timeout=30)
        assert poked["cursor"] > cursor
        [change] = await pull_all(cloud, device, cursor)
        assert change["seq"] == poked["cursor"] and change["row"]["name"] == "Poked"


async def test_a_refused_admin_edit_changes_neither_database(cloud, demo_dir: Path) -> None:
    device = await pair(cloud, demo_dir)
    cursor = max(change["seq"] for change in await pull_all(cloud, device))
    before = _live_storefront(demo_dir)
    admin = _admin(demo_dir)
    for body in ({"name": "Fine", "locale": "en_US"}, {"currency": "XXX"}, {"timezone": "Mars/Olympus"},
                 {"settings": {"colors": {"accent": "red"}}}, {"status": "inactive"}, {"slug": "other"}):
        answer = await cloud.patch("/api/admin/store", json=body, headers=admin)
        assert answer.status == 422, (body, await answer.text())
    assert _live_storefront(demo_dir) == before
    assert await pull_all(cloud, device, cursor) == []


async def test_without_a_linked_device_the_live_write_alone_is_made_and_a_later_device_starts_from_it(
        cloud, demo_dir: Path) -> None:
    admin = _admin(demo_dir)
    assert (await cloud.patch("/api/admin/store", json={"name": "Before any device"}, headers=admin)).status == 200
    store = open_store(DataDir(demo_dir), "demo")
    store.close()
    assert not (demo_dir / "stores" / f"{store.record.id}.work.db").exists()
    device = await pair(cloud, demo_dir)
    front = next(c for c in await pull_all(cloud, device) if c["table"] == "storefront")
    assert front["row"]["name"] == "Before any device"
    release = await _publish(cloud, device)
    assert "storefront" not in release["summary"]["tables"]
    assert (await (await cloud.get("/api/admin/store", headers=admin)).json())["name"] == "Before any device"


async def test_the_store_status_is_the_clouds_and_no_publish_or_rollback_or_push_changes_it(
        cloud, demo_dir: Path) -> None:
    device = await pair(cloud, demo_dir)
    changes = await pull_all(cloud, device)
    front = next(c for c in changes if c["table"] == "storefront")
    cursor = max(c["seq"] for c in changes)
    first = await _publish(cloud, device, "while open")
    admin = _admin(demo_dir)
    assert (await cloud.put("/api/admin/store/status", json={"status": "suspended"}, headers=admin)).status == 200
    assert (await cloud.get("/", headers=DEMO)).status == 503

    [change] = await pull_all(cloud, device, cursor)               # devices hold the cloud's status too
    assert change["table"] == "storefront" and change["row"]["status"] == "suspended"
    cursor = change["seq"]
    # A device cannot set the status or the slug (a hand-edited database): the fields are dropped,
    # the rest of the op is applied, and the device pulls the cloud's values back.
    ops = [{"op_id": f"{device.device_id}:1", "hlc": hlc(device.device_id), "table": "storefront",
            "key": front["key"], "fields": {"status": "active", "slug": "hijack", "name": "Kept"},
            "base": {"status": None, "slug": None, "name": None}}]
    assert (await cloud.post("/_sync/push", json={"device_id": device.device_id, "ops": ops},
                             headers=device.headers)).status == 200
    [echo] = await pull_all(cloud, device, cursor)
    assert (echo["row"]["status"], echo["row"]["slug"], echo["row"]["name"]) == ("suspended", "demo", "Kept")

    release = await _publish(cloud, device)
    assert release["summary"]["tables"]["storefront"]["changed"][0]["fields"] == ["name"], release["summary"]
    assert (await cloud.get("/", headers=DEMO)).status == 503
    live = _live_storefront(demo_dir)
    assert (live["status"], live["slug"], live["name"]) == ("suspended", "demo", "Kept")
    rolled = await cloud.post("/_sync/rollback", json={"release": first["number"]}, headers=device.headers)
    assert rolled.status == 200, await rolled.text()
    live = _live_storefront(demo_dir)
    assert (live["status"], live["name"]) == ("suspended", "Harbor & Pine")
    stored = await (await cloud.get("/api/admin/store", headers=admin)).json()
    assert stored["status"] == "suspended"

    assert (await cloud.put("/api/admin/store/status", json={"status": "active"}, headers=admin)).status == 200
    await _publish(cloud, device)
    assert (await cloud.get("/", headers=DEMO)).status == 200


async def test_domains_live_in_the_catalog_and_publish_leaves_them_alone(cloud, demo_dir: Path) -> None:
    device = await pair(cloud, demo_dir)
    cursor = max(change["seq"] for change in await pull_all(cloud, device))
    admin = _admin(demo_dir)
    for host in ("shop.example.com", "old.example.com"):
        assert (await cloud.post("/api/admin/domains", json={"hostname": host}, headers=admin)).status == 201
    assert (await cloud.delete("/api/admin/domains/old.example.com", headers=admin)).status == 200
    await _publish(cloud, device)
    listed = await (await cloud.get("/api/admin/domains", headers=admin)).json()
    assert [d["hostname"] for d in listed["domains"]] == ["shop.example.com"]
    assert await pull_all(cloud, device, cursor) == []              # nothing for devices: not authored content


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 90)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize("edit", ["rename", "upload"])
def test_an_admin_edit_made_while_a_publish_runs_is_not_undone_by_it(demo_dir: Path, edit: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    data = DataDir(demo_dir)
    store = open_store(data, "demo")
    copies = WorkingCopies(data)
    work = copies.for_store(store)                      # a device has linked: the working copy exists
    racers: list[threading.Thread] = []
    made: list = []
    encode = releases.encode

    def make_the_edit() -> None:
        if edit == "rename":
            made.append(edit_store_settings(copies, store, changes={"name": "Renamed meanwhile"}))
        else:
            made.append(upload_image(copies, store, data=_png(), filename="late.png", alt="Late"))

    def an_edit_arrives_now(rows):
        # After the publish read its snapshot, before it writes it live: the merchant's edit comes in.
        racer = threading.Thread(target=make_the_edit)
        racer.start()
        racers.append(racer)
        racer.join(timeout=1)       # it may finish now only if the publish holds no lock it needs
        return encode(rows)

    monkeypatch.setattr(releases, "encode", an_edit_arrives_now)
    try:
        releases.publish(work, store.db, device_id="test-device")
        racers[0].join()
        if edit == "rename":
            assert store.storefront().name == "Renamed meanwhile"
        else:
            assert store.db.read(lambda conn: repo.get_row(conn, SPECS["media"], made[0].id)) is not None
        assert releases.changes_to_publish(work, store.db)["no_changes"]
    finally:
        copies.close()
        store.close()
