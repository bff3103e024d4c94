"""The cloud storefront through aiohttp's test client: stores by Host header, pages, media, status."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from cloud.server.keys import STORES
from cloud.server.tenancy import RECORD_TTL
from shared.db.repositories import content
from shared.db.repositories.stores import get_store_by_slug, update_store
from shared.db.stamps import utc_now
from shared.media.service import import_image
from shared.pages.service import set_page_status
from shared.storefront.service import DataDir, create_store, open_store
from support import ManualClock, block_ids, parse, parse_strict

DEMO = {"Host": "demo.localhost"}


@pytest.fixture
async def client(aiohttp_client, demo_dir: Path):
    """A test client for the service serving every store in a copy of the demo data folder."""
    return await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir)))


def _set_status(data: Path, slug: str, status: str) -> None:
    catalog = DataDir(data).catalog()
    try:
        record = catalog.read(lambda conn: get_store_by_slug(conn, slug))
        catalog.write(lambda conn: update_store(conn, record.id, name=record.name, status=status,
                                                updated_at=utc_now()))
    finally:
        catalog.close()


def _media_hash(data: Path, slug: str = "demo") -> tuple[str, int]:
    store = open_store(DataDir(data), slug)
    try:
        row = store.db.read(lambda conn: conn.one("SELECT hash, widths FROM media ORDER BY hash LIMIT 1"))
    finally:
        store.close()
    return row[0], min(json.loads(row[1]))


async def _is_html_error(response, status: int, title: str) -> None:
    assert response.status == status
    assert response.content_type == "text/html"
    text = await response.text()
    parse_strict(text)
    assert title in text


async def test_the_demo_host_gets_the_home_page(client):
    response = await client.get("/", headers={"Host": "Demo.Localhost:8080"})
    assert response.status == 200
    assert response.content_type == "text/html" and response.charset == "utf-8"
    html = await response.text()
    parse_strict(html)
    ids = block_ids(html)
    assert ids[0] == "header" and ids[-1] == "footer" and len(ids) >= 10
    assert "Everyday goods, made to last" in html
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_an_unknown_host_gets_a_404_page(client):
    for host in ("nobody.localhost", "example.com", "demo.localhost.evil.example", "no-store-here.localhost"):
        await _is_html_error(await client.get("/", headers={"Host": host}), 404, "Store not found")


async def test_pages_by_slug(client):
    response = await client.get("/pages/faq", headers=DEMO)
    assert response.status == 200
    html = await response.text()
    parse_strict(html)
    assert "Frequently asked questions" in html and "How long does shipping take?" in html

    await _is_html_error(await client.get("/pages/no-such-page", headers=DEMO), 404, "Page not found")
    await _is_html_error(await client.get("/pages/Bad%20Slug", headers=DEMO), 404, "Page not found")
    await _is_html_error(await client.get("/nowhere/at/all", headers=DEMO), 404, "Page not found")
    home = await client.get("/pages/home", headers=DEMO, allow_redirects=False)
    assert (home.status, home.headers["Location"]) == (301, "/")


async def test_a_draft_page_is_not_served(client, demo_dir: Path):
    store = open_store(DataDir(demo_dir), "demo")
    try:
        about = store.db.read(lambda conn: conn.scalar("SELECT id FROM pages WHERE slug = 'about'"))
        set_page_status(store.db, page_id=about, status="draft")
    finally:
        store.close()
    await _is_html_error(await client.get("/pages/about", headers=DEMO), 404, "Page not found")


@pytest.mark.parametrize("status, code, title", [("inactive", 404, "Store not found"),
                                                  ("suspended", 503, "Store unavailable")])
async def test_inactive_and_suspended_stores(aiohttp_client, demo_dir: Path, status: str, code: int, title: str):
    _set_status(demo_dir, "demo", status)
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir)))
    await _is_html_error(await client.get("/", headers=DEMO), code, title)
    await _is_html_error(await client.get("/pages/faq", headers=DEMO), code, title)
    digest, width = _media_hash(demo_dir)
    media = await client.get(f"/media/{digest}-{width}.webp", headers=DEMO)
    assert media.status == code


async def test_a_status_change_takes_effect_on_a_running_service(client, demo_dir: Path):
    clock = client.server.app[STORES].clock = ManualClock()     # stepped past RECORD_TTL, not slept out
    assert (await client.get("/", headers=DEMO)).status == 200
    _set_status(demo_dir, "demo", "suspended")
    clock.advance(RECORD_TTL)                    # a change made elsewhere reaches a worker within RECORD_TTL
    await _is_html_error(await client.get("/", headers=DEMO), 503, "Store unavailable")
    _set_status(demo_dir, "demo", "active")
    clock.advance(RECORD_TTL)
    assert (await client.get("/", headers=DEMO)).status == 200


async def test_media_is_served_immutable(client, demo_dir: Path):
    digest, width = _media_hash(demo_dir)
    response = await client.get(f"/media/{digest}-{width}.webp", headers=DEMO)
    assert response.status == 200
    assert response.headers["Content-Type"] == "image/webp"
    assert "immutable" in response.headers["Cache-Control"] and "max-age=31536000" in response.headers["Cache-Control"]
    body = await response.read()
    assert body == (demo_dir / "media" / f"{digest}-{width}.webp").read_bytes()
    missing_width = await client.get(f"/media/{digest}-9999.webp", headers=DEMO)
    assert missing_width.status == 404


async def test_a_store_only_serves_its_own_media(aiohttp_client, demo_dir: Path):
    other = create_store(DataDir(demo_dir), slug="other-shop", name="Other Shop")
    try:
        picture = io.BytesIO()
        Image.new("RGB", (400, 300), "#b4553c").save(picture, "PNG")
        media = import_image(other.db, DataDir(demo_dir).media_dir, data=picture.getvalue(), filename="own.png")
    finally:
        other.close()
    demo_digest, demo_width = _media_hash(demo_dir)
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir)))

    own = await client.get(f"/media/{media.hash}-{media.widths[0]}.webp", headers={"Host": "other-shop.localhost"})
    assert own.status == 200
    # The file is on the shared disk, but it belongs to the other store.
    assert (demo_dir / "media" / f"{media.hash}-{media.widths[0]}.webp").is_file()
    stolen = await client.get(f"/media/{media.hash}-{media.widths[0]}.webp", headers=DEMO)
    await _is_html_error(stolen, 404, "Not found")
    borrowed = await client.get(f"/media/{demo_digest}-{demo_width}.webp", headers={"Host": "other-shop.localhost"})
    await _is_html_error(borrowed, 404, "Not found")


@pytest.mark.parametrize("path", [
    "/media/..%2Fcatalog.db", "/media/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "/media/..%5Ccatalog.db",
    "/media/catalog.db", "/media/" + "a" * 64 + "-320.webp%00.png", "/media/" + "../" * 3 + "etc/passwd",
])
async def test_path_traversal_media_names_are_not_found(client, path: str):
    response = await client.get(path, headers=DEMO)
    assert response.status == 404
    body = await response.read()
    assert b"SQLite format" not in body and b"root:" not in body


async def test_health_needs_no_store(client):
    response = await client.get("/_health", headers={"Host": "anything.example"})
    assert (response.status, await response.json()) == (200, {"status": "ok"})


async def test_the_theme_of_the_store_is_served(client, demo_dir: Path):
    store = open_store(DataDir(demo_dir), "demo")
    try:
        theme = store.db.read(content.get_active_theme)
    finally:
        store.close()
    html = await (await client.get("/", headers=DEMO)).text()
    assert f"vs-theme--{theme.preset}" in parse(html).find(".//body").get("class")
