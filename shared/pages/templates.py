"""Customising a template (product, collection, blog, article, search, not found, cart): until a merchant
changes one, the store renders the built-in default; the first change stores it as a page with the
default blocks, which the merchant then arranges like any page."""

from __future__ import annotations

from dataclasses import replace

from shared.compose.templates import DEFAULTS, default_template
from shared.db import Connection, Database
from shared.db.repositories import pages as repo
from shared.db.stamps import new_id, utc_now
from shared.models import Page
from shared.pages.errors import PageError, PageErrorCode


def template_titles() -> dict[str, str]:
    """Template name -> the title shown to merchants."""
    return {name: title for name, (title, _blocks) in DEFAULTS.items()}


def customize_template(db: Database, *, template: str) -> Page:
    """The store's page for `template`, created from the default the first time.

    Raises PageError: NOT_FOUND for an unknown template; DUPLICATE_SLUG when an ordinary page holds the
    template's address (a store could make a page at 'template-cart' before the cart was a template)."""
    if template not in DEFAULTS:
        raise PageError(PageErrorCode.NOT_FOUND, f"No template '{template}'", field="template")

    def write(conn: Connection) -> Page:
        existing = repo.get_template_page(conn, template)
        if existing is not None:
            return existing
        virtual, blocks = default_template(template)
        squatter = repo.get_page_by_slug(conn, virtual.slug)
        if squatter is not None:
            raise PageError(PageErrorCode.DUPLICATE_SLUG, f"The page '{squatter.title}' uses the address "
                            f"'{virtual.slug}', which the {virtual.title.lower()} template needs: give that "
                            "page another address first", field="slug")
        now = utc_now()
        page = replace(virtual, id=new_id(), position=0, created_at=now, updated_at=now, published_at=now)
        repo.insert_page(conn, page)
        for block in blocks:
            repo.insert_block(conn, replace(block, id=new_id(), page_id=page.id, created_at=now, updated_at=now))
        return page

    return db.write(write)
