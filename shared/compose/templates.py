"""Template pages: what a product, collection, blog, article, search, "not found" or cart address renders.

A store keeps its templates as pages (column `template`) whose blocks the merchant arranges. A store
made before templates existed, or one that never customised a template, gets the defaults below.
"""

from __future__ import annotations

from typing import Any

from shared.db import Connection
from shared.db.repositories import pages as page_repo
from shared.models import Block, Page

DEFAULTS: dict[str, tuple[str, list[tuple[str, dict[str, Any]]]]] = {
    "product": ("Product", [("main-product", {}), ("related-products", {})]),
    "collection": ("Collection", [("main-collection", {})]),
    "blog": ("Journal", [("main-blog", {})]),
    "article": ("Article", [("main-article", {}), ("newsletter", {})]),
    "search": ("Search", [("main-search", {})]),
    "not_found": ("Page not found", [("main-not-found", {})]),
}
# Templates rendered per shopper (never cached). Not in DEFAULTS yet: pages.template's CHECK (migration
# 0002) does not allow 'cart', so a customised copy could not be stored; until a migration widens it
# (a rebuild of `pages`), the cart page is this default, restyled through the theme and its CSS.
SHOPPER_DEFAULTS: dict[str, tuple[str, list[tuple[str, dict[str, Any]]]]] = {
    "cart": ("Cart", [("main-cart", {})]),
}


def default_template(template: str) -> tuple[Page, list[Block]]:
    """The built-in version of a template: a virtual page and blocks (not stored)."""
    title, blocks = DEFAULTS[template] if template in DEFAULTS else SHOPPER_DEFAULTS[template]
    page = Page(f"template-{template}", f"template-{template.replace('_', '-')}", title, "published",
                template=template)
    return page, [Block(f"{template}-{i}", page.id, kind, None, settings, i) for i, (kind, settings) in enumerate(blocks)]


def template_page(conn: Connection, template: str) -> tuple[Page, list[Block]]:
    """The store's template page and its visible blocks, or the default."""
    if template in SHOPPER_DEFAULTS:
        return default_template(template)
    if template not in DEFAULTS:
        raise KeyError(template)
    page = page_repo.get_template_page(conn, template)
    if page is None:
        return default_template(template)
    return page, page_repo.list_blocks(conn, page.id, include_hidden=False)
