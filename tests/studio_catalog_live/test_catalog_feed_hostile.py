"""Hostile inputs on GET /_sync/catalog against `vibeshop cloud serve` over real HTTP, as a new user (or
a fuzzer) would send them: every one gets a clear 4xx JSON answer naming the problem, never a 500, and
the feed still answers a good request afterwards."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from catalog_live_support import SYNC, CatalogSetup
from support import serving

FEED = "/_sync/catalog"
MAX_CURSOR = 2**62


@pytest.fixture
def cloud(catalog_setup: CatalogSetup) -> Iterator[str]:
    with serving(catalog_setup.data) as server:
        yield server.url


def _raw_get(url: str, target: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """A GET whose request target is sent as given (unencoded UTF-8, say), which httpx would escape."""
    host, port = url.removeprefix("http://").split(":")
    lines = [b"GET " + target + b" HTTP/1.1", b"Host: " + host.encode(), b"Connection: close",
             *(f"{k}: {v}".encode() for k, v in headers.items())]
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        conn.sendall(b"\r\n".join(lines) + b"\r\n\r\n")
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def test_hostile_cursors_and_parameters_get_a_clear_400(cloud: str, catalog_setup: CatalogSetup) -> None:
    headers = catalog_setup.sync_headers()
    with httpx.Client(base_url=cloud, headers=headers, timeout=30) as client:
        latest = client.get(FEED, params={"after": 0, "limit": 1000}).json()
        while latest["more"]:
            latest = client.get(FEED, params={"after": latest["cursor"], "limit": 1000}).json()
        newest = latest["cursor"]
        cases = [
            ("after=-1", "after must be a whole number"),
            (f"after={MAX_CURSOR + 1}", "after must be a whole number"),
            (f"after={10**30}", "after must be a whole number"),
            ("after=" + "9" * 4000, "after must be a whole number"),
            ("after=abc", "after must be a whole number"),
            ("after=1.5", "after must be a whole number"),
            ("after=1e3", "after must be a whole number"),
            ("after=%2B1", "after must be a whole number"),
            ("after=%201", "after must be a whole number"),
            ("after=0x10", "after must be a whole number"),
            ("after=", "after must be a whole number"),
            ("after=null", "after must be a whole number"),
            ("after=%00", "after must be a whole number"),
            ("after=%C2%B2", "after must be a whole number"),          # '²': isdigit() says yes, int() no
            ("after=%EF%BC%91", "after must be a whole number"),       # a full-width 1
            ("after=%ZZ", "after must be a whole number"),
            ("after=1&after=2", "given 2 times"),
            ("after=0&after=0", "given 2 times"),
            ("after=0&limit=5&limit=5", "limit was given 2 times"),
            ("after=0&limit=0", "limit must be a whole number"),
            ("after=0&limit=%C2%B2", "limit must be a whole number"),
            ("afer=5", "Unknown parameter 'afer'"),
            ("after=0&cursor=9", "Unknown parameter 'cursor'"),
        ]
        for query, words in cases:
            answer = client.get(f"{FEED}?{query}")
            assert answer.status_code == 400, (query, answer.text)
            body = answer.json()
            assert body["error"] == "input" and words in body["message"], (query, body)

        # Past the store's newest entry: a cursor of another store, or of a rebuilt one.
        for after in (newest + 1, MAX_CURSOR):
            answer = client.get(FEED, params={"after": after})
            assert answer.status_code == 409, answer.text
            assert answer.json()["error"] == "cursor" and answer.json()["latest"] == newest

        # Unencoded UTF-8 in the request line: the HTTP parser refuses it before any handler runs.
        status, body = _raw_get(cloud, "/_sync/catalog?after=²".encode(), headers)
        assert status == 400 and b"Invalid char" in body, body
        # A request line longer than the server reads: the server's own 4xx, not a 500.
        status, _body = _raw_get(cloud, b"/_sync/catalog?after=" + b"9" * 20_000, headers)
        assert 400 <= status < 500

        # The feed still answers.
        assert client.get(FEED, params={"after": newest}).json() == {
            "changes": [], "parents": [], "cursor": newest, "more": False}


def test_missing_wrong_and_foreign_tokens_get_401(cloud: str, catalog_setup: CatalogSetup) -> None:
    cases = [
        ({**SYNC}, "needs the device's token"),
        ({**SYNC, "Authorization": "Bearer"}, "needs the device's token"),
        ({**SYNC, "Authorization": f"Basic {catalog_setup.sync_token}"}, "needs the device's token"),
        ({**SYNC, "Authorization": "Bearer vs_nope_nope"}, "invalid or revoked"),
        ({**SYNC, "Authorization": f"Bearer {catalog_setup.sync_token}x"}, "invalid or revoked"),
        ({**SYNC, "Authorization": "Bearer " + "a" * 6000}, "invalid or revoked"),
        ({**SYNC, "Authorization": f"Bearer {catalog_setup.pos_token}"}, ""),         # a POS token: no sync scope
    ]
    with httpx.Client(base_url=cloud, timeout=30) as client:
        for headers, words in cases:
            answer = client.get(FEED, params={"after": 0}, headers=headers)
            assert answer.status_code == 401, (headers, answer.text)
            body = answer.json()
            assert body["error"] == "unauthorized" and words in body["message"], body
        status, body = _raw_get(cloud, b"/_sync/catalog?after=0", {**SYNC, "Authorization": "Bearer ²²"})
        assert status == 401 and b'"unauthorized"' in body
        # The protocol headers are checked first: without them, 426; a schema of '²', 400.
        answer = client.get(FEED, headers={"Authorization": f"Bearer {catalog_setup.sync_token}"})
        assert answer.status_code == 426 and answer.json()["error"] == "protocol"
        status, body = _raw_get(cloud, b"/_sync/catalog", {**catalog_setup.sync_headers(), "Vibeshop-Schema": "²"})
        assert status == 400 and b'"schema"' in body
        # The right token still works.
        assert client.get(FEED, params={"after": 0, "limit": 1}, headers=catalog_setup.sync_headers()).status_code == 200
