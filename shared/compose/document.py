"""Assembles the HTML document from a page plan and the blocks' HTML: the same bytes for the studio
preview and the storefront. Preview-only overlays are injected by the studio, never here."""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from typing import Any

from shared.compose.data import FOOTER, HEADER, PagePlan, PlannedBlock
from shared.compose.scripts import loader
from shared.compose.seo import head_tags
from shared.compose.stylesheet import Stylesheet
from shared.vibe.executor import BlockResult

log = logging.getLogger(__name__)
PREVIEW, PRODUCTION = "preview", "production"


def _attr(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _head(plan: PagePlan, stylesheet: Stylesheet, *, media_base: str, site_url: str) -> str:
    # The stylesheet is linked, not inlined: it is the same for every page of a theme version and is
    # cached by the browser once (see shared/compose/stylesheet.py).
    lines = ['<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">',
             *head_tags(plan, media_base=media_base, site_url=site_url),
             '<meta name="generator" content="Vibeshop">', f'<link rel="stylesheet" href="{_attr(stylesheet.path)}">']
    return "\n".join(lines)


def _error_box(block: PlannedBlock, result: BlockResult) -> str:
    return (f'<div class="vs-block-error" role="alert"><strong>{html.escape(block.name)}</strong>'
            f"<p>{html.escape(result.error or '')}</p></div>")


def _wrap(block: PlannedBlock, inner: str) -> str:
    kind = _attr(block.job.kind)
    return (f'<div class="vs-block vs-block--{kind}" data-block-id="{_attr(block.job.block_id)}" '
            f'data-block-kind="{kind}">{inner}</div>')


def compose_document(plan: PagePlan, results: Sequence[BlockResult], stylesheet: Stylesheet, *,
                     mode: str = PRODUCTION, media_base: str = "",
                     site_url: str = "") -> tuple[str, list[tuple[PlannedBlock, BlockResult]]]:
    """The complete HTML document linking `stylesheet`, and the blocks that failed (left out in
    production, shown as an error box in preview)."""
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
        # The storefront's cart script (not merchant code), allowed by its hash in the CSP.
        f'<script id="vs-cart-loader">{loader()}</script>',
    ])
    head = _head(plan, stylesheet, media_base=media_base, site_url=site_url)
    doc = (f'<!doctype html>\n<html lang="{_attr(lang)}">\n<head>\n{head}\n</head>\n'
           f'<body class="vs-body vs-theme--{_attr(plan.theme.preset)}">\n{body}\n</body>\n</html>\n')
    return doc, failures
