"""Chromium shows a designed e-mail as a mail client would (inlined styles, table layout): the accent
button is there and nothing overflows at desktop or phone width. With VIBESHOP_DOCS_SCREENSHOTS=1 the
pictures go to docs/screenshots/ (email-*.png)."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import async_playwright

from shared.mail.designs import default_design, using_designs
from shared.mail.designs.samples import render_kind
from shared.mail.designs.service import save_design
from support_browser import CHROMIUM, FLAGS

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.mark.parametrize("kind", ["order_confirmation", "newsletter"])
async def test_a_designed_email_renders_in_a_browser(db, branding, kind, tmp_path: Path):
    def render() -> str:          # off the event loop, as the cloud does (db.run_write): V8 calls block
        save_design(db, default_design(kind))
        with using_designs(db):
            return render_kind(kind, branding).html
    html = await asyncio.to_thread(render)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            for width in (680, 375):
                page = await browser.new_page(viewport={"width": width, "height": 900})
                await page.route("**/*", lambda route: route.abort())          # a mail client fetches nothing here
                await page.set_content(html, wait_until="load")
                overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                path = tmp_path / f"email-{kind.replace('_', '-')}-{width}.png"
                await page.screenshot(path=str(path), full_page=True)
                assert overflow <= 0, (width, overflow)
                with Image.open(path) as shot:                               # the accent button (#0b6e4f)
                    assert (11, 110, 79) in {shot.convert("RGB").getpixel((x, y))
                                             for x in range(0, shot.width, 3) for y in range(0, shot.height, 3)}
                if width == 680 and os.environ.get("VIBESHOP_DOCS_SCREENSHOTS") == "1":
                    shutil.copyfile(path, DOCS / f"email-{kind.replace('_', '-')}.png")
        finally:
            await browser.close()
