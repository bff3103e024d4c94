"""The cart template through the page services: stored from its default (main-cart), arranged like any
page, and refused with a clear message when an ordinary page already holds its address."""

from __future__ import annotations

import pytest

from shared.compose.templates import SHOPPER_TEMPLATES, template_page
from shared.db import Database
from shared.pages.errors import PageError, PageErrorCode
from shared.pages.service import add_block, create_page
from shared.pages.templates import customize_template, template_titles
from shared.sync.errors import RowRefused


def _kinds(db: Database) -> list[str]:
    return [b.kind for b in db.read(lambda conn: template_page(conn, "cart"))[1]]


def test_the_cart_is_a_template_rendered_per_shopper(demo_store) -> None:
    db = demo_store.db
    assert template_titles()["cart"] == "Cart" and "cart" in SHOPPER_TEMPLATES
    assert _kinds(db) == ["main-cart"]                                 # the default, not stored
    page = customize_template(db, template="cart")
    assert (page.slug, page.template, page.status) == ("template-cart", "cart", "published")
    assert customize_template(db, template="cart").id == page.id       # once
    add_block(db, page_id=page.id, kind="rich-text", position=0, settings={"heading": "Free returns"})
    add_block(db, page_id=page.id, kind="newsletter")
    assert _kinds(db) == ["rich-text", "main-cart", "newsletter"]


def test_a_new_page_cannot_take_the_carts_address(demo_store) -> None:
    with pytest.raises(RowRefused, match="reserved for the cart template"):
        create_page(demo_store.db, title="Template cart", slug="template-cart")


def test_an_older_page_at_the_carts_address_is_named_not_overwritten(demo_store) -> None:
    db = demo_store.db
    # Before the cart was a template, 'template-cart' was an ordinary address: a store may hold one.
    db.write(lambda conn: conn.execute(
        "INSERT INTO pages (id, slug, title, status, created_at, updated_at) "
        "VALUES ('mine', 'template-cart', 'Template cart', 'published', '', '')"))
    with pytest.raises(PageError) as caught:
        customize_template(db, template="cart")
    assert caught.value.code == PageErrorCode.DUPLICATE_SLUG and "Template cart" in str(caught.value)
    assert db.read(lambda conn: template_page(conn, "cart"))[0].id == "template-cart"     # still the default
