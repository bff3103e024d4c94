"""Every kind of storefront page passes the Nu HTML checker (vnu.jar, pinned in scripts/test-tools.txt)
with no errors: the pages are fetched from the real service, written to files and checked in ONE run of
the checker (a JVM start costs seconds)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from cloud.server.keys import CONFIG
from shared.compose import PREVIEW, render_page
from shared.compose.registry import builtin_kinds
from shared.pages.service import add_block, create_page
from shared.storefront.service import DataDir, open_store
from shared.vibe.executor import StoreExecutor
from support import tool_path

DEMO = {"Host": "demo.localhost"}
BROKEN = 'function render(ctx, h) { throw new Error("<b>not html</b>"); }'
# Blocks whose cards are h3 under a section heading the merchant may leave empty.
CARD_SECTIONS = ("product-grid", "collection-list", "blog-posts")
# (file name, address, expected status): every template the storefront serves, with and without results.
PAGES = [
    ("home", "/", 200),
    ("page", "/pages/about", 200),
    ("page-faq", "/pages/faq", 200),
    ("page-contact", "/pages/contact", 200),
    ("page-every-block", "/pages/every-block", 200),
    ("page-with-a-failed-block", "/pages/broken", 200),
    ("product", "/products/canvas-apron", 200),
    ("product-with-options", "/products/harbor-classic-tee", 200),
    ("collection", "/collections/apparel", 200),
    ("collection-all-page-2", "/collections/all?sort=price-asc&page=2", 200),
    ("collection-filtered-empty", "/collections/apparel?price_max=0.01&tag=none", 200),
    ("search-results", "/search?q=apron", 200),
    ("search-no-results", "/search?q=zzzqqxx", 200),
    ("search-no-query", "/search", 200),
    ("blog", "/blog", 200),
    ("article", "/blog/caring-for-waxed-canvas", 200),
    ("not-found", "/no/such/page", 404),
    ("cart-empty", "/cart", 200),
    ("cart", "ADD:/cart", 200),                       # after adding two variants (a shopper's cart)
    ("cart-refused", "ADD:/cart?error=not_enough_stock", 200),
    ("checkout", "/checkout", 200),                   # the one-page checkout of that cart
    ("order", "ORDER", 200),                          # that cart bought (pickup, pay in store): its order page
    ("newsletter-refused", None, 422),
    *((f"untitled-{kind}", f"/pages/untitled-{kind}", 200) for kind in CARD_SECTIONS),
]


def _add_pages(data: Path) -> None:
    """A published page holding every built-in block; for each card section a page where it follows the
    hero's h1 without a heading of its own (the outline must still not skip a level); a page with a
    block that fails."""
    store = open_store(DataDir(data), "demo")
    try:
        page = create_page(store.db, title="Every block", slug="every-block", status="published")
        for kind in builtin_kinds():
            add_block(store.db, page_id=page.id, kind=kind)
        for kind in CARD_SECTIONS:
            page = create_page(store.db, title=kind, slug=f"untitled-{kind}", status="published")
            add_block(store.db, page_id=page.id, kind="hero")
            add_block(store.db, page_id=page.id, kind=kind, settings={"heading": "", "collection": "apparel"}
                      if kind == "product-grid" else {"heading": ""})
        page = create_page(store.db, title="Broken", slug="broken", status="published")
        add_block(store.db, page_id=page.id, kind="hero")
        add_block(store.db, page_id=page.id, kind="custom", code=BROKEN)
    finally:
        store.close()


def _preview_of_broken_page(data: Path, executor: StoreExecutor) -> str:
    """The studio's preview of a page with a failing block: the same document, with an error box."""
    store = open_store(DataDir(data), "demo")
    try:
        html = render_page(store.db, executor=executor, slug="broken", mode=PREVIEW).html
    finally:
        store.close()
    assert "vs-block-error" in html
    return html


@pytest.fixture
async def client(aiohttp_client, demo_dir: Path):
    """The service over a copy of the demo data folder, with the pages of _add_pages."""
    _add_pages(demo_dir)
    return await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir)))


def _variant(client, title: str) -> str:
    """The demo tee's variant with this title."""
    store = open_store(DataDir(client.server.app[CONFIG].data_dir), "demo")
    try:
        return store.db.read(lambda c: c.scalar(
            "SELECT v.id FROM variants v JOIN products p ON p.id = v.product_id "
            "WHERE p.handle = 'harbor-classic-tee' AND v.title = ?", (title,)))
    finally:
        store.close()


async def _fetch(client, address: str | None, status: int) -> str:
    if address is None:   # a form answer: the page shown for a refused sign-up
        response = await client.post("/newsletter", data={"email": "not an address"},
                                     headers={**DEMO, "Origin": "http://demo.localhost"})
    else:
        if address.startswith("ADD:"):     # a cart page: add two tees first (the cookie is kept)
            address = address[4:]
            for size in ("Navy / S", "Sand / M"):
                await client.post("/cart/add", data={"variant_id": _variant(client, size), "quantity": "2"},
                                  headers={**DEMO, "Origin": "http://demo.localhost"})
        if address == "ORDER":
            address = await _pickup_order(client)
        response = await client.get(address, headers=DEMO)
    assert response.status == status, address
    return await response.text()


async def _pickup_order(client) -> str:
    """Buy one tee for pickup, paid in store (the shop has a few); the order page's address."""
    same = {**DEMO, "Origin": "http://demo.localhost"}
    await client.post("/cart/clear.js", headers=same)
    await client.post("/cart/add.js", json={"id": _variant(client, "Navy / S"), "quantity": 1}, headers=same)
    quote = await (await client.post("/checkout/quote", json={"delivery": "pickup"}, headers=same)).json()
    assert "quote" in quote, quote
    started = await (await client.post("/checkout/start", json={
        "email": "grace@example.com", "delivery": "pickup", "shippingOptionId": quote["quote"]["shipping_option"]["id"],
        "paymentMethod": "pay_in_store", "address": {"name": "Grace Hopper"}}, headers=same)).json()
    paid = await client.post("/checkout/pay", json={"attemptId": started["attemptId"]}, headers=same)
    return (await paid.json())["orderUrl"]


async def test_every_page_type_passes_the_nu_html_checker(client, demo_dir: Path, executor: StoreExecutor,
                                                          tmp_path: Path) -> None:
    preview = tmp_path / "preview-with-a-failed-block.html"
    preview.write_text(_preview_of_broken_page(demo_dir, executor), encoding="utf-8")
    files = [preview]
    for name, address, status in PAGES:
        path = tmp_path / f"{name}.html"
        html = await _fetch(client, address, status)
        if name.startswith("untitled-"):
            assert "<h3" in html, f"{name} shows no cards: the case is not checked"
        path.write_text(html, encoding="utf-8")
        files.append(path)
    unknown = tmp_path / "store-not-found.html"
    response = await client.get("/", headers={"Host": "nobody.localhost"})
    unknown.write_text(await response.text(), encoding="utf-8")
    files.append(unknown)

    run = subprocess.run(["java", "-jar", str(tool_path("vnu-jar")), "--format", "json", "--stdout",
                          *map(str, files)], capture_output=True, text=True, timeout=600)
    messages = json.loads(run.stdout)["messages"]
    # Errors, and "non-document-error" (a file the checker could not read); warnings are advice.
    errors = [f"{Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}: {m['message']}"
              for m in messages if m["type"] != "info"]
    assert errors == []
    assert run.returncode == 0, run.stderr
