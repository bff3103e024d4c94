"""The signed-in checkout in a real browser (Playwright, Debian's chromium): the customer's e-mail and
default address are still filled in once the page's script has run (it re-quotes, it must not wipe
them), "Signed in as" shows, and "Sign out" signs out; the storefront header's account icon sits next to
the cart. Screenshots go to $VIBESHOP_SCREENSHOTS (or the test's tmp folder)."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.async_api import Browser, expect

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from cloud.server.keys import STORES
from shared.customers import add_address
from support_browser import browser  # noqa: F401 - the fixture
from tests.checkout_page.test_checkout_signed_in import HOME, Shopper

expect.set_options(timeout=20_000)      # a bound on a hang on a loaded machine, not a timing assertion


def _shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("VIBESHOP_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


async def test_prefilled_checkout_and_the_header_account_link(browser: Browser, aiohttp_server, aiohttp_client,
                                                             demo_dir: Path, tmp_path: Path) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "accounts_shop"))   # queued_code
    app = create_app(ServeConfig(data_dir=demo_dir, rate_burst=10_000))
    server = await aiohttp_server(app)
    store = await app[STORES].store_for("demo.localhost")
    ada = Shopper(await aiohttp_client(server))
    await ada.sign_in(store, "ada@example.com")
    customer = store.db.read(lambda conn: conn.scalar("SELECT id FROM customers WHERE email = 'ada@example.com'"))
    add_address(store.db, customer, address=HOME)
    await ada.add_tee()

    url = f"http://demo.localhost:{server.port}"
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    await context.add_cookies([{"name": k, "value": v, "url": url} for k, v in ada.cookies.items()])
    page = await context.new_page()
    shots = _shots(tmp_path)

    await page.goto(url + "/", wait_until="load")
    account = page.locator(".vs-header__actions a.vs-header__account")
    await expect(account).to_have_attribute("href", "/account")
    await expect(page.locator(".vs-header__actions a.vs-header__cart")).to_be_visible()
    await page.locator("header").first.screenshot(path=str(shots / "header-account-link.png"))

    await page.goto(url + "/checkout", wait_until="networkidle")
    await expect(page.locator("#ck-account")).to_contain_text("Signed in as ada@example.com")
    await expect(page.get_by_label("Email")).to_have_value("ada@example.com")
    await expect(page.get_by_label("Full name")).to_have_value("Ada Lovelace")
    await expect(page.get_by_label("Address", exact=True)).to_have_value("12 Analytical Way")
    await expect(page.get_by_label("State")).to_have_value("OR")
    await expect(page.get_by_label("Zip code")).to_have_value("97201")
    await expect(page.locator("#ck-options input[name=shipping_option]").first).to_be_checked()
    await page.screenshot(path=str(shots / "checkout-signed-in.png"), full_page=True)

    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url("**/account/login**")
    await page.goto(url + "/", wait_until="load")
    await expect(page.locator(".vs-header__actions a.vs-header__account")).to_have_attribute("href", "/account")
    await context.close()
