"""Monitoring: Prometheus metrics at /metrics and one structured (JSON) log line per request.

Metrics are per worker process: a scraper scrapes every worker (each listens on its own port
behind the balancer). Request counts and latencies are kept in plain ints and floats and turned
into Prometheus families only when /metrics is scraped: prometheus-client's own Counter and
Histogram take a lock and walk several objects per observation, which cost more per cached page
than everything else the service does for it.
"""

from __future__ import annotations

import json
import logging
import time
from bisect import bisect_left
from collections.abc import Iterator

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from cloud.render.cache import PageCache
from cloud.server.keys import CONFIG
from cloud.server.middlewares import STORE

access_log = logging.getLogger("vibeshop.access")
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """The service's metrics, in a registry of their own (tests make several apps in one process)."""

    def __init__(self, page_cache: PageCache | None = None) -> None:
        self.registry = CollectorRegistry()
        self.render_failures = Counter("vibeshop_block_render_failures_total",
                                       "Blocks left out of a storefront page because they failed",
                                       ["store", "reason"], registry=self.registry)
        self.page_cache = page_cache
        # (store, route, method, status) -> requests answered
        self.requests: dict[tuple[str, str, str, str], int] = {}
        # route -> [count per bucket (LATENCY_BUCKETS, then +Inf), not cumulative] + [sum of seconds]
        self.latency: dict[str, list[float]] = {}
        self.registry.register(_RequestCollector(self))

    def observe_request(self, store: str, route: str, method: str, status: str, seconds: float) -> None:
        """Count and time one request (event loop only: plain dict and list updates, no lock)."""
        key = (store, route, method, status)
        self.requests[key] = self.requests.get(key, 0) + 1
        row = self.latency.get(route)
        if row is None:
            row = self.latency[route] = [0] * (len(LATENCY_BUCKETS) + 1) + [0.0]
        row[bisect_left(LATENCY_BUCKETS, seconds)] += 1      # the first bucket with le >= seconds
        row[-1] += seconds


class _RequestCollector(Collector):
    """Publishes Metrics' plain counts as Prometheus families when the registry is scraped."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily("vibeshop_http_requests", "HTTP requests answered",
                                       labels=["store", "route", "method", "status"])
        for key, count in list(self.metrics.requests.items()):
            requests.add_metric(key, count)
        yield requests
        latency = HistogramMetricFamily("vibeshop_http_request_duration_seconds", "Time to answer a request",
                                        labels=["route"])
        for route, row in list(self.metrics.latency.items()):
            latency.add_metric([route], _cumulative(row[:-1]), sum_value=row[-1])
        yield latency
        cache = CounterMetricFamily("vibeshop_page_cache", "Page cache lookups", labels=["result"])
        if self.metrics.page_cache is not None:
            cache.add_metric(["hit"], self.metrics.page_cache.hits)
            cache.add_metric(["miss"], self.metrics.page_cache.misses)
        yield cache


def _cumulative(counts: list[float]) -> list[tuple[str, float]]:
    """Per-bucket counts as Prometheus' cumulative (le, count) pairs, ending with +Inf."""
    pairs, total = [], 0.0
    for bound, count in zip((*map(str, LATENCY_BUCKETS), "+Inf"), counts, strict=True):
        total += count
        pairs.append((bound, total))
    return pairs


METRICS = web.AppKey("metrics", Metrics)


def route_name(request: web.Request) -> str:
    """The route's pattern (bounded cardinality), not the raw path."""
    resource = request.match_info.route.resource if request.match_info.route else None
    return resource.canonical if resource is not None else "unmatched"


def record_request(request: web.Request, status: int, seconds: float) -> None:
    """Count and time one answered request, and log it as one JSON line."""
    opened = request.get(STORE)
    store = opened.record.slug if opened is not None else "-"
    route = route_name(request)
    request.app[METRICS].observe_request(store, route, request.method, str(status), seconds)
    if access_log.isEnabledFor(logging.INFO):
        access_log.info(json.dumps({
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()), "store": store, "method": request.method,
            "path": request.path[:300], "route": route, "status": status, "ms": round(seconds * 1000, 2),
            "client": request.remote,
        }))


async def metrics_handler(request: web.Request) -> web.Response:
    """GET /metrics : Prometheus text format, for scrapers on this machine or behind our proxy only."""
    if request.remote not in request.app[CONFIG].trusted_proxies or "X-Forwarded-For" in request.headers:
        raise web.HTTPNotFound()
    body = generate_latest(request.app[METRICS].registry)
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
