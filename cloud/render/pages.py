"""Storefront rendering: load published content, run the shared composer off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from shared.compose import PRODUCTION, render_page
from shared.storefront.service import Store
from shared.vibe.executor import StoreExecutor


async def render_storefront_page(store: Store, executor: StoreExecutor, *, slug: str, path: str,
                                 query: Mapping[str, str], media_base: str = "") -> str:
    """The published page at `slug` as shoppers get it (failing blocks left out and logged)."""
    rendered = await asyncio.to_thread(render_page, store.db, executor=executor, slug=slug, mode=PRODUCTION,
                                       path=path, query=query, media_base=media_base)
    return rendered.html
