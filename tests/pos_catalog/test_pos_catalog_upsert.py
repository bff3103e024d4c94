"""POST /pos/v1/catalog/batch-upsert over real HTTP: creates, updates, stale versions, refused batches
(nothing written: checked in the database), idempotent replays, and what the storefront then shows."""

from __future__ import annotations

import asyncio
import json
import uuid

from support import wait_for_async
from tests.pos_catalog.conftest import HOST

UPSERT = "/pos/v1/catalog/batch-upsert"


def _product(n: int, **extra) -> dict:
    """A new two-size product whose SKUs are unique to this test run."""
    tag = uuid.uuid4().hex[:6]
    product = {"title": f"Till Mug {n} {tag}", "external_id": f"pos-item-{tag}",
               "options": [{"name": "Size", "values": ["S", "M"]}],
               "variants": [{"sku": f"MUG-{tag}-S", "external_id": f"pos-var-{tag}-s", "barcode": "4006381333931",
                             "price": {"amount": 1250, "currency": "USD"}, "weight_grams": 300,
                             "option_values": ["S"]},
                            {"sku": f"MUG-{tag}-M", "price": {"amount": 1450, "currency": "USD"},
                             "option_values": ["M"]}]}
    product.update(extra)
    return product


async def _upsert(client, setup, products: list[dict], key: str | None = None):
    return await client.post(UPSERT, json={"products": products}, headers=setup.headers(key or str(uuid.uuid4())))


def _counts(conn) -> tuple:
    """What a refused batch must leave as it was."""
    return (conn.scalar("SELECT count(*) FROM products"), conn.scalar("SELECT count(*) FROM variants"),
            conn.scalar("SELECT count(*) FROM product_options"),
            conn.scalar("SELECT group_concat(price_amount) FROM (SELECT price_amount FROM variants ORDER BY id)"),
            conn.scalar("SELECT version FROM content_version WHERE id = 1"))


async def test_create_then_update_by_version(catalog_client, catalog_setup) -> None:
    sent = _product(1)
    answer = await _upsert(catalog_client, catalog_setup, [sent])
    body = await answer.json()
    assert answer.status == 200, body
    made = body["products"][0]
    assert made["created"] and made["version"] == 1 and made["index"] == 0
    assert made["external_id"] == sent["external_id"]
    assert [v["sku"] for v in made["variants"]] == [v["sku"] for v in sent["variants"]]
    assert made["variants"][0]["external_id"] == sent["variants"][0]["external_id"]
    rows = catalog_setup.read(lambda conn: conn.all(
        "SELECT v.id, v.sku, v.barcode, v.price_amount, v.currency, v.weight_grams, v.option1, v.title, p.title, "
        "p.status, p.handle FROM variants v JOIN products p ON p.id = v.product_id WHERE p.id = ? ORDER BY v.position",
        (made["id"],)))
    assert [tuple(r[1:8]) for r in rows] == [
        (sent["variants"][0]["sku"], "4006381333931", 1250, "USD", 300, "S", "S"),
        (sent["variants"][1]["sku"], "", 1450, "USD", 0, "M", "M")]
    assert rows[0][8] == sent["title"] and rows[0][9] == "active" and rows[0][10] == made["handle"]

    # Update by the POS's external id, with the version it was given: same ids, version 2, new price.
    sent["variants"][1]["price"]["amount"] = 1990
    sent["version"] = 1
    answer = await _upsert(catalog_client, catalog_setup, [sent])
    body = await answer.json()
    assert answer.status == 200, body
    again = body["products"][0]
    assert (again["id"], again["version"], again["created"]) == (made["id"], 2, False)
    assert [v["id"] for v in again["variants"]] == [v["id"] for v in made["variants"]]
    prices = catalog_setup.read(lambda conn: conn.all(
        "SELECT price_amount, barcode, weight_grams FROM variants WHERE product_id = ? ORDER BY position",
        (made["id"],)))
    assert [tuple(r) for r in prices] == [(1250, "4006381333931", 300), (1990, "", 0)]

    # Barcode and weight left out: as they were (a till that does not weigh keeps the web's weights).
    del sent["variants"][0]["barcode"], sent["variants"][0]["weight_grams"]
    sent["version"] = 2
    answer = await _upsert(catalog_client, catalog_setup, [sent])
    assert answer.status == 200 and (await answer.json())["products"][0]["version"] == 3
    assert catalog_setup.read(lambda conn: conn.one(
        "SELECT barcode, weight_grams FROM variants WHERE id = ?", (made["variants"][0]["id"],))) == (
        "4006381333931", 300)
    summary = catalog_setup.read(lambda conn: conn.one(
        "SELECT min_price, max_price FROM product_summary WHERE product_id = ?", (made["id"],)))
    assert tuple(summary) == (1250, 1990)

    # The storefront serves it: its page, its search hit, its related-products vector.
    page = await catalog_client.get(f"/products/{made['handle']}", headers={"Host": HOST})
    assert page.status == 200
    assert sent["title"] in await page.text()
    found = catalog_setup.read(lambda conn: conn.one(
        "SELECT p.id FROM products_fts f JOIN products p ON p.rowid = f.rowid WHERE products_fts MATCH ?",
        (f'"{sent["title"].split()[-1]}"',)))
    assert found is not None and found[0] == made["id"]
    assert catalog_setup.read(lambda conn: conn.scalar(
        "SELECT count(*) FROM product_vectors WHERE product_id = ?", (made["id"],))) == 1


async def test_stale_version_is_refused_and_nothing_is_written(catalog_client, catalog_setup) -> None:
    first = _product(1)
    made = (await (await _upsert(catalog_client, catalog_setup, [first])).json())["products"][0]
    first["version"] = 1
    assert (await _upsert(catalog_client, catalog_setup, [first])).status == 200     # now at version 2
    before = catalog_setup.read(_counts)
    first["version"] = 1                                   # what another till last saw
    first["variants"][0]["price"]["amount"] = 1
    answer = await _upsert(catalog_client, catalog_setup, [_product(2), first])
    body = await answer.json()
    assert answer.status == 409, body
    error = body["error"]
    assert (error["index"], error["field"], error["code"], error["current_version"]) == (1, "version",
                                                                                      "stale_version", 2)
    assert catalog_setup.read(_counts) == before          # not even the good product 0
    assert catalog_setup.read(lambda conn: conn.scalar("SELECT version FROM products WHERE id = ?",
                                                       (made["id"],))) == 2
    # A product the POS believes exists (version given) but that is not here is stale too.
    answer = await _upsert(catalog_client, catalog_setup, [_product(3, version=4)])
    assert answer.status == 409 and (await answer.json())["error"]["current_version"] == 0


async def test_more_than_100_products_are_refused(catalog_client, catalog_setup) -> None:
    before = catalog_setup.read(_counts)
    answer = await _upsert(catalog_client, catalog_setup, [_product(n) for n in range(101)])
    body = await answer.json()
    assert answer.status == 422, body
    assert body["error"]["field"] == "products" and "100" in body["error"]["message"]
    assert catalog_setup.read(_counts) == before


async def test_one_bad_product_in_the_middle_refuses_the_batch(catalog_client, catalog_setup) -> None:
    before = catalog_setup.read(_counts)
    taken = catalog_setup.read(lambda conn: conn.scalar("SELECT sku FROM variants WHERE sku <> '' LIMIT 1"))
    cases = [  # (the bad product, its expected field, code)
        (_product(9, options=[{"name": "Size", "values": ["S", "M"]}, {"name": "Size", "values": ["L"]}]),
         "options[1].name", "duplicate"),
        (_product(9, variants=[{"sku": "X", "price": {"amount": 10, "currency": "USD"}, "option_values": ["XL"]}]),
         "variants[0].option_values", "invalid"),
        (_product(9, variants=[{"sku": taken, "price": {"amount": 10, "currency": "USD"}, "option_values": ["S"]}]),
         "variants[0].sku", "sku_taken"),
        (_product(9, variants=[{"sku": "Y", "price": {"amount": 10, "currency": "EUR"}, "option_values": ["S"]}]),
         "variants[0].price.currency", "currency"),
        (_product(9, id=str(uuid.uuid4())), "id", "unknown_product"),
        (_product(9, variants=[{"id": str(uuid.uuid4()), "sku": "Z", "price": {"amount": 10, "currency": "USD"},
                                "option_values": ["S"]}]), "variants[0].id", "unknown_variant"),
    ]
    for bad, field, code in cases:
        answer = await _upsert(catalog_client, catalog_setup, [_product(0), _product(1), bad, _product(3)])
        body = await answer.json()
        assert answer.status == 422, body
        assert (body["error"]["index"], body["error"]["field"], body["error"]["code"]) == (2, field, code), body
        assert catalog_setup.read(_counts) == before


async def test_the_same_sku_twice_in_a_batch_is_refused(catalog_client, catalog_setup) -> None:
    one, two = _product(1), _product(2)
    two["variants"][1]["sku"] = one["variants"][0]["sku"]
    answer = await _upsert(catalog_client, catalog_setup, [one, two])
    body = await answer.json()
    assert answer.status == 422, body
    assert (body["error"]["index"], body["error"]["field"], body["error"]["code"]) == (1, "variants[1].sku",
                                                                                    "duplicate")


async def test_wrong_types_negative_prices_and_unknown_fields_are_422(catalog_client, catalog_setup) -> None:
    before = catalog_setup.read(_counts)
    wrong_type, negative, missing = _product(1), _product(1), _product(1)
    web_field = _product(1, description="<p>x</p>")
    wrong_type["variants"][1]["price"]["amount"] = "14.50"
    negative["variants"][0]["price"]["amount"] = -1
    del missing["variants"][0]["price"]
    for bad, field in [(wrong_type, "variants[1].price.amount"), (negative, "variants[0].price.amount"),
                       (web_field, "description"), (missing, "variants[0].price")]:
        answer = await _upsert(catalog_client, catalog_setup, [_product(0), bad])
        body = await answer.json()
        assert answer.status == 422, body
        assert body["error"]["index"] == 1 and (body["error"]["field"] or "") == field, body
    answer = await catalog_client.post(UPSERT, data=b"{not json", headers=catalog_setup.headers(str(uuid.uuid4())))
    assert answer.status == 400
    answer = await catalog_client.post(UPSERT, json={"products": [_product(1)]}, headers=catalog_setup.headers())
    assert answer.status == 400                            # no Idempotency-Key
    assert catalog_setup.read(_counts) == before


async def test_idempotent_replay_answers_the_same_and_writes_once(catalog_client, catalog_setup) -> None:
    key, products = str(uuid.uuid4()), [_product(1), _product(2)]
    first = await _upsert(catalog_client, catalog_setup, products, key=key)
    assert first.status == 200
    after = catalog_setup.read(_counts)
    again = await _upsert(catalog_client, catalog_setup, products, key=key)
    assert again.status == 200 and again.headers.get("Idempotent-Replayed") == "true"
    assert await again.json() == await first.json()
    assert catalog_setup.read(_counts) == after
    other = await _upsert(catalog_client, catalog_setup, [_product(3)], key=key)
    assert other.status == 422                             # the key with another body


async def test_price_reaches_the_product_page_and_web_content_survives(catalog_client, catalog_setup) -> None:
    """A demo product authored on the web: the POS takes it over by id, changes its price; its page shows
    the new price and its description, tags, media and collections are as they were."""
    def web_content(conn) -> tuple:
        row = conn.one("SELECT id, description_html, tags, vendor, product_type, handle FROM products "
                       "WHERE handle = 'harbor-classic-tee'")
        media = conn.all("SELECT media_id, position FROM product_media WHERE product_id = ? ORDER BY position",
                         (row[0],))
        collections = conn.all("SELECT collection_id FROM collection_products WHERE product_id = ? "
                               "ORDER BY collection_id", (row[0],))
        return tuple(row), [tuple(m) for m in media], [c[0] for c in collections]

    (pid, description, *_), media, collections = before = catalog_setup.read(web_content)
    assert description and media and collections
    page = await (await catalog_client.get("/products/harbor-classic-tee", headers={"Host": HOST})).text()
    assert "$123.45" not in page                           # and the page is now in the page cache
    options = catalog_setup.read(lambda conn: conn.all(
        'SELECT name, "values" FROM product_options WHERE product_id = ? ORDER BY position', (pid,)))
    variants = catalog_setup.read(lambda conn: conn.all(
        "SELECT id, sku, option1, option2, option3 FROM variants WHERE product_id = ? ORDER BY position", (pid,)))
    sent = {"id": pid, "version": 1, "title": "Harbor Classic Tee",
            "options": [{"name": name, "values": json.loads(values)} for name, values in options],
            "variants": [{"id": vid, "sku": sku, "price": {"amount": 12345, "currency": "USD"},
                          "option_values": [v for v in (o1, o2, o3) if v is not None]}
                         for vid, sku, o1, o2, o3 in variants]}
    answer = await _upsert(catalog_client, catalog_setup, [sent])
    body = await answer.json()
    assert answer.status == 200, body
    assert body["products"][0]["version"] == 2 and body["products"][0]["id"] == pid
    assert catalog_setup.read(web_content) == before
    # Each worker re-reads the content version at most every cloud.render.cache.VERSION_TTL (0.25 s).
    assert await _page_shows(catalog_client, "/products/harbor-classic-tee", "$123.45")


async def _page_shows(client, path: str, text: str, *, timeout: float = 10.0) -> bool:
    """Whether the storefront page shows `text` within `timeout` seconds (it is cached meanwhile)."""
    async def shows() -> bool:
        return text in await (await client.get(path, headers={"Host": HOST})).text()
    await wait_for_async(shows, f"{path} showing {text}", timeout=timeout)
    return True


async def test_external_ids_find_what_the_pos_made_and_are_not_shared(catalog_client, catalog_setup) -> None:
    """A re-send under a new key finds the product and variants by the POS's ids (no duplicates); an
    external id is one object's, and one stored product named twice in a batch is refused."""
    sent = _product(1)
    made = (await (await _upsert(catalog_client, catalog_setup, [sent])).json())["products"][0]
    sent["version"] = 1
    sent["variants"][0]["sku"] += "-NEW"                   # the POS renamed the SKU: its id still finds it
    answer = await _upsert(catalog_client, catalog_setup, [sent])
    body = await answer.json()
    assert answer.status == 200, body
    assert body["products"][0]["variants"][0]["id"] == made["variants"][0]["id"]
    assert catalog_setup.read(lambda conn: conn.scalar(
        "SELECT count(*) FROM variants WHERE product_id = ?", (made["id"],))) == 2
    before = catalog_setup.read(_counts)
    thief = _product(2)
    thief["variants"][0]["external_id"] = sent["variants"][0]["external_id"]
    answer = await _upsert(catalog_client, catalog_setup, [thief])
    body = await answer.json()
    assert answer.status == 422 and body["error"]["field"] == "variants[0].external_id", body
    twice = [{**sent, "version": 2}, {**_product(3), "id": made["id"], "external_id": None, "version": 2}]
    answer = await _upsert(catalog_client, catalog_setup, twice)
    body = await answer.json()
    assert answer.status == 422 and (body["error"]["index"], body["error"]["code"]) == (1, "duplicate"), body
    assert catalog_setup.read(_counts) == before


async def test_two_tills_racing_on_one_version_one_wins(catalog_client, catalog_setup) -> None:
    sent = _product(1)
    made = (await (await _upsert(catalog_client, catalog_setup, [sent])).json())["products"][0]
    racers = []
    for amount in (111, 222):
        product = json.loads(json.dumps(sent))
        product["version"] = 1
        product["variants"][0]["price"]["amount"] = amount
        racers.append(product)
    answers = await asyncio.gather(*(_upsert(catalog_client, catalog_setup, [p]) for p in racers))
    assert sorted(a.status for a in answers) == [200, 409]
    winner = racers[[a.status for a in answers].index(200)]["variants"][0]["price"]["amount"]
    assert catalog_setup.read(lambda conn: conn.one(
        "SELECT p.version, v.price_amount FROM products p JOIN variants v ON v.product_id = p.id "
        "WHERE p.id = ? AND v.position = 0", (made["id"],))) == (2, winner)
