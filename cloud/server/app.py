"""The cloud service's application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from cloud.server.config import ServeConfig
from cloud.render.cache import PageCache
from cloud.server.account import add_account_routes
from cloud.server.admin import add_admin_routes
from cloud.server.checkout import add_checkout_routes
from cloud.server.commerce import add_commerce_routes
from cloud.server.marketing import add_marketing_routes
from cloud.server.orders_stream import add_orders_stream
from cloud.server.orders_api import add_order_admin_routes
from cloud.server.keys import CONFIG, EXECUTORS, LIMITER, PAGE_CACHE, STORES, WEBHOOK_LIMITER, WORKING_COPIES
from cloud.server.monitoring import METRICS, Metrics, metrics_handler
from cloud.server.middlewares import WEBHOOK_BURST, WEBHOOK_RATE, hide_server_version
from cloud.server.pipeline import service_middleware
from cloud.server.pos import add_pos_routes
from cloud.server.pos_devices_api import add_pos_device_routes
from cloud.server.ratelimit import RateLimiter
from cloud.server.routes import add_routes
from cloud.sync.api import add_sync_routes
from cloud.sync.working_copy import WorkingCopies
from cloud.server.tenancy import StoreDirectory
from shared.storefront.service import DataDir
from shared.vibe.executor import ExecutorPool


async def _resources(app: web.Application) -> AsyncIterator[None]:
    config = app[CONFIG]
    app[STORES] = StoreDirectory(DataDir(config.data_dir), config.base_domain)
    app[EXECUTORS] = ExecutorPool(pool_size=config.executor_pool_size)
    yield
    app[EXECUTORS].close()
    app[WORKING_COPIES].close()
    app[STORES].close()


def create_app(config: ServeConfig) -> web.Application:
    """The storefront service for every store under config.data_dir."""
    hide_server_version()
    # The request line and header fields up to 16 KB (aiohttp's 8 KB limits answer in plain text): an
    # over-long one the handlers can see (a 10 KB Idempotency-Key, a 9 KB query) gets their JSON problem.
    app = web.Application(middlewares=[service_middleware], client_max_size=1024 * 1024,
                          handler_args={"max_field_size": 16 * 1024, "max_line_size": 16 * 1024})
    app[CONFIG] = config
    app[PAGE_CACHE] = PageCache()
    app[METRICS] = Metrics(app[PAGE_CACHE])
    app[WORKING_COPIES] = WorkingCopies(DataDir(config.data_dir))
    app.router.add_get("/metrics", metrics_handler)
    add_admin_routes(app)
    app[LIMITER] = RateLimiter(rate=config.rate_per_second, burst=config.rate_burst)
    app[WEBHOOK_LIMITER] = RateLimiter(rate=WEBHOOK_RATE, burst=WEBHOOK_BURST)
    app.cleanup_ctx.append(_resources)
    add_orders_stream(app)        # before /api/admin/orders/{order}; after _resources
    add_order_admin_routes(app)
    add_commerce_routes(app)      # after _resources (its tasks use the stores); before the catch-all
    add_checkout_routes(app)
    add_account_routes(app)       # the shopper's account and the admin API's customers
    add_marketing_routes(app)     # unsubscribe and cart-restore links, campaigns, their background loop
    add_pos_routes(app)           # the POS API v1; before the storefront's catch-all
    add_pos_device_routes(app)    # the admin API's POS devices (their tokens)
    add_sync_routes(app)          # before the storefront's catch-all address
    add_routes(app)
    return app
