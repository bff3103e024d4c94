"""Template addresses through the service: products, collections, journal, search, 404, sitemap."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from support import parse_strict

DEMO = {"Host": "demo.localhost"}


@pytest.fixture
async def client(aiohttp_client, demo_dir: Path):
    return await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir)))


@pytest.mark.parametrize("path, title", [
    ("/products/harbor-classic-tee", "Harbor Classic Tee – Harbor & Pine"),
    ("/collections/apparel", "Apparel – Harbor & Pine"),
    ("/collections/all?sort=price-asc&option.Size=XL", "All products – Harbor & Pine"),
    ("/blog", "Journal – Harbor & Pine"),
    ("/blog/caring-for-waxed-canvas", "Caring for waxed canvas – Harbor & Pine"),
    ("/search?q=mug", "Search: mug – Harbor & Pine"),
])
async def test_template_pages_answer_with_full_documents(client, path: str, title: str) -> None:
    response = await client.get(path, headers=DEMO)
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/html")
    document = parse_strict(await response.text())
    assert document.findtext(".//title") == title


@pytest.mark.parametrize("path", ["/nope", "/pages/nope", "/products/no-such-product", "/collections/nothing",
                                  "/blog/no-such-post", "/products/UPPER", "/products/%00", "/a/b/c/d",
                                  "/pages/" + "x" * 300])
async def test_unknown_addresses_get_the_not_found_page(client, path: str) -> None:
    response = await client.get(path, headers=DEMO)
    assert response.status == 404
    text = await response.text()
    assert "<title>Page not found – Harbor &amp; Pine</title>" in text


@pytest.mark.parametrize("query", ["price_min=abc&price_max=-1", "page=-3", "page=1e9", "sort=<script>",
                                   "option.Size=" + "x" * 400, "tag=%00", "available=yes"])
async def test_hostile_collection_queries_never_fail(client, query: str) -> None:
    response = await client.get(f"/collections/all?{query}", headers=DEMO)
    assert response.status == 200
    assert "<script>" not in (await response.text()).split("<main", 1)[1]


async def test_sitemap_and_robots(client) -> None:
    response = await client.get("/sitemap.xml", headers=DEMO)
    assert response.status == 200 and response.headers["Content-Type"].startswith("application/xml")
    body = await response.text()
    assert "<loc>http://demo.localhost/products/harbor-classic-tee</loc>" in body
    assert (await client.get("/sitemap-2.xml", headers=DEMO)).status == 404
    robots = await client.get("/robots.txt", headers=DEMO)
    assert robots.status == 200 and "Sitemap: http://demo.localhost/sitemap.xml" in await robots.text()


async def test_a_variant_in_the_query_is_selected(client) -> None:
    page = await (await client.get("/products/harbor-classic-tee", headers=DEMO)).text()
    assert "Harbor Classic Tee" in page
    other = await client.get("/products/harbor-classic-tee?variant=not-a-variant", headers=DEMO)
    assert other.status == 200
