"""Storefront rendering: load published content, run the shared composer off the event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

from shared.compose import PRODUCTION, RenderedPage, render_page, render_template
from shared.db import Connection
from shared.storefront.routes import not_found_route
from shared.storefront.service import Store
from shared.vibe.executor import StoreExecutor

RouteLoader = Callable[[Connection], Mapping[str, Any] | None]


FailureSink = Callable[[str], None]


def _report(rendered: RenderedPage, on_failure: FailureSink | None) -> None:
    if on_failure is not None:
        for _block, result in rendered.failures:
            on_failure(str(result.code or "error"))


async def render_storefront_page(store: Store, executor: StoreExecutor, *, slug: str, path: str,
                                 query: Mapping[str, str], media_base: str = "", site_url: str = "",
                                 on_failure: FailureSink | None = None) -> str:
    """The published page at `slug` as shoppers get it (failing blocks left out, logged, and reported
    to on_failure with their reason)."""
    rendered = await asyncio.to_thread(render_page, store.db, executor=executor, slug=slug, mode=PRODUCTION,
                                       path=path, query=query, media_base=media_base, site_url=site_url)
    _report(rendered, on_failure)
    return rendered.html


async def render_storefront_template(store: Store, executor: StoreExecutor, *, template: str, load: RouteLoader,
                                     path: str, query: Mapping[str, str], media_base: str = "",
                                     site_url: str = "", on_failure: FailureSink | None = None) -> tuple[int, str]:
    """(status, HTML) of a template address: 200 with the template, or 404 with the not-found template
    when the loader finds nothing (an unknown product, collection or post)."""
    def work() -> tuple[int, str]:
        route = store.db.read(load)
        status, name = (200, template) if route is not None else (404, "not_found")
        rendered = render_template(store.db, executor=executor, template=name,
                                   route=route if route is not None else not_found_route(path),
                                   path=path, query=query, mode=PRODUCTION, media_base=media_base,
                                   site_url=site_url)
        _report(rendered, on_failure)
        return status, rendered.html

    return await asyncio.to_thread(work)
