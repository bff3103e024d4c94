"""Custom domains: add, publish a TXT record (a real DNS server on loopback), verify by a real DNS
lookup, serve; unverified and removed domains serve nothing and get no certificate."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from dnslib import QTYPE, RR, TXT
from dnslib.server import BaseResolver, DNSServer

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from shared.accounts.service import create_token
from shared.storefront.service import DataDir, open_store

DEMO = {"Host": "demo.localhost"}


class _Zone(BaseResolver):
    """An authoritative answer for whatever TXT records the test publishes."""

    def __init__(self) -> None:
        self.txt: dict[str, str] = {}

    def resolve(self, request, handler):
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        if request.q.qtype == QTYPE.TXT and name in self.txt:
            reply.add_answer(RR(request.q.qname, QTYPE.TXT, rdata=TXT(self.txt[name]), ttl=60))
        return reply


@pytest.fixture
def dns_zone() -> Iterator[tuple[_Zone, int]]:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    zone = _Zone()
    server = DNSServer(zone, port=port, address="127.0.0.1")
    server.start_thread()
    yield zone, port
    server.stop()


@pytest.fixture
async def service(aiohttp_client, demo_dir: Path, dns_zone):
    zone, port = dns_zone
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, dns_nameservers=(("127.0.0.1", port),))))
    store = open_store(DataDir(demo_dir), "demo")
    store.close()
    catalog = DataDir(demo_dir).catalog()
    token = create_token(catalog, store_id=store.record.id, name="t", scopes=["store:read", "store:write"])
    catalog.close()
    return client, zone, {**DEMO, "Authorization": f"Bearer {token}"}


async def test_a_domain_serves_only_after_its_txt_record_is_verified(service) -> None:
    client, zone, auth = service
    added = await client.post("/api/admin/domains", json={"hostname": "Shop.Example.COM."}, headers=auth)
    assert added.status == 201
    record = (await added.json())["txt_record"]
    assert record["name"] == "_vibeshop-verify.shop.example.com" and record["value"].startswith("vibeshop-verify=")
    assert (await client.get("/", headers={"Host": "shop.example.com"})).status == 404
    assert (await client.get("/_tls/ask?domain=shop.example.com")).status == 404

    not_yet = await client.post("/api/admin/domains/shop.example.com/verify", headers=auth)
    assert not_yet.status == 200 and (await not_yet.json())["verified"] is False
    zone.txt[record["name"]] = "vibeshop-verify=someone-elses-token"
    assert (await (await client.post("/api/admin/domains/shop.example.com/verify", headers=auth)).json())["verified"] is False

    zone.txt[record["name"]] = record["value"]
    verified = await client.post("/api/admin/domains/shop.example.com/verify", headers=auth)
    assert (await verified.json())["verified"] is True
    page = await client.get("/", headers={"Host": "shop.example.com"})
    assert page.status == 200 and "Harbor" in await page.text()
    assert (await client.get("/_tls/ask?domain=shop.example.com")).status == 200
    listed = await (await client.get("/api/admin/domains", headers=auth)).json()
    assert [d["hostname"] for d in listed["domains"]] == ["shop.example.com"]

    removed = await client.delete("/api/admin/domains/shop.example.com", headers=auth)
    assert removed.status == 200
    assert (await client.get("/", headers={"Host": "shop.example.com"})).status == 404
    assert (await client.get("/_tls/ask?domain=shop.example.com")).status == 404


@pytest.mark.parametrize("hostname, status", [
    ("localhost", 422), ("demo.localhost", 422), ("evil.localhost", 422), ("not a domain", 422),
    ("-bad.example.com", 422), ("x" * 70 + ".example.com", 422), ("192.168.0.1", 422), ("", 422),
])
async def test_bad_or_reserved_hostnames_are_refused(service, hostname: str, status: int) -> None:
    client, _zone, auth = service
    response = await client.post("/api/admin/domains", json={"hostname": hostname}, headers=auth)
    assert response.status == status and (await response.json())["error"]["fields"][0]["field"] == "hostname"


async def test_a_domain_belongs_to_one_store(service, demo_dir: Path) -> None:
    client, _zone, auth = service
    assert (await client.post("/api/admin/domains", json={"hostname": "mine.example"}, headers=auth)).status == 201
    again = await client.post("/api/admin/domains", json={"hostname": "mine.example"}, headers=auth)
    assert again.status == 409
    missing = await client.post("/api/admin/domains/other.example/verify", headers=auth)
    assert missing.status == 404


async def test_tls_ask_answers_for_store_subdomains_and_only_to_our_proxy(service) -> None:
    client, _zone, _auth = service
    assert (await client.get("/_tls/ask?domain=demo.localhost")).status == 200
    assert (await client.get("/_tls/ask?domain=nobody.localhost")).status == 404
    assert (await client.get("/_tls/ask?domain=")).status == 404
    assert (await client.get("/_tls/ask?domain=demo.localhost",
                             headers={"X-Forwarded-For": "203.0.113.9"})).status == 200   # peer is loopback
