"""Security headers, rate limits, forged Host headers, oversized and malformed requests."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from cloud.server.middlewares import is_valid_host
from cloud.server.ratelimit import RateLimiter
from shared.storefront.service import DataDir, create_store

DEMO = {"Host": "demo.localhost"}


@pytest.fixture
async def client(aiohttp_client, demo_dir: Path):
    return await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir)))


async def test_every_page_carries_the_security_headers_with_a_fresh_nonce(client) -> None:
    first = await client.get("/", headers=DEMO)
    second = await client.get("/", headers=DEMO)
    for response in (first, second):
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'self'" in csp and "object-src 'none'" in csp
        assert "'unsafe-eval'" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in response.headers      # plain HTTP here
    nonces = [r.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0] for r in (first, second)]
    assert nonces[0] != nonces[1] and len(nonces[0]) >= 16
    missing = await client.get("/no-such-page", headers=DEMO)
    assert "Content-Security-Policy" in missing.headers


async def test_hsts_only_when_our_tls_proxy_says_https(client, aiohttp_client, demo_dir: Path) -> None:
    proxied = await client.get("/", headers={**DEMO, "X-Forwarded-Proto": "https"})
    assert proxied.headers["Strict-Transport-Security"].startswith("max-age=")
    untrusted = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, trusted_proxies=())))
    forged = await untrusted.get("/", headers={**DEMO, "X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in forged.headers


async def test_rate_limit_per_client_and_store(aiohttp_client, demo_dir: Path) -> None:
    create_store(DataDir(demo_dir), slug="other-shop", name="Other shop").close()
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, rate_per_second=0.01, rate_burst=3)))
    shopper = {**DEMO, "X-Forwarded-For": "203.0.113.7"}
    statuses = [(await client.get("/", headers=shopper)).status for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = await client.get("/", headers=shopper)
    assert limited.status == 429 and int(limited.headers["Retry-After"]) >= 1
    assert "Too many requests" in await limited.text()
    assert (await client.get("/", headers={**DEMO, "X-Forwarded-For": "203.0.113.8"})).status == 200
    other_store = {"Host": "other-shop.localhost", "X-Forwarded-For": "203.0.113.7"}
    assert (await client.get("/", headers=other_store)).status == 200


async def test_payment_webhooks_are_not_limited_like_a_shopper(aiohttp_client, demo_dir: Path) -> None:
    """Stripe posts every order's events from a few addresses: they have their own, far larger bucket
    per store (an unsigned post is still refused, 400 or 503, but never 429 at a shopper's rate)."""
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, rate_per_second=0.01, rate_burst=3)))
    stripe = {**DEMO, "X-Forwarded-For": "203.0.113.9", "Content-Type": "application/json"}
    statuses = {(await client.post("/webhooks/stripe", data=b"{}", headers=stripe)).status for _ in range(50)}
    assert 429 not in statuses and statuses <= {400, 503}
    assert (await client.get("/", headers=stripe)).status == 200       # the shopper bucket is untouched


def test_token_bucket_refills_and_forgets_old_keys() -> None:
    limiter = RateLimiter(rate=2.0, burst=2, max_keys=2)
    key = ("1.2.3.4", "demo.localhost")
    assert [limiter.take(key, now=0.0) for _ in range(2)] == [0.0, 0.0]
    assert limiter.take(key, now=0.0) == pytest.approx(0.5)
    assert limiter.take(key, now=0.5) == 0.0
    limiter.take(("a", "x"), now=1.0)
    limiter.take(("b", "x"), now=1.0)
    assert key not in limiter._buckets and len(limiter._buckets) == 2


@pytest.mark.parametrize("host", ["evil.example", "demo.localhost.evil.example", "demo", "localhost", "[::1]",
                                  "other-shop.localhost", "127.0.0.1:8080"])
async def test_forged_or_unknown_hosts_reach_no_store(client, host: str) -> None:
    response = await client.get("/", headers={"Host": host})
    assert response.status == 404
    assert "Harbor" not in await response.text()


async def _raw(client, head: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send a request exactly as written (no client fixes it up) and read the answer."""
    reader, writer = await asyncio.open_connection(client.server.host, client.server.port)
    writer.write(head)
    await writer.drain()
    answer = await reader.read()       # the server closes: "Connection: close" is in every head below
    writer.close()
    status_line, _, rest = answer.partition(b"\r\n")
    header_text, _, body = rest.partition(b"\r\n\r\n")
    headers = dict(line.decode("latin-1").split(": ", 1) for line in header_text.split(b"\r\n") if line)
    return int(status_line.split()[1]), {k.lower(): v for k, v in headers.items()}, body


MALFORMED_HOSTS = ["demo.localhost/../admin", "user@demo.localhost", "demo.localhost:", "demo.localhost:99999",
                   "demo.localhost:80:80", "demo localhost", "demo%2elocalhost", "demo.localhost,evil.example",
                   "x" * 300 + ".localhost", "-demo.localhost", "demo..localhost", "[::1", "[not-an-ip]:80", "",
                   "demo.localhost\\", "d\u00e9mo.localhost"]


@pytest.mark.parametrize("host", MALFORMED_HOSTS)
async def test_a_host_header_that_is_not_a_host_and_port_is_answered_400(client, host: str) -> None:
    request = f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode("utf-8")
    status, headers, body = await _raw(client, request)
    assert status == 400
    assert b"Host header must be a host name with an optional port" in body and b"Harbor" not in body
    assert "content-security-policy" in headers
    api = await _raw(client, request.replace(b"GET / ", b"GET /api/admin/store "))
    assert api[0] == 400 and json.loads(api[2])["error"]["code"] == "bad_host"


async def test_a_missing_host_header_is_400_on_http_1_1_only(client) -> None:
    # aiohttp's parser refuses this one itself (its own words); ours says the same with the pure-Python parser
    status, headers, body = await _raw(client, b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
    assert status == 400 and b"Host" in body and headers["server"] == "Vibeshop"
    status, _headers, _body = await _raw(client, b"GET /_health HTTP/1.0\r\n\r\n")
    assert status == 200


@pytest.mark.parametrize("host", ["demo.localhost", "DEMO.localhost:8080", "demo.localhost.", "127.0.0.1:80",
                                  "[::1]:8443", "[::ffff:127.0.0.1]"])
def test_plain_hosts_with_optional_ports_are_valid(host: str) -> None:
    assert is_valid_host(host)


async def test_the_server_header_names_no_versions(client) -> None:
    answers = [await client.get("/", headers=DEMO), await client.get("/no-such-page", headers=DEMO),
               await client.get("/_health")]
    servers = [r.headers["Server"] for r in answers]
    # aiohttp answers a malformed request itself, before any middleware: it must not name versions either
    status, headers, _body = await _raw(client, b"GET / HTTP/1.1\r\nHost: demo.localhost\r\nBad Header\r\n\r\n")
    assert status == 400
    servers.append(headers["server"])
    assert servers == ["Vibeshop"] * 4
    assert not any(re.search(r"\d|aiohttp|python", server, re.I) for server in servers)


async def test_host_names_are_case_and_port_insensitive(client) -> None:
    assert (await client.get("/", headers={"Host": "DEMO.LocalHost:8080"})).status == 200


async def test_oversized_and_wrong_method_requests_get_clear_errors(client) -> None:
    same_site = {**DEMO, "Origin": "http://demo.localhost"}
    big = await client.post("/", data=b"x" * (2 * 1024 * 1024), headers=same_site)
    assert big.status in (405, 413) and big.headers["Content-Type"].startswith("text/html")
    assert (await client.post("/pages/about", data=b"a=1", headers=same_site)).status == 405
    assert (await client.request("PATCH", "/products/harbor-classic-tee", headers=same_site)).status == 405
    assert (await client.post("/pages/about", data=b"a=1", headers=DEMO)).status == 403   # no origin: CSRF check
