"""Storefront routes: shopper addresses, the theme stylesheet, sitemap, robots, media, newsletter,
health, the TLS ask."""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable

from aiohttp import web

from cloud.render.cache import CachedPage, deadline
from cloud.render.encoding import Encoded, Representation, encode_body
from cloud.render.pages import IMMUTABLE, StorefrontPage, encode_stylesheet, render_storefront
from cloud.server.keys import CONFIG, EXECUTORS, PAGE_CACHE, STORES
from cloud.server.middlewares import FIXED_HEADERS, STORE, is_https
from cloud.server.monitoring import METRICS
from cloud.server.pages import error_page
from shared.compose.scripts import CONTENT_TYPE as SCRIPT_CONTENT_TYPE
from shared.compose.scripts import SCRIPT_NAME, script_named
from shared.compose.stylesheet import STYLESHEET_NAME
from shared.customers.service import subscribe
from shared.domains.service import may_have_certificate
from shared.media.names import is_rendition_name
from shared.storefront.errors import StoreError
from shared.db.repositories.sitemap import sitemap_entries
from shared.db.repositories.storefront import get_storefront
from shared.db.repositories.versions import content_version, next_scheduled_post
from shared.db.stamps import utc_now
from shared.storefront.addresses import resolve
from shared.storefront.seo import robots_txt, sitemap_xml

# The security headers that are the same on every answer, made once into each kept page's headers.
_KEPT_HEADERS = dict(FIXED_HEADERS)


async def storefront(request: web.Request) -> web.StreamResponse:
    """GET of any shopper address: /, /pages/SLUG, /products/HANDLE[?variant=ID], /collections/HANDLE
    (filters, sorting and pagination by query), /blog, /blog/SLUG, /search?q=; anything else is the
    store's "not found" template with status 404. The table is shared/storefront/addresses.py."""
    store = request[STORE]

    async def produce() -> StorefrontPage:
        # Resolved only on a cache miss: the address depends on the store's settings (currency), which
        # are content, so a page cached at this content version already answers it.
        front = await store.db.run_read(get_storefront)
        address = resolve(request.path, _params(request), currency=front.currency, now=utc_now())
        if address.redirect is not None:
            raise web.HTTPMovedPermanently(address.redirect)
        executor = request.app[EXECUTORS].for_store(store.record.id)
        return await render_storefront(store, executor, address, path=request.path, query=_query(request),
                                       media_base=request.app[CONFIG].media_base, site_url=_base_url(request),
                                       on_failure=_failures(request), headers=_KEPT_HEADERS)

    return await _cached(request, produce)


def _query(request: web.Request) -> dict[str, str]:
    return {k: v[:500] for k, v in list(request.query.items())[:50]}


def _params(request: web.Request) -> list[tuple[str, str]]:
    """Every query parameter in order, repeated names included (filters), bounded."""
    return [(k[:100], v[:500]) for k, v in list(request.query.items())[:100]]


async def _cached(request: web.Request, produce: Callable[[], Awaitable[StorefrontPage]]) -> web.StreamResponse:
    """Serve a rendered page from the worker's cache while the store's content is unchanged, in the
    encoding the client accepts; answer a matching If-None-Match with 304."""
    store = request[STORE]
    cache = request.app[PAGE_CACHE]
    version = cache.seen_version(store.record.id)
    if version is None:         # not read within VERSION_TTL: read it on the store's own threads
        version = cache.note_version(store.record.id, await store.db.run_read(content_version))
    # The request target as sent (path and query): what every page here is a function of, without
    # building a URL per request. Two spellings of one address are just two entries.
    key = (store.record.id, request.host.lower(), request.raw_path)
    page = cache.get(key, version)
    if page is None:
        rendered = await produce()
        cache.stylesheets.remember(store.record.id, rendered.stylesheet)
        now = utc_now()
        publish = await store.db.run_read(lambda conn: next_scheduled_post(conn, now=now))
        page = CachedPage(rendered.status, version, deadline(publish, clock=cache.clock), rendered.encoded)
        # Misses are not kept (random addresses must not push real pages out), nor one shopper's page.
        if page.status == 200 and rendered.shared:
            cache.put(key, page)
    return _answer(request, page.status, page.encoded.pick(request.headers.get("Accept-Encoding", "")))


def _answer(request: web.Request, status: int, representation: Representation) -> web.Response:
    """The representation, or 304 when it is a 200 the client already holds (If-None-Match)."""
    if status == 200 and _etag_matches(request, representation.etag):
        return web.Response(status=304, headers=representation.validators)
    return web.Response(status=status, body=representation.body, headers=representation.headers)


async def stylesheet(request: web.Request) -> web.StreamResponse:
    """GET /assets/theme-HASH.css : the store's theme stylesheet that pages link, immutable under its
    content-hashed name; compressed once, sent in the encoding the client accepts. (And the storefront's
    scripts, /assets/cart-HASH.js and /assets/stock-HASH.js.)"""
    name = request.match_info["name"]
    if SCRIPT_NAME.match(name):
        return _script(request, name)
    if not STYLESHEET_NAME.match(name):
        return error_page(404, "Not found", "No such file.")
    store = request[STORE]
    sheets = request.app[PAGE_CACHE].stylesheets
    encoded = sheets.get(store.record.id, name)
    if encoded is None:
        encoded = await encode_stylesheet(store.db, name, sheets.source(store.record.id, name),
                                          headers=_KEPT_HEADERS)
        if encoded is None:
            return error_page(404, "Not found", "No such file.")
        sheets.put(store.record.id, name, encoded)
    return _answer(request, 200, encoded.pick(request.headers.get("Accept-Encoding", "")))


@functools.cache
def _encoded_script(name: str) -> Encoded:
    body = script_named(name).body          # type: ignore[union-attr] - the caller checked the name
    return encode_body(body, content_type=SCRIPT_CONTENT_TYPE, cache_control=IMMUTABLE, headers=_KEPT_HEADERS)


def _script(request: web.Request, name: str) -> web.Response:
    """GET /assets/cart-HASH.js, /assets/stock-HASH.js : the storefront's scripts (the same for every store)."""
    if script_named(name) is None:
        return error_page(404, "Not found", "No such file.")
    return _answer(request, 200, _encoded_script(name).pick(request.headers.get("Accept-Encoding", "")))


def _failures(request: web.Request) -> Callable[[str], None]:
    counter = request.app[METRICS].render_failures
    slug = request[STORE].record.slug
    return lambda reason: counter.labels(slug, reason).inc()


def _etag_matches(request: web.Request, etag: str) -> bool:
    """Whether the request's If-None-Match names this validator (weak comparison) or is `*` (any
    current representation, RFC 9110 13.1.2)."""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",")[:20]}
    return etag in tags or "*" in tags


def _base_url(request: web.Request) -> str:
    """scheme://host the shopper used (the host already resolved to this store in the middleware)."""
    return f"{'https' if is_https(request) else 'http'}://{request.host.lower()}"


async def sitemap(request: web.Request) -> web.StreamResponse:
    """GET /sitemap.xml and /sitemap-{n}.xml : every public address with its last change."""
    store = request[STORE]
    part = request.match_info.get("part")
    now = utc_now()
    entries = await store.db.run_read(lambda conn: sitemap_entries(conn, now=now))
    body = sitemap_xml(_base_url(request), entries, part=int(part) if part else None)
    if body is None:
        return error_page(404, "Not found", "No such sitemap.")
    return web.Response(text=body, content_type="application/xml", charset="utf-8",
                        headers={"Cache-Control": "public, max-age=3600"})


async def robots(request: web.Request) -> web.StreamResponse:
    """GET /robots.txt"""
    return web.Response(text=robots_txt(_base_url(request)), content_type="text/plain", charset="utf-8",
                        headers={"Cache-Control": "public, max-age=3600"})


async def media(request: web.Request) -> web.StreamResponse:
    """GET /media/{name} : a resized image, content-addressed, cached forever."""
    name = request.match_info["name"]
    if not is_rendition_name(name):
        return error_page(404, "Not found", "No such image.")
    store = request[STORE]
    digest = name.split("-", 1)[0]
    known = await store.db.run_read(lambda conn: _media_known(conn, digest))
    path = store.data_dir.media_dir / name
    if not known or not path.is_file():
        return error_page(404, "Not found", "No such image.")
    return web.FileResponse(path, headers={"Cache-Control": "public, max-age=31536000, immutable",
                                           "Content-Type": "image/webp"})


def _media_known(conn, digest: str) -> bool:
    """Media files are shared on disk; a store only serves the ones it owns."""
    from shared.db.repositories.content import get_media_by_hash

    return get_media_by_hash(conn, digest) is not None


async def tls_ask(request: web.Request) -> web.StreamResponse:
    """GET /_tls/ask?domain=HOST : Caddy's on-demand TLS asks before getting a certificate. 200 only for
    a verified custom domain or an existing store's subdomain; only our proxy may ask."""
    if request.remote not in request.app[CONFIG].trusted_proxies:
        return web.Response(status=404)
    domain = request.query.get("domain", "")[:300]
    catalog = request.app[STORES].catalog
    allowed = await catalog.call_read(may_have_certificate, catalog, hostname=domain,
                                      base_domain=request.app[CONFIG].base_domain)
    return web.Response(status=200 if allowed else 404, text="ok" if allowed else "no")


async def health(_request: web.Request) -> web.StreamResponse:
    """GET /_health : the worker is up."""
    return web.json_response({"status": "ok"})


_RETURN_TO = re.compile(r"^/(?!/)[A-Za-z0-9/_\-.]{0,300}$")


async def newsletter(request: web.Request) -> web.StreamResponse:
    """POST /newsletter (email, return_to): subscribe, then back to the page with ?subscribed=1."""
    form = await request.post()
    email = form.get("email")
    back = form.get("return_to")
    back = back if isinstance(back, str) and _RETURN_TO.match(back) else "/"
    try:
        db = request[STORE].db
        await db.call(subscribe, db, email=email if isinstance(email, str) else "")
    except StoreError:
        return error_page(422, "Check your e-mail address",
                          "That does not look like an e-mail address. Go back and try again.")
    raise web.HTTPSeeOther(f"{back}?subscribed=1")


def add_routes(app: web.Application) -> None:
    """Register every route."""
    app.router.add_get("/_health", health)
    app.router.add_get("/_tls/ask", tls_ask)
    app.router.add_get("/sitemap.xml", sitemap)
    app.router.add_get(r"/sitemap-{part:[1-9][0-9]{0,3}}.xml", sitemap)
    app.router.add_get("/robots.txt", robots)
    app.router.add_get("/media/{name}", media)
    app.router.add_get("/assets/{name}", stylesheet)
    app.router.add_post("/newsletter", newsletter)
    from cloud.server.availability import add_live_stock
    from cloud.server.cart import add_cart_routes   # it imports helpers from this module

    add_cart_routes(app)
    add_live_stock(app)     # GET /live/stock: product pages' live availability (SSE)
    # Shopper addresses all go to one handler; the patterns are listed so metrics label them by route.
    for pattern in ("/", "/pages/{slug}", "/products/{handle}", "/collections/{handle}", "/blog", "/blog/{slug}",
                    "/search", "/{tail:.*}"):
        app.router.add_get(pattern, storefront)
