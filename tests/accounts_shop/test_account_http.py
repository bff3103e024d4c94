"""The account pages and the admin API's customers over HTTP (the real app on loopback, the demo store):
sign-in with the code from the queued e-mail, cookie flags, private caching, CSRF, another customer's
order, stolen or stale cookies, brute force and enumeration through the web answers, addresses, consent,
the data download and the erase, and the admin API's scopes."""

from __future__ import annotations

import json
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from accounts_shop_support import make_order, queued_code
from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from cloud.server.keys import STORES
from shared.accounts.service import create_token
from shared.storefront.service import DataDir, create_store

HOST = "demo.localhost"
SAME_SITE = {"Host": HOST, "Origin": f"http://{HOST}"}


class Browser:
    """Just enough of a browser: cookies by name (one host), no redirects followed."""

    def __init__(self, client, host: str = HOST):  # noqa: ANN001
        self.client, self.host, self.cookies, self.set_cookies = client, host, {}, {}

    def _headers(self, extra: dict | None = None) -> dict:
        headers = {"Host": self.host, "Origin": f"http://{self.host}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**headers, **(extra or {})}

    def _remember(self, response) -> None:  # noqa: ANN001
        self.client.session.cookie_jar.clear()        # the test client's own jar would mix the browsers
        for header in response.headers.getall("Set-Cookie", []):
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel.value and morsel["max-age"] != "0":
                    self.set_cookies[name] = header         # the last header that set it
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)

    async def get(self, path: str, **headers):  # noqa: ANN003, ANN201
        response = await self.client.get(path, headers=self._headers(headers), allow_redirects=False)
        self._remember(response)
        return response

    async def post(self, path: str, data: dict | None = None, **headers):  # noqa: ANN003, ANN201
        response = await self.client.post(path, data=data or {}, headers=self._headers(headers), allow_redirects=False)
        self._remember(response)
        return response

    async def sign_in(self, store, email: str) -> None:  # noqa: ANN001
        asked = await self.post("/account/login", {"email": email})
        assert asked.status == 303 and asked.headers["Location"] == "/account/login/code"
        done = await self.post("/account/login/code", {"code": queued_code(store.db, email)})
        assert done.status == 303 and done.headers["Location"] == "/account", done.headers["Location"]


@pytest.fixture
async def shop(aiohttp_client, demo_dir: Path):  # noqa: ANN201
    create_store(DataDir(demo_dir), slug="other-shop", name="Other shop").close()
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, rate_burst=10_000)))
    store = await client.app[STORES].store_for(HOST)
    return client, store


async def test_sign_in_shows_guest_orders_of_the_email_and_only_those(shop) -> None:
    client, store = shop
    mine = make_order(store.db, email_address="ADA@example.com")
    theirs = make_order(store.db, email_address="bob@example.com")
    ada = Browser(client)
    assert (await ada.get("/account")).headers["Location"] == "/account/login"
    await ada.sign_in(store, "ada@example.com")
    signin_cookie = ada.set_cookies["customer_signin"]
    session_cookie = ada.set_cookies["customer_session"]
    for header in (signin_cookie, session_cookie):
        assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
    page = await ada.get("/account")
    text = await page.text()
    assert page.status == 200 and page.headers["Cache-Control"] == "private, no-store"
    assert mine.name in text and theirs.name not in text
    detail = await ada.get(f"/account/orders/{mine.number}")
    assert detail.status == 200 and "Harbor Tee" in await detail.text()
    assert detail.headers["Cache-Control"] == "private, no-store"
    other = await ada.get(f"/account/orders/{theirs.number}")            # another customer's order
    assert other.status == 404 and "bob@example.com" not in await other.text()
    assert (await ada.get("/account/orders/99999")).status == 404


async def test_cookies_are_secure_over_https(shop) -> None:
    client, store = shop
    ada = Browser(client)
    https = {"X-Forwarded-Proto": "https", "Origin": f"https://{HOST}"}
    await ada.post("/account/login", {"email": "ada@example.com"}, **https)
    assert "Secure" in ada.set_cookies["customer_signin"]
    await ada.post("/account/login/code", {"code": queued_code(store.db, "ada@example.com")}, **https)
    assert "Secure" in ada.set_cookies["customer_session"]


async def test_cross_site_posts_are_refused(shop) -> None:
    client, store = shop
    ada = Browser(client)
    await ada.sign_in(store, "ada@example.com")
    for path in ("/account/logout", "/account/delete", "/account/consent", "/account/login"):
        refused = await ada.post(path, {"confirm": "yes", "email": "x@example.com"}, Origin="https://evil.example")
        assert refused.status == 403, path
    assert (await ada.get("/account")).status == 200            # still signed in, nothing erased


async def test_stolen_or_stale_session_cookies_do_nothing(shop) -> None:
    client, store = shop
    ada = Browser(client)
    await ada.sign_in(store, "ada@example.com")
    stolen = dict(ada.cookies)
    thief = Browser(client)
    token = stolen["customer_session"]
    thief.cookies = {"customer_session": token[:-1] + ("A" if token[-1] != "A" else "B")}    # a forged one
    forged = await thief.get("/account")
    assert forged.status == 303, (forged.status, await forged.text())
    assert forged.headers["Location"] == "/account/login"
    other_store = Browser(client, host="other-shop.localhost")                       # another store's
    other_store.cookies = dict(stolen)
    assert (await other_store.get("/account")).headers["Location"] == "/account/login"
    assert (await ada.post("/account/logout")).headers["Location"] == "/account/login?done=signed_out"
    assert "customer_session" not in ada.cookies
    thief.cookies = dict(stolen)                                                    # replayed after sign-out
    assert (await thief.get("/account")).headers["Location"] == "/account/login"
    one, two = Browser(client), Browser(client)
    await one.sign_in(store, "ada@example.com")
    await two.sign_in(store, "ada@example.com")
    assert (await one.post("/account/logout-everywhere")).status == 303
    assert (await two.get("/account")).headers["Location"] == "/account/login"


async def test_the_sixth_code_is_refused_over_http(shop) -> None:
    client, store = shop
    mallory = Browser(client)
    await mallory.post("/account/login", {"email": "ada@example.com"})
    code = queued_code(store.db, "ada@example.com")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        answer = await mallory.post("/account/login/code", {"code": wrong})
        assert answer.headers["Location"] == "/account/login/code?error=code_wrong"
    sixth = await mallory.post("/account/login/code", {"code": code})
    assert sixth.headers["Location"] == "/account/login?error=too_many_tries"
    assert "customer_session" not in mallory.cookies


async def test_the_sign_in_answer_is_the_same_for_known_and_unknown_emails(shop) -> None:
    client, store = shop
    make_order(store.db, email_address="known@example.com")
    known = Browser(client)
    await known.sign_in(store, "known@example.com")
    answers = []
    for email in ("known@example.com", "unknown@example.com"):
        browser = Browser(client)
        response = await browser.post("/account/login", {"email": email})
        page = await browser.get("/account/login/code")
        cookie = SimpleCookie()
        cookie.load(browser.set_cookies["customer_signin"])
        shape = {k: v for k, v in cookie["customer_signin"].items() if v}
        answers.append((response.status, response.headers["Location"], await response.text(), shape,
                        page.status, await page.text()))
    assert answers[0] == answers[1]
    assert "If the address you entered can receive e-mail, we sent a 6-digit code" in answers[0][5]
    rows = store.db.read(lambda conn: conn.all("SELECT json_extract(payload, '$.to') FROM outbox "
                                               "WHERE dedupe_key LIKE 'signin:%'"))
    assert {"known@example.com", "unknown@example.com"} <= {r[0] for r in rows}


async def test_addresses_consent_download_and_delete(shop) -> None:
    client, store = shop
    order = make_order(store.db, email_address="ada@example.com", name="Ada Lovelace")
    ada, bob = Browser(client), Browser(client)
    await ada.sign_in(store, "ada@example.com")
    await bob.sign_in(store, "bob@example.com")
    bad = await ada.post("/account/addresses", {"name": "Ada", "street_address": "1 Market St", "city": "SF",
                                                 "country_area": "CA", "postal_code": "12", "country_code": "US"})
    assert bad.status == 422 and "ck-error" in await bad.text()
    good = await ada.post("/account/addresses", {"name": "Ada", "street_address": "1 Market St",
                                                  "city": "San Francisco", "country_area": "CA",
                                                  "postal_code": "94103", "country_code": "US"})
    assert good.headers["Location"] == "/account/addresses?done=added"
    listing = await (await ada.get("/account/addresses")).text()
    assert "1 Market St" in listing
    address_id = store.db.read(lambda conn: conn.scalar("SELECT id FROM customer_addresses"))
    assert (await bob.post(f"/account/addresses/{address_id}/delete")).status == 404
    assert (await ada.post("/account/consent", {"marketing": "1"})).status == 303
    download = await ada.get("/account/data.json")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["Cache-Control"] == "private, no-store"
    data = json.loads(await download.read())
    assert data["profile"]["email"] == "ada@example.com" and data["profile"]["marketingConsent"]
    assert [o["number"] for o in data["orders"]] == [order.number]
    assert [(e["consented"], e["source"]) for e in data["consentHistory"]] == [(True, "account")]
    assert len(data["addresses"]) == 1
    stale = dict(ada.cookies)
    erased = await ada.post("/account/delete", {"confirm": "yes"})
    assert erased.headers["Location"] == "/account/login?done=erased" and "customer_session" not in ada.cookies
    ada.cookies = stale
    assert (await ada.get("/account")).headers["Location"] == "/account/login"
    count = "SELECT count(*) FROM customers WHERE email = 'ada@example.com'"
    assert store.db.read(lambda conn: conn.scalar(count)) == 0
    assert store.db.read(lambda conn: conn.scalar("SELECT count(*) FROM orders")) == 1


async def test_admin_api_customers_with_scopes(shop, demo_dir: Path) -> None:
    client, store = shop
    make_order(store.db, email_address="ada@example.com")
    ada = Browser(client)
    await ada.sign_in(store, "ada@example.com")
    catalog = DataDir(demo_dir).catalog()
    try:
        reader = create_token(catalog, store_id=store.record.id, name="read", scopes=["customers:read"])
        writer = create_token(catalog, store_id=store.record.id, name="write", scopes=["customers:write"])
        orders = create_token(catalog, store_id=store.record.id, name="orders", scopes=["orders:read"])
    finally:
        catalog.close()

    def auth(token: str) -> dict:
        return {"Host": HOST, "Authorization": f"Bearer {token}"}

    assert (await client.get("/api/admin/customers", headers=auth(orders))).status == 403
    listed = await (await client.get("/api/admin/customers?limit=10", headers=auth(reader))).json()
    ada_json = next(c for c in listed["customers"] if c["email"] == "ada@example.com")
    assert ada_json["ordersCount"] == 1 and ada_json["totalSpent"] == {"amount": 2500, "currency": "USD"}
    assert ada_json["marketingConsent"] is False
    detail = await (await client.get(f"/api/admin/customers/{ada_json['id']}", headers=auth(reader))).json()
    assert len(detail["orders"]) == 1 and detail["addresses"] == [] and detail["consentHistory"] == []
    export = await client.get(f"/api/admin/customers/{ada_json['id']}/export", headers=auth(reader))
    assert (await export.json())["profile"]["email"] == "ada@example.com"
    assert (await client.get("/api/admin/customers?limit=0", headers=auth(reader))).status == 400
    assert (await client.get("/api/admin/customers/nope", headers=auth(reader))).status == 404
    assert (await client.delete(f"/api/admin/customers/{ada_json['id']}", headers=auth(reader))).status == 403
    erased = await client.delete(f"/api/admin/customers/{ada_json['id']}", headers=auth(writer))
    assert await erased.json() == {"erased": True, "ordersKept": 1}
    assert (await ada.get("/account")).headers["Location"] == "/account/login"
    assert (await client.delete(f"/api/admin/customers/{ada_json['id']}", headers=auth(writer))).status == 404


async def test_a_customers_own_text_is_escaped_on_the_pages(shop) -> None:
    from shared.customers import customer_for_order

    client, store = shop
    evil = "<script>alert(1)</script>"
    store.db.write(lambda conn: customer_for_order(conn, email="ada@example.com", name=evil))
    order = make_order(store.db, email_address="ada@example.com", name=evil)
    ada = Browser(client)
    await ada.sign_in(store, "ada@example.com")
    for path in ("/account", f"/account/orders/{order.number}", "/account/addresses", "/account/delete"):
        text = await (await ada.get(path)).text()
        assert evil not in text and "<script" not in text, path
    assert "&lt;script&gt;" in await (await ada.get("/account")).text()
    pending = Browser(client)
    assert (await pending.get("/account/login/code")).headers["Location"] == "/account/login"


async def test_the_account_pages_pass_the_nu_html_checker(shop, tmp_path: Path) -> None:
    import subprocess

    from support import tool_path

    client, store = shop
    order = make_order(store.db, email_address="ada@example.com")
    ada = Browser(client)
    files = [tmp_path / "login.html"]
    files[0].write_text(await (await ada.get("/account/login?error=invalid")).text(), encoding="utf-8")
    await ada.post("/account/login", {"email": "ada@example.com"})
    pages = {"code": "/account/login/code?error=code_wrong"}
    files.append(tmp_path / "code.html")
    files[-1].write_text(await (await ada.get(pages["code"])).text(), encoding="utf-8")
    await ada.post("/account/login/code", {"code": queued_code(store.db, "ada@example.com")})
    await ada.post("/account/addresses", {"name": "Ada", "street_address": "1 Market St", "city": "San Francisco",
                                           "country_area": "CA", "postal_code": "94103", "country_code": "US"})
    pages = {"overview": "/account?done=consent", "order": f"/account/orders/{order.number}",
             "addresses": "/account/addresses", "delete": "/account/delete"}
    for name, path in pages.items():
        files.append(tmp_path / f"{name}.html")
        files[-1].write_text(await (await ada.get(path)).text(), encoding="utf-8")
    invalid = await ada.post("/account/addresses", {"name": "", "street_address": "", "country_code": "US"})
    files.append(tmp_path / "addresses-invalid.html")
    files[-1].write_text(await invalid.text(), encoding="utf-8")
    run = subprocess.run(["java", "-jar", str(tool_path("vnu-jar")), "--format", "json", "--stdout",
                          *map(str, files)], capture_output=True, text=True, timeout=600)
    messages = json.loads(run.stdout)["messages"]
    errors = [f"{Path(m.get('url', '?')).name}:{m.get('lastLine', '?')}: {m['message']}"
              for m in messages if m["type"] != "info"]
    assert errors == []


async def test_the_order_page_shows_shipments_and_pickup_from_the_order_json(shop, monkeypatch) -> None:
    """The lifecycle's fields (contract: pickupStatus, cancelledAt, fulfillments in Order.to_json) show
    when they come; a tracking URL that is not http(s) is not a link."""
    from shared.orders import Order

    client, store = shop
    order = make_order(store.db, email_address="ada@example.com")
    real = Order.to_json

    def with_lifecycle(self, *, detail=True):  # noqa: ANN001, ANN202
        return {**real(self, detail=detail), "pickupStatus": "none", "cancelledAt": None, "fulfillments": [
            {"carrier": "UPS", "trackingNumber": "1Z999", "trackingUrl": "https://ups.example/1Z999",
             "createdAt": "2026-12-06T10:00:00+00:00"},
            {"carrier": "Evil", "trackingNumber": "X1", "trackingUrl": "javascript:alert(1)", "createdAt": ""}]}

    monkeypatch.setattr(Order, "to_json", with_lifecycle)
    ada = Browser(client)
    await ada.sign_in(store, "ada@example.com")
    text = await (await ada.get(f"/account/orders/{order.number}")).text()
    assert '<a href="https://ups.example/1Z999"' in text and "javascript:" not in text and "X1" in text
