"""Storefront rendering: published content through the shared address table, off the event loop,
into the bytes that are sent (compressed there too, once per render)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from cloud.render.encoding import Encoded, encode_body
from shared.compose import PRODUCTION, Stylesheet
from shared.compose.stylesheet import CONTENT_TYPE as CSS_CONTENT_TYPE
from shared.compose.stylesheet import current_stylesheet
from shared.compose.templates import SHOPPER_TEMPLATES
from shared.db import Database
from shared.storefront.addresses import Address, render_address
from shared.storefront.service import Store
from shared.vibe.executor import StoreExecutor

FailureSink = Callable[[str], None]
HTML_CONTENT_TYPE = "text/html; charset=utf-8"
# Browsers and a CDN revalidate pages every time (cheap: ETag -> 304) and may serve a stale copy for
# 30 s while they do. A stylesheet never changes under its name.
PAGE_CACHE_CONTROL = {200: "public, max-age=0, stale-while-revalidate=30", 404: "public, max-age=0"}
IMMUTABLE = "public, max-age=31536000, immutable"
# Pages are compressed once per content version and worker, in the render thread (brotli releases the
# GIL): quality 11 costs about 30 ms for a 40 KB page and saves about 8% over quality 9.
PAGE_BROTLI_QUALITY = 11


@dataclass(frozen=True)
class StorefrontPage:
    """A rendered address as it is sent: status, body in each encoding, and the stylesheet it links;
    `shared` is False for a per-shopper template (the cart), which no cache may keep."""

    status: int
    encoded: Encoded
    stylesheet: Stylesheet
    shared: bool = True


async def render_storefront(store: Store, executor: StoreExecutor, address: Address, *, path: str,
                            query: Mapping[str, str], media_base: str = "", site_url: str = "",
                            on_failure: FailureSink | None = None,
                            headers: Mapping[str, str] | None = None) -> StorefrontPage:
    """An address as shoppers get it: failing blocks are left out, logged, and reported to on_failure
    with their reason; `headers` go on every answer with it. Only 200 pages (the ones kept in the page
    cache) are compressed: a 404 for a random address must not cost a compression. A per-shopper
    template (SHOPPER_TEMPLATES) is sent with no-store and marked not shared, so it is never kept."""
    shared = address.template not in SHOPPER_TEMPLATES

    def render() -> StorefrontPage:
        status, rendered = render_address(store.db, executor, address, path=path, query=query, mode=PRODUCTION,
                                          media_base=media_base, site_url=site_url)
        if on_failure is not None:
            for _block, result in rendered.failures:
                on_failure(str(result.code or "error"))
        encoded = encode_body(rendered.html.encode("utf-8"), content_type=HTML_CONTENT_TYPE,
                              cache_control=PAGE_CACHE_CONTROL.get(status, "no-store") if shared else "no-store",
                              compress=status == 200 and shared, brotli_quality=PAGE_BROTLI_QUALITY, headers=headers)
        return StorefrontPage(status, encoded, rendered.stylesheet, shared)

    # On the store's reader threads: its reads wait for nobody else's database, and the V8 work in
    # between runs in the executor's processes with the GIL free (so does the compression).
    return await store.db.call_read(render)


async def encode_stylesheet(db: Database, name: str, known: Stylesheet | None, *,
                            headers: Mapping[str, str] | None = None) -> Encoded | None:
    """The stylesheet `name` compressed for sending: `known` (one a page rendered here linked), or the
    store's current one; None when it is neither (a name from before a theme change that this worker
    never rendered, or a made-up one)."""
    def encode() -> Encoded | None:
        sheet = known if known is not None and known.name == name else current_stylesheet(db)
        if sheet.name != name:
            return None
        return encode_body(sheet.body, content_type=CSS_CONTENT_TYPE, cache_control=IMMUTABLE, headers=headers)

    return await db.call_read(encode)
