"""Middlewares: resolve the store from the Host header once; security headers on every response."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from cloud.server.keys import CONFIG, STORES
from cloud.server.pages import error_page
from cloud.server.tenancy import hostname_of
from shared.storefront.service import Store

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
STORE = web.RequestKey("store", Store)
# Paths served without a store (health checks, Caddy's on-demand TLS ask, metrics).
_STORELESS = ("/_health",)


@web.middleware
async def tenant_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Attach the store named by the Host header, or answer 404 / 503 for shoppers."""
    if request.path.startswith(_STORELESS):
        return await handler(request)
    directory = request.app[STORES]
    store = directory.store_for(hostname_of(request.host or ""))
    if store is None:
        hint = ""
        if request.app[CONFIG].dev_hints:
            port = request.url.port or 80
            links = [f"http://{slug}.{directory.base_domain}:{port}/" for slug in directory.slugs()]
            hint = "Stores here: " + ", ".join(links) if links else "There are no stores here yet."
        return error_page(404, "Store not found", f"No store answers at this address. {hint}".strip())
    status = store.record.status
    if status == "inactive":
        return error_page(404, "Store not found", "This store is not open.")
    if status == "suspended":
        return error_page(503, "Store unavailable", "This store is temporarily unavailable.")
    request[STORE] = store
    return await handler(request)


@web.middleware
async def security_headers_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Headers every response carries."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        response = exc
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    if isinstance(response, web.HTTPException):
        raise response
    return response
