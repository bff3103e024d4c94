"""An image uploaded through the admin API (the cloud writes it into the live database) also reaches
the store's working copy: linked devices pull it, and the next publish keeps it live instead of
removing a row the working copy never had."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from sync_http_support import pair, pull_all
from shared.accounts.service import create_token
from shared.storefront.service import DataDir, open_store


def _admin_token(data: Path) -> str:
    store = open_store(DataDir(data), "demo")
    store.close()
    catalog = DataDir(data).catalog()
    try:
        return create_token(catalog, store_id=store.record.id, name="uploader", scopes=["media:write"])
    finally:
        catalog.close()


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), colour).save(out, "PNG")
    return out.getvalue()


async def test_an_uploaded_image_is_pulled_by_devices_and_kept_by_publish(cloud, demo_dir: Path) -> None:
    device = await pair(cloud, demo_dir)                     # the working copy exists from here on
    before = await pull_all(cloud, device)
    cursor = max(change["seq"] for change in before)
    headers = {"Host": "demo.localhost", "Authorization": f"Bearer {_admin_token(demo_dir)}"}
    uploaded = await cloud.post("/api/admin/media?filename=window.png&alt=Shop%20window", data=_png((20, 90, 160)),
                                headers=headers)
    assert uploaded.status == 201
    media = await uploaded.json()

    [change] = await pull_all(cloud, device, cursor)
    assert change["table"] == "media" and change["key"] == media["id"] and change["op_id"] is None
    assert change["row"]["hash"] == media["hash"] and change["row"]["alt"] == "Shop window"
    assert set(change["clocks"]) == set(change["row"]) - {"id"}

    again = await cloud.post("/api/admin/media?filename=copy.png", data=_png((20, 90, 160)), headers=headers)
    assert (await again.json())["id"] == media["id"]
    assert await pull_all(cloud, device, change["seq"]) == []          # the same image is not logged twice

    preview = await (await cloud.get("/_sync/publish/preview", headers=device.headers)).json()
    assert "media" not in preview["summary"]["tables"]
    published = await cloud.post("/_sync/publish", json={"device_id": device.device_id, "note": "x"},
                                 headers=device.headers)
    assert published.status == 200
    assert "media" not in (await published.json())["release"]["summary"]["tables"]
    served = await cloud.get(media["urls"]["320"], headers={"Host": "demo.localhost"})
    assert served.status == 200
