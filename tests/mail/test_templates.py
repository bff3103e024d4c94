"""The order e-mails: both parts, every merchant and shopper string escaped, the store's colours, the
storefront's money format, delivery and pickup details; and the HTML part as a browser shows it."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.async_api import async_playwright

from orders import branding, pickup_order, shipped_order, usd
from shared.mail import (MailBranding, MailError, OrderLine, OrderSummary, branding_from_theme, render_new_order,
                         render_order_confirmation)
from shared.models import Theme
from shared.models.money import Money
from shared.models.money_format import format_money
from support import parse
from support_browser import CHROMIUM, FLAGS



def test_the_confirmation_has_both_parts_the_lines_the_totals_and_the_delivery():
    email = render_order_confirmation(shipped_order(), branding())

    assert (email.to, email.subject, email.from_name) == ("jane@example.com", "Order #1001 confirmed", "North Goods")
    for part in (email.text, email.html):
        for expected in ("Harbor Tee", "Large / Navy", "$48.00", "$66.00", "WELCOME10", "$6.60", "$5.00",
                         "$4.75", "$69.15", "12 Pine Street", "Portland OR 97205", "Standard (3-5 business days)",
                         "Visa ending in 4242", "https://north-goods.example/orders/tok_abc123"):
            assert expected in part, expected
    document = parse(email.html)
    [cell] = [td for td in document.iter("td") if td.get("class") == "button"]
    [button] = cell.iter("a")
    assert button.text == "View your order" and button.get("href") == "https://north-goods.example/orders/tok_abc123"
    assert "background: #1559a8" in cell.get("style")                    # the theme's accent, inlined
    assert [s.text for s in document.iter("style")] and all("@media" in s.text for s in document.iter("style"))


def test_pickup_shows_the_location_and_its_instructions():
    email = render_order_confirmation(pickup_order(), branding())

    for part in (email.text, email.html):
        assert "ready for pickup at Pine Street shop" in part
        assert "200 Pine Street" in part and "Usually ready in 2 hours" in part and "Pay in store at pickup" in part
        assert "Shipping address" not in part


def test_every_merchant_and_shopper_string_is_escaped():
    evil = "<script>alert(1)</script>"
    order = shipped_order(customer_name='Jane "><img src=x onerror=alert(1)>',
                          lines=(OrderLine(title=evil, variant="<b>XL</b>", quantity=1, unit_price=usd(100),
                                           line_total=usd(100)),),
                          discounts=(), subtotal=usd(100), total=usd(100), tax=usd(0), shipping=None)
    brand = replace(branding(), store_name="<i>North</i> & Co")

    for email in (render_order_confirmation(order, brand), render_new_order(order, brand, to="owner@shop.test")):
        assert "<script>" not in email.html and "<img src=x" not in email.html and "<i>North" not in email.html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in email.html and "&lt;b&gt;XL&lt;/b&gt;" in email.html
        assert "&lt;i&gt;North&lt;/i&gt; &amp; Co" in email.html
        assert evil in email.text                       # the text part is plain text: nothing to escape


def test_unsafe_urls_and_colours_are_refused_or_dropped():
    with pytest.raises(MailError):
        render_order_confirmation(shipped_order(status_url="javascript:alert(1)"), branding())
    brand = MailBranding(store_name="N", logo_url="javascript:alert(1)", store_url="data:text/html,x",
                         accent="red;} body{display:none", font_stack="x</style><script>")
    assert (brand.logo_url, brand.store_url, brand.accent) == (None, None, "#1559a8")
    assert "<script>" not in render_order_confirmation(shipped_order(), brand).html


def test_money_is_in_the_storefronts_format_for_every_currency():
    yen = Money(2400, "JPY")
    order = shipped_order(lines=(OrderLine(title="Tea", quantity=1, unit_price=yen, line_total=yen),),
                          subtotal=yen, discounts=(), shipping=Money(0, "JPY"), tax=Money(218, "JPY"),
                          total=yen, taxes_included=True)
    email = render_order_confirmation(order, branding())
    assert "¥2,400" in email.html and "Including ¥218 in taxes" in email.text and "Shipping: Free" in email.text
    assert format_money(Money(123450, "EUR"), "de-DE") == "1.234,50\xa0€"
    assert format_money(Money(123456, "IQD")) == "IQD\xa0123.456"          # the ISO table's 3 digits
    assert format_money(Money(-1999, "USD")) == "-$19.99"


def test_the_merchant_gets_a_new_order_email_that_replies_to_the_shopper():
    email = render_new_order(shipped_order(admin_url="https://admin.vibeshop.test/orders/1"), branding(),
                             to="owner@north-goods.example")

    assert email.to == "owner@north-goods.example" and email.reply_to == "jane@example.com"
    assert email.subject == "[North Goods] Order #1001 placed by Jane Rivera"
    assert "New order: $69.15" in email.html and "3 items" in email.text
    assert "https://admin.vibeshop.test/orders/1" in email.html


def test_branding_comes_from_the_theme_and_stays_readable_on_white():
    noir = branding_from_theme(Theme(id="t", name="Noir", preset="noir"), store_name="Night Shop",
                               logo_url="https://night.example/logo.png")
    assert (noir.accent, noir.accent_text) == ("#d4ff3a", "#0c0c0e")   # the lime button keeps its colours
    assert noir.text == "#0f172a" and noir.link == "#0f172a"            # light text would vanish on white
    market = branding_from_theme(Theme(id="t", name="Market", preset="market", settings={
        "colors": {"accent": "#225522"}}), store_name="Market")
    assert (market.accent, market.link, market.text) == ("#225522", "#225522", "#2b2119")
    assert "Seravek" in market.font_stack


def test_an_order_in_two_currencies_is_refused():
    with pytest.raises(ValueError):
        shipped_order(shipping=Money(500, "EUR"))
    with pytest.raises(ValueError):
        OrderSummary(**{**shipped_order().__dict__, "delivery_method": "pickup", "pickup": None})


def _png(color: tuple[int, int, int], size: tuple[int, int], text: str = "") -> bytes:
    image = Image.new("RGB", size, color)
    if text:
        ImageDraw.Draw(image).text((12, size[1] // 2 - 6), text, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


async def test_the_html_part_renders_in_a_browser(tmp_path: Path):
    """Chromium shows the e-mail (logo and product images served by a route): the accent button is
    there and nothing overflows at phone width. The PNGs are kept in tmp_path for a look."""
    brand = replace(branding(), logo_url="https://north-goods.example/logo.png")
    lines = tuple(replace(line, image_url=f"https://north-goods.example/p{n}.png")
                  for n, line in enumerate(shipped_order().lines))
    html = render_order_confirmation(shipped_order(lines=lines), brand).html
    images = {"/logo.png": _png((21, 89, 168), (280, 64), "NORTH GOODS"), "/p0.png": _png((30, 58, 95), (120, 120)),
              "/p1.png": _png((214, 196, 160), (120, 120))}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            for width in (680, 375):
                page = await browser.new_page(viewport={"width": width, "height": 900})
                await page.route("https://north-goods.example/**", lambda route: route.fulfill(
                    status=200, content_type="image/png",
                    body=images[route.request.url.removeprefix("https://north-goods.example")]))
                await page.set_content(html, wait_until="load")
                loaded = await page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
                overflow = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                path = tmp_path / f"order-confirmation-{width}.png"
                await page.screenshot(path=str(path), full_page=True)
                assert loaded and overflow <= 0, (width, overflow)
                with Image.open(path) as shot:
                    assert (21, 89, 168) in {shot.convert("RGB").getpixel((x, y))
                                             for x in range(0, shot.width, 4) for y in range(0, shot.height, 4)}
        finally:
            await browser.close()
