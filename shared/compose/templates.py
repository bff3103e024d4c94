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
    "cart": ("Cart", [("main-cart", {})]),
}
# Templates rendered per shopper: their documents carry one shopper's data (the cart's lines), so they
# are never kept in a shared cache (the cloud's page cache, a CDN) and are sent with no-store. The cart
# is served by its own handler (cloud/server/cart.py), which reads the shopper's cart first.
SHOPPER_TEMPLATES: frozenset[str] = frozenset({"cart"})


def default_template(template: str) -> tuple[Page, list[Block]]:
    """The built-in version of a template: a virtual page and blocks (not stored)."""
    title, blocks = DEFAULTS[template]
    page = Page(f"template-{template}", f"template-{template.replace('_', '-')}", title, "published",
                template=template)
    return page, [Block(f"{template}-{i}", page.id, kind, None, settings, i) for i, (kind, settings) in enumerate(blocks)]


def template_page(conn: Connection, template: str) -> tuple[Page, list[Block]]:
    """The store's template page and its visible blocks, or the default."""
    if template not in DEFAULTS:
        raise KeyError(template)
    page = page_repo.get_template_page(conn, template)
    if page is None:
        return default_template(template)
    return page, page_repo.list_blocks(conn, page.id, include_hidden=False)
