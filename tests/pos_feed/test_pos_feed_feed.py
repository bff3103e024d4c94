"""GET /pos/v1/orders/feed and GET /pos/v1/orders/{id} over real HTTP: at-least-once with no ack (the same
after= gives the same events), paging, only this location's orders, and bad queries refused naming the
parameter."""

from __future__ import annotations

from pos_feed_support import Feed


async def test_the_feed_redelivers_without_an_ack_and_pages(feed: Feed) -> None:
    placed = [await feed.pickup_order(email=f"shopper{i}@example.com") for i in range(3)]
    status, first = await feed.get("/pos/v1/orders/feed?after=0&limit=2")
    assert status == 200 and first["has_more"] is True and len(first["events"]) == 2
    assert [e["order"]["id"] for e in first["events"]] == [o["id"] for o in placed[:2]]
    assert {e["type"] for e in first["events"]} == {"order.created"}      # paid in store: paid at pickup
    event = first["events"][0]
    assert event["seq"] < first["events"][1]["seq"] == first["next_after"] and event["event_id"]
    assert event["order"]["delivery"] == "pickup" and event["order"]["location_id"] == feed.shop
    assert event["order"]["version"] >= 1 and event["order"]["status"] == "open"
    assert event["order"]["payment_status"] == "unpaid" and event["order"]["accepted"] is False
    assert event["order"]["lines"][0]["variant_id"] == feed.variant and event["order"]["total"]["currency"]
    assert event["order"]["customer"] == {"name": "Ada Lovelace", "email": "shopper0@example.com"}

    status, again = await feed.get("/pos/v1/orders/feed?after=0&limit=2")     # nothing acked: the same
    assert status == 200 and again == first
    status, rest = await feed.get(f"/pos/v1/orders/feed?after={first['next_after']}&limit=2")
    assert [e["order"]["id"] for e in rest["events"]] == [placed[2]["id"]] and rest["has_more"] is False
    status, empty = await feed.get(f"/pos/v1/orders/feed?after={rest['next_after']}")
    assert empty == {"events": [], "next_after": rest["next_after"], "has_more": False}


async def test_another_locations_orders_are_not_shown(feed: Feed) -> None:
    order = await feed.pickup_order()
    status, theirs = await feed.get("/pos/v1/orders/feed", token=feed.back)
    assert status == 200 and all(e["order"]["id"] != order["id"] for e in theirs["events"])
    status, problem = await feed.get(f"/pos/v1/orders/{order['number']}", token=feed.back)
    assert status == 404 and problem["error"]["code"] == "not_found"
    response = await feed.client.post(f"/pos/v1/orders/{order['id']}/fulfilment", json={"action": "accept", "version": 1},
                                      headers=feed.pos(token=feed.back, key="k-other"))
    assert response.status == 404
    status, ours = await feed.get(f"/pos/v1/orders/{order['number']}")
    assert status == 200 and ours["id"] == order["id"] and ours["number"] == order["number"]
    status, same = await feed.get(f"/pos/v1/orders/{order['id']}")
    assert same == ours
    status, _ = await feed.get("/pos/v1/orders/no-such-order")
    assert status == 404


async def test_bad_queries_are_refused_naming_the_parameter(feed: Feed) -> None:
    for query, field in (("after=-1", "after"), ("after=x", "after"), ("limit=0", "limit"), ("limit=501", "limit"),
                         ("after=99999999999999999999", "after")):
        status, problem = await feed.get(f"/pos/v1/orders/feed?{query}")
        assert status == 400 and problem["error"]["field"] == field, (query, problem)
    response = await feed.client.get("/pos/v1/orders/feed", headers={"Host": "demo.localhost"})
    assert response.status == 401
