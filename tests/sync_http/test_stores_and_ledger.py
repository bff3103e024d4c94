"""A device token reaches its own store only; a retried push is applied once and a gap is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sync_http_support import hlc, pair, pull_all, refused
from shared.db import connect
from shared.db.repositories import sync as repo
from shared.storefront.service import DataDir, open_store
from shared.sync.tables import ORDER


def _live_rows(data: Path, slug: str) -> dict[str, list[dict[str, Any]]]:
    store = open_store(DataDir(data), slug)
    try:
        return store.db.read(lambda conn: {spec.name: [dict(r) for r in repo.all_rows(conn, spec)] for spec in ORDER})
    finally:
        store.close()


async def test_a_device_of_one_store_never_reads_or_changes_another(cloud, demo_dir: Path, tmp_path: Path) -> None:
    a = await pair(cloud, demo_dir, "demo", "Demo laptop")
    b = await pair(cloud, demo_dir, "other-shop", "Other laptop")
    assert a.store["slug"] == "demo" and b.store["slug"] == "other-shop"
    b_work, b_live = await pull_all(cloud, b), _live_rows(demo_dir, "other-shop")
    a_work = await pull_all(cloud, a)
    assert {c["row"]["name"] for c in a_work if c["table"] == "storefront"} != \
        {c["row"]["name"] for c in b_work if c["table"] == "storefront"}
    # Menus are keyed by handle, and the one checkout settings row has the same key in every store.
    b_keys = {(c["table"], c["key"]) for c in b_work if c["table"] not in ("menus", "checkout_settings")}
    assert b_keys.isdisjoint((c["table"], c["key"]) for c in a_work)

    # A's ops naming B's rows (its pages, its storefront, a menu handle both have) land in A's store.
    b_page = next(c for c in b_work if c["table"] == "pages")
    b_front = next(c for c in b_work if c["table"] == "storefront")
    menu = next(c for c in b_work if c["table"] == "menus")
    ops = [{"op_id": f"{a.device_id}:{n + 1}", "hlc": hlc(a.device_id, n), "table": table, "key": key,
            "fields": fields, "base": {name: None for name in fields}}
           for n, (table, key, fields) in enumerate([("pages", b_page["key"], {"title": "Taken over"}),
                                                     ("storefront", b_front["key"], {"name": "Taken over"}),
                                                     ("menus", menu["key"], {"items": "[]"})])]
    pushed = await cloud.post("/_sync/push", json={"device_id": a.device_id, "ops": ops}, headers=a.headers)
    assert pushed.status == 200 and (await pushed.json())["applied"] == 3
    a_menu = next(c for c in (await pull_all(cloud, a))[::-1] if c["table"] == "menus" and c["key"] == menu["key"])
    assert a_menu["row"]["items"] == "[]"                         # A's own menu of that handle changed

    # A publishes, rolls back, downloads its snapshot and images: B sees none of it.
    published = await cloud.post("/_sync/publish", json={"device_id": a.device_id, "note": "A"}, headers=a.headers)
    assert published.status == 200
    assert (await cloud.post("/_sync/rollback", json={"release": 1}, headers=a.headers)).status == 200
    snapshot = await cloud.get("/_sync/snapshot", headers=a.headers)
    assert snapshot.status == 200
    (tmp_path / "a.db").write_bytes(await snapshot.read())
    copy = connect(tmp_path / "a.db")
    try:
        names = copy.read(lambda conn: [r["name"] for r in repo.all_rows(conn, ORDER[0])])
        media = copy.read(lambda conn: [r["hash"] for r in repo.all_rows(conn, next(s for s in ORDER
                                                                                    if s.name == "media"))])
    finally:
        copy.close()
    assert names and "Other shop" not in names
    image = f"{media[0]}-640.webp"
    assert (await cloud.get(f"/_sync/media/{image}", headers=a.headers)).status == 200
    await refused(await cloud.get(f"/_sync/media/{image}", headers=b.headers), 404, "media")
    b_snapshot = await cloud.get("/_sync/snapshot", headers=b.headers)
    (tmp_path / "b.db").write_bytes(await b_snapshot.read())
    copy = connect(tmp_path / "b.db")
    try:
        assert copy.read(lambda conn: [r["name"] for r in repo.all_rows(conn, ORDER[0])]) == ["Other shop"]
    finally:
        copy.close()

    assert await pull_all(cloud, b) == b_work
    assert _live_rows(demo_dir, "other-shop") == b_live
    releases = await (await cloud.get("/_sync/releases", headers=b.headers)).json()
    assert releases == {"releases": [], "live": None}
    await refused(await cloud.post("/_sync/rollback", json={"release": 1}, headers=b.headers), 404)
    assert (await (await cloud.get("/_sync/releases", headers=a.headers)).json())["live"] == 2


async def test_a_retried_push_is_applied_once_and_a_gap_is_refused(cloud, demo_dir: Path) -> None:
    device = await pair(cloud, demo_dir)
    me = device.device_id
    page = next(c for c in await pull_all(cloud, device) if c["table"] == "pages")

    def op(n: int) -> dict[str, Any]:
        return {"op_id": f"{me}:{n}", "hlc": hlc(me, n), "table": "pages", "key": page["key"],
                "fields": {"title": f"Edit {n}"}, "base": {"title": page["clocks"]["title"]}}

    async def push(*numbers: int):
        return await cloud.post("/_sync/push", json={"device_id": me, "ops": [op(n) for n in numbers]},
                                headers=device.headers)

    first = await (await push(1, 2, 3)).json()
    assert first["applied"] == 3 and first["last_op"] == 3
    retried = await (await push(1, 2, 3)).json()                   # the answer was lost; the same ops again
    assert retried == {**first, "applied": 0}
    overlap = await (await push(2, 3, 4, 5)).json()
    assert overlap["applied"] == 2 and overlap["last_op"] == 5 and overlap["cursor"] == first["cursor"] + 2

    gap = await refused(await push(7, 8), 409, "gap")
    assert gap["expected"] == 6
    gap_inside = await refused(await push(6, 8), 409, "gap")       # the first new op fits, a later one not
    assert gap_inside["expected"] == 6
    assert (await (await push()).json()) == {"applied": 0, "last_op": 5, "cursor": overlap["cursor"]}
    title = [c for c in await pull_all(cloud, device) if c["key"] == page["key"]][-1]["row"]["title"]
    assert title == "Edit 5"
    assert (await (await push(6)).json())["applied"] == 1
