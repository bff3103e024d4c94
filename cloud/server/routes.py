"""Storefront routes: shopper addresses, sitemap, robots, media, newsletter, health, the TLS ask."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from aiohttp import web

from cloud.render.pages import render_storefront
from cloud.render.cache import CachedPage, deadline, etag_of
from cloud.server.keys import CONFIG, EXECUTORS, PAGE_CACHE, STORES
from cloud.server.middlewares import STORE, is_https
from cloud.server.monitoring import METRICS
from cloud.server.pages import error_page
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

# Browsers and a CDN revalidate every time (cheap: ETag -> 304) and may serve a stale copy for 30 s
# while they do.
_CACHE_CONTROL = {200: "public, max-age=0, stale-while-revalidate=30", 404: "public, max-age=0"}


async def storefront(request: web.Request) -> web.StreamResponse:
    """GET of any shopper address: /, /pages/SLUG, /products/HANDLE[?variant=ID], /collections/HANDLE
    (filters, sorting and pagination by query), /blog, /blog/SLUG, /search?q=; anything else is the
    store's "not found" template with status 404. The table is shared/storefront/addresses.py."""
    store = request[STORE]

    async def produce() -> tuple[int, str]:
        # Resolved only on a cache miss: the address depends on the store's settings (currency), which
        # are content, so a page cached at this content version already answers it.
        front = await store.db.run_read(get_storefront)
        address = resolve(request.path, _params(request), currency=front.currency, now=utc_now())
        if address.redirect is not None:
            raise web.HTTPMovedPermanently(address.redirect)
        executor = request.app[EXECUTORS].for_store(store.record.id)
        return await render_storefront(store, executor, address, path=request.path, query=_query(request),
                                       media_base=request.app[CONFIG].media_base, site_url=_base_url(request),
                                       on_failure=_failures(request))

    return await _cached(request, produce)


def _query(request: web.Request) -> dict[str, str]:
    return {k: v[:500] for k, v in list(request.query.items())[:50]}


def _params(request: web.Request) -> list[tuple[str, str]]:
    """Every query parameter in order, repeated names included (filters), bounded."""
    return [(k[:100], v[:500]) for k, v in list(request.query.items())[:100]]


async def _cached(request: web.Request, produce: Callable[[], Awaitable[tuple[int, str]]]) -> web.StreamResponse:
    """Serve a rendered page from the worker's cache while the store's content is unchanged; answer a
    matching If-None-Match with 304."""
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
        status, html = await produce()
        now = utc_now()
        publish = await store.db.run_read(lambda conn: next_scheduled_post(conn, now=now))
        page = _page(status, html, version, deadline(publish))
        if status == 200:   # misses are not kept: random addresses must not push real pages out
            cache.put(key, page)
    if page.status == 200 and _etag_matches(request, page.etag):
        return web.Response(status=304, headers=page.validators)
    return web.Response(status=page.status, body=page.body, headers=page.headers)


def _page(status: int, html: str, version: int, valid_until: float) -> CachedPage:
    """A rendered page as it is kept and sent: body encoded and headers made once, not per response."""
    etag = etag_of(html)
    validators = {"ETag": etag, "Cache-Control": _CACHE_CONTROL.get(status, "no-store")}
    return CachedPage(status, html, etag, version, valid_until, html.encode("utf-8"),
                      headers={**validators, "Content-Type": "text/html; charset=utf-8"}, validators=validators)


def _failures(request: web.Request) -> Callable[[str], None]:
    counter = request.app[METRICS].render_failures
    slug = request[STORE].record.slug
    return lambda reason: counter.labels(slug, reason).inc()


def _etag_matches(request: web.Request, etag: str) -> bool:
    """Whether the request's If-None-Match names this validator (weak or strong)."""
    header = request.headers.get("If-None-Match")
    return bool(header) and etag in {tag.strip().removeprefix("W/") for tag in header.split(",")[:20]}


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


async def cart_not_open(request: web.Request) -> web.StreamResponse:
    """POST /cart/add and GET /cart until the cart and checkout exist: an honest page, not an error."""
    name = (await request[STORE].db.run_read(get_storefront)).name
    return error_page(501, "Online ordering opens soon",
                      f"{name} is not taking orders online yet. Visit the shop, or come back soon.")


def add_routes(app: web.Application) -> None:
    """Register every route."""
    app.router.add_get("/_health", health)
    app.router.add_get("/_tls/ask", tls_ask)
    app.router.add_get("/sitemap.xml", sitemap)
    app.router.add_get(r"/sitemap-{part:[1-9][0-9]{0,3}}.xml", sitemap)
    app.router.add_get("/robots.txt", robots)
    app.router.add_get("/media/{name}", media)
    app.router.add_post("/newsletter", newsletter)
    app.router.add_post("/cart/add", cart_not_open)
    app.router.add_get("/cart", cart_not_open)
    # Shopper addresses all go to one handler; the patterns are listed so metrics label them by route.
    for pattern in ("/", "/pages/{slug}", "/products/{handle}", "/collections/{handle}", "/blog", "/blog/{slug}",
                    "/search", "/{tail:.*}"):
        app.router.add_get(pattern, storefront)
