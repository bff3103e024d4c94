"""Storefront addresses: which page or template answers a path, and rendering it.

One table for every place that turns an address into a document: the cloud storefront, the studio's
preview, `vibeshop render` and `vibeshop dev`. A path the table does not know gets the store's
"not found" template with status 404.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shared.compose import PRODUCTION, PageNotFound, RenderedPage, render_page, render_template
from shared.db import Connection, Database
from shared.pages.service import PAGE_SLUG_RE
from shared.storefront import routes as route_data
from shared.vibe.executor import StoreExecutor

RouteLoader = Callable[[Connection], Mapping[str, Any] | None]
HANDLE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,254}\Z")
HOME = "home"


@dataclass(frozen=True)
class Address:
    """What answers one path: a page (by slug), a template with its route loader, or a redirect.
    A loader reads in one read (`load`), or makes its own reads of the database (`load_from`: the
    search, which does slow work between two reads)."""

    page_slug: str | None = None
    template: str | None = None
    load: RouteLoader | None = None
    redirect: str | None = None
    load_from: Callable[[Database], Mapping[str, Any] | None] | None = None


def _not_found() -> Address:
    return Address(template="not_found", load=lambda _conn: None)


def resolve(path: str, params: Sequence[tuple[str, str]], *, currency: str, now: str, drafts: bool = False) -> Address:
    """The address at `path` (no query string; `params` are the query's pairs in order). With `drafts`
    (the studio's and `vibeshop render --preview`'s view) unpublished posts are shown too."""
    parts = path.split("/")[1:] if path.startswith("/") else []
    if parts == [""]:
        return Address(page_slug=HOME)
    if parts == ["cart"]:
        # The cart template with an empty cart (there is no shopper here): what the studio preview,
        # `vibeshop render` and `vibeshop dev` show. The cloud answers /cart in its own handler with the
        # shopper's cart, and never caches it (SHOPPER_TEMPLATES).
        return Address(template="cart", load=lambda _conn: {"type": "cart"})
    if len(parts) == 1 and parts[0] in ("blog", "search"):
        if parts[0] == "blog":
            return Address(template="blog", load=lambda conn: route_data.blog_route(conn, params=params, path=path,
                                                                                     now=now))
        return Address(template="search", load_from=lambda db: route_data.search(db, params=params, path=path))
    if len(parts) != 2:
        return _not_found()
    section, name = parts
    if section == "pages" and name == HOME:
        return Address(redirect="/")
    if section == "pages" and PAGE_SLUG_RE.match(name):
        return Address(page_slug=name)
    if section == "products" and HANDLE_RE.match(name):
        variant = next((v for k, v in params if k == "variant"), "")[:64] or None
        return Address(template="product", load=lambda conn: route_data.product_route(conn, handle=name,
                                                                                        variant_id=variant))
    if section == "collections" and HANDLE_RE.match(name):
        return Address(template="collection", load=lambda conn: route_data.collection_route(
            conn, handle=name, params=params, path=path, currency=currency))
    if section == "blog" and PAGE_SLUG_RE.match(name):
        return Address(template="article", load=lambda conn: route_data.article_route(conn, slug=name, now=now,
                                                                                              drafts=drafts))
    return _not_found()


def render_address(db: Database, executor: StoreExecutor, address: Address, *, path: str,
                   query: Mapping[str, str], mode: str = PRODUCTION, drafts: bool = False, media_base: str = "",
                   site_url: str = "") -> tuple[int, RenderedPage]:
    """(status, rendered page) for an address that is not a redirect: 200, or 404 with the not-found
    template when the page, product, collection or post does not exist (or is not published)."""
    if address.page_slug is not None:
        try:
            return 200, render_page(db, executor=executor, slug=address.page_slug, mode=mode, path=path,
                                    query=query, drafts=drafts, media_base=media_base, site_url=site_url)
        except PageNotFound:
            address = _not_found()
    assert address.template is not None, "redirects are not rendered"
    if address.load_from is not None:
        route = address.load_from(db)
    else:
        assert address.load is not None
        route = db.read(address.load)
    status, template = (200, address.template) if route is not None else (404, "not_found")
    rendered = render_template(db, executor=executor, template=template,
                               route=route if route is not None else route_data.not_found_route(path),
                               path=path, query=query, mode=mode, media_base=media_base, site_url=site_url)
    return status, rendered
