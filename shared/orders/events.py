"""Order changes for the POS order feed (GET /pos/v1/orders/feed) and the studio's live orders.

Every change of an order calls `record_order_event` inside the write that makes the change, so a
change and its event commit together or not at all: order created and paid (shared/checkout/
finalize.py), and every lifecycle change (shared/orders/notices.py `emit`, which each transition of
lifecycle.py and refunds.py calls once; acceptance in counter.py). Each event is a row per location the
order concerns (its pickup location, the locations it took stock from), numbered by `seq`: a POS pulls
the rows of its location after the last seq it handled, at least once, with no ack.

`orders.version` is kept by a trigger (migration 0028): every UPDATE of the order row adds 1. A POS
sends the version it acted on; `check_version` compares it inside the same write as the change."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, get_args

from shared.db import Connection
from shared.db.repositories import order_events as repo
from shared.db.stamps import new_id, utc_now
from shared.orders.errors import OrderError, OrderErrorCode

#: The event types of the feed (the webhooks' names where there is one; refund.created is order.refunded).
FeedType = Literal["order.created", "order.paid", "order.accepted", "order.ready_for_pickup", "order.picked_up",
                   "order.fulfilled", "order.cancelled", "order.refunded", "order.oversold"]
FEED_TYPES: tuple[str, ...] = get_args(FeedType)


class FeedErrorCode(StrEnum):
    """Why a POS's change of an order was refused besides the lifecycle's own reasons [HTTP status]."""

    STALE_VERSION = "stale_version"     # the order changed since the version the POS acted on [409]


class StaleVersionError(OrderError):
    """The version a POS sent is not the order's: nothing was written. `current_version` is the order's."""

    def __init__(self, order_id: str, sent: int, current: int):
        super().__init__(OrderErrorCode.ILLEGAL_TRANSITION, f"order {order_id} is at version {current}, not {sent}: "
                         "read it again and decide on what it is now")
        self.code = FeedErrorCode.STALE_VERSION
        self.current_version = current


def record_order_event(conn: Connection, order_id: str, type: str) -> None:  # noqa: A002 - the contract's name
    """Record one change of type `type` (FEED_TYPES) of the order, in the caller's write: a row per
    location the order concerns (one with no location when it concerns none). Raises ValueError for an
    unknown type."""
    if type not in FEED_TYPES:
        raise ValueError(f"unknown order event type: {type}")
    change, at = new_id(), utc_now()
    locations: tuple[str | None, ...] = repo.order_locations(conn, order_id) or (None,)
    rows = [(change if index == 0 else new_id(), change, order_id, type, location, at)
            for index, location in enumerate(locations)]
    repo.insert_changes(conn, rows=rows)


def check_version(conn: Connection, order_id: str, version: int | None) -> None:
    """Raise StaleVersionError when `version` (None: not checked) is not the order's version now; call
    it inside the write that changes the order, before the change."""
    if version is None:
        return
    current = repo.order_version(conn, order_id)
    if current is None:
        raise OrderError(OrderErrorCode.NOT_FOUND, f"no such order: {order_id}")
    if current != version:
        raise StaleVersionError(order_id, version, current)
