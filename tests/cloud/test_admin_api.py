"""The admin API: tokens scoped to one store and to scopes, validation, status changes, media upload;
and the CLI that manages stores and tokens."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from shared.accounts.service import create_token
from shared.storefront.service import DataDir, create_store, open_store
from support import VIBESHOP

DEMO = {"Host": "demo.localhost"}


def _token(data: Path, slug: str, scopes: list[str]) -> str:
    store = open_store(DataDir(data), slug)
    store.close()
    catalog = DataDir(data).catalog()
    try:
        return create_token(catalog, store_id=store.record.id, name="test", scopes=scopes)
    finally:
        catalog.close()


@pytest.fixture
async def client(aiohttp_client, demo_dir: Path):
    create_store(DataDir(demo_dir), slug="other-shop", name="Other shop").close()
    return await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir)))


def _auth(token: str) -> dict[str, str]:
    return {**DEMO, "Authorization": f"Bearer {token}"}


async def test_tokens_are_required_scoped_and_bound_to_one_store(client, demo_dir: Path) -> None:
    missing = await client.get("/api/admin/store", headers=DEMO)
    assert missing.status == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert (await missing.json())["error"]["status"] == 401
    for bad in ("nope", "vs_0123456789abcdef_" + "x" * 43, "Bearer", ""):
        assert (await client.get("/api/admin/store", headers=_auth(bad))).status == 401
    reader = _token(demo_dir, "demo", ["store:read"])
    ok = await client.get("/api/admin/store", headers=_auth(reader))
    assert ok.status == 200 and (await ok.json())["slug"] == "demo"
    assert (await client.patch("/api/admin/store", json={"name": "X"}, headers=_auth(reader))).status == 403
    other = _token(demo_dir, "other-shop", ["store:read", "store:write"])
    crossed = await client.get("/api/admin/store", headers=_auth(other))
    assert crossed.status == 403 and "another store" in (await crossed.json())["error"]["message"]
    tampered = reader[:-1] + ("A" if reader[-1] != "A" else "B")
    assert (await client.get("/api/admin/store", headers=_auth(tampered))).status == 401


async def test_store_updates_are_validated_field_by_field(client, demo_dir: Path) -> None:
    writer = _token(demo_dir, "demo", ["store:read", "store:write"])
    bad = await client.patch("/api/admin/store", json={"currency": "DOLLARS", "locale": "english",
                                                       "settings": {"email": "not-an-email"}}, headers=_auth(writer))
    assert bad.status == 422
    fields = sorted(f["field"] for f in (await bad.json())["error"]["fields"])
    assert fields == ["currency", "locale", "settings.email"]
    assert (await (await client.get("/api/admin/store", headers=_auth(writer))).json())["currency"] == "USD"
    for body in (b"{", b"[1,2]", b"\xff\xfe", b"x" * 70_000):
        response = await client.patch("/api/admin/store", data=body, headers=_auth(writer))
        assert response.status in (400, 413) and "error" in await response.json()
    good = await client.patch("/api/admin/store", json={"name": "Harbor and Pine"}, headers=_auth(writer))
    assert good.status == 200 and (await good.json())["name"] == "Harbor and Pine"


async def test_suspending_a_store_hides_it_from_shoppers_but_not_the_merchant(client, demo_dir: Path) -> None:
    writer = _token(demo_dir, "demo", ["store:read", "store:write"])
    assert (await client.put("/api/admin/store/status", json={"status": "paused"}, headers=_auth(writer))).status == 422
    response = await client.put("/api/admin/store/status", json={"status": "suspended"}, headers=_auth(writer))
    assert response.status == 200 and (await response.json())["status"] == "suspended"
    assert (await client.get("/", headers=DEMO)).status == 503
    assert (await client.get("/api/admin/store", headers=_auth(writer))).status == 200
    await client.put("/api/admin/store/status", json={"status": "inactive"}, headers=_auth(writer))
    assert (await client.get("/", headers=DEMO)).status == 404
    await client.put("/api/admin/store/status", json={"status": "active"}, headers=_auth(writer))
    assert (await client.get("/", headers=DEMO)).status == 200


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (900, 600), (200, 120, 80))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"                 # Make
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


async def test_media_upload_sniffs_strips_exif_and_caps_size(client, demo_dir: Path) -> None:
    uploader = _token(demo_dir, "demo", ["media:write"])
    response = await client.post("/api/admin/media?filename=shop.png&alt=Our%20shop", data=_jpeg_with_exif(),
                                 headers={**_auth(uploader), "Content-Type": "image/png"})
    assert response.status == 201
    media = await response.json()
    assert media["width"] == 900 and media["alt"] == "Our shop" and media["widths"][-1] == 900
    served = await client.get(media["urls"]["640"], headers=DEMO)
    assert served.status == 200 and served.headers["Content-Type"] == "image/webp"
    assert "immutable" in served.headers["Cache-Control"]
    assert b"SecretCam" not in await served.read()
    not_image = await client.post("/api/admin/media", data=b"<?php echo 1; ?>", headers=_auth(uploader))
    assert not_image.status == 415
    huge = await client.post("/api/admin/media", data=b"\0" * (21 * 1024 * 1024), headers=_auth(uploader))
    assert huge.status == 413
    reader = _token(demo_dir, "demo", ["store:read"])
    assert (await client.post("/api/admin/media", data=_jpeg_with_exif(), headers=_auth(reader))).status == 403


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(VIBESHOP), *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_cli_manages_stores_and_tokens(tmp_path: Path) -> None:
    data = str(tmp_path / "data")
    created = _cli("cloud", "store", "create", "--data", data, "--slug", "north-goods", "--name", "North Goods",
                   cwd=tmp_path)
    assert created.returncode == 0 and "north-goods" in created.stdout
    refused = _cli("cloud", "store", "create", "--data", data, "--slug", "admin", "--name", "X", "--currency", "XYZ",
                   cwd=tmp_path)
    assert refused.returncode == 2 and "slug" in refused.stderr and "currency" in refused.stderr
    assert _cli("cloud", "store", "list", "--data", data, cwd=tmp_path).stdout.startswith("north-goods\tactive")
    assert _cli("cloud", "store", "status", "--data", data, "--store", "north-goods", "suspended",
                cwd=tmp_path).returncode == 0
    assert "suspended" in _cli("cloud", "store", "list", "--data", data, cwd=tmp_path).stdout
    token = _cli("cloud", "token", "create", "--data", data, "--store", "north-goods", "--scope", "store:read",
                 cwd=tmp_path)
    assert token.returncode == 0 and token.stdout.strip().splitlines()[-1].startswith("vs_")
    assert _cli("cloud", "token", "create", "--data", data, "--store", "north-goods", "--scope", "root",
                cwd=tmp_path).returncode == 2
    revoked = _cli("cloud", "token", "revoke", "--data", data, token.stdout.strip().splitlines()[-1], cwd=tmp_path)
    assert revoked.returncode == 0
    assert _cli("cloud", "store", "delete", "--data", data, "--store", "north-goods", cwd=tmp_path).returncode == 2
    assert _cli("cloud", "store", "delete", "--data", data, "--store", "north-goods", "--yes",
                cwd=tmp_path).returncode == 0
    assert _cli("cloud", "store", "list", "--data", data, cwd=tmp_path).stdout == ""
    assert not list((tmp_path / "data" / "stores").glob("*.db"))
