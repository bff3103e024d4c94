"""The studio's live orders (GET /api/admin/orders/stream): every order change is an `order-updated`
event with the order's number, version and the change's type, its id the change's seq; a new order is
also an `order` event; a studio reconnecting with Last-Event-ID gets what it missed, and nothing twice."""

from __future__ import annotations

import asyncio
import json

from pos_feed_support import DEMO, Feed


async def _next(response, wanted: str) -> tuple[str, dict]:
    """(id, data) of the next event named `wanted` (others and pings skipped)."""
    event, event_id = None, ""
    while True:
        line = (await response.content.readline()).decode().rstrip("\r\n")
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("id:"):
            event_id = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event == wanted:
            return event_id, json.loads(line.split(":", 1)[1])


async def _open(feed: Feed, last: str | None = None):
    headers = {**DEMO, "Authorization": f"Bearer {feed.reader}", **({"Last-Event-ID": last} if last else {})}
    response = await feed.client.get("/api/admin/orders/stream", headers=headers)
    assert response.status == 200
    return response


async def test_the_stream_sends_order_updated_and_resumes_after_last_event_id(feed: Feed) -> None:
    stream = await _open(feed)
    order = await feed.pickup_order()
    new_id, new = await asyncio.wait_for(_next(stream, "order"), 30)
    assert new == {"id": order["id"], "number": order["number"]}
    created_id, created = await asyncio.wait_for(_next(stream, "order-updated"), 30)
    assert created_id == new_id and created["type"] == "order.created" and created["number"] == order["number"]

    _, seen = await feed.get(f"/pos/v1/orders/{order['id']}")
    status, ready, _ = await feed.act(order["id"], "ready", seen["version"])
    assert status == 200
    ready_id, updated = await asyncio.wait_for(_next(stream, "order-updated"), 30)
    assert updated == {"id": order["id"], "number": order["number"], "version": ready["order"]["version"],
                       "type": "order.ready_for_pickup"}
    assert int(ready_id) > int(created_id)
    stream.close()

    status, accepted, _ = await feed.act(order["id"], "accept", ready["order"]["version"])   # while away
    again = await _open(feed, last=created_id)
    replayed = [await asyncio.wait_for(_next(again, "order-updated"), 30) for _ in range(2)]
    assert [(i, e["type"]) for i, e in replayed] == [(ready_id, "order.ready_for_pickup"),
                                                     (str(int(ready_id) + 1), "order.accepted")]
    assert replayed[1][1]["version"] == accepted["order"]["version"]
    again.close()
