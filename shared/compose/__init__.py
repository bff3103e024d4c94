"""The ONE page renderer: storefront + theme + page + blocks + data -> a complete HTML document.

The studio preview and the cloud both call `render_page` with the same inputs and get the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.compose.data import PagePlan, PlannedBlock, load_page_plan
from shared.compose.document import PREVIEW, PRODUCTION, compose_document
from shared.compose.stylesheet import Stylesheet, theme_stylesheet
from shared.compose.templates import template_page
from shared.db import Database
from shared.db.repositories.pages import get_page_by_slug
from shared.errors import VibeshopError
from shared.models import Page
from shared.vibe.executor import BlockResult, StoreExecutor


@dataclass(frozen=True)
class RenderedPage:
    """A rendered document, the blocks that failed in it, and the theme stylesheet it links."""

    html: str
    failures: tuple[tuple[PlannedBlock, BlockResult], ...]
    plan: PagePlan
    stylesheet: Stylesheet


class PageNotFound(VibeshopError, LookupError):
    """No such page (or, for shoppers, no published page) at that slug (code "not_found")."""

    def __init__(self, slug: str):
        super().__init__("not_found", slug)
        self.slug = slug


def compose_page(plan: PagePlan, *, executor: StoreExecutor, mode: str = PRODUCTION, media_base: str = "",
                 site_url: str = "") -> RenderedPage:
    """Render a loaded plan: every block in ONE sandbox call, then the document around them."""
    results = executor.render_page([b.job for b in plan.blocks], plan.data)
    stylesheet = theme_stylesheet(plan.theme)
    html, failures = compose_document(plan, results, stylesheet, mode=mode, media_base=media_base, site_url=site_url)
    return RenderedPage(html, tuple(failures), plan, stylesheet)


def render_page(db: Database, *, executor: StoreExecutor, slug: str, mode: str = PRODUCTION, path: str | None = None,
                query: Mapping[str, str] | None = None, cart: Mapping[str, Any] | None = None,
                media_base: str = "", now: str | None = None, drafts: bool = False, site_url: str = "") -> RenderedPage:
    """Load and render the page at `slug`. Shoppers (drafts=False) only get published pages."""
    page: Page | None = db.read(lambda conn: get_page_by_slug(conn, slug))
    if page is None or page.template is not None or (page.status != "published" and not drafts):
        raise PageNotFound(slug)
    plan = load_page_plan(db, page=page, path=path or page.path, query=query, cart=cart, media_base=media_base, now=now)
    return compose_page(plan, executor=executor, mode=mode, media_base=media_base, site_url=site_url)


def render_template(db: Database, *, executor: StoreExecutor, template: str, route: Mapping[str, Any], path: str,
                    mode: str = PRODUCTION, query: Mapping[str, str] | None = None,
                    cart: Mapping[str, Any] | None = None, media_base: str = "", now: str | None = None,
                    site_url: str = "") -> RenderedPage:
    """Render a template page (product, collection, ...) with its route data as ctx.route."""
    page, blocks = db.read(lambda conn: template_page(conn, template))
    plan = load_page_plan(db, page=page, path=path, query=query, cart=cart, media_base=media_base, now=now,
                          route=route, blocks=blocks)
    return compose_page(plan, executor=executor, mode=mode, media_base=media_base, site_url=site_url)


__all__ = ["PREVIEW", "PRODUCTION", "PageNotFound", "PagePlan", "RenderedPage", "Stylesheet", "compose_page",
           "load_page_plan", "render_page", "render_template"]
