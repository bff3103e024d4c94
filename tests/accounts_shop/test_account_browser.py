"""The shopper's journey in a real browser (Playwright driving Debian's chromium) against the real app on
loopback, with e-mail delivered by the outbox worker into the mail folder (.eml files, as `make demo`
does): sign in with the code read from the e-mail, see the order, download the data, delete the account.
No script runs on these pages: every step is a plain form."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from playwright.async_api import Browser, expect

from accounts_shop_support import delivered_code, make_order
from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from cloud.server.keys import STORES
from support_browser import browser  # noqa: F401 - the fixture

expect.set_options(timeout=20_000)      # a bound on a hang on a loaded machine, not a timing assertion
EMAIL = "ada@example.com"


async def _code_in(mail: Path, to: str, *, not_before: int = 0) -> str:
    """The newest sign-in code in the mail folder once the worker has written one (bounded wait)."""
    for _ in range(600):
        files = len(list(mail.glob("*.eml"))) if mail.exists() else 0
        code = delivered_code(mail, to) if files > not_before else None
        if code:
            return code
        await asyncio.sleep(0.05)
    raise AssertionError("no sign-in e-mail arrived in the mail folder")


async def test_a_shopper_signs_in_sees_the_order_downloads_data_and_deletes_the_account(
        aiohttp_server, demo_dir: Path, browser: Browser, tmp_path: Path) -> None:  # noqa: F811
    mail = demo_dir / "mail"
    app = create_app(ServeConfig(data_dir=demo_dir, mail_dir=mail, rate_burst=10_000))
    server = await aiohttp_server(app)
    store = await app[STORES].store_for("demo.localhost")
    order = make_order(store.db, email_address=EMAIL, name="Ada Lovelace")
    base = f"http://demo.localhost:{server.port}"
    context = await browser.new_context(viewport={"width": 1100, "height": 900}, accept_downloads=True)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    await page.goto(f"{base}/account")
    await expect(page).to_have_url(f"{base}/account/login")
    await page.fill("#ac-email", EMAIL)
    await page.click("button[type=submit]")
    await expect(page).to_have_url(f"{base}/account/login/code")
    await expect(page.locator("main")).to_contain_text("we sent a 6-digit code")
    code = await _code_in(mail, EMAIL)
    await page.fill("#ac-code", code)
    await page.click("main button[type=submit]")
    await expect(page).to_have_url(f"{base}/account")
    await expect(page.locator("main")).to_contain_text(order.name)
    shots = Path(os.environ.get("VIBESHOP_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(shots / "account-orders.png"), full_page=True)

    await page.click(f"text={order.name}")
    await expect(page).to_have_url(f"{base}/account/orders/{order.number}")
    await expect(page.locator("main")).to_contain_text("Harbor Tee")
    await expect(page.locator("main")).to_contain_text("SAN FRANCISCO")

    async with page.expect_download() as waiting:
        await page.click("aside >> text=Download my data")
    download = await waiting.value
    data = json.loads(Path(await download.path()).read_text())
    assert data["profile"]["email"] == EMAIL and [o["number"] for o in data["orders"]] == [order.number]
    assert download.suggested_filename == "my-data.json"

    await page.click("aside >> text=Delete my account")
    await expect(page).to_have_url(f"{base}/account/delete")
    await page.check("input[name=confirm]")
    await page.click("main button[type=submit]")
    await expect(page).to_have_url(f"{base}/account/login?done=erased")
    await expect(page.locator("main")).to_contain_text("Your account was deleted.")
    cookies = {c["name"] for c in await context.cookies()}
    assert "customer_session" not in cookies
    await page.goto(f"{base}/account")
    await expect(page).to_have_url(f"{base}/account/login")
    kept = store.db.read(lambda conn: conn.one("SELECT email, customer_name FROM orders WHERE id = ?", (order.id,)))
    assert kept == ("erased@erased.invalid", "")
    assert errors == []
    await context.close()
