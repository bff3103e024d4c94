"""The storefront header's account link: next to the cart on every page, to /account (which signs in or
shows the account), the same bytes for a guest and a signed-in customer, so shared pages stay
cacheable; a plain link (works without JavaScript)."""

from __future__ import annotations

from pathlib import Path

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from support import parse_strict

HOST = {"Host": "demo.localhost"}


def _actions(html: str):
    document = parse_strict(html)
    [actions] = document.findall('.//header//div[@class="vs-header__actions"]')
    return actions


async def test_the_header_links_to_the_account_next_to_the_cart(aiohttp_client, demo_dir: Path) -> None:
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, rate_burst=10_000)))
    for path in ("/", "/products/harbor-classic-tee", "/collections/all", "/cart"):
        response = await client.get(path, headers=HOST)
        assert response.status == 200, path
        links = [a for a in _actions(await response.text()).iter("a")]
        hrefs = [a.get("href") for a in links]
        assert hrefs[-2:] == ["/account", "/cart"], (path, hrefs)
        account = links[-2]
        assert account.get("aria-label") == "Account" and any(str(el.tag).endswith("svg") for el in account)

    guest = await client.get("/", headers=HOST)
    signed_in = await client.get("/", headers={**HOST, "Cookie": "customer_session=whoever"})
    assert guest.headers.get("Cache-Control") == signed_in.headers.get("Cache-Control")
    assert "no-store" not in (guest.headers.get("Cache-Control") or "") and "private" not in (
        guest.headers.get("Cache-Control") or "")
    assert await guest.text() == await signed_in.text()
