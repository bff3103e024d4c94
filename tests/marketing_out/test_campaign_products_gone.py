"""A newsletter's featured products are read when each copy is made: a product deleted after the draft
was written is left out of the copies (no dead link), the others keep their current title, price,
picture and link, in the built-in render's HTML and text alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from shared.catalog.views import load_product_views
from shared.db.repositories import catalog
from shared.mail import outbox_entries
from shared.marketing import (create_campaign, get_campaign, preview_copy, send_due_batches, start_sending,
                              update_campaign)
from shared.marketing.errors import MarketingError
from shared.storefront.service import DataDir, open_store
from tests.marketing_out.marketing_seed import T0, seed_customers, set_rate


def test_a_product_deleted_before_sending_is_left_out(demo_dir: Path):
    store = open_store(DataDir(demo_dir), "demo")
    try:
        db = store.db
        seed_customers(db, consenting=2)
        set_rate(db, 10)
        keep, gone = db.read(lambda conn: catalog.list_product_ids(conn, limit=2))
        views = db.read(lambda conn: load_product_views(conn, [keep, gone]))
        campaign = db.write(lambda conn: create_campaign(conn, {
            "subject": "New in", "html": "<p>Fresh arrivals.</p>", "text": "Fresh arrivals.",
            "productIds": [keep, gone]}, now=T0))
        assert campaign.to_json()["productIds"] == [keep, gone]
        # deleted from the catalogue before the send (a synced change from another device, say)
        db.write(lambda conn: conn.execute("DELETE FROM products WHERE id = ?", (gone,)))
        db.write(lambda conn: start_sending(conn, campaign.row.id, now=T0))
        while db.write(lambda conn: send_due_batches(conn, now=T0.replace(hour=13))) is not None:
            pass
        copies = [json.loads(r.payload) for r in db.read(lambda conn: outbox_entries(conn, kind="email"))
                  if r.dedupe_key.startswith(f"campaign:{campaign.row.id}:customer:")]
        assert len(copies) == 2
        for copy in copies:
            assert views[keep]["title"] in copy["html"] and views[gone]["title"] not in copy["html"]
            assert f"http://shop.test/products/{views[keep]['handle']}" in copy["html"]
            assert views[keep]["title"] in copy["text"] and views[gone]["title"] not in copy["text"]
        assert db.read(lambda conn: get_campaign(conn, campaign.row.id)).row.product_ids == (keep, gone)
    finally:
        store.close()


def test_product_ids_are_checked(demo_dir: Path):
    store = open_store(DataDir(demo_dir), "demo")
    try:
        body = {"subject": "Hi", "text": "Hello", "productIds": "not-a-list"}
        with pytest.raises(MarketingError) as caught:
            store.db.write(lambda conn: create_campaign(conn, body, now=T0))
        assert caught.value.field == "productIds"
        campaign = store.db.write(lambda conn: create_campaign(conn, {"subject": "Hi", "text": "Hello"}, now=T0))
        assert campaign.to_json()["productIds"] == []
        changed = store.db.write(lambda conn: update_campaign(conn, campaign.row.id, {"productIds": ["a", "a", "b"]},
                                                              now=T0))
        assert changed.row.product_ids == ("a", "b")
    finally:
        store.close()


def test_the_built_in_render_sanitises_html_like_the_designs(demo_dir: Path):
    """HTML posted straight to the admin API (not through the studio's editor) is sanitised in the copy."""
    store = open_store(DataDir(demo_dir), "demo")
    try:
        email = store.db.read(lambda conn: preview_copy(
            conn, subject="Hi", html='<p onclick="steal()">Hello</p><script>steal()</script>', text="Hello",
            product_ids=[], site_url="http://shop.test"))
        assert "<p>Hello</p>" in email.html and "steal" not in email.html
        assert email.to == "subscriber@example.com" and email.list_unsubscribe.startswith("http://shop.test/unsubscribe")
    finally:
        store.close()
