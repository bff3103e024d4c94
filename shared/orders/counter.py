"""What a POS does with an online order at its counter (POST /pos/v1/orders/{id}/fulfilment): accept it,
mark it ready for pickup, hand it over (picked up: an authorized card is captured), or cancel it (stock
back, payment released). Ready, picked up and cancel are the order lifecycle's own transitions
(lifecycle.py), with the device as actor; accept is the counter's own ("we saw it, we prepare it").

Every action names the order's `version` the POS acted on; it is compared inside the same write as the
change, so a POS that acts on an order changed since is refused (StaleVersionError) and nothing is
written. Accepting an order accepted before is a no-op answer, whatever the version: a POS retrying its
accept must not be told it failed."""

from __future__ import annotations

from typing import Literal

from shared.db import Connection, Database
from shared.db.repositories import order_events as repo
from shared.db.repositories.order_lifecycle import load_order
from shared.db.stamps import utc_now
from shared.orders import notices
from shared.orders.errors import OrderError, OrderErrorCode
from shared.orders.events import check_version, record_order_event
from shared.orders.lifecycle import Payments, cancel_order, mark_picked_up, mark_ready_for_pickup
from shared.orders.models import FulfillmentStatus, PickupStatus
from shared.orders.pos_view import PosOrder, read_pos_order

Action = Literal["accept", "ready", "picked_up", "cancel"]


async def act_at_counter(db: Database, key: str, *, action: Action, version: int, location_id: str, actor: str,
                         reason: str = "", payments: Payments | None = None, site_url: str = "") -> PosOrder:
    """Apply `action` to the order named by `key` (id or number) of `location_id`, if it is still at
    `version`; returns the order after, as the POS sees it. Raises OrderError: NOT_FOUND (unknown, or
    not this location's), ILLEGAL_TRANSITION (the lifecycle says why), INVALID (a bad reason),
    PAYMENT_FAILED (the capture or release was refused); StaleVersionError."""
    notices.check_actor(actor)
    before = await db.run_read(lambda conn: read_pos_order(conn, key, location_id=location_id))
    order_id = before.id
    if action == "accept":
        await db.run_write(lambda conn: _accept(conn, order_id, version, actor))
    elif action == "ready":
        await db.call(mark_ready_for_pickup, db, order_id, actor=actor, site_url=site_url, version=version)
    elif action == "picked_up":
        await mark_picked_up(db, order_id, actor=actor, payments=payments, version=version)
    elif action == "cancel":
        await cancel_order(db, order_id, reason=reason, actor=actor, payments=payments, site_url=site_url,
                           version=version)
    else:
        raise OrderError(OrderErrorCode.INVALID, f"unknown action: {action}", field="action")
    return await db.run_read(lambda conn: read_pos_order(conn, order_id, location_id=location_id))


def _accept(conn: Connection, order_id: str, version: int, actor: str) -> None:
    """Inside one write: a no-op when accepted before; else checked (version, not cancelled, not handed
    over or fulfilled already: Square's fulfilment states go forward only), then accepted_at, a timeline
    entry and order.accepted."""
    order = load_order(conn, order_id)
    facts = repo.counter_facts(conn, order_id)
    if order is None or facts is None:
        raise OrderError(OrderErrorCode.NOT_FOUND, f"no such order: {order_id}")
    if facts.accepted_at is not None:
        return
    check_version(conn, order_id, version)
    if order.cancelled:
        raise OrderError(OrderErrorCode.ILLEGAL_TRANSITION, f"order {order.name} is cancelled")
    if order.pickup_status == PickupStatus.PICKED_UP:
        raise OrderError(OrderErrorCode.ILLEGAL_TRANSITION, f"order {order.name} was picked up already")
    if order.fulfillment_status == FulfillmentStatus.FULFILLED:
        raise OrderError(OrderErrorCode.ILLEGAL_TRANSITION, f"order {order.name} was fulfilled already")
    at = utc_now()
    repo.mark_accepted(conn, order_id, now=at)
    notices.note(conn, order, "accepted", "Accepted at the counter", actor=actor, at=at)
    record_order_event(conn, order_id, "order.accepted")

