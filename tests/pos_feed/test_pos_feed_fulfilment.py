"""POST /pos/v1/orders/{id}/fulfilment over real HTTP: accept (twice is a no-op), ready, picked up (an
authorized card captured at localstripe), cancel (stock back in the ledger), the lifecycle's refusal
(picked up -> ready: 409 illegal_transition), a stale version (409, nothing written), an idempotent
replay, bad bodies; and each change in the feed with the order's version."""

from __future__ import annotations

import asyncio

from pos_feed_support import Feed
from support_stripe import LocalStripe


async def _types(feed: Feed, order_id: str) -> list[str]:
    status, page = await feed.get("/pos/v1/orders/feed?limit=500")
    assert status == 200
    return [e["type"] for e in page["events"] if e["order"]["id"] == order_id]


def _written(feed: Feed, order_id: str) -> tuple:
    """What a refused action must leave as it was: the order row, its timeline, its changes, the outbox."""
    row = feed.store.db.read(lambda conn: tuple(conn.one("SELECT * FROM orders WHERE id = ?", (order_id,))))
    return (row, feed.rows("order_events", "order_id = ?", (order_id,)),
            feed.rows("order_changes", "order_id = ?", (order_id,)), feed.rows("outbox"))


async def test_accept_ready_picked_up_and_the_lifecycles_refusal(feed: Feed) -> None:
    order = await feed.pickup_order()
    _, seen = await feed.get(f"/pos/v1/orders/{order['id']}")
    status, accepted, _ = await feed.act(order["number"], "accept", seen["version"])
    assert status == 200 and accepted["order"]["accepted"] is True
    assert accepted["order"]["version"] > seen["version"]
    status, again, _ = await feed.act(order["id"], "accept", seen["version"])      # twice: a no-op answer
    assert status == 200 and again["order"] == accepted["order"]
    timeline = feed.store.db.read(lambda conn: conn.all(
        "SELECT kind, actor FROM order_events WHERE order_id = ? AND kind = 'accepted'", (order["id"],)))
    assert [tuple(r) for r in timeline] == [("accepted", "device:till")]

    status, ready, _ = await feed.act(order["id"], "ready", accepted["order"]["version"])
    assert status == 200 and ready["order"]["pickup_status"] == "ready"
    status, done, _ = await feed.act(order["id"], "picked_up", ready["order"]["version"])
    assert status == 200 and done["order"]["pickup_status"] == "picked_up"
    assert done["order"]["payment_status"] == "paid" and done["order"]["fulfillment_status"] == "fulfilled"
    assert done["order"]["lines"][0]["fulfilled_quantity"] == done["order"]["lines"][0]["quantity"]

    before = _written(feed, order["id"])
    status, refused, _ = await feed.act(order["id"], "ready", done["order"]["version"])
    assert status == 409 and refused["error"]["code"] == "illegal_transition"
    assert "picked up already" in refused["error"]["message"]
    assert _written(feed, order["id"]) == before
    status, refused, _ = await feed.act(order["id"], "accept", done["order"]["version"])   # accepted before: no-op
    assert status == 200 and _written(feed, order["id"]) == before
    assert await _types(feed, order["id"]) == ["order.created", "order.accepted", "order.ready_for_pickup",
                                               "order.paid", "order.picked_up"]
    actors = feed.store.db.read(lambda conn: {r[0] for r in conn.all(
        "SELECT actor FROM order_events WHERE order_id = ? AND kind IN ('ready_for_pickup', 'picked_up')",
        (order["id"],))})
    assert actors == {"device:till"}


async def test_a_stale_version_is_refused_and_nothing_is_written(feed: Feed) -> None:
    order = await feed.pickup_order()
    _, seen = await feed.get(f"/pos/v1/orders/{order['id']}")
    status, ready, _ = await feed.act(order["id"], "ready", seen["version"])
    assert status == 200
    before = _written(feed, order["id"])
    for action in ("cancel", "picked_up", "accept"):
        status, refused, _ = await feed.act(order["id"], action, seen["version"])
        assert status == 409 and refused["error"]["code"] == "stale_version", (action, refused)
        assert refused["error"]["current_version"] == ready["order"]["version"]
        assert _written(feed, order["id"]) == before
    assert feed.store.db.read(lambda conn: conn.scalar(
        "SELECT count(*) FROM stock_movements WHERE reference = ? AND reason = 'returned'", (order["id"],))) == 0


async def test_a_cancel_returns_the_stock_to_the_ledger(feed: Feed) -> None:
    start = feed.on_hand(feed.shop)
    order = await feed.pickup_order(quantity=3)
    assert feed.on_hand(feed.shop) == start - 3
    _, seen = await feed.get(f"/pos/v1/orders/{order['id']}")
    status, cancelled, _ = await feed.act(order["id"], "cancel", seen["version"], reason="Shopper called")
    assert status == 200 and cancelled["order"]["status"] == "cancelled"
    assert feed.on_hand(feed.shop) == start
    returned = feed.store.db.read(lambda conn: conn.all(
        "SELECT location_id, delta FROM stock_movements WHERE reference = ? AND reason = 'returned'", (order["id"],)))
    assert [tuple(r) for r in returned] == [(feed.shop, 3)]
    assert (await _types(feed, order["id"]))[-1] == "order.cancelled"
    status, refused, _ = await feed.act(order["id"], "cancel", cancelled["order"]["version"])
    assert status == 409 and refused["error"]["code"] == "illegal_transition"


async def test_picked_up_captures_an_authorized_card(feed: Feed, localstripe: LocalStripe) -> None:
    feed.store.db.write(lambda conn: conn.execute(
        "UPDATE storefront SET settings = json_set(settings, '$.capture_at_pickup', json('true'))"))
    order = await feed.pickup_order(card=True)
    _, seen = await feed.get(f"/pos/v1/orders/{order['id']}")
    assert seen["payment_status"] == "authorized"
    intent = feed.store.db.read(lambda conn: conn.scalar("SELECT payment_intent_id FROM orders WHERE id = ?",
                                                         (order["id"],)))
    assert localstripe.get(f"/v1/payment_intents/{intent}")["status"] == "requires_capture"
    _, ready, _ = await feed.act(order["id"], "ready", seen["version"])
    status, done, _ = await feed.act(order["id"], "picked_up", ready["order"]["version"])
    assert status == 200 and done["order"]["payment_status"] == "paid"
    assert localstripe.get(f"/v1/payment_intents/{intent}")["status"] == "succeeded"
    assert (await _types(feed, order["id"]))[-2:] == ["order.paid", "order.picked_up"]


async def test_a_fulfilment_is_replayed_for_its_idempotency_key(feed: Feed) -> None:
    order = await feed.pickup_order()
    _, seen = await feed.get(f"/pos/v1/orders/{order['id']}")
    status, first, response = await feed.act(order["id"], "ready", seen["version"], key="ready-1")
    assert status == 200 and "Idempotent-Replayed" not in response.headers
    changes = feed.rows("order_changes", "order_id = ?", (order["id"],))
    status, again, response = await feed.act(order["id"], "ready", seen["version"], key="ready-1")
    assert status == 200 and again == first and response.headers["Idempotent-Replayed"] == "true"
    assert feed.rows("order_changes", "order_id = ?", (order["id"],)) == changes
    other = await feed.client.post(f"/pos/v1/orders/{order['id']}/fulfilment", json={"action": "cancel", "version": 1},
                                   headers=feed.pos(key="ready-1"))
    assert other.status == 422
    missing = await feed.client.post(f"/pos/v1/orders/{order['id']}/fulfilment",
                                     json={"action": "cancel", "version": 1}, headers=feed.pos())
    assert missing.status == 400


async def test_bad_bodies_are_refused_naming_the_field(feed: Feed) -> None:
    order = await feed.pickup_order()
    for body, status, field in (({"action": "ship", "version": 1}, 422, "action"),
                                ({"action": "ready"}, 422, None),
                                ({"action": "ready", "version": 0}, 422, "version"),
                                ({"action": "ready", "version": "1"}, 422, "version"),
                                ({"action": "ready", "version": 1, "extra": 1}, 422, None),
                                ({"action": "cancel", "version": 1, "reason": "a\nb"}, 422, "reason"),
                                ([], 422, None)):
        response = await feed.client.post(f"/pos/v1/orders/{order['id']}/fulfilment", json=body,
                                          headers=feed.pos(key=str(body)))
        answer = await response.json()
        assert response.status == status, (body, answer)
        if field:
            assert answer["error"]["field"] == field, (body, answer)
    response = await feed.client.post(f"/pos/v1/orders/{order['id']}/fulfilment", data=b"{not json",
                                      headers=feed.pos(key="bad-json"))
    assert response.status == 400
    status, unknown, _ = await feed.act("no-such-order", "accept", 1)
    assert status == 404


async def test_two_tills_acting_on_one_version_at_once_one_wins(feed: Feed) -> None:
    order = await feed.pickup_order()
    _, seen = await feed.get(f"/pos/v1/orders/{order['id']}")
    answers = await asyncio.gather(feed.act(order["id"], "ready", seen["version"]),
                                   feed.act(order["id"], "cancel", seen["version"]))
    statuses = sorted(status for status, _, _ in answers)
    assert statuses == [200, 409], answers
    loser = next(body for status, body, _ in answers if status == 409)
    assert loser["error"]["code"] in ("stale_version", "illegal_transition")
    types = await _types(feed, order["id"])
    assert types[0] == "order.created" and len(types) == 2 and types[1] in ("order.ready_for_pickup", "order.cancelled")


async def test_an_order_handed_over_unaccepted_cannot_be_accepted_after(feed: Feed) -> None:
    """Picked up without an accept first (the usual counter): a later accept is refused, not written
    to the timeline after the hand-over."""
    order = await feed.pickup_order()
    _, seen = await feed.get(f"/pos/v1/orders/{order['id']}")
    _, ready, _ = await feed.act(order["id"], "ready", seen["version"])
    _, done, _ = await feed.act(order["id"], "picked_up", ready["order"]["version"])
    before = _written(feed, order["id"])
    status, refused, _ = await feed.act(order["id"], "accept", done["order"]["version"])
    assert status == 409 and refused["error"]["code"] == "illegal_transition"
    assert "picked up already" in refused["error"]["message"]
    assert _written(feed, order["id"]) == before
    assert "order.accepted" not in await _types(feed, order["id"])
