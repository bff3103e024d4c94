"""Monitoring: Prometheus metrics at /metrics and one structured (JSON) log line per request.

Metrics are per worker process: a scraper scrapes every worker (each listens on its own port
behind the balancer), or the deployment sets PROMETHEUS_MULTIPROC_DIR (prometheus-client's
multiprocess mode) so that one /metrics sums them.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

from cloud.server.keys import CONFIG
from cloud.server.middlewares import STORE

access_log = logging.getLogger("vibeshop.access")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Metrics:
    """The service's metrics, in a registry of their own (tests make several apps in one process)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("vibeshop_http_requests_total", "HTTP requests answered",
                                ["store", "route", "method", "status"], registry=self.registry)
        self.latency = Histogram("vibeshop_http_request_duration_seconds", "Time to answer a request",
                                 ["route"], registry=self.registry,
                                 buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0))
        self.render_failures = Counter("vibeshop_block_render_failures_total",
                                       "Blocks left out of a storefront page because they failed",
                                       ["store", "reason"], registry=self.registry)
        self.cache = Counter("vibeshop_page_cache_total", "Page cache lookups", ["result"], registry=self.registry)
        self._children: dict[tuple[str, ...], tuple[Any, Any]] = {}

    def observe_request(self, store: str, route: str, method: str, status: str, seconds: float) -> None:
        """Count and time one request (label children are looked up once per combination)."""
        key = (store, route, method, status)
        children = self._children.get(key)
        if children is None:
            children = (self.requests.labels(store, route, method, status), self.latency.labels(route))
            if len(self._children) < 50_000:
                self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)


METRICS = web.AppKey("metrics", Metrics)


def route_name(request: web.Request) -> str:
    """The route's pattern (bounded cardinality), not the raw path."""
    resource = request.match_info.route.resource if request.match_info.route else None
    return resource.canonical if resource is not None else "unmatched"


@web.middleware
async def monitoring_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Time every request, count it, and log it as one JSON line."""
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        elapsed = time.perf_counter() - started
        opened = request.get(STORE)
        store = opened.record.slug if opened is not None else "-"
        route = route_name(request)
        request.app[METRICS].observe_request(store, route, request.method, str(status), elapsed)
        if access_log.isEnabledFor(logging.INFO):
            access_log.info(json.dumps({
                "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()), "store": store, "method": request.method,
                "path": request.path[:300], "route": route, "status": status, "ms": round(elapsed * 1000, 2),
                "client": request.remote,
            }))


async def metrics_handler(request: web.Request) -> web.Response:
    """GET /metrics : Prometheus text format, for scrapers on this machine or behind our proxy only."""
    if request.remote not in request.app[CONFIG].trusted_proxies or "X-Forwarded-For" in request.headers:
        raise web.HTTPNotFound()
    body = generate_latest(request.app[METRICS].registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
