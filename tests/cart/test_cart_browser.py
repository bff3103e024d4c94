"""The cart in a real browser (Playwright driving Debian's chromium) at phone and desktop widths: with
JavaScript, adding stays on the product page, the drawer opens with focus inside it, the header badge
counts, Escape closes the drawer and gives focus back, and the badge is filled after load on a cached
page; without JavaScript the same form goes to /cart by 303 and the quantity form works. No CSP
violation is reported (the loader is allowed by its hash)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from support_browser import browser  # noqa: F401 - the fixture

PRODUCT = "/products/harbor-classic-tee"


@pytest.fixture
async def base_url(aiohttp_server, demo_dir: Path) -> str:
    server = await aiohttp_server(create_app(ServeConfig(data_dir=demo_dir, rate_burst=10_000)))
    return f"http://demo.localhost:{server.port}"


def _shots(tmp_path: Path) -> Path:
    """Where screenshots go: VIBESHOP_SCREENSHOTS when set (to look at them), else the test's folder."""
    folder = Path(os.environ.get("VIBESHOP_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("width", [390, 1280])
async def test_add_to_cart_with_javascript_opens_the_drawer_and_counts(browser: Browser, base_url: str,
                                                                        width: int, tmp_path: Path) -> None:
    context = await browser.new_context(viewport={"width": width, "height": 900})
    page = await context.new_page()
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    await page.goto(base_url + PRODUCT, wait_until="load")
    url = page.url
    await page.get_by_role("button", name="Add to cart").click()
    drawer = page.get_by_role("dialog", name="Your cart")
    await drawer.wait_for(state="visible")
    assert page.url == url                                      # no reload, no navigation
    await expect(drawer.get_by_role("button", name="Close cart")).to_be_focused()
    assert await drawer.get_by_text("Harbor Classic Tee").count() >= 1
    assert await drawer.get_by_role("link", name="Check out").get_attribute("href") == "/checkout"
    badge = page.locator(".vs-header__cart .vs-header__count").first
    await expect(badge).to_have_text("1")
    await expect(page.locator(".vs-header__cart").first).to_have_attribute("aria-label", "Cart, 1 item")
    await expect(page.locator("[aria-live]").last).to_contain_text("Added Harbor Classic Tee")
    await page.wait_for_timeout(300)                            # the slide-in transition
    await page.screenshot(path=str(_shots(tmp_path) / f"drawer-{width}.png"))
    # Tab and Shift+Tab stay inside the open drawer (the page behind it is inert).
    for key in ["Tab"] * 8 + ["Shift+Tab"] * 3:
        await page.keyboard.press(key)
        assert await page.evaluate("!!document.activeElement.closest('.vs-drawer__panel')"), key
    # + in the drawer: the count follows.
    await drawer.get_by_role("button", name="Increase quantity of Harbor Classic Tee, Navy / S").click()
    await expect(badge).to_have_text("2")
    # Escape closes it and gives focus back to the button that opened it.
    await page.keyboard.press("Escape")
    await drawer.wait_for(state="hidden")
    await expect(page.get_by_role("button", name="Add to cart")).to_be_focused()
    # Another page (shared, cached): the badge is filled after load from /cart.js.
    await page.goto(base_url + "/", wait_until="load")
    await expect(page.locator(".vs-header__cart .vs-header__count").first).to_have_text("2")
    await page.goto(base_url + "/cart", wait_until="load")
    await page.screenshot(path=str(_shots(tmp_path) / f"cart-{width}.png"), full_page=True)
    assert await page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    assert violations == []
    await context.close()


async def test_the_cart_works_without_javascript(browser: Browser, base_url: str, tmp_path: Path) -> None:
    context = await browser.new_context(viewport={"width": 390, "height": 900}, java_script_enabled=False)
    page = await context.new_page()
    await page.goto(base_url + PRODUCT, wait_until="load")
    await page.get_by_role("button", name="Add to cart").click()
    await page.wait_for_url("**/cart")
    assert await page.locator(".vs-cart__line").count() == 1
    await page.get_by_label("Quantity of Harbor Classic Tee").fill("3")
    await page.get_by_role("button", name="Update cart").click()
    await page.wait_for_url("**/cart")
    assert await page.get_by_label("Quantity of Harbor Classic Tee").input_value() == "3"
    assert "84.00" in await page.locator(".vs-cart__subtotal").text_content()
    await page.get_by_role("button", name="Remove Harbor Classic Tee").click()
    await page.wait_for_url("**/cart")
    assert await page.get_by_text("Your cart is empty.").count() == 1
    await context.close()


async def test_the_cart_page_shows_notices_and_holds_back_checkout(browser: Browser, base_url: str, demo_dir: Path,
                                                                   tmp_path: Path) -> None:
    from shared.storefront.service import DataDir, open_store

    store = open_store(DataDir(demo_dir), "demo")
    try:
        rows = store.db.read(lambda c: c.all(
            "SELECT v.id FROM variants v JOIN products p ON p.id = v.product_id WHERE p.handle IN "
            "('harbor-classic-tee', 'canvas-apron') ORDER BY p.handle, v.position"))
    finally:
        store.close()
    apron, tee = rows[0][0], rows[-1][0]
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    origin = {"Origin": base_url}
    for vid in (apron, tee):
        response = await page.request.post(base_url + "/cart/add.js", data={"id": vid, "quantity": 1}, headers=origin)
        assert response.status == 200
    store = open_store(DataDir(demo_dir), "demo")
    try:
        store.db.write(lambda c: c.execute("UPDATE variants SET price_amount = price_amount + 500 WHERE id = ?",
                                           (apron,)))
        store.db.write(lambda c: c.execute("UPDATE products SET status = 'archived' WHERE handle = 'harbor-classic-tee'"))
    finally:
        store.close()
    await page.goto(base_url + "/cart?error=not_enough_stock", wait_until="load")
    await expect(page.locator(".vs-cart__notice--price_changed")).to_contain_text("changed from")
    await expect(page.locator(".vs-cart__notice--vanished")).to_contain_text("no longer available")
    await expect(page.get_by_role("alert").first).to_contain_text("not enough stock")
    await expect(page.get_by_role("button", name="Check out")).to_be_disabled()
    await page.screenshot(path=str(_shots(tmp_path) / "cart-notices-1280.png"), full_page=True)
    await context.close()
