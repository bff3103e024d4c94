"""The cloud service's application factory."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

from aiohttp import web

from cloud.server.config import ServeConfig
from cloud.render.cache import PageCache
from cloud.server.admin import add_admin_routes
from cloud.server.keys import CONFIG, EXECUTORS, LIMITER, PAGE_CACHE, STORES
from cloud.server.middlewares import (
    csrf_middleware,
    rate_limit_middleware,
    security_headers_middleware,
    tenant_middleware,
)
from cloud.server.monitoring import METRICS, Metrics, metrics_handler, monitoring_middleware
from cloud.server.ratelimit import RateLimiter
from cloud.server.pages import error_page
from cloud.server.routes import add_routes
from cloud.server.tenancy import StoreDirectory
from shared.storefront.service import DataDir
from shared.vibe.executor import ExecutorPool


async def _resources(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    app[STORES] = StoreDirectory(DataDir(config.data_dir), config.base_domain)
    app[EXECUTORS] = ExecutorPool(pool_size=config.executor_pool_size)
    yield
    app[EXECUTORS].close()
    app[STORES].close()


_MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    404: ("Page not found", "There is no page at this address."),
    405: ("Method not allowed", "This address does not accept that kind of request."),
    413: ("Too large", "What was sent is larger than this address accepts."),
}


@web.middleware
async def _error_pages_middleware(request: web.Request, handler) -> web.StreamResponse:
    """aiohttp's own 4xx answers (no route, wrong method, body too large) as clear pages: JSON under
    /api/, HTML elsewhere; anything unexpected as a plain 500 page, never a stack trace."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or exc.status in (401, 403) and exc.text and not exc.text.startswith(f"{exc.status}:"):
            raise
        title, message = _MESSAGES.get(exc.status, (exc.reason, "The request could not be answered."))
        if request.path.startswith("/api/"):
            return web.json_response({"error": {"status": exc.status, "message": message}}, status=exc.status)
        return error_page(exc.status, title, message)
    except Exception:
        logging.getLogger(__name__).exception("unexpected error on %s %s", request.method, request.path)
        if request.path.startswith("/api/"):
            return web.json_response({"error": {"status": 500, "message": "Something went wrong on our side."}},
                                     status=500)
        return error_page(500, "Something went wrong", "Something went wrong on our side. Please try again.")


def create_app(config: ServeConfig) -> web.Application:
    """The storefront service for every store under config.data_dir."""
    app = web.Application(middlewares=[monitoring_middleware, security_headers_middleware, rate_limit_middleware,
                                       csrf_middleware, _error_pages_middleware, tenant_middleware],
                          client_max_size=1024 * 1024)
    app[CONFIG] = config
    app[PAGE_CACHE] = PageCache()
    app[METRICS] = Metrics(app[PAGE_CACHE])
    app.router.add_get("/metrics", metrics_handler)
    add_admin_routes(app)
    app[LIMITER] = RateLimiter(rate=config.rate_per_second, burst=config.rate_burst)
    app.cleanup_ctx.append(_resources)
    add_routes(app)
    return app
