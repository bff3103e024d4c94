"""Live availability in a real browser (Playwright driving Debian's chromium): a shopper has the product
page open, the POS sells the last unit, and the page shows "Sold out" without a reload (and "Add to
cart" again after a delivery), also when `vibeshop cloud serve --workers 2` gives the sale and the
shopper's stream to different processes, or when the change is written by another process altogether."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from playwright.async_api import Browser, Page, expect

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from live_support import LiveSetup, sell, set_stock
from shared.inventory import record_movement
from shared.storefront.service import DataDir, open_store
from support import serving
from support_browser import browser  # noqa: F401 - the fixture

HOST = "demo.localhost"
WAIT_MS = 15_000            # generous: the promise is a second, a loaded CI machine is slower


async def _product_page(browser: Browser, port: int, setup: LiveSetup) -> Page:
    page = await browser.new_page()
    response = await page.goto(f"http://{HOST}:{port}/products/{setup.handle}", wait_until="load")
    assert response is not None and response.status == 200
    return page


def _button(page: Page):
    return page.locator(".vs-main-product__submit")


async def test_the_last_unit_sold_at_the_counter_shows_sold_out_on_an_open_page(
        browser: Browser, aiohttp_server, live_setup: LiveSetup) -> None:
    server = await aiohttp_server(create_app(ServeConfig(data_dir=live_setup.data, rate_burst=10_000)))
    base, host = f"http://127.0.0.1:{server.port}", f"{HOST}:{server.port}"
    await set_stock(base, host, live_setup, 1)
    page = await browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    assert (await page.goto(f"http://{HOST}:{server.port}/products/{live_setup.handle}")).status == 200
    await expect(_button(page)).to_have_text("Add to cart")
    await expect(page.locator(".vs-stock")).to_have_text("Low stock: only 1 left", timeout=WAIT_MS)

    await sell(base, host, live_setup)
    await expect(_button(page)).to_have_text("Sold out", timeout=WAIT_MS)
    await expect(_button(page)).to_be_disabled()
    await expect(page.locator(".vs-stock")).to_have_text("Sold out")
    await expect(page.locator(".vs-main-product__price .vs-badge--muted")).to_have_text("Sold out")

    await set_stock(base, host, live_setup, 12)           # a delivery
    await expect(_button(page)).to_have_text("Add to cart", timeout=WAIT_MS)
    await expect(_button(page)).to_be_enabled()
    await expect(page.locator(".vs-stock")).to_have_text("In stock")
    await expect(page.locator(".vs-main-product__price .vs-badge--muted")).to_have_count(0)
    assert errors == []
    await page.close()


def _sell_in_this_process(data: Path, setup: LiveSetup) -> None:
    """A sale written by this test's process: neither worker, so only their watch can see it."""
    store = open_store(DataDir(data), "demo")
    try:
        store.db.write(lambda conn: record_movement(
            conn, change_id=str(uuid.uuid4()), variant_id=setup.variant_id,
            location_id=conn.scalar("SELECT id FROM locations ORDER BY name LIMIT 1"), delta=-1, reason="sold",
            occurred_at=datetime.now(UTC), now=datetime.now(UTC)))
    finally:
        store.close()


async def test_sales_reach_the_page_whichever_process_makes_them(browser: Browser, live_setup: LiveSetup) -> None:
    with serving(live_setup.data, workers=2) as server:
        host = f"{HOST}:{server.port}"
        page = await _product_page(browser, server.port, live_setup)
        for _ in range(3):      # each POS call on a new connection: the kernel spreads them over the workers
            await set_stock(server.url, host, live_setup, 1)
            await expect(_button(page)).to_have_text("Add to cart", timeout=WAIT_MS)
            await sell(server.url, host, live_setup)
            await expect(_button(page)).to_have_text("Sold out", timeout=WAIT_MS)
        await set_stock(server.url, host, live_setup, 1)
        await expect(_button(page)).to_have_text("Add to cart", timeout=WAIT_MS)
        _sell_in_this_process(live_setup.data, setup=live_setup)
        await expect(_button(page)).to_have_text("Sold out", timeout=WAIT_MS)
        await page.close()
