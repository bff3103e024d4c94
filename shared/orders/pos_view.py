"""What a POS sees of an online order (POS API v1: the order feed, one order, the fulfilment answer):
the msgspec types the handlers answer with and /pos/v1/openapi.json describes, built from an Order
and what the counter needs besides it (version, acceptance, locations)."""

from __future__ import annotations

from typing import Literal

import msgspec

from shared.db import Connection
from shared.db.repositories import order_events as repo
from shared.db.repositories.order_lifecycle import load_order
from shared.db.repositories.orders import order_id_where
from shared.orders.errors import OrderError, OrderErrorCode
from shared.orders.events import FeedType
from shared.orders.models import Order
from shared.orders.service import parse_order_number

PaymentStatusName = Literal["unpaid", "authorized", "paid", "partially_refunded", "refunded", "voided"]
FulfillmentStatusName = Literal["unfulfilled", "partially_fulfilled", "fulfilled", "on_hold"]


class PosMoney(msgspec.Struct):
    """An amount in integer minor units of a currency (ISO 4217)."""

    amount: int
    currency: str


class PosCustomer(msgspec.Struct):
    """Who ordered (name may be empty)."""

    name: str
    email: str


class PosLine(msgspec.Struct):
    """One line as bought; `variant_id` is null when the variant was deleted since."""

    id: str
    variant_id: str | None
    sku: str
    title: str
    quantity: int
    fulfilled_quantity: int


class PosOrder(msgspec.Struct):
    """An online order as it is now. `version` changes with every change of the order: send it back with
    a fulfilment action. `location_id` is the pickup location or where its stock was taken from."""

    id: str
    number: int
    version: int
    status: Literal["open", "cancelled"]
    payment_status: PaymentStatusName
    fulfillment_status: FulfillmentStatusName
    pickup_status: Literal["none", "ready", "picked_up"]
    accepted: bool
    delivery: Literal["pickup", "shipping"]
    location_id: str | None
    customer: PosCustomer
    lines: list[PosLine]
    total: PosMoney
    created_at: str
    oversold: bool


class FeedEvent(msgspec.Struct):
    """One change of an order of this location; `order` is the order as it is now, not as it was."""

    seq: int
    event_id: str
    type: FeedType
    occurred_at: str
    order: PosOrder


class FeedPage(msgspec.Struct):
    """A page of the feed: ask again with after=next_after (the same after= gives the same events)."""

    events: list[FeedEvent]
    next_after: int
    has_more: bool


def pos_order(order: Order, facts: repo.CounterFacts) -> PosOrder:
    """The POS's view of `order`."""
    return PosOrder(
        id=order.id, number=order.number, version=facts.version, status="cancelled" if order.cancelled else "open",
        payment_status=str(order.payment_status), fulfillment_status=str(order.fulfillment_status),  # type: ignore[arg-type]
        pickup_status=str(order.pickup_status), accepted=facts.accepted_at is not None,  # type: ignore[arg-type]
        delivery="pickup" if order.is_pickup else "shipping",
        location_id=facts.locations[0] if facts.locations else None,
        customer=PosCustomer(order.customer_name, order.email),
        lines=[PosLine(line.id, line.variant_id, line.sku, line.title, line.quantity, line.fulfilled_quantity)
               for line in order.lines],
        total=PosMoney(order.total.amount, order.currency), created_at=order.created_at,
        # oversold_at joins the Order with the oversold flag (issue 13, OVERSOLD); until then none is.
        oversold=order.oversold_at is not None)


def find_order_id(conn: Connection, key: str) -> str | None:
    """The id of the order named by `key`: its id, or its number (1001 or #1001)."""
    if not isinstance(key, str) or not 1 <= len(key) <= 100:
        return None
    number = parse_order_number(key)
    return key if number is None else order_id_where(conn, column="number", value=number)


def read_pos_order(conn: Connection, key: str, *, location_id: str) -> PosOrder:
    """The order named by `key` (id or number) as a POS of `location_id` sees it. Raises
    OrderError(NOT_FOUND) when there is none or it is not this location's."""
    order_id = find_order_id(conn, key)
    order = load_order(conn, order_id) if order_id else None
    facts = repo.counter_facts(conn, order.id) if order else None
    if order is None or facts is None or location_id not in facts.locations:
        raise OrderError(OrderErrorCode.NOT_FOUND, f"no order {key} at this location")
    return pos_order(order, facts)


def read_feed(conn: Connection, *, location_id: str, after: int, limit: int) -> FeedPage:
    """The changes of this location's orders with seq above `after`, oldest first (at most `limit`),
    each with its order as it is now."""
    rows = repo.changes_at(conn, location_id=location_id, after=after, limit=limit + 1)
    more, rows = len(rows) > limit, rows[:limit]
    orders: dict[str, PosOrder | None] = {}
    events = []
    for row in rows:
        if row.order_id not in orders:
            order, facts = load_order(conn, row.order_id), repo.counter_facts(conn, row.order_id)
            orders[row.order_id] = pos_order(order, facts) if order and facts else None
        found = orders[row.order_id]
        if found is not None:
            events.append(FeedEvent(row.seq, row.event_id, row.type, row.created_at, found))  # type: ignore[arg-type]
    return FeedPage(events, rows[-1].seq if rows else after, more)
