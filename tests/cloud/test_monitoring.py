"""/metrics in Prometheus text format, JSON request logs, and the shipped alert rules."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from shared.storefront.service import DataDir, open_store

DEMO = {"Host": "demo.localhost"}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def client(aiohttp_client, demo_dir: Path):
    return await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir)))


def _samples(text: str) -> dict[str, list]:
    return {family.name: family.samples for family in text_string_to_metric_families(text)}


async def test_metrics_count_requests_by_store_route_and_status(client) -> None:
    await client.get("/", headers=DEMO)
    await client.get("/", headers=DEMO)
    await client.get("/products/harbor-classic-tee", headers=DEMO)
    await client.get("/nope", headers=DEMO)
    response = await client.get("/metrics")
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/plain")
    samples = _samples(await response.text())
    requests = {(s.labels["store"], s.labels["route"], s.labels["status"]): s.value
                for s in samples["vibeshop_http_requests"] if s.name.endswith("_total")}
    assert requests[("demo", "/", "200")] == 2
    assert requests[("demo", "/products/{handle}", "200")] == 1
    assert requests[("demo", "/{tail}", "404")] == 1
    cache = {s.labels["result"]: s.value for s in samples["vibeshop_page_cache"] if s.name.endswith("_total")}
    assert cache["hit"] >= 1 and cache["miss"] >= 2
    assert any(s.name == "vibeshop_http_request_duration_seconds_count" for s in
               samples["vibeshop_http_request_duration_seconds"])


async def test_block_failures_are_counted_by_reason(client, demo_dir: Path) -> None:
    store = open_store(DataDir(demo_dir), "demo")
    try:
        store.db.write(lambda c: c.execute(
            "UPDATE blocks SET kind = 'custom', code = ? WHERE kind = 'hero'",
            ("function render() { throw new Error('broken on purpose'); }",)))
    finally:
        store.close()
    page = await client.get("/", headers=DEMO)
    assert page.status == 200 and "broken on purpose" not in await page.text()
    samples = _samples(await (await client.get("/metrics")).text())
    failures = {(s.labels["store"], s.labels["reason"]): s.value
                for s in samples["vibeshop_block_render_failures"] if s.name.endswith("_total")}
    assert failures[("demo", "error")] == 1


async def test_metrics_are_not_served_to_the_outside(client) -> None:
    assert (await client.get("/metrics", headers={"X-Forwarded-For": "198.51.100.4"})).status == 404


async def test_each_request_is_one_json_log_line(client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="vibeshop.access"):
        await client.get("/pages/about", headers=DEMO)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "vibeshop.access"]
    assert len(lines) == 1
    line = lines[0]
    assert line["store"] == "demo" and line["route"] == "/pages/{slug}" and line["status"] == 200
    assert line["path"] == "/pages/about" and line["ms"] > 0 and line["method"] == "GET"


def test_alert_rules_cover_errors_latency_and_render_failures() -> None:
    rules = (ROOT / "deploy" / "alerts.yml").read_text(encoding="utf-8")
    names = re.findall(r"- alert: (\w+)", rules)
    assert {"VibeshopHighErrorRate", "VibeshopSlowResponses", "VibeshopBlockRenderFailures"} <= set(names)
    for metric in ("vibeshop_http_requests_total", "vibeshop_http_request_duration_seconds_bucket",
                   "vibeshop_block_render_failures_total"):
        assert metric in rules
