"""Assembles the HTML document from a page plan and the blocks' HTML: the same bytes for the studio
preview and the storefront. Preview-only overlays are injected by the studio, never here."""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from typing import Any

from shared.catalog.views import plain_text
from shared.compose.data import FOOTER, HEADER, PagePlan, PlannedBlock
from shared.compose.theme import theme_css
from shared.vibe.executor import BlockResult

log = logging.getLogger(__name__)
PREVIEW, PRODUCTION = "preview", "production"


def _attr(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _route_title(route: dict[str, Any]) -> tuple[str | None, str | None]:
    """(title, description) a template's route gives the document, if any."""
    kind = route.get("type")
    if kind == "product" and route.get("product"):
        return route["product"]["title"], route["product"].get("description", "")[:300]
    if kind == "collection" and route.get("collection"):
        return route["collection"]["title"], route["collection"].get("description")
    if kind == "article" and route.get("post"):
        return route["post"]["title"], route["post"].get("excerpt")
    if kind == "search":
        return (f"Search: {route['query']}" if route.get("query") else "Search"), None
    if kind == "not_found":
        return "Page not found", None
    return None, None


def _head(plan: PagePlan, *, media_base: str) -> str:
    store, page = plan.storefront, plan.page
    is_home = page.slug == "home"
    route_title, route_description = _route_title(plan.data.shared.get("route") or {})
    own_title = page.seo_title if page.template is None else ""        # a template's SEO is its route's
    own_description = page.seo_description if page.template is None else ""
    title = own_title or (store.settings.get("seo_title") or store.name if is_home else
                               f"{route_title or page.title} – {store.name}")
    description = (own_description or route_description or store.settings.get("seo_description")
                   or store.settings.get("tagline", ""))
    lines = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>",
    ]
    if description:
        lines.append(f'<meta name="description" content="{_attr(plain_text(description)[:320])}">')
    if page.canonical_url:
        lines.append(f'<link rel="canonical" href="{_attr(page.canonical_url)}">')
    if page.noindex:
        lines.append('<meta name="robots" content="noindex">')
    lines.append(f'<meta property="og:title" content="{_attr(title)}">')
    lines.append('<meta property="og:type" content="website">')
    if description:
        lines.append(f'<meta property="og:description" content="{_attr(plain_text(description)[:320])}">')
    if plan.social_image:
        img = plan.social_image
        width = max(img["widths"]) if img["widths"] else img["width"]
        url = f"{media_base.rstrip('/')}/media/{img['hash']}-{width}.{img['format']}"
        lines.append(f'<meta property="og:image" content="{_attr(url)}">')
    lines.append('<meta name="generator" content="Vibeshop">')
    lines.append(f"<style>\n{theme_css(plan.theme)}</style>")
    return "\n".join(lines)


def _error_box(block: PlannedBlock, result: BlockResult) -> str:
    return (f'<div class="vs-block-error" role="alert"><strong>{html.escape(block.name)}</strong>'
            f"<p>{html.escape(result.error or '')}</p></div>")


def _wrap(block: PlannedBlock, inner: str) -> str:
    kind = _attr(block.job.kind)
    return (f'<div class="vs-block vs-block--{kind}" data-block-id="{_attr(block.job.block_id)}" '
            f'data-block-kind="{kind}">{inner}</div>')


def compose_document(plan: PagePlan, results: Sequence[BlockResult], *, mode: str = PRODUCTION,
                     media_base: str = "") -> tuple[str, list[tuple[PlannedBlock, BlockResult]]]:
    """The complete HTML document, and the blocks that failed (left out in production, shown as an
    error box in preview)."""
    failures: list[tuple[PlannedBlock, BlockResult]] = []
    regions: dict[str, list[str]] = {HEADER: [], "main": [], FOOTER: []}
    for block, result in zip(plan.blocks, results, strict=True):
        if result.ok:
            regions[block.region].append(_wrap(block, result.html or ""))
            continue
        failures.append((block, result))
        if mode == PREVIEW:
            regions[block.region].append(_wrap(block, _error_box(block, result)))
        else:
            log.warning("store %s page %s: block %s (%s) left out: %s", plan.storefront.slug, plan.page.slug,
                        block.job.block_id, block.name, result.error)
    lang = plan.storefront.locale.split("-")[0] or "en"
    body = "\n".join([
        '<a class="vs-skip" href="#main">Skip to content</a>',
        *regions[HEADER],
        '<main id="main">', *regions["main"], "</main>",
        *regions[FOOTER],
    ])
    doc = (f'<!doctype html>\n<html lang="{_attr(lang)}">\n<head>\n{_head(plan, media_base=media_base)}\n</head>\n'
           f'<body class="vs-body vs-theme--{_attr(plan.theme.preset)}">\n{body}\n</body>\n</html>\n')
    return doc, failures
