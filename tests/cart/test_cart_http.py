"""The cart over HTTP (aiohttp test client on the demo store): the no-JavaScript flow answers 303, the
AJAX Cart API answers Shopify's shapes and errors, the cookie's attributes, tampered input changes
nothing, forged and foreign cart ids are no cart, cross-site posts get 403, and shared pages stay
cached and identical for a shopper with a cart."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from cloud.server.keys import PAGE_CACHE
from shared.compose.scripts import cart_script, loader_csp_hash
from shared.storefront.service import DataDir, open_store

HOST = "demo.localhost"
SAME = {"Host": HOST, "Origin": f"http://{HOST}"}


@pytest.fixture
async def client(aiohttp_client, demo_dir: Path):
    return await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, rate_burst=10_000)))


@pytest.fixture
def variants(demo_dir: Path) -> list[tuple[str, int, int]]:
    """(variant id, price, available) of the demo's tee variants, most stock first."""
    store = open_store(DataDir(demo_dir), "demo")
    try:
        return store.db.read(lambda c: c.all(
            "SELECT v.id, v.price_amount, (SELECT sum(on_hand) FROM location_stock s WHERE s.variant_id = v.id) AS n "
            "FROM variants v JOIN products p ON p.id = v.product_id WHERE p.handle = 'harbor-classic-tee' "
            "ORDER BY n DESC"))
    finally:
        store.close()


def _rows(demo_dir: Path, sql: str) -> list:
    store = open_store(DataDir(demo_dir), "demo")
    try:
        return store.db.read(lambda c: c.all(sql))
    finally:
        store.close()


async def test_no_js_add_redirects_to_the_cart_with_a_safe_cookie(client, variants) -> None:
    vid, price, _ = variants[0]
    response = await client.post("/cart/add", data={"variant_id": vid, "quantity": "2", "price": "1"},
                                 headers=SAME, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/cart"
    cookie = response.cookies["cart"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/" and not cookie["secure"]
    assert int(cookie["max-age"]) == 30 * 86400
    page = await client.get("/cart", headers={"Host": HOST})
    text = await page.text()
    assert page.status == 200 and page.headers["Cache-Control"] == "no-store"
    assert "Harbor Classic Tee" in text and f"${price * 2 // 100}.00" in text   # the posted price is ignored
    assert 'action="/cart/update"' in text and 'name="checkout"' in text       # checkout saves quantities first
    cache = client.server.app[PAGE_CACHE]
    hits, misses = cache.hits, cache.misses
    await client.get("/cart", headers={"Host": HOST})
    assert (cache.hits, cache.misses) == (hits, misses)                        # the cart page bypasses the cache


async def test_the_cookie_is_secure_over_https(aiohttp_client, demo_dir: Path, variants) -> None:
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, trusted_proxies=("127.0.0.1",))))
    response = await client.post("/cart/add", data={"variant_id": variants[0][0]}, allow_redirects=False,
                                 headers={**SAME, "Origin": f"https://{HOST}", "X-Forwarded-Proto": "https"})
    assert response.status == 303 and response.cookies["cart"]["secure"]


async def test_change_update_remove_and_clear_forms(client, variants) -> None:
    (a, pa, _), (b, pb, _) = variants[0], variants[1]
    await client.post("/cart/add", data={"variant_id": a}, headers=SAME)
    await client.post("/cart/add", data={"id": b, "quantity": "2"}, headers=SAME)
    cart = await (await client.get("/cart.js", headers={"Host": HOST})).json()
    key_a, key_b = cart["items"][0]["key"], cart["items"][1]["key"]
    response = await client.post("/cart/update", data={f"updates[{key_a}]": "3"}, headers=SAME,
                                 allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/cart"
    response = await client.post("/cart/change", data={"key": key_b, "quantity": "0"}, headers=SAME,
                                 allow_redirects=False)
    assert response.status == 303
    cart = await (await client.get("/cart.js", headers={"Host": HOST})).json()
    assert [(i["id"], i["quantity"]) for i in cart["items"]] == [(a, 3)] and cart["total_price"] == 3 * pa
    response = await client.post("/cart/update", data={f"updates[{key_a}]": "1", "checkout": "1"}, headers=SAME,
                                 allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/checkout"
    # The checkout page shows the cart's lines; opening it changes nothing in the cart.
    page = await client.get("/checkout", headers={"Host": HOST})
    assert page.status == 200 and "Order summary" in await page.text()
    assert page.headers["Cache-Control"] == "no-store"
    assert (await (await client.get("/cart.js", headers={"Host": HOST})).json())["item_count"] == 1
    response = await client.post("/cart/clear", headers=SAME, allow_redirects=False)
    assert response.status == 303
    assert (await (await client.get("/cart.js", headers={"Host": HOST})).json())["item_count"] == 0


@pytest.mark.parametrize("quantity", ["-1", "0", "1.5", "1e3", "99999999999999999999", "abc", ""])
async def test_tampered_quantities_show_a_clear_message_and_change_nothing(client, demo_dir: Path, variants,
                                                                           quantity: str) -> None:
    response = await client.post("/cart/add", data={"variant_id": variants[0][0], "quantity": quantity},
                                 headers=SAME, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/cart?error=invalid_quantity"
    page = await (await client.get(response.headers["Location"], headers={"Host": HOST})).text()
    assert "Choose a quantity from 1 to 999." in page
    assert _rows(demo_dir, "SELECT count(*) FROM cart_lines") == [(0,)]


async def test_a_form_of_10000_lines_is_refused_clearly(client, demo_dir: Path, variants) -> None:
    huge = {f"updates[{variants[0][0] if i == 0 else f'v{i}'}]": "1" for i in range(10_000)}
    response = await client.post("/cart/update", data=huge, headers=SAME, allow_redirects=False)
    assert response.status == 413 and "larger than this address accepts" in await response.text()
    fields = dict(list(huge.items())[:1_000])
    response = await client.post("/cart/update", data=fields, headers=SAME, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/cart?error=too_many_lines"
    page = await (await client.get(response.headers["Location"], headers={"Host": HOST})).text()
    assert "at most 100 different items" in page
    assert _rows(demo_dir, "SELECT count(*) FROM cart_lines") == [(0,)]


async def test_an_error_code_in_the_address_cannot_put_words_on_the_page(client) -> None:
    page = await (await client.get("/cart?error=<b>Send+money</b>", headers={"Host": HOST})).text()
    assert "Send money" not in page and "<b>" not in page.split("<main", 1)[1]


async def test_the_ajax_api_shapes(client, variants) -> None:
    (a, pa, _), (b, pb, _) = variants[0], variants[1]
    empty = await (await client.get("/cart.js", headers={"Host": HOST})).json()
    assert empty["item_count"] == 0 and empty["items"] == [] and empty["currency"] == "USD"
    item = await client.post("/cart/add.js", json={"id": a, "quantity": 2, "price": 1}, headers=SAME)
    assert item.status == 200 and item.headers["Cache-Control"] == "no-store"
    body = await item.json()
    assert body["id"] == a and body["quantity"] == 2 and body["price"] == pa and body["line_price"] == 2 * pa
    assert body["url"].startswith("/products/harbor-classic-tee") and body["image"].startswith("/media/")
    several = await (await client.post("/cart/add.js", json={"items": [{"id": b, "quantity": 1}]}, headers=SAME)).json()
    assert [i["id"] for i in several["items"]] == [a, b]
    cart = await (await client.post("/cart/change.js", json={"line": 1, "quantity": 1}, headers=SAME)).json()
    assert cart["items"][0]["quantity"] == 1 and cart["item_count"] == 2 and cart["total_price"] == pa + pb
    cart = await (await client.post("/cart/change.js", json={"id": b, "quantity": 0}, headers=SAME)).json()
    assert [i["id"] for i in cart["items"]] == [a]
    cart = await (await client.post("/cart/update.js", json={"updates": {a: 3, b: 1}}, headers=SAME)).json()
    assert [(i["id"], i["quantity"]) for i in cart["items"]] == [(a, 3), (b, 1)]
    form = await client.post("/cart/update.js", data={f"updates[{b}]": "0"}, headers=SAME)
    assert [i["id"] for i in (await form.json())["items"]] == [a]
    cart = await (await client.post("/cart/clear.js", headers=SAME)).json()
    assert cart["item_count"] == 0 and cart["total_price"] == 0


@pytest.mark.parametrize(("path", "body", "status"), [
    ("/cart/add.js", {"id": "no-such-variant", "quantity": 1}, 404),
    ("/cart/add.js", {"id": None, "quantity": 1}, 404),
    ("/cart/add.js", {"quantity": -5}, 422),
    ("/cart/add.js", {"quantity": 10**30}, 422),
    ("/cart/add.js", {"items": "nope"}, 400),
    ("/cart/add.js", {"items": [{"id": "x", "quantity": 1}] * 10_000}, 413),   # 320 KB of JSON
    ("/cart/add.js", {"items": [{"id": "x"}] * 5_000}, 422),
    ("/cart/change.js", {"line": 7, "quantity": 1}, 422),
    ("/cart/change.js", {"quantity": 1}, 400),
    ("/cart/update.js", {"updates": [1, 2]}, 400),
    ("/cart/update.js", {"updates": {str(i): 1 for i in range(10_000)}}, 422),
])
async def test_ajax_errors_use_shopifys_shape(client, demo_dir: Path, path: str, body, status: int) -> None:
    response = await client.post(path, json=body, headers=SAME)
    assert response.status == status
    error = await response.json()
    assert error["status"] == status and error["message"] and error["description"]
    assert _rows(demo_dir, "SELECT count(*) FROM cart_lines") == [(0,)]


async def test_bad_json_is_a_400(client) -> None:
    response = await client.post("/cart/add.js", data=b"{nope", headers={**SAME, "Content-Type": "application/json"})
    assert response.status == 400 and (await response.json())["status"] == 400


async def test_more_than_in_stock_is_refused(client, variants) -> None:
    vid, _, stock = variants[-1]
    response = await client.post("/cart/add.js", json={"id": vid, "quantity": stock + 1}, headers=SAME)
    assert response.status == 422 and "available" in (await response.json())["description"] or "sold out" in (
        await response.json())["description"]


@pytest.mark.parametrize("cookie", ["garbage", "x" * 32, "", "%00" * 10, "a" * 5000])
async def test_forged_cart_ids_are_no_cart(client, variants, cookie: str) -> None:
    await client.post("/cart/add.js", json={"id": variants[0][0]}, headers=SAME)   # someone's real cart
    client.session.cookie_jar.clear()
    headers = {"Host": HOST, "Cookie": f"cart={cookie}"}
    cart = await client.get("/cart.js", headers=headers)
    assert cart.status == 200 and (await cart.json())["item_count"] == 0
    page = await client.get("/cart", headers=headers)
    assert page.status == 200 and "Your cart is empty." in await page.text()
    change = await client.post("/cart/change.js", json={"line": 1, "quantity": 0}, headers={**SAME, **headers})
    assert change.status == 422


async def test_another_stores_cart_id_is_no_cart(aiohttp_client, tmp_path: Path, demo_dir: Path, variants) -> None:
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, rate_burst=10_000)))
    added = await client.post("/cart/add.js", json={"id": variants[0][0]}, headers=SAME)
    token = added.cookies["cart"].value
    from shared.storefront.service import create_store

    other = create_store(DataDir(demo_dir), slug="other", name="Other")
    other.close()
    client.session.cookie_jar.clear()
    response = await client.get("/cart.js", headers={"Host": "other.localhost", "Cookie": f"cart={token}"})
    assert response.status == 200 and (await response.json())["item_count"] == 0


@pytest.mark.parametrize("path", ["/cart/add", "/cart/add.js", "/cart/change.js", "/cart/update", "/cart/clear.js"])
async def test_cross_site_posts_are_refused(client, demo_dir: Path, variants, path: str) -> None:
    response = await client.post(path, data={"variant_id": variants[0][0], "id": variants[0][0], "quantity": "1"},
                                 headers={"Host": HOST, "Origin": "https://evil.example"}, allow_redirects=False)
    assert response.status == 403
    assert _rows(demo_dir, "SELECT count(*) FROM carts") == [(0,)]


async def test_shared_pages_stay_cached_and_identical_with_a_cart(client, variants) -> None:
    first = await client.get("/products/harbor-classic-tee", headers={"Host": HOST})
    plain = await first.read()
    await client.post("/cart/add.js", json={"id": variants[0][0], "quantity": 2}, headers=SAME)
    assert client.session.cookie_jar.filter_cookies(client.make_url("/")).get("cart") is not None
    cache = client.server.app[PAGE_CACHE]
    hits = cache.hits
    with_cart = await client.get("/products/harbor-classic-tee", headers={"Host": HOST})
    assert await with_cart.read() == plain and cache.hits == hits + 1
    assert "Set-Cookie" not in with_cart.headers
    assert 'class="vs-header__count"' not in plain.decode()        # no shopper data in a shared page


async def test_the_loader_and_script_are_allowed_by_the_csp(client) -> None:
    page = await client.get("/", headers={"Host": HOST})
    assert loader_csp_hash() in page.headers["Content-Security-Policy"]
    assert cart_script().path in await page.text()
    script = await client.get(cart_script().path, headers={"Host": HOST})
    assert script.status == 200 and script.headers["Content-Type"].startswith("text/javascript")
    assert "immutable" in script.headers["Cache-Control"]
    assert (await client.get("/assets/cart-00000000000000000000.js", headers={"Host": HOST})).status == 404
