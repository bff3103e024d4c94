"""Typed application keys: every shared resource of the aiohttp app, in one place."""

from __future__ import annotations

from aiohttp import web

from cloud.render.cache import PageCache
from cloud.server.config import ServeConfig
from cloud.server.ratelimit import RateLimiter
from cloud.server.tenancy import StoreDirectory
from cloud.sync.working_copy import WorkingCopies
from shared.vibe.executor import ExecutorPool

CONFIG = web.AppKey("config", ServeConfig)
STORES = web.AppKey("stores", StoreDirectory)
EXECUTORS = web.AppKey("executors", ExecutorPool)
PAGE_CACHE = web.AppKey("page_cache", PageCache)
LIMITER = web.AppKey("limiter", RateLimiter)
WEBHOOK_LIMITER = web.AppKey("webhook_limiter", RateLimiter)
# Each store's working copy: the sync API's, and the admin API's (an image uploaded there reaches devices).
WORKING_COPIES = web.AppKey("working_copies", WorkingCopies)
