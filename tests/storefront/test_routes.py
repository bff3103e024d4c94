"""ctx.route data for template pages: products, collection filters/facets/sorting/pagination, search
with typo tolerance, the journal, and the sitemap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shared.db.repositories import content
from shared.db.repositories.sitemap import sitemap_entries
from shared.db.stamps import new_id, utc_now
from shared.models import Post
from shared.storefront import routes
from shared.storefront.seo import SITEMAP_LIMIT, robots_txt, sitemap_xml


def read(store, fn):
    return store.db.read(fn)


def test_product_route_picks_the_requested_or_first_available_variant(demo_store) -> None:
    first = read(demo_store, lambda c: routes.product_route(c, handle="harbor-classic-tee", variant_id=None))
    assert first["type"] == "product" and first["product"]["title"] == "Harbor Classic Tee"
    assert first["variant"]["available"]
    other = first["product"]["variants"][-1]
    chosen = read(demo_store, lambda c: routes.product_route(c, handle="harbor-classic-tee", variant_id=other["id"]))
    assert chosen["variant"]["id"] == other["id"]
    bogus = read(demo_store, lambda c: routes.product_route(c, handle="harbor-classic-tee", variant_id="nope"))
    assert bogus["variant"]["id"] == first["variant"]["id"]
    assert read(demo_store, lambda c: routes.product_route(c, handle="no-such-thing", variant_id=None)) is None


def test_sold_out_product_still_has_a_variant(demo_store) -> None:
    route = read(demo_store, lambda c: routes.product_route(c, handle="lavender-fog-candle", variant_id=None))
    assert route["product"]["available"] is False and route["variant"] is not None


def _collection(store, handle="apparel", params=()):
    return read(store, lambda c: routes.collection_route(c, handle=handle, params=list(params),
                                                          path=f"/collections/{handle}", currency="USD"))


def test_collection_filters_by_option_price_tag_and_stock(demo_store) -> None:
    everything = _collection(demo_store)
    assert everything["pagination"]["total"] == len(everything["products"]) > 0
    sizes = next(o for o in everything["filters"]["options"] if o["name"] == "Size")
    assert {v["value"] for v in sizes["values"]} >= {"S", "M", "L", "XL"}

    cheap = _collection(demo_store, params=[("price_max", "30")])
    assert cheap["products"] and all(p["price"]["amount"] <= 3000 for p in cheap["products"])
    assert cheap["filters"]["price"]["to"] == 3000

    sale = _collection(demo_store, "all", [("tag", "sale")])
    assert sale["products"] and all("sale" in p["tags"] for p in sale["products"])
    assert next(t for t in sale["filters"]["tags"] if t["value"] == "sale")["active"]

    in_stock = _collection(demo_store, "all", [("available", "1")])
    assert all(p["available"] for p in in_stock["products"])
    assert "Lavender Fog Candle" not in [p["title"] for p in in_stock["products"]]

    navy = _collection(demo_store, params=[("option.Color", "Navy")])
    assert navy["products"]
    assert all(any(v["options"].get("Color") == "Navy" for v in p["variants"]) for p in navy["products"])


def test_collection_sorting_and_pagination_keep_the_filters(demo_store) -> None:
    ascending = _collection(demo_store, "all", [("sort", "price-asc")])
    prices = [p["price"]["amount"] for p in ascending["products"]]
    assert prices == sorted(prices) and ascending["sort"] == "price-asc"
    first = read(demo_store, lambda c: routes.collection_route(
        c, handle="all", params=[("tag", "cotton"), ("page", "1")], path="/collections/all", currency="USD",
        per_page=2))
    pages = first["pagination"]
    assert pages["pages"] >= 2 and pages["prev_url"] is None
    assert pages["next_url"] == "/collections/all?tag=cotton&page=2"
    second = read(demo_store, lambda c: routes.collection_route(
        c, handle="all", params=[("tag", "cotton"), ("page", "2")], path="/collections/all", currency="USD",
        per_page=2))
    assert {p["id"] for p in second["products"]}.isdisjoint({p["id"] for p in first["products"]})
    assert second["pagination"]["prev_url"] == "/collections/all?tag=cotton"


@pytest.mark.parametrize("params", [
    [("price_min", "abc"), ("price_max", "-5"), ("page", "0"), ("sort", "evil; DROP TABLE")],
    [("page", "99999999999999999999"), ("option.Size", "x" * 5000)],
    [("option." + "n" * 300, "v")] * 50,
])
def test_hostile_collection_queries_are_ignored_not_errors(demo_store, params) -> None:
    route = _collection(demo_store, "all", params)
    assert route["type"] == "collection"
    assert route["pagination"]["page"] >= 1


def test_unknown_collection_is_none(demo_store) -> None:
    assert _collection(demo_store, "no-such-collection") is None


@pytest.mark.parametrize("query, expected", [
    ("tee", "Harbor Classic Tee"),
    ("hodie", "Drift Hoodie"),            # a typo finds the closest indexed word
    ("candl", "Pine Forest Candle"),      # prefix match
    ("STONEWARE", "Stoneware Mug"),
])
def test_search_ranks_and_forgives(demo_store, query, expected) -> None:
    route = read(demo_store, lambda c: routes.search_route(c, params=[("q", query)], path="/search"))
    assert expected in [p["title"] for p in route["products"]]
    assert route["total"] >= 1 and route["query"] == query


@pytest.mark.parametrize("query", ['"', "NEAR(a b)", "*", "a OR", "-", "tee AND (", "\x00", "q" * 1000])
def test_search_syntax_from_shoppers_is_never_an_error(demo_store, query) -> None:
    route = read(demo_store, lambda c: routes.search_route(c, params=[("q", query)], path="/search"))
    assert route["type"] == "search"


def test_search_follows_catalogue_changes(demo_store) -> None:
    demo_store.db.write(lambda c: c.execute("UPDATE products SET status = 'archived' WHERE handle = 'stoneware-mug'"))
    route = read(demo_store, lambda c: routes.search_route(c, params=[("q", "stoneware")], path="/search"))
    assert "Stoneware Mug" not in [p["title"] for p in route["products"]]


def test_scheduled_posts_appear_at_their_time(demo_store) -> None:
    later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    demo_store.db.write(lambda c: content.insert_post(c, Post(new_id(), "coming-soon", "Coming soon", "x", "<p>x</p>",
                                                              "Maya", "scheduled", later, created_at=utc_now(),
                                                              updated_at=utc_now())))
    now = utc_now()
    assert read(demo_store, lambda c: routes.article_route(c, slug="coming-soon", now=now)) is None
    blog = read(demo_store, lambda c: routes.blog_route(c, params=[], path="/blog", now=now))
    assert "coming-soon" not in [p["slug"] for p in blog["posts"]]
    future = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    article = read(demo_store, lambda c: routes.article_route(c, slug="coming-soon", now=future))
    assert article["post"]["body_html"] == "<p>x</p>"


def test_sitemap_lists_public_addresses_and_splits_past_the_limit(demo_store) -> None:
    entries = read(demo_store, lambda c: sitemap_entries(c, now=utc_now()))
    paths = [p for p, _ in entries]
    assert "/" in paths and "/pages/about" in paths and "/products/harbor-classic-tee" in paths
    assert "/collections/apparel" in paths and "/blog/caring-for-waxed-canvas" in paths
    assert not any(p.startswith("/pages/template") for p in paths)
    xml = sitemap_xml("https://shop.example", entries)
    assert xml.count("<url>") == len(entries) and "<lastmod>" in xml

    many = [(f"/products/p{i}", "2026-01-01T00:00:00") for i in range(SITEMAP_LIMIT + 10)]
    index = sitemap_xml("https://shop.example", many)
    assert "<sitemapindex" in index and index.count("<sitemap>") == 2
    assert sitemap_xml("https://shop.example", many, part=2).count("<url>") == 10
    assert sitemap_xml("https://shop.example", many, part=3) is None
    assert "Sitemap: https://shop.example/sitemap.xml" in robots_txt("https://shop.example/")


def test_typo_tolerance_compares_outside_the_stores_read(demo_store, monkeypatch) -> None:
    """difflib over thousands of terms (about 0.1 s) must not hold the database: while it compares,
    another thread can take the store's connection."""
    import difflib
    import threading

    from shared.storefront.addresses import resolve

    free: list[bool] = []
    real = difflib.get_close_matches

    def compare(*args, **kwargs):
        def take() -> None:
            taken = demo_store.db._lock.acquire(blocking=False)
            free.append(taken)
            if taken:
                demo_store.db._lock.release()

        other = threading.Thread(target=take)
        other.start()
        other.join()
        return real(*args, **kwargs)

    monkeypatch.setattr(routes.difflib, "get_close_matches", compare)
    address = resolve("/search", [("q", "hodie")], currency="USD", now=utc_now())
    route = address.load_from(demo_store.db)
    assert "Drift Hoodie" in [p["title"] for p in route["products"]]
    assert free == [True]
