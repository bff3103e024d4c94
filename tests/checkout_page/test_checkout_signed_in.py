"""The checkout for a signed-in customer (the 'customer_session' cookie, docs/accounts.md): the e-mail and
the default saved address are filled in, the page says "Signed in as X · not you? Sign out" and its
shipping choices are priced for that address; a guest sees "Have an account? Sign in" instead. A session
that ended prefills nothing."""

from __future__ import annotations

import re
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from cloud.server.keys import STORES
from shared.customers import add_address
from support import parse_strict

HOST = "demo.localhost"
SAME = {"Host": HOST, "Origin": f"http://{HOST}"}
HOME = {"country_code": "US", "name": "Ada Lovelace", "street_address": "12 Analytical Way", "city": "Portland",
        "country_area": "OR", "postal_code": "97201"}
WORK = {"country_code": "US", "name": "Ada at work", "street_address": "1 Market St", "city": "San Francisco",
        "country_area": "CA", "postal_code": "94103"}


class Shopper:
    """One browser: its cookies by name, sent by hand (the test client's jar is cleared each time)."""

    def __init__(self, client) -> None:  # noqa: ANN001
        self.client, self.cookies = client, {}

    def headers(self, extra: dict | None = None) -> dict:
        cookie = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        return {**SAME, **cookie, **(extra or {})}

    def remember(self, response) -> None:  # noqa: ANN001
        self.client.session.cookie_jar.clear()
        for header in response.headers.getall("Set-Cookie", []):
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)

    async def request(self, method: str, path: str, **kwargs):  # noqa: ANN003, ANN201
        response = await self.client.request(method, path, headers=self.headers(), allow_redirects=False, **kwargs)
        self.remember(response)
        return response

    async def sign_in(self, store, email: str) -> None:  # noqa: ANN001
        from accounts_shop_support import queued_code

        asked = await self.request("POST", "/account/login", data={"email": email})
        assert asked.status == 303
        done = await self.request("POST", "/account/login/code", data={"code": queued_code(store.db, email)})
        assert done.status == 303 and done.headers["Location"] == "/account"

    async def add_tee(self) -> None:
        product = await (await self.request("GET", "/products/harbor-classic-tee")).text()
        variant = re.search(r'name="(?:variant_)?id" value="([^"]+)"', product)
        assert variant
        added = await self.request("POST", "/cart/add.js", json={"id": variant[1], "quantity": 1})
        assert added.status == 200

    async def checkout(self) -> str:
        page = await self.request("GET", "/checkout")
        assert page.status == 200
        return await page.text()


@pytest.fixture
async def shop(aiohttp_client, demo_dir: Path):  # noqa: ANN201
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "accounts_shop"))   # queued_code
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, rate_burst=10_000)))
    store = await client.app[STORES].store_for(HOST)
    return client, store


def _value(document, name: str) -> str:
    [field] = document.findall(f'.//form[@id="ck-form"]//input[@name="{name}"]')
    return field.get("value") or ""


async def test_a_signed_in_customer_gets_their_email_and_default_address(shop) -> None:
    client, store = shop
    ada = Shopper(client)
    await ada.sign_in(store, "ada@example.com")
    customer = store.db.read(lambda conn: conn.scalar("SELECT id FROM customers WHERE email = 'ada@example.com'"))
    add_address(store.db, customer, address=WORK)
    add_address(store.db, customer, address=HOME, make_default=True)
    await ada.add_tee()
    html = await ada.checkout()
    document = parse_strict(html)

    assert _value(document, "email") == "ada@example.com"
    assert _value(document, "name") == "Ada Lovelace" and _value(document, "street_address") == "12 Analytical Way"
    assert _value(document, "postal_code") == "97201" and _value(document, "city").lower() == "portland"
    [region] = document.findall('.//select[@name="country_area"]/option[@selected]')
    assert region.get("value") == "OR"
    [country] = document.findall('.//select[@name="country_code"]/option[@selected]')
    assert country.get("value") == "US"
    account = "".join(document.findall('.//*[@id="ck-account"]')[0].itertext())
    assert "Signed in as ada@example.com" in account and "not you?" in account
    [button] = document.findall('.//*[@id="ck-account"]//button')
    assert button.get("form") == "ck-signout" and button.text == "Sign out"
    [signout] = document.findall('.//form[@id="ck-signout"]')
    assert signout.get("action") == "/account/logout" and signout.get("method") == "post"
    assert "Have an account?" not in html
    assert (await ada.request("GET", "/checkout")).headers["Cache-Control"] == "no-store"

    signed_out = await ada.request("POST", "/account/logout")      # what "Sign out" posts
    assert signed_out.status == 303 and "customer_session" not in ada.cookies


async def test_a_guest_is_offered_to_sign_in_and_nothing_is_prefilled(shop) -> None:
    client, _store = shop
    guest = Shopper(client)
    await guest.add_tee()
    html = await guest.checkout()
    document = parse_strict(html)
    [link] = document.findall('.//*[@id="ck-account"]//a')
    assert link.get("href") == "/account/login" and link.text == "Sign in"
    assert "Have an account?" in html and "Signed in as" not in html
    assert _value(document, "email") == "" and _value(document, "street_address") == ""


async def test_an_ended_session_prefills_nothing(shop) -> None:
    client, store = shop
    ada = Shopper(client)
    await ada.sign_in(store, "ada@example.com")
    customer = store.db.read(lambda conn: conn.scalar("SELECT id FROM customers WHERE email = 'ada@example.com'"))
    add_address(store.db, customer, address=HOME)
    session = ada.cookies["customer_session"]
    await ada.request("POST", "/account/logout")
    await ada.add_tee()
    ada.cookies["customer_session"] = session          # a stale cookie kept by the browser
    html = await ada.checkout()
    assert "Signed in as" not in html and "12 Analytical Way" not in html and "Have an account?" in html


async def test_a_default_address_abroad_sets_the_country_and_its_fields(shop) -> None:
    client, store = shop
    ada = Shopper(client)
    await ada.sign_in(store, "ada@example.com")
    customer = store.db.read(lambda conn: conn.scalar("SELECT id FROM customers WHERE email = 'ada@example.com'"))
    add_address(store.db, customer, address={"country_code": "FR", "name": "Ada <b>L</b>",
                                             "street_address": "3 rue de la Paix", "city": "Paris",
                                             "postal_code": "75002"}, make_default=True)
    await ada.add_tee()
    html = await ada.checkout()
    document = parse_strict(html)
    [country] = document.findall('.//select[@name="country_code"]/option[@selected]')
    assert country.get("value") == "FR"
    assert _value(document, "postal_code") == "75002" and _value(document, "name") == "Ada <b>L</b>"
    assert "<b>L</b>" not in html                     # escaped
    assert not document.findall('.//select[@name="country_area"]')      # France has no region field
