"""Marketing over HTTP (the real app on loopback, the demo store): the one-click unsubscribe without a
cookie or an Origin records the change with time and source, a forged token is refused, the GET only
confirms, the cart-restore link makes a cart cookie, and the admin API's campaigns with their scopes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from cloud.server.keys import STORES
from marketing_seed import T0
from shared.accounts.service import create_token
from shared.customers import consent_history, record_consent
from shared.db.repositories.customers import customer_id_by_email
from shared.mail import outbox_entries
from shared.marketing import remind_abandoned_checkouts, update_settings
from shared.marketing.settings import settings_row
from shared.marketing.tokens import unsubscribe_token
from test_abandoned_reminder import add_attempt, first_variant

HOST = "demo.localhost"


@pytest.fixture
async def shop(aiohttp_client, demo_dir: Path):  # noqa: ANN001, ANN201
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, rate_burst=10_000)))
    store = await client.app[STORES].store_for(HOST)
    return client, store


def token_for(store, email: str) -> str:  # noqa: ANN001
    secret = store.db.write(lambda conn: settings_row(conn, now=T0).secret)
    return unsubscribe_token(secret, email=email, campaign_id="c1")


def consent_of(store, email: str) -> tuple[bool, list]:  # noqa: ANN001
    customer_id = store.db.read(lambda conn: customer_id_by_email(conn, email))
    history = consent_history(store.db, customer_id)
    return history[-1].consented, history


async def test_one_click_unsubscribe_works_cross_site_without_a_cookie(shop) -> None:  # noqa: ANN001
    client, store = shop
    store.db.write(lambda conn: record_consent(conn, email="ada@example.com", consented=True, source="checkout"))
    token = token_for(store, "ada@example.com")

    page = await client.get(f"/unsubscribe?t={token}", headers={"Host": HOST})
    assert page.status == 200 and "a***@example.com" in await page.text()
    assert "private" in page.headers["Cache-Control"]
    assert consent_of(store, "ada@example.com")[0] is True          # a GET changes nothing

    before = datetime.now(UTC)
    # What a mail client sends (RFC 8058): no cookie, no Origin, from its own servers.
    answer = await client.post(f"/unsubscribe?t={token}", data="List-Unsubscribe=One-Click",
                               headers={"Host": HOST, "Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status == 200, await answer.text()
    consented, history = consent_of(store, "ada@example.com")
    assert consented is False
    assert history[-1].source == "unsubscribe_link" and datetime.fromisoformat(history[-1].at) >= before
    # A webmail posting cross-site with its own Origin works too; a second click changes nothing more.
    again = await client.post(f"/unsubscribe?t={token}", data="List-Unsubscribe=One-Click",
                              headers={"Host": HOST, "Origin": "https://mail.example", "Sec-Fetch-Site": "cross-site",
                                       "Content-Type": "application/x-www-form-urlencoded"})
    assert again.status == 200
    assert len(consent_of(store, "ada@example.com")[1]) == len(history)


async def test_a_forged_token_is_refused_and_changes_nothing(shop) -> None:  # noqa: ANN001
    client, store = shop
    store.db.write(lambda conn: record_consent(conn, email="ada@example.com", consented=True, source="checkout"))
    genuine = token_for(store, "bob@example.com")
    payload, mac = genuine.split(".")
    other = unsubscribe_token("not the store's secret", email="ada@example.com")
    for forged in (other, payload + "." + mac[::-1], "", "abc", genuine.replace(".", "")):
        answer = await client.post(f"/unsubscribe?t={forged}", data="List-Unsubscribe=One-Click",
                                   headers={"Host": HOST, "Content-Type": "application/x-www-form-urlencoded"})
        assert answer.status == 400
        assert (await client.get(f"/unsubscribe?t={forged}", headers={"Host": HOST})).status == 400
    assert consent_of(store, "ada@example.com")[0] is True


async def test_the_exemption_is_only_for_the_unsubscribe_path(shop) -> None:  # noqa: ANN001
    client, _ = shop
    answer = await client.post("/account/consent", data={"consent": "0"}, headers={"Host": HOST})
    assert answer.status == 403


async def test_the_restore_link_sets_a_new_cart_cookie_with_the_lines(shop) -> None:  # noqa: ANN001
    client, store = shop
    db = store.db
    now = datetime.now(UTC)
    db.write(lambda conn: update_settings(conn, {"abandonedCheckout": {"enabled": True, "delaySeconds": 3600},
                                                 "siteUrl": f"http://{HOST}"}, now=now - timedelta(hours=3)))
    db.write(lambda conn: record_consent(conn, email="ada@example.com", consented=True, source="checkout"))
    variant = db.read(first_variant)
    db.write(lambda conn: add_attempt(conn, email="ada@example.com", at=now - timedelta(hours=2), variant=variant))
    db.write(lambda conn: remind_abandoned_checkouts(conn, now=now))    # (or the app's own loop did it first)
    [row] = [r for r in db.read(lambda conn: outbox_entries(conn)) if r.dedupe_key.startswith("abandoned:")]
    link = json.loads(row.payload)["text"].split(f"http://{HOST}")[1].split()[0]
    assert link.startswith("/cart/restore?t=")

    answer = await client.get(link, headers={"Host": HOST}, allow_redirects=False)
    assert answer.status == 303 and answer.headers["Location"] == "/cart", answer.headers
    jar = SimpleCookie()
    jar.load(answer.headers["Set-Cookie"])
    client.session.cookie_jar.clear()
    cart = await client.get("/cart.js", headers={"Host": HOST, "Cookie": f"cart={jar['cart'].value}"})
    data = await cart.json()
    assert [(line["variant_id"], line["quantity"]) for line in data["items"]] == [(variant, 2)]
    bad = await client.get("/cart/restore?t=forged.token", headers={"Host": HOST}, allow_redirects=False)
    assert bad.status == 400


async def test_admin_campaigns_create_test_send_and_status(shop) -> None:  # noqa: ANN001
    client, store = shop
    catalog = client.app[STORES].catalog
    writer = create_token(catalog, store_id=store.record.id, name="m", scopes=["marketing:read", "marketing:write"])
    reader = create_token(catalog, store_id=store.record.id, name="r", scopes=["customers:read"])
    auth = {"Host": HOST, "Authorization": f"Bearer {writer[1] if isinstance(writer, tuple) else writer}"}
    store.db.write(lambda conn: [record_consent(conn, email=f"s{i}@example.com", consented=True, source="checkout")
                                 for i in range(3)])

    refused = await client.get("/api/admin/campaigns", headers={
        "Host": HOST, "Authorization": f"Bearer {reader[1] if isinstance(reader, tuple) else reader}"})
    assert refused.status == 403
    bad = await client.post("/api/admin/campaigns", json={"subject": "", "text": "x"}, headers=auth)
    assert bad.status == 422 and (await bad.json())["error"]["field"] == "subject"
    made = await client.post("/api/admin/campaigns", json={"subject": "Hello", "text": "News", "html": "<p>News</p>"},
                             headers=auth)
    assert made.status == 201
    campaign = await made.json()
    test = await client.post(f"/api/admin/campaigns/{campaign['id']}/test", json={"to": "owner@example.com"}, headers=auth)
    assert test.status == 202
    sent = await client.post(f"/api/admin/campaigns/{campaign['id']}/send", headers=auth)
    assert sent.status == 202 and (await sent.json())["recipients"]["total"] == 3
    again = await client.post(f"/api/admin/campaigns/{campaign['id']}/send", headers=auth)
    assert again.status == 409
    status = await (await client.get(f"/api/admin/campaigns/{campaign['id']}", headers=auth)).json()
    assert status["testSentTo"] == "owner@example.com" and status["recipients"]["total"] == 3
    listed = await (await client.get("/api/admin/campaigns", headers=auth)).json()
    assert [c["id"] for c in listed["campaigns"]] == [campaign["id"]]
    missing = await client.get("/api/admin/campaigns/nope", headers=auth)
    assert missing.status == 404
    settings = await client.patch("/api/admin/marketing/settings", json={"ratePerSecond": 0}, headers=auth)
    assert settings.status == 422
