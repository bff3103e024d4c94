"""Every message kind made from a design: its facts in both parts, CSS inlined, the fallbacks, and the
preview's bytes equal to the bytes the outbox gets."""

from __future__ import annotations

import json
import re

import pytest

from shared.db.repositories import outbox as outbox_repo
from shared.mail import enqueue_email, render_shipping_confirmation
from shared.mail.designs import KINDS, Design, DesignBlock, default_design, using_designs
from shared.mail.designs.samples import render_kind, sample_order
from shared.mail.designs.service import reset_design, save_design

EXPECTED = {
    "order_confirmation": ("Order #1001 confirmed", ["#1001", "Linen shirt", "$97.30", "12 Analytical Row"]),
    "shipping_confirmation": ("Order #1001 is on the way", ["RM123456789GB", "Royal Mail",
                                                            "https://track.example/RM123456789GB"]),
    "ready_for_pickup": ("Order #1001 is ready for pickup", ["The shop on Market Street", "To pay at the counter"]),
    "order_cancelled": ("Order #1001 has been cancelled", ["Out of stock", "A refund of"]),
    "order_refunded": ("Refund for order #1001", ["$19.00", "Damaged in transit", "Canvas tote"]),
    "sign_in_code": ("482913 is your sign-in code for Fern & Co", ["482913", "10 minutes"]),
    "abandoned_checkout": ("You left something in your cart", ["/cart/restore/sample", "Unsubscribe"]),
    "newsletter": ("News from Fern & Co", ["Linen shirt", "Our winter linen is in", "/unsubscribe/sample",
                                           "Unsubscribe"]),
}


def _text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&amp;", "&")


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_renders_from_its_design_with_its_data(db, branding, kind):
    assert set(EXPECTED) == set(KINDS)
    save_design(db, default_design(kind))
    with using_designs(db):
        email = render_kind(kind, branding)
    subject, facts = EXPECTED[kind]
    assert email.subject == subject
    assert 'class="em-card em-wrap"' in email.html           # made by the design's document, not the built-in template
    for fact in facts:
        assert fact in _text_of(email.html) or fact in email.html, fact
        assert fact in email.text or fact == "Unsubscribe" and "Unsubscribe:" in email.text, fact
    assert "<" not in email.text
    assert email.from_name == "Fern & Co" and email.reply_to == "hello@fern.example"


def test_css_is_inlined_only_the_phone_rule_stays_in_a_style(db, branding):
    save_design(db, default_design("order_confirmation"))
    with using_designs(db):
        html = render_kind("order_confirmation", branding).html
    button = re.search(r'<a class="em-button"[^>]*>', html).group(0)
    assert "style=" in button and "color: #ffffff" in button
    assert re.search(r'<td class="em-button-cell"[^>]*style="[^"]*background: #0b6e4f', html)
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert styles and all(s.strip().startswith("@media") for s in styles)


def test_a_store_without_a_design_or_outside_using_designs_sends_the_builtin_template(db, branding):
    with using_designs(db):
        builtin = render_kind("order_confirmation", branding)
    assert 'class="em-card em-wrap"' not in builtin.html
    save_design(db, default_design("order_confirmation"))
    assert 'class="em-card em-wrap"' not in render_kind("order_confirmation", branding).html      # no store named
    disabled = Design("order_confirmation", default_design("order_confirmation").blocks, enabled=False)
    save_design(db, disabled)
    with using_designs(db):
        assert render_kind("order_confirmation", branding).html == builtin.html
    save_design(db, default_design("order_confirmation"))
    assert reset_design(db, "order_confirmation")
    with using_designs(db):
        assert render_kind("order_confirmation", branding).html == builtin.html


def test_subject_and_settings_of_a_design_are_used(db, branding):
    design = Design("shipping_confirmation", (DesignBlock("email-heading", {"heading": "{store}: {number} left us"}),
                                              DesignBlock("email-tracking", {"label": "Where is it?"})),
                    subject="{number} shipped by {store}")
    save_design(db, design)
    with using_designs(db):
        email = render_kind("shipping_confirmation", branding)
    assert email.subject == "#1001 shipped by Fern & Co"
    assert "Fern &amp; Co: #1001 left us" in email.html and "Where is it?" in email.html


def test_hidden_blocks_are_left_out(db, branding):
    design = Design("newsletter", (DesignBlock("email-heading", {"heading": "Shown"}),
                                   DesignBlock("email-heading", {"heading": "Not shown"}, hidden=True)))
    save_design(db, design)
    with using_designs(db):
        email = render_kind("newsletter", branding)
    assert "Shown" in email.html and "Not shown" not in email.html


def test_preview_bytes_are_the_bytes_the_outbox_gets(db, branding):
    """The studio's path (render_kind inside using_designs(db)) and the order services' path (the render
    function inside the order's write, using_designs(conn), then enqueue_email) give the same e-mail."""
    save_design(db, Design("shipping_confirmation", default_design("shipping_confirmation").blocks,
                           subject="On its way: {number}"))
    with using_designs(db):
        preview = render_kind("shipping_confirmation", branding)
    order = sample_order()

    def write(conn):
        with using_designs(conn):
            email = render_shipping_confirmation(order, branding, shipped=order.lines, carrier="Royal Mail",
                                                 tracking_number="RM123456789GB",
                                                 tracking_url="https://track.example/RM123456789GB")
        return enqueue_email(conn, email, dedupe_key="order:1:shipping:1")
    row_id = db.write(write)
    row = db.read(lambda conn: outbox_repo.get_row(conn, row_id))
    payload = row.payload if isinstance(row.payload, dict) else json.loads(row.payload)
    assert payload["html"].encode() == preview.html.encode()
    assert payload["text"].encode() == preview.text.encode()
    assert payload["subject"] == preview.subject == "On its way: #1001"


def test_a_campaign_body_is_sanitised_and_the_unsubscribe_line_cannot_be_designed_away(db, branding):
    from shared.mail.designs import message_data, render_message

    save_design(db, Design("newsletter", (DesignBlock("email-text", {"text": ""}),)))   # no footer at all
    data = message_data("newsletter", branding, subject="Hello", preheader="", to="a@example.com",
                        body_html='<p>Hi<script>alert(1)</script><img src=x onerror="alert(2)"></p>',
                        unsubscribe_url="https://fern.example/unsubscribe/t0k")
    email = render_message(db, "newsletter", data)
    assert "<script" not in email.html and "onerror" not in email.html and "Hi" in email.html
    assert 'href="https://fern.example/unsubscribe/t0k"' in email.html
    assert "Unsubscribe: https://fern.example/unsubscribe/t0k" in email.text
    reset_design(db, "newsletter")
    assert "Unsubscribe" in render_message(db, "newsletter", data).html          # the default arrangement
