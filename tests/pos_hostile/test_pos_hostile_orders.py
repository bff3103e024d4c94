"""The order feed and fulfilment with what a POS might send by mistake: JSON problems naming the field or
parameter, never a 500; a feed cursor beyond the end comes back to the feed's end."""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_hostile_support import FEED, Hostile, answer, problem_of
from shared.accounts.service import add_store_pos_device
from shared.db.repositories.inventory import insert_location, list_locations
from shared.db.repositories.order_events import newest_seq
from shared.models import Location
from shared.storefront.service import DataDir, create_store

INT64_MAX = 2 ** 63 - 1


@pytest.mark.parametrize("after", [10 ** 12, INT64_MAX])
async def test_a_feed_cursor_beyond_the_end_comes_back_to_the_end(hostile: Hostile, after: int) -> None:
    """A POS that kept a seq of a store since restored (or made one up) would otherwise wait, seeing
    nothing, until the feed grew past its number."""
    newest = hostile.read(newest_seq)
    status, page = await hostile.get(f"{FEED}?after={after}")
    assert status == 200 and page["events"] == [] and page["next_after"] == newest < after
    status, again = await hostile.get(f"{FEED}?after={page['next_after']}")
    assert status == 200 and again["next_after"] == newest


@pytest.mark.parametrize(("query", "field"), [
    (f"after={2 ** 63}", "after"), ("after=-1", "after"), ("after=%00", "after"), ("after=1&after=2", "after"),
    ("limit=0", "limit"), (f"limit={10 ** 20}", "limit"), ("cursor=x", "cursor"),
])
async def test_bad_feed_queries_name_the_parameter(hostile: Hostile, query: str, field: str) -> None:
    status, body = await hostile.get(f"{FEED}?{query}")
    assert status == 400 and problem_of(status, body)["field"] == field


async def test_a_9_kb_query_is_a_json_400_naming_the_parameter(hostile: Hostile) -> None:
    status, body = await hostile.get(f"{FEED}?after=1&{'x' * 9000}=1")
    assert status == 400 and problem_of(status, body)["field"] == "x" * 9000


@pytest.mark.parametrize(("body", "field"), [
    ({"action": "accept", "version": "1"}, "version"),
    ({"action": "accept", "version": 2 ** 63}, "version"),
    ({"action": "accept", "version": 0}, "version"),
    ({"action": "fly", "version": 1}, "action"),
    ({"action": "cancel", "version": 1, "reason": "a\x00b"}, "reason"),
    ({"version": 1}, "action"),
    ({"action": "accept", "version": 1, "extra": True}, "extra"),
])
async def test_bad_fulfilment_bodies_name_the_field(hostile: Hostile, body: dict, field: str) -> None:
    status, answer_body = await hostile.post("/pos/v1/orders/1001/fulfilment", body)
    assert status == 422 and problem_of(status, answer_body)["field"] == field


@pytest.mark.parametrize("order", ["no-such-order", "99999999999999999999999", "%00", "x" * 3000, "1001%2F..%2F"])
async def test_fulfilment_of_an_order_that_is_not_here_is_404(hostile: Hostile, order: str) -> None:
    status, body = await hostile.post(f"/pos/v1/orders/{order}/fulfilment", {"action": "accept", "version": 1})
    assert status == 404 and problem_of(status, body)["code"] == "not_found"


async def test_a_device_of_another_store_is_refused_here(hostile: Hostile, demo_dir: Path) -> None:
    other = create_store(DataDir(demo_dir), slug="other-shop", name="Other Shop")
    try:
        if not other.db.read(list_locations):
            other.db.write(lambda conn: insert_location(conn, Location("loc-other", "Other counter", "", True,
                                                                       "2026-01-01T00:00:00.000000+00:00")))
        location = other.db.read(list_locations)[0].name
    finally:
        other.close()
    device = add_store_pos_device(DataDir(demo_dir), "other-shop", location=location, name="their till")
    status, body = await hostile.post("/pos/v1/orders/1001/fulfilment", {"action": "accept", "version": 1},
                                      token=device.token)
    assert status == 403 and "another store" in problem_of(status, body)["message"]
    status, body = await answer(await hostile.client.get(FEED, headers=hostile.headers(token=device.token)))
    assert status == 403
