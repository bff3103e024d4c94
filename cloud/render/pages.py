"""Storefront rendering: published content through the shared address table, off the event loop."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from shared.compose import PRODUCTION
from shared.storefront.addresses import Address, render_address
from shared.storefront.service import Store
from shared.vibe.executor import StoreExecutor

FailureSink = Callable[[str], None]


async def render_storefront(store: Store, executor: StoreExecutor, address: Address, *, path: str,
                            query: Mapping[str, str], media_base: str = "", site_url: str = "",
                            on_failure: FailureSink | None = None) -> tuple[int, str]:
    """(status, HTML) of an address as shoppers get it: failing blocks are left out, logged, and
    reported to on_failure with their reason."""
    # On the store's reader threads: its reads wait for nobody else's database, and the V8 work in
    # between runs in the executor's processes with the GIL free.
    status, rendered = await store.db.call_read(render_address, store.db, executor, address, path=path, query=query,
                                                mode=PRODUCTION, media_base=media_base, site_url=site_url)
    if on_failure is not None:
        for _block, result in rendered.failures:
            on_failure(str(result.code or "error"))
    return status, rendered.html
