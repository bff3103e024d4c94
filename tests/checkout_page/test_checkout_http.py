"""The checkout page's HTTP side: an empty cart goes back to /cart, the page's own CSP allows exactly
Stripe.js's origin, the JSON endpoints answer bad input with 4xx and field errors (never a 500),
cross-site posts are refused, discount-code guessing gets 429 with Retry-After, and a pickup paid in
store makes one order with the cart emptied. No browser and no Stripe here (tests/checkout_page/
test_checkout_browser.py drives the card flows)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig

HOST = "demo.localhost"
SAME = {"Host": HOST, "Origin": f"http://{HOST}"}
ADDRESS = {"country_code": "US", "name": "Ada Lovelace", "street_address": "1 Market St", "city": "San Francisco",
           "country_area": "CA", "postal_code": "94103"}


@pytest.fixture
async def client(aiohttp_client, demo_dir: Path):
    return await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, rate_burst=10_000,
                                                       stripe_api="http://127.0.0.1:9")))


async def _add(client) -> None:
    product = await (await client.get("/products/harbor-classic-tee", headers={"Host": HOST})).text()
    variant = re.search(r'name="(?:variant_)?id" value="([^"]+)"', product)
    assert variant, "the product form names its variant"
    response = await client.post("/cart/add.js", json={"id": variant[1], "quantity": 1}, headers=SAME)
    assert response.status == 200


async def test_an_empty_cart_goes_back_to_the_cart(client) -> None:
    response = await client.get("/checkout", headers={"Host": HOST}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/cart"


async def test_the_page_allows_exactly_the_stripe_js_origin_and_is_never_cached(client) -> None:
    await _add(client)
    response = await client.get("/checkout", headers={"Host": HOST})
    assert response.status == 200
    csp = response.headers["Content-Security-Policy"]
    script = next(part for part in csp.split(";") if part.strip().startswith("script-src")).split()
    assert script[1].startswith("'nonce-") and script[2:] == ["http://127.0.0.1:9"]
    assert "frame-ancestors 'none'" in csp
    assert response.headers["Cache-Control"] == "no-store"
    html = await response.text()
    assert "Harbor Classic Tee" in html and "Order summary" in html
    assert "<noscript>" in html and 'aria-describedby="ck-email-error"' in html


async def test_bad_input_gets_field_errors_never_a_500(client) -> None:
    await _add(client)
    bad = [b"not json", b"[]", b'{"address": "x"}', b'{"delivery": "teleport"}', b'{"email": 5}',
           b'{"code": "' + b"x" * 500 + b'"}']
    for body in bad:
        response = await client.post("/checkout/quote", data=body, headers={**SAME, "Content-Type": "application/json"})
        assert 400 <= response.status < 500, body
        assert (await response.json())["error"]["message"]
    start = await client.post("/checkout/start", json={"email": "nope", "address": ADDRESS}, headers=SAME)
    assert start.status == 422 and (await start.json())["error"]["field"] == "email"
    start = await client.post("/checkout/start", json={"email": "ada@example.com",
                                                       "address": {**ADDRESS, "postal_code": "ABC"}}, headers=SAME)
    assert start.status == 422 and (await start.json())["error"]["field"] == "postal_code"
    ship_in_store = await client.post("/checkout/start", json={"email": "ada@example.com", "address": ADDRESS,
                                                               "paymentMethod": "pay_in_store"}, headers=SAME)
    assert ship_in_store.status == 422
    for path in ("/checkout/pay", "/checkout/confirm", "/checkout/cancel"):
        response = await client.post(path, json={"attemptId": 7}, headers=SAME)
        assert response.status == 400
    unknown = await client.post("/checkout/pay", json={"attemptId": "no-such-attempt"}, headers=SAME)
    assert unknown.status == 404


async def test_cross_site_posts_are_refused(client) -> None:
    await _add(client)
    response = await client.post("/checkout/start", json={"email": "ada@example.com"},
                                 headers={"Host": HOST, "Origin": "https://evil.example"})
    assert response.status == 403


async def test_guessing_discount_codes_gets_429_with_retry_after(client) -> None:
    await _add(client)
    statuses = []
    for attempt in range(12):
        response = await client.post("/checkout/quote", json={"code": f"GUESS{attempt}", "address": ADDRESS},
                                     headers=SAME)
        statuses.append(response.status)
        if response.status == 200:
            assert (await response.json())["codeProblem"]
    assert statuses[:10] == [200] * 10 and statuses[-1] == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert (await response.json())["error"]["field"] == "code"


async def test_pickup_paid_in_store_makes_an_order_and_empties_the_cart(client) -> None:
    await _add(client)
    quote = await client.post("/checkout/quote", json={"delivery": "pickup"}, headers=SAME)
    pickup = (await quote.json())["quote"]["shipping_option"]
    assert pickup["kind"] == "pickup"
    started = await client.post("/checkout/start", json={"email": "grace@example.com", "delivery": "pickup",
                                                         "shippingOptionId": pickup["id"],
                                                         "paymentMethod": "pay_in_store"}, headers=SAME)
    body = await started.json()
    assert started.status == 200 and body["heldText"].startswith("Your items are held for you until ")
    paid = await client.post("/checkout/pay", json={"attemptId": body["attemptId"]}, headers=SAME)
    assert paid.status == 200
    order_url = (await paid.json())["orderUrl"]
    assert (await client.get(order_url, headers={"Host": HOST})).status == 200
    assert (await (await client.get("/cart.js", headers={"Host": HOST})).json())["item_count"] == 0
    again = await client.post("/checkout/pay", json={"attemptId": body["attemptId"]}, headers=SAME)
    assert again.status == 200 and (await again.json())["orderUrl"] == order_url   # a retry: the same order


async def test_stripe_unreachable_says_so_and_releases_the_holds(aiohttp_client, demo_dir: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import base64
    import os
    from datetime import UTC, datetime

    from cloud.server.keys import STORES
    from shared.inventory import available
    from shared.payments import ENV_VAR, SecretBox, StripeKeys, set_stripe_keys

    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    monkeypatch.setenv(ENV_VAR, key)
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, rate_burst=10_000,
                                                         stripe_api="http://127.0.0.1:9")))   # nothing listens
    store = await client.app[STORES].store_for(HOST)
    set_stripe_keys(store.db, store_id=store.record.id, box=SecretBox(base64.urlsafe_b64decode(key)),
                    keys=StripeKeys("sk_test_unreachable42", "pk_test_unreachable42", "whsec_unreachable42"))

    def free(conn):
        ids = [r[0] for r in conn.all("SELECT id FROM variants ORDER BY id")]
        return available(conn, ids, now=datetime.now(UTC))

    await _add(client)
    before = store.db.read(free)
    page = await (await client.get("/checkout", headers={"Host": HOST})).text()
    assert "pk_test_unreachable42" in page and "sk_test" not in page          # the secret never reaches a page
    started = await client.post("/checkout/start", json={"email": "ada@example.com", "address": ADDRESS}, headers=SAME)
    body = await started.json()
    assert started.status == 503 and body["error"]["field"] == "payment" and "Nothing was charged" in body["error"]["message"]
    assert store.db.read(free) == before
    assert store.db.read(lambda conn: conn.scalar("SELECT count(*) FROM orders")) == 0


async def test_an_item_that_ran_out_is_named_next_to_the_lines(client, demo_dir: Path) -> None:
    from datetime import UTC, datetime

    from cloud.server.keys import STORES
    from shared.db.repositories import inventory as inventory_repo
    from shared.db.stamps import new_id
    from shared.inventory import record_movement

    await _add(client)
    cart = await (await client.get("/cart.js", headers={"Host": HOST})).json()
    variant = cart["items"][0]["variant_id"]
    store = await client.app[STORES].store_for(HOST)
    now = datetime.now(UTC)

    def sell_out(conn) -> None:     # the shop sold every unit at the counter meanwhile
        for location, units in inventory_repo.stock_levels(conn, [variant]).get(variant, {}).items():
            if units:
                record_movement(conn, change_id=new_id(), variant_id=variant, location_id=location, delta=-units,
                                reason="sold", occurred_at=now, now=now)

    store.db.write(sell_out)
    started = await client.post("/checkout/start", json={"email": "ada@example.com", "address": ADDRESS}, headers=SAME)
    error = (await started.json())["error"]
    assert started.status == 409 and error["field"] == "lines"
    assert error["message"].startswith("Sold out: Harbor Classic Tee") and "Nothing was charged" in error["message"]
    assert store.db.read(lambda conn: conn.scalar("SELECT count(*) FROM orders")) == 0


async def test_the_page_shows_the_store_logo(client) -> None:
    from dataclasses import replace

    from cloud.server.keys import STORES
    from shared.db.repositories.content import list_media
    from shared.db.repositories.storefront import get_storefront, update_storefront

    store = await client.app[STORES].store_for(HOST)

    def set_logo(conn) -> str:
        media = list_media(conn)[0]
        front = get_storefront(conn)
        update_storefront(conn, replace(front, settings={**front.settings, "logo_id": media.id}))
        return media.hash

    digest = store.db.write(set_logo)
    await _add(client)
    html = await (await client.get("/checkout", headers={"Host": HOST})).text()
    assert 'class="ck-logo"' in html and f"/media/{digest}-" in html


async def test_a_code_that_applies_never_runs_the_limit_out(aiohttp_client, demo_dir: Path) -> None:
    from cloud.server.commerce import SETUP_SOURCE
    from tests.checkout_page.test_checkout_browser import with_welcome_code

    app = create_app(ServeConfig(data_dir=demo_dir, rate_burst=10_000))
    app[SETUP_SOURCE] = with_welcome_code
    client = await aiohttp_client(app)
    await _add(client)
    for _ in range(15):                   # re-pricing as the shopper edits the address, the code applied
        response = await client.post("/checkout/quote", json={"code": "WELCOME10", "address": ADDRESS}, headers=SAME)
        assert response.status == 200 and (await response.json())["codeProblem"] is None


# --- the cart's hold while the shopper is on the page ---------------------------------------------

async def _set_stock(client, variant: str, units: int) -> None:
    """Make the variant's stock exactly `units`, all at one location (a count, as a POS would send)."""
    from datetime import UTC, datetime

    from cloud.server.keys import STORES
    from shared.db.repositories import inventory as inventory_repo
    from shared.db.stamps import new_id
    from shared.inventory import record_movement

    store = await client.app[STORES].store_for(HOST)
    now = datetime.now(UTC)

    def write(conn) -> None:
        levels = inventory_repo.stock_levels(conn, [variant]).get(variant, {})
        first = next(iter(levels), None) or inventory_repo.list_locations(conn)[0].id
        for location, on_hand in levels.items():
            target = units if location == first else 0
            if on_hand != target:
                record_movement(conn, change_id=new_id(), variant_id=variant, location_id=location,
                                delta=target - on_hand, reason="adjusted", occurred_at=now, now=now)

    store.db.write(write)


async def _holds(client) -> dict[str, int]:
    """hold group -> units it holds now."""
    from cloud.server.keys import STORES

    store = await client.app[STORES].store_for(HOST)
    rows = store.db.read(lambda conn: conn.all(
        "SELECT group_id, sum(quantity) FROM stock_holds WHERE expires_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now') "
        "GROUP BY group_id"))
    return {group: units for group, units in rows}


async def _last_unit_in_cart(client) -> str:
    await _add(client)
    variant = (await (await client.get("/cart.js", headers={"Host": HOST})).json())["items"][0]["variant_id"]
    await _set_stock(client, variant, 1)
    return variant


async def test_opening_checkout_holds_the_last_unit_for_this_shopper_only(client, aiohttp_client) -> None:
    await _last_unit_in_cart(client)
    page = await client.get("/checkout", headers={"Host": HOST})
    assert page.status == 200 and "Your items are held for you until" in await page.text()
    assert list((await _holds(client)).values()) == [1]
    mine = await (await client.get("/cart.js", headers={"Host": HOST})).json()
    assert not mine["items"][0].get("notices"), "the shopper's own hold does not make their cart short"

    other = await aiohttp_client(client.server)          # another shopper, their own cookies
    response = await other.post("/cart/add.js", json={"id": mine["items"][0]["variant_id"], "quantity": 1},
                                headers=SAME)
    assert response.status == 422 and "sold out" in (await response.json())["description"]


async def test_activity_renews_the_hold_and_a_cart_change_gives_it_back(client) -> None:
    await _last_unit_in_cart(client)
    await client.get("/checkout", headers={"Host": HOST})
    quote = await client.post("/checkout/quote", json={"address": ADDRESS}, headers=SAME)
    answer = await quote.json()
    assert quote.status == 200 and answer["heldText"].startswith("Your items are held for you until")
    assert answer["heldUntil"] and list((await _holds(client)).values()) == [1]
    cart = await (await client.get("/cart.js", headers={"Host": HOST})).json()
    await client.post("/cart/change.js", json={"line": 1, "quantity": 0}, headers=SAME)
    assert await _holds(client) == {}
    assert cart["item_count"] == 1


async def test_checkout_started_by_another_shopper_sees_it_sold_out(client, aiohttp_client) -> None:
    await _last_unit_in_cart(client)
    other = await aiohttp_client(client.server)
    await _add(other)                                    # before the first shopper reached checkout
    await client.get("/checkout", headers={"Host": HOST})
    response = await other.get("/checkout", headers={"Host": HOST}, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/cart"
    cart = await (await other.get("/cart", headers={"Host": HOST})).text()
    assert "sold out" in cart
    started = await other.post("/checkout/start", json={"email": "bo@example.com", "address": ADDRESS}, headers=SAME)
    assert started.status == 409 and "Sold out" in (await started.json())["error"]["message"]


async def test_an_attempt_answers_only_to_its_own_cart(client, aiohttp_client) -> None:
    await _add(client)
    quote = await client.post("/checkout/quote", json={"delivery": "pickup"}, headers=SAME)
    pickup = (await quote.json())["quote"]["shipping_option"]
    started = await client.post("/checkout/start", json={"email": "grace@example.com", "delivery": "pickup",
                                                         "shippingOptionId": pickup["id"],
                                                         "paymentMethod": "pay_in_store"}, headers=SAME)
    attempt = (await started.json())["attemptId"]
    held = await _holds(client)
    stranger = await aiohttp_client(client.server)
    await _add(stranger)                                  # a cart of their own, not this one
    for path in ("/checkout/pay", "/checkout/confirm", "/checkout/cancel"):
        response = await stranger.post(path, json={"attemptId": attempt}, headers=SAME)
        assert response.status == 404, path
    assert (await _holds(client))[attempt] == held[attempt]                 # nothing changed
    paid = await client.post("/checkout/pay", json={"attemptId": attempt}, headers=SAME)
    assert paid.status == 200 and (await paid.json())["orderUrl"]


async def test_the_hold_lasts_the_store_s_hold_time(client) -> None:
    from datetime import UTC, datetime, timedelta

    from cloud.server.keys import STORES
    from shared.checkout.setup_store import save_hold_minutes

    store = await client.app[STORES].store_for(HOST)
    save_hold_minutes(store.db, 25)
    await _add(client)
    before = datetime.now(UTC)
    answer = await (await client.post("/checkout/quote", json={"address": ADDRESS}, headers=SAME)).json()
    until = datetime.fromisoformat(answer["heldUntil"])
    assert before + timedelta(minutes=25) <= until <= datetime.now(UTC) + timedelta(minutes=25)


async def test_card_checkouts_share_one_stripe_client(aiohttp_client, demo_dir: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """No CA bundle load and no new connection pool per checkout: the worker's one client serves all."""
    import base64
    import os

    import shared.payments.stripe_provider as stripe_provider
    from cloud.server.keys import STORES
    from shared.payments import ENV_VAR, SecretBox, StripeKeys, set_stripe_keys

    key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    monkeypatch.setenv(ENV_VAR, key)
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, rate_burst=10_000,
                                                         stripe_api="http://127.0.0.1:9")))
    store = await client.app[STORES].store_for(HOST)
    set_stripe_keys(store.db, store_id=store.record.id, box=SecretBox(base64.urlsafe_b64decode(key)),
                    keys=StripeKeys("sk_test_shared42", "pk_test_shared42", "whsec_shared42"))
    made = []
    real = stripe_provider.new_http_client
    monkeypatch.setattr(stripe_provider, "new_http_client", lambda options: made.append(1) or real(options))
    await _add(client)
    for _ in range(3):
        started = await client.post("/checkout/start", json={"email": "ada@example.com", "address": ADDRESS},
                                    headers=SAME)
        assert started.status == 503          # nothing listens there: the point is which client was used
    assert made == []


async def test_a_pickup_shop_without_the_items_is_greyed_out(client) -> None:
    """The demo tee is stocked only away from the Pine Street shop: pickup there cannot be chosen."""
    from datetime import UTC, datetime

    from cloud.server.keys import STORES
    from shared.db.repositories import inventory as inventory_repo
    from shared.db.stamps import new_id
    from shared.inventory import record_movement

    await _add(client)
    variant = (await (await client.get("/cart.js", headers={"Host": HOST})).json())["items"][0]["variant_id"]
    store = await client.app[STORES].store_for(HOST)
    now = datetime.now(UTC)

    def move_away(conn) -> None:
        shop = next(l.id for l in inventory_repo.list_locations(conn) if "Pine" in l.name)
        other = next(l.id for l in inventory_repo.list_locations(conn) if l.id != shop)
        at_shop = inventory_repo.stock_levels(conn, [variant]).get(variant, {}).get(shop, 0)
        for location, delta in ((shop, -at_shop), (other, at_shop + 5)):
            record_movement(conn, change_id=new_id(), variant_id=variant, location_id=location, delta=delta,
                            reason="adjusted", occurred_at=now, now=now)

    store.db.write(move_away)
    html = await (await client.get("/checkout", headers={"Host": HOST})).text()
    pickup = html[html.index('id="ck-pickup"'):]
    pickup = pickup[:pickup.index("</div></div>")]
    assert "disabled" in pickup and "Not in stock here: Harbor Classic Tee" in pickup
