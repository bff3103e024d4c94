"""Every order change is recorded for the feed in its own write: a shipped card order's created and paid
(finalize), fulfilled and refunded (the lifecycle, through notices.emit); the shipped order shows at the
location its stock came from; `orders.version` moves with every change of the row; a change that rolls
back leaves no event."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from cloud.server.orders_stream import newest_changes
from shared.checkout.attempt import CheckoutRequest
from shared.checkout.shipping import Destination
from shared.checkout.workflow import place_order
from shared.inventory import record_movement
from shared.orders import fulfil_order, refund_order
from shared.orders.events import record_order_event
from pos_feed_support import ADDRESS, Feed


async def _shipped(feed: Feed) -> str:
    outcome = await place_order(feed.ctx, CheckoutRequest(
        lines=((feed.variant, 2),), email="ada@example.com", payment_method="stripe", shipping_option_id="standard",
        destination=Destination("US", "CA", "94103"), customer_name="Ada Lovelace", shipping_address=ADDRESS),
        card="pm_card_visa")
    assert outcome.order is not None
    return outcome.order.id


def _changes(feed: Feed, order_id: str) -> list[tuple[str, str | None]]:
    return [tuple(r) for r in feed.store.db.read(lambda conn: conn.all(
        "SELECT type, location_id FROM order_changes WHERE order_id = ? ORDER BY seq", (order_id,)))]


def _version(feed: Feed, order_id: str) -> int:
    return feed.store.db.read(lambda conn: conn.scalar("SELECT version FROM orders WHERE id = ?", (order_id,)))


async def test_a_shipped_orders_changes_reach_the_location_its_stock_came_from(feed: Feed) -> None:
    order_id = await _shipped(feed)
    source = feed.store.db.read(lambda conn: conn.scalar(
        "SELECT location_id FROM stock_movements WHERE reference = ? AND reason = 'sold'", (order_id,)))
    assert _changes(feed, order_id) == [("order.created", source), ("order.paid", source)]
    version = _version(feed, order_id)
    fulfil_order(feed.store.db, order_id, actor="admin:tests", notify=False)
    assert _version(feed, order_id) > version
    await refund_order(feed.store.db, order_id, actor="admin:tests", notify=False, payments=feed.ctx.provider)
    assert [t for t, _ in _changes(feed, order_id)] == ["order.created", "order.paid", "order.fulfilled",
                                                         "order.refunded"]
    theirs, ours = ((feed.back, feed.till) if source == feed.warehouse else (feed.till, feed.back))
    _, page = await feed.get("/pos/v1/orders/feed?limit=500", token=theirs)
    assert [e["type"] for e in page["events"] if e["order"]["id"] == order_id][-1] == "order.refunded"
    assert page["events"][-1]["order"]["delivery"] == "shipping"
    _, other = await feed.get("/pos/v1/orders/feed?limit=500", token=ours)
    assert all(e["order"]["id"] != order_id for e in other["events"])


async def test_every_update_of_the_row_bumps_the_version_and_a_rollback_leaves_no_event(feed: Feed) -> None:
    order = await feed.pickup_order()
    version = _version(feed, order["id"])
    feed.store.db.write(lambda conn: conn.execute("UPDATE orders SET needs_attention = 1 WHERE id = ?", (order["id"],)))
    feed.store.db.write(lambda conn: conn.execute("UPDATE orders SET customer_name = 'A' WHERE id = ?", (order["id"],)))
    assert _version(feed, order["id"]) == version + 2
    before = _changes(feed, order["id"])

    def failing(conn) -> None:
        record_order_event(conn, order["id"], "order.accepted")
        raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        feed.store.db.write(failing)
    assert _changes(feed, order["id"]) == before
    with pytest.raises(ValueError):
        feed.store.db.write(lambda conn: record_order_event(conn, order["id"], "order.teleported"))


async def test_an_order_with_stock_from_two_locations_is_in_both_feeds_and_streamed_once(feed: Feed) -> None:
    order_id = await _shipped(feed)
    source = feed.store.db.read(lambda conn: conn.scalar(
        "SELECT location_id FROM stock_movements WHERE reference = ? AND reason = 'sold'", (order_id,)))
    other = feed.warehouse if source == feed.shop else feed.shop
    now = datetime.now(UTC)

    def split(conn) -> None:       # one more unit of the order taken from the other location
        record_movement(conn, change_id=str(uuid.uuid4()), variant_id=feed.variant, location_id=other, delta=-1,
                        reason="sold", occurred_at=now, now=now, reference=order_id)
        record_order_event(conn, order_id, "order.oversold")

    feed.store.db.write(split)
    for token in (feed.till, feed.back):
        _, page = await feed.get("/pos/v1/orders/feed?limit=500", token=token)
        assert [e["type"] for e in page["events"] if e["order"]["id"] == order_id][-1] == "order.oversold"
    assert {loc for t, loc in _changes(feed, order_id) if t == "order.oversold"} == {feed.shop, feed.warehouse}
    _, events = feed.store.db.read(lambda conn: newest_changes(conn, after=0, limit=500))
    assert [(e["event"], e["data"].get("type")) for e in events if e["data"]["id"] == order_id] == [
        ("order", None), ("order-updated", "order.created"), ("order-updated", "order.paid"),
        ("order-updated", "order.oversold")]
