"""Storefront routes available so far: pages, media, health."""

from __future__ import annotations

import re

from aiohttp import web

from cloud.render.pages import render_storefront_page
from cloud.server.keys import CONFIG, EXECUTORS
from cloud.server.middlewares import STORE
from cloud.server.pages import error_page
from shared.compose import PageNotFound
from shared.pages.service import PAGE_SLUG_RE

_MEDIA_NAME = re.compile(r"^[0-9a-f]{64}-\d{2,4}\.webp$")


async def home(request: web.Request) -> web.StreamResponse:
    """GET / : the published home page."""
    return await _page(request, "home")


async def page(request: web.Request) -> web.StreamResponse:
    """GET /pages/{slug} : a published page."""
    slug = request.match_info["slug"]
    if slug == "home":
        raise web.HTTPMovedPermanently("/")
    if not PAGE_SLUG_RE.match(slug):
        return error_page(404, "Page not found", "There is no page at this address.")
    return await _page(request, slug)


async def _page(request: web.Request, slug: str) -> web.StreamResponse:
    store = request[STORE]
    executor = request.app[EXECUTORS].for_store(store.record.id)
    query = {k: v for k, v in list(request.query.items())[:50]}
    try:
        html = await render_storefront_page(store, executor, slug=slug, path=request.path, query=query,
                                            media_base=request.app[CONFIG].media_base)
    except PageNotFound:
        return error_page(404, "Page not found", "There is no page at this address.")
    return web.Response(text=html, content_type="text/html", charset="utf-8",
                        headers={"Cache-Control": "public, max-age=0, must-revalidate"})


async def media(request: web.Request) -> web.StreamResponse:
    """GET /media/{name} : a resized image, content-addressed, cached forever."""
    name = request.match_info["name"]
    if not _MEDIA_NAME.match(name):
        return error_page(404, "Not found", "No such image.")
    store = request[STORE]
    digest = name.split("-", 1)[0]
    known = store.db.read(lambda conn: _media_known(conn, digest))
    path = store.data_dir.media_dir / name
    if not known or not path.is_file():
        return error_page(404, "Not found", "No such image.")
    return web.FileResponse(path, headers={"Cache-Control": "public, max-age=31536000, immutable",
                                           "Content-Type": "image/webp"})


def _media_known(conn, digest: str) -> bool:
    """Media files are shared on disk; a store only serves the ones it owns."""
    from shared.db.repositories.content import get_media_by_hash

    return get_media_by_hash(conn, digest) is not None


async def health(_request: web.Request) -> web.StreamResponse:
    """GET /_health : the worker is up."""
    return web.json_response({"status": "ok"})


def add_routes(app: web.Application) -> None:
    """Register every route."""
    app.router.add_get("/", home)
    app.router.add_get("/pages/{slug}", page)
    app.router.add_get("/media/{name}", media)
    app.router.add_get("/_health", health)
