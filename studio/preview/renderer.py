"""What the preview shows for an address: the shared address table rendered exactly as shoppers get
it ("published": production mode, published pages only, the bytes `vibeshop render` prints) or as the
merchant's draft ("draft": preview mode with drafts and error boxes, the bytes of
`vibeshop render --preview`). No Qt here."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from shared.compose import PREVIEW, PRODUCTION, RenderedPage
from shared.db.stamps import utc_now
from shared.storefront.addresses import render_address, resolve
from shared.storefront.service import Store
from shared.vibe.executor import StoreExecutor


@dataclass(frozen=True)
class PreviewDocument:
    """One rendered address: status, the exact bytes, and the render (for its failures and plan);
    or a redirect."""

    status: int
    body: bytes
    rendered: RenderedPage | None = None
    redirect: str | None = None


def render_preview(store: Store, executor: StoreExecutor, path_qs: str, *, published: bool) -> PreviewDocument:
    """Render `path_qs` ('/pages/about', '/collections/all?sort=title') for the preview."""
    parts = urlsplit(path_qs)
    path = parts.path or "/"
    params = parse_qsl(parts.query)
    address = resolve(path, params, currency=store.storefront().currency, now=utc_now(), drafts=not published)
    if address.redirect is not None:
        return PreviewDocument(301, b"", redirect=address.redirect)
    status, rendered = render_address(store.db, executor, address, path=path, query=dict(params),
                                      mode=PRODUCTION if published else PREVIEW, drafts=not published)
    return PreviewDocument(status, rendered.html.encode("utf-8"), rendered)
