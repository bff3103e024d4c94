"""Search and social tags: canonical URLs, Open Graph, Twitter cards, and schema.org JSON-LD with the
fields search engines require (Product/Offer, BreadcrumbList, Organization, BlogPosting)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from support import parse_strict

DEMO = {"Host": "demo.localhost"}
SITE = "http://demo.localhost"


@pytest.fixture
async def client(aiohttp_client, demo_dir: Path):
    return await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir)))


async def _page(client, path: str):
    response = await client.get(path, headers=DEMO)
    assert response.status in (200, 404)
    tree = parse_strict(await response.text())
    ld = [json.loads(el.text) for el in tree.iter("script") if el.get("type") == "application/ld+json"]
    meta = {(el.get("property") or el.get("name")): el.get("content") for el in tree.iter("meta")
            if el.get("content") is not None}
    links = {el.get("rel"): el.get("href") for el in tree.iter("link")}
    return ld, meta, links


def _of_type(ld: list[dict], kind: str) -> dict:
    found = [item for item in ld if item.get("@type") == kind]
    assert len(found) == 1, f"expected one {kind}, found {[i.get('@type') for i in ld]}"
    assert found[0]["@context"] == "https://schema.org"
    return found[0]


async def test_home_page_has_organization_and_social_tags(client) -> None:
    ld, meta, links = await _page(client, "/")
    org = _of_type(ld, "Organization")
    assert org["name"] == "Harbor & Pine" and org["url"] == SITE + "/"
    assert org["sameAs"] and org["contactPoint"]["email"]
    assert links["canonical"] == SITE + "/"
    assert meta["og:type"] == "website" and meta["og:url"] == SITE + "/" and meta["og:site_name"] == "Harbor & Pine"
    assert meta["og:image"].startswith(SITE + "/media/") and meta["twitter:card"] == "summary_large_image"
    assert meta["description"] and meta["twitter:title"] == "Harbor & Pine"


async def test_product_page_has_product_offers_and_breadcrumbs(client) -> None:
    ld, meta, links = await _page(client, "/products/harbor-classic-tee?variant=whatever")
    product = _of_type(ld, "Product")
    assert product["name"] == "Harbor Classic Tee" and product["url"] == SITE + "/products/harbor-classic-tee"
    assert product["image"][0].startswith(SITE + "/media/") and product["brand"]["name"] == "Harbor & Pine"
    assert product["offers"], "every variant is an offer"
    for offer in product["offers"]:
        assert offer["@type"] == "Offer" and offer["priceCurrency"] == "USD"
        assert offer["price"].replace(".", "").isdigit() and "." in offer["price"]      # "28.00", never cents
        assert offer["availability"] in ("https://schema.org/InStock", "https://schema.org/OutOfStock")
    crumbs = _of_type(ld, "BreadcrumbList")["itemListElement"]
    assert [c["position"] for c in crumbs] == [1, 2, 3] and crumbs[-1]["name"] == "Harbor Classic Tee"
    assert all(c["item"].startswith(SITE) for c in crumbs)
    assert links["canonical"] == SITE + "/products/harbor-classic-tee"       # no query in the canonical
    assert meta["og:type"] == "product" and meta["product:price:currency"] == "USD"


async def test_sold_out_product_offers_say_out_of_stock(client) -> None:
    ld, _meta, _links = await _page(client, "/products/lavender-fog-candle")
    assert {o["availability"] for o in _of_type(ld, "Product")["offers"]} == {"https://schema.org/OutOfStock"}


async def test_article_has_blog_posting(client) -> None:
    ld, meta, _links = await _page(client, "/blog/caring-for-waxed-canvas")
    post = _of_type(ld, "BlogPosting")
    assert post["headline"] == "Caring for waxed canvas" and post["datePublished"]
    assert post["author"]["@type"] == "Person" and post["author"]["name"]
    assert post["publisher"]["name"] == "Harbor & Pine" and post["image"]
    assert meta["og:type"] == "article"
    assert len(_of_type(ld, "BreadcrumbList")["itemListElement"]) == 3


async def test_collection_and_page_breadcrumbs(client) -> None:
    ld, _meta, links = await _page(client, "/collections/apparel?sort=price-asc&page=1")
    assert _of_type(ld, "BreadcrumbList")["itemListElement"][-1]["name"] == "Apparel"
    assert links["canonical"] == SITE + "/collections/apparel"
    ld, _meta, _links = await _page(client, "/pages/about")
    assert _of_type(ld, "BreadcrumbList")["itemListElement"][-1]["name"] == "About us"


async def test_search_and_not_found_are_not_indexed(client) -> None:
    for path in ("/search?q=mug", "/no-such-page"):
        _ld, meta, _links = await _page(client, path)
        assert meta["robots"] == "noindex"


async def test_json_ld_cannot_end_its_script_element(client, demo_dir: Path) -> None:
    from shared.storefront.service import DataDir, open_store

    store = open_store(DataDir(demo_dir), "demo")
    try:
        store.db.write(lambda c: c.execute(
            "UPDATE products SET title = ? WHERE handle = 'harbor-classic-tee'", ("Tee </script><script>alert(1)//",)))
    finally:
        store.close()
    response = await client.get("/products/harbor-classic-tee", headers=DEMO)
    text = await response.text()
    assert "</script><script>alert(1)" not in text
    ld, _meta, _links = await _page(client, "/products/harbor-classic-tee")
    assert _of_type(ld, "Product")["name"] == "Tee </script><script>alert(1)//"
