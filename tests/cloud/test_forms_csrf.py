"""Shopper forms (the newsletter): CSRF refused from other sites, input validated, no open redirect."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from shared.storefront.service import DataDir, open_store

HOST = "demo.localhost"
SAME = {"Host": HOST, "Origin": f"http://{HOST}"}


@pytest.fixture
async def client(aiohttp_client, demo_dir: Path):
    return await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir)))


def _subscribers(data: Path) -> list[tuple[str, int]]:
    store = open_store(DataDir(data), "demo")
    try:
        return store.db.read(lambda c: c.all("SELECT email, accepts_marketing FROM customers ORDER BY email"))
    finally:
        store.close()


async def test_sign_up_from_the_shop_redirects_back_with_a_thank_you(client, demo_dir: Path) -> None:
    response = await client.post("/newsletter", data={"email": "ada@example.com", "return_to": "/pages/contact"},
                                 headers=SAME, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/pages/contact?subscribed=1"
    again = await client.post("/newsletter", data={"email": "ada@example.com", "return_to": "/"},
                              headers={"Host": HOST, "Sec-Fetch-Site": "same-origin"}, allow_redirects=False)
    assert again.status == 303
    assert _subscribers(demo_dir) == [("ada@example.com", 1)]
    page = await client.get("/pages/contact?subscribed=1", headers={"Host": HOST})
    assert "Thanks for subscribing" in await page.text()


@pytest.mark.parametrize("headers", [
    {"Host": HOST, "Origin": "https://evil.example"},
    {"Host": HOST, "Referer": "https://evil.example/page"},
    {"Host": HOST, "Sec-Fetch-Site": "cross-site", "Origin": f"http://{HOST}"},
    {"Host": HOST, "Origin": "null"},
    {"Host": HOST},                                           # neither Origin nor Sec-Fetch-Site
    {"Host": HOST, "Origin": "http://other-shop.localhost"},  # another store is another site
])
async def test_cross_site_posts_are_refused(client, demo_dir: Path, headers: dict[str, str]) -> None:
    response = await client.post("/newsletter", data={"email": "mallory@example.com"}, headers=headers,
                                 allow_redirects=False)
    assert response.status == 403 and "another site" in await response.text()
    assert _subscribers(demo_dir) == []


@pytest.mark.parametrize("email", ["", "not-an-email", "a@b", "x" * 300 + "@example.com", "<script>@x.com"])
async def test_bad_addresses_get_a_clear_page_and_store_nothing(client, demo_dir: Path, email: str) -> None:
    response = await client.post("/newsletter", data={"email": email}, headers=SAME, allow_redirects=False)
    assert response.status == 422 and "e-mail address" in await response.text()
    assert _subscribers(demo_dir) == []


@pytest.mark.parametrize("back", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:x",
                                  "/ok?x=<script>"])
async def test_return_to_never_leaves_the_shop(client, back: str) -> None:
    response = await client.post("/newsletter", data={"email": "bob@example.com", "return_to": back}, headers=SAME,
                                 allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/?subscribed=1"


async def test_oversized_form_is_refused(client) -> None:
    response = await client.post("/newsletter", data={"email": "x" * (2 * 1024 * 1024)}, headers=SAME)
    assert response.status == 413


async def test_protocol_errors_are_pages_not_plain_text(client) -> None:
    too_big = await client.post("/newsletter", data={"email": "x" * (2 * 1024 * 1024)}, headers=SAME)
    assert too_big.status == 413 and too_big.headers["Content-Type"].startswith("text/html")
    wrong = await client.delete("/", headers={"Host": HOST, "Origin": f"http://{HOST}"})
    assert wrong.status == 405 and "<h1>Method not allowed</h1>" in await wrong.text()
    api = await client.post("/api/admin/nothing-here", headers={"Host": HOST})
    assert api.status in (404, 405) and (await api.json())["error"]["status"] == api.status


async def test_add_to_cart_is_refused_from_another_site(client) -> None:
    assert (await client.post("/cart/add", data={}, headers={"Host": HOST, "Origin": "https://evil.example"})).status == 403