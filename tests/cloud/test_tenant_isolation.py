"""Two stores in one service: every route, asked on one store's host for the other store's things,
answers with nothing of the other store. The sweep walks the app's own route table, so a new route
is covered the day it is added."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from shared.accounts.service import create_token
from shared.db.repositories import catalog, content
from shared.db.stamps import new_id, utc_now
from shared.media.service import import_image, rendition_name
from shared.models import Money, Post, Product, Variant
from shared.pages.service import add_block, create_page
from shared.storefront.service import DataDir, create_store

SECRET = "Quokkaville"     # appears only in the other store's data, never in a request


@pytest.fixture
async def setup(aiohttp_client, demo_dir: Path):
    other = create_store(DataDir(demo_dir), slug="other-shop", name=f"{SECRET} Goods")
    now = utc_now()
    pid = new_id()
    product = Product(pid, "zanzibar-lamp", f"{SECRET} Lamp", f"<p>{SECRET}</p>", created_at=now, updated_at=now,
                      variants=(Variant(new_id(), pid, "Default", "ZZ-1", Money(9900, "USD"), None, (None, None, None)),))
    other.db.write(lambda c: catalog.insert_product(c, product))
    page = create_page(other.db, title=f"{SECRET} page", slug="zanzibar-page", status="published")
    add_block(other.db, page_id=page.id, kind="rich-text", settings={"heading": SECRET})
    other.db.write(lambda c: content.insert_post(c, Post(new_id(), "zanzibar-post", SECRET, SECRET, SECRET, "x",
                                                          "published", now, created_at=now, updated_at=now)))
    png = io.BytesIO()
    Image.new("RGB", (400, 300), (1, 2, 3)).save(png, "PNG")
    media = import_image(other.db, DataDir(demo_dir).media_dir, data=png.getvalue(), filename="z.png")
    catalog_db = DataDir(demo_dir).catalog()
    other_token = create_token(catalog_db, store_id=other.record.id, name="t",
                               scopes=["store:read", "store:write", "media:write"])
    catalog_db.close()
    other.close()
    # The sweep sends hundreds of requests from one address: lift the rate limit for it.
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, rate_burst=100_000)))
    return client, media, other_token


def _fill(pattern: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, pattern)


async def test_every_route_on_one_host_shows_nothing_of_the_other_store(setup) -> None:
    client, media, other_token = setup
    values = ["zanzibar-lamp", "zanzibar-page", "zanzibar-post", "other-shop", "zanzibar",
              rendition_name(media.hash, media.widths[0]), "1"]
    routes = {(method, r.resource.canonical) for r in client.server.app.router.routes()
              if r.resource is not None and r.method != "HEAD"
              for method in (("GET", "POST", "DELETE") if r.method == "*" else (r.method,))}   # "*": any
    assert len(routes) >= 15, routes
    demo = {"Host": "demo.localhost", "Origin": "http://demo.localhost",
            "Authorization": f"Bearer {other_token}"}
    checked = 0
    for method, pattern in sorted(routes):
        for value in values:
            path = _fill(pattern, value)
            for query in ("", "?q=zanzibar", "?q=lamp&variant=1&tag=zanzibar"):
                response = await client.request(method, path + query, headers=demo, allow_redirects=False)
                body = await response.read()
                assert SECRET.lower().encode() not in body.lower(), (method, path + query, response.status)
                if method == "GET" and pattern.startswith("/media/"):
                    assert response.status == 404
                if pattern.startswith("/api/admin/"):
                    assert response.status in (401, 403, 404, 405)
                checked += 1
    assert checked > 100


async def test_the_other_store_sees_its_own_things(setup) -> None:
    client, media, other_token = setup
    other = {"Host": "other-shop.localhost"}
    assert SECRET in await (await client.get("/products/zanzibar-lamp", headers=other)).text()
    assert (await client.get(f"/media/{rendition_name(media.hash, media.widths[0])}", headers=other)).status == 200
    mine = await client.get("/api/admin/store", headers={**other, "Authorization": f"Bearer {other_token}"})
    assert mine.status == 200 and (await mine.json())["slug"] == "other-shop"
    sitemap = await (await client.get("/sitemap.xml", headers={"Host": "demo.localhost"})).text()
    assert "zanzibar" not in sitemap
    search = await (await client.get("/search?q=lamp", headers={"Host": "demo.localhost"})).text()
    assert SECRET not in search
