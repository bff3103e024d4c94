"""The cart page is the store's cart template (migration 0017): a merchant's arrangement (a rich-text
block above main-cart) is what /cart renders, with each shopper's own lines, never cached and never
another shopper's cart. Also the address table's /cart (studio preview, `vibeshop render`, `dev`) and
the storefront renderer's guard that keeps a per-shopper template out of every cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloud.render.pages import render_storefront
from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from cloud.server.keys import PAGE_CACHE
from shared.compose import PRODUCTION
from shared.db.repositories import pages as page_repo
from shared.pages.service import add_block
from shared.pages.templates import customize_template
from shared.storefront.addresses import render_address, resolve
from shared.storefront.service import DataDir, open_store
from shared.vibe.executor import StoreExecutor
from support import block_ids

HOST = "demo.localhost"
SAME = {"Host": HOST, "Origin": f"http://{HOST}"}
BANNER = "Free shipping on orders over $50"


def _arrange_cart(demo_dir: Path) -> tuple[str, str]:
    """The merchant's cart template: a rich-text banner above main-cart. Returns (banner id, main-cart id)."""
    store = open_store(DataDir(demo_dir), "demo")
    try:
        page = customize_template(store.db, template="cart")
        banner = add_block(store.db, page_id=page.id, kind="rich-text", position=0,
                           settings={"heading": BANNER, "text": "<p>Every order ships in two days.</p>"})
        blocks = store.db.read(lambda conn: page_repo.list_blocks(conn, page.id))
        assert [b.kind for b in blocks] == ["rich-text", "main-cart"]
        return banner.id, blocks[1].id
    finally:
        store.close()


def _tee_variants(demo_dir: Path) -> list[str]:
    store = open_store(DataDir(demo_dir), "demo")
    try:
        return [r[0] for r in store.db.read(lambda c: c.all(
            "SELECT v.id FROM variants v JOIN products p ON p.id = v.product_id "
            "WHERE p.handle = 'harbor-classic-tee' ORDER BY v.id"))]
    finally:
        store.close()


@pytest.fixture
async def arranged(aiohttp_client, demo_dir: Path):
    ids = _arrange_cart(demo_dir)
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, rate_burst=10_000)))
    return client, ids


async def test_cart_renders_the_merchants_arrangement_with_the_shoppers_lines(arranged, demo_dir: Path) -> None:
    client, (banner_id, main_id) = arranged
    vid = _tee_variants(demo_dir)[0]
    await client.post("/cart/add", data={"variant_id": vid, "quantity": "2"}, headers=SAME)
    page = await client.get("/cart", headers={"Host": HOST})
    html = await page.text()
    assert page.status == 200 and page.headers["Cache-Control"] == "no-store"
    ids = block_ids(html)
    assert ids.index(banner_id) == ids.index(main_id) - 1            # the banner, then the cart
    assert BANNER in html and "Harbor Classic Tee" in html and 'action="/cart/update"' in html
    assert '<meta name="robots" content="noindex">' in html


async def test_the_cart_page_is_never_cached_nor_another_shoppers(arranged, demo_dir: Path) -> None:
    client, _ids = arranged
    first, second = _tee_variants(demo_dir)[:2]
    cache = client.server.app[PAGE_CACHE]
    await client.post("/cart/add", data={"variant_id": first}, headers=SAME)
    shopper_a = client.session.cookie_jar.filter_cookies(client.make_url("/"))["cart"].value
    before = (cache.hits, cache.misses)
    a_page = await (await client.get("/cart", headers={"Host": HOST})).text()
    assert "Harbor Classic Tee" in a_page

    client.session.cookie_jar.clear()                                  # shopper B: no cart yet
    b_page = await client.get("/cart", headers={"Host": HOST})
    b_html = await b_page.text()
    assert b_page.headers["Cache-Control"] == "no-store"
    assert BANNER in b_html and "Harbor Classic Tee" not in b_html and "Your cart is empty." in b_html
    await client.post("/cart/add", data={"variant_id": second, "quantity": "3"}, headers=SAME)
    shopper_b = client.session.cookie_jar.filter_cookies(client.make_url("/"))["cart"].value
    assert shopper_b != shopper_a

    client.session.cookie_jar.clear()
    a_again = await (await client.get("/cart.js", headers={"Host": HOST, "Cookie": f"cart={shopper_a}"})).json()
    assert [(i["variant_id"], i["quantity"]) for i in a_again["items"]] == [(first, 1)]
    a_html = await (await client.get("/cart", headers={"Host": HOST, "Cookie": f"cart={shopper_a}"})).text()
    b_html = await (await client.get("/cart", headers={"Host": HOST, "Cookie": f"cart={shopper_b}"})).text()
    assert a_html != b_html
    assert 'value="3"' in b_html and 'value="3"' not in a_html         # B's quantity is B's alone
    assert (cache.hits, cache.misses) == before                          # the page cache never saw /cart


def test_the_address_table_renders_the_cart_template_with_an_empty_cart(demo_dir: Path) -> None:
    banner_id, main_id = _arrange_cart(demo_dir)
    store = open_store(DataDir(demo_dir), "demo")
    executor = StoreExecutor(store.record.id)
    try:
        address = resolve("/cart", [], currency="USD", now="2030-01-01T00:00:00+00:00")
        assert address.template == "cart"
        status, rendered = render_address(store.db, executor, address, path="/cart", query={}, mode=PRODUCTION)
    finally:
        executor.close()
        store.close()
    assert status == 200
    assert block_ids(rendered.html) == ["header", banner_id, main_id, "footer"]
    assert "Your cart is empty." in rendered.html


async def test_the_storefront_renderer_keeps_a_per_shopper_template_out_of_caches(demo_dir: Path) -> None:
    store = open_store(DataDir(demo_dir), "demo")
    executor = StoreExecutor(store.record.id)
    try:
        cart = await render_storefront(store, executor, resolve("/cart", [], currency="USD", now=""),
                                       path="/cart", query={})
        blog = await render_storefront(store, executor, resolve("/blog", [], currency="USD", now=""),
                                       path="/blog", query={})
    finally:
        executor.close()
        store.close()
    assert (cart.status, cart.shared, blog.shared) == (200, False, True)
    assert cart.encoded.pick("br").headers["Cache-Control"] == "no-store"
    assert blog.encoded.pick("br").headers["Cache-Control"].startswith("public")
