"""The catalogue change log and GET /_sync/catalog over real HTTP: a POS stock change and a direct
product edit are logged by the triggers, the feed pages, carries the parents a page needs, refuses bad
cursors and tokens, thresholds are set through PUT /_sync/catalog/alerts, and the poke socket says
{"catalog": N} when the catalogue moved."""

from __future__ import annotations

import asyncio
import json

from catalog_live_support import DEMO, SYNC, CatalogSetup, count_change, sale_change
from shared.db.stamps import utc_now
from shared.storefront.service import DataDir, open_store

FEED = "/_sync/catalog"


async def _page(client, setup: CatalogSetup, after: int, limit: int = 1000) -> dict:
    answer = await client.get(FEED, params={"after": after, "limit": limit}, headers=setup.sync_headers())
    assert answer.status == 200, await answer.text()
    return await answer.json()


async def _latest(client, setup: CatalogSetup) -> int:
    cursor = 0
    while True:
        page = await _page(client, setup, cursor)
        cursor = page["cursor"]
        if not page["more"]:
            return cursor


async def test_a_pos_stock_change_is_in_the_feed(feed_client, catalog_setup: CatalogSetup) -> None:
    before = await _latest(feed_client, catalog_setup)
    answer = await feed_client.post("/pos/v1/inventory/changes", json=count_change(catalog_setup, 7),
                                    headers=catalog_setup.pos_headers())
    assert answer.status == 200, await answer.text()
    page = await _page(feed_client, catalog_setup, before)
    stock = [c for c in page["changes"] if c["table"] == "location_stock"]
    assert [c["key"] for c in stock] == [[catalog_setup.variant_id, catalog_setup.location_id]]
    assert stock[0]["row"]["on_hand"] == 7 and stock[0]["seq"] > before
    assert page["cursor"] == page["changes"][-1]["seq"] and page["more"] is False

    answer = await feed_client.post("/pos/v1/inventory/changes", json=sale_change(catalog_setup, 2),
                                    headers=catalog_setup.pos_headers())
    assert answer.status == 200, await answer.text()
    again = await _page(feed_client, catalog_setup, page["cursor"])
    assert [(c["table"], c["row"]["on_hand"]) for c in again["changes"]] == [("location_stock", 5)]


async def test_a_direct_product_edit_is_in_the_feed_with_the_parents_it_needs(feed_client, catalog_setup) -> None:
    before = await _latest(feed_client, catalog_setup)
    store = open_store(DataDir(catalog_setup.data), "demo")
    try:
        store.db.write(lambda conn: conn.execute("UPDATE variants SET title = title, updated_at = ? WHERE id = ?",
                                                 (utc_now(), catalog_setup.variant_id)))
        store.db.write(lambda conn: conn.execute("UPDATE products SET title = 'Harbor Classic Tee' || '' , "
                                                 "description_html = '<p>New</p>' WHERE id = ?",
                                                 (catalog_setup.product_id,)))
    finally:
        store.close()
    first = await _page(feed_client, catalog_setup, before, limit=1)
    assert [c["table"] for c in first["changes"]] == ["variants"] and first["more"] is True
    # The product's entry comes later: the page carries its row so the variant can be written alone.
    assert [(p["table"], p["key"]) for p in first["parents"]] == [("products", catalog_setup.product_id)]
    second = await _page(feed_client, catalog_setup, first["cursor"], limit=1)
    assert second["changes"][0]["table"] == "products"
    assert second["changes"][0]["row"]["description_html"] == "<p>New</p>"
    assert second["parents"] == [] and second["more"] is False


async def test_the_feed_pages_through_the_whole_catalogue(feed_client, catalog_setup) -> None:
    seen, cursor, pages = {}, 0, 0
    while True:
        page = await _page(feed_client, catalog_setup, cursor, limit=50)
        assert all(c["seq"] > cursor for c in page["changes"])
        seen.update({(c["table"], json.dumps(c["key"])): c["row"] for c in page["changes"]})
        cursor, pages = page["cursor"], pages + 1
        if not page["more"]:
            break
    store = open_store(DataDir(catalog_setup.data), "demo")
    try:
        counts = store.db.read(lambda conn: {t: conn.scalar(f"SELECT count(*) FROM {t}") for t in
                                             ("products", "variants", "location_stock", "locations")})
    finally:
        store.close()
    assert pages > 1
    for table, count in counts.items():
        assert sum(1 for t, _k in seen if t == table) == count, table


async def test_bad_cursors_and_tokens_are_refused(feed_client, catalog_setup) -> None:
    latest = await _latest(feed_client, catalog_setup)
    for params, status, code in (({"after": "-1"}, 400, "input"), ({"after": "abc"}, 400, "input"),
                                 ({"after": "1e3"}, 400, "input"), ({"after": "0", "limit": "0"}, 400, "input"),
                                 ({"after": "0", "limit": "1001"}, 400, "input"),
                                 ({"after": str(latest + 1)}, 409, "cursor")):
        answer = await feed_client.get(FEED, params=params, headers=catalog_setup.sync_headers())
        body = await answer.json()
        assert (answer.status, body["error"]) == (status, code), (params, body)
    answer = await feed_client.get(FEED, headers=catalog_setup.sync_headers("vs_nope_nope"))
    assert answer.status == 401 and (await answer.json())["error"] == "unauthorized"
    answer = await feed_client.get(FEED, headers={"Authorization": f"Bearer {catalog_setup.pos_token}", **SYNC})
    assert answer.status == 401           # a POS token has no sync scope
    answer = await feed_client.get(FEED, headers={"Authorization": f"Bearer {catalog_setup.sync_token}"})
    assert answer.status == 426


async def test_thresholds_are_set_checked_and_logged(feed_client, catalog_setup) -> None:
    before = await _latest(feed_client, catalog_setup)
    url = f"{FEED}/alerts"
    answer = await feed_client.put(url, json={"variant_id": catalog_setup.variant_id, "threshold": 3},
                                   headers=catalog_setup.sync_headers())
    body = await answer.json()
    assert answer.status == 200, body
    assert body["row"]["threshold"] == 3 and body["cursor"] > before
    page = await _page(feed_client, catalog_setup, before)
    assert [(c["table"], c["key"], c["row"]["threshold"]) for c in page["changes"]] == [
        ("stock_alerts", catalog_setup.variant_id, 3)]
    for payload, status in (({"variant_id": catalog_setup.variant_id, "threshold": -1}, 400),
                            ({"variant_id": catalog_setup.variant_id, "threshold": "3"}, 400),
                            ({"variant_id": catalog_setup.variant_id, "threshold": True}, 400),
                            ({"variant_id": catalog_setup.variant_id, "threshold": 10**7}, 400),
                            ({"variant_id": 5, "threshold": 1}, 400),
                            ({"variant_id": "no-such-variant", "threshold": 1}, 404)):
        answer = await feed_client.put(url, json=payload, headers=catalog_setup.sync_headers())
        assert answer.status == status, (payload, await answer.text())
    answer = await feed_client.put(url, data=b"[1", headers=catalog_setup.sync_headers())
    assert answer.status == 400
    answer = await feed_client.put(url, json={"variant_id": catalog_setup.variant_id, "threshold": None},
                                   headers=catalog_setup.sync_headers())
    assert answer.status == 200 and (await answer.json())["row"] is None
    page = await _page(feed_client, catalog_setup, body["cursor"])
    assert [(c["table"], c["row"]) for c in page["changes"]] == [("stock_alerts", None)]


async def test_the_poke_socket_announces_catalogue_changes(feed_client, catalog_setup) -> None:
    socket = await feed_client.ws_connect("/_sync/poke", headers=catalog_setup.sync_headers())
    try:
        answer = await feed_client.post("/pos/v1/inventory/changes", json=sale_change(catalog_setup, 1),
                                        headers=catalog_setup.pos_headers())
        assert answer.status == 200
        latest = await _latest(feed_client, catalog_setup)
        while True:
            message = await asyncio.wait_for(socket.receive_json(), timeout=60)     # only catches a hang
            assert "cursor" not in message            # nothing was pushed: a version-1 device ignores it
            if message["catalog"] == latest:
                break
    finally:
        await socket.close()
    assert DEMO
