"""Every illegal transition of the order lifecycle is refused with its reason, table-driven from
shared.orders.lifecycle.TRANSITIONS: one order per guard, in a state where that guard is the first
to hold; the refusal writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.db import Connection, Database, connect
from shared.models.money import Money
from shared.orders import (TRANSITIONS, NewOrder, OrderError, OrderErrorCode, OrderLine, PaymentStatus, cancel_order,
                           create_order, fulfil_order, mark_picked_up, mark_ready_for_pickup, read_order, refund_order)

ACTOR = "admin:tests"

# (action, guard index in TRANSITIONS[action], the order's state, a word of the reason)
CASES = [
    ("fulfil", 0, {"cancelled": True}, "is cancelled"),
    ("fulfil", 1, {"pickup": True}, "pickup order"),
    ("fulfil", 2, {"payment": "unpaid"}, "not paid yet"),
    ("fulfil", 2, {"payment": "authorized"}, "not paid yet"),
    ("fulfil", 3, {"payment": "refunded"}, "was refunded"),
    ("fulfil", 3, {"payment": "voided"}, "was voided"),
    ("fulfil", 4, {"fulfilled": 2, "fulfillment": "fulfilled"}, "fulfilled (or refunded) already"),
    ("fulfil", 4, {"payment": "partially_refunded", "refunded": 2}, "fulfilled (or refunded) already"),
    ("ready", 0, {"pickup": True, "cancelled": True}, "is cancelled"),
    ("ready", 1, {}, "not a pickup order"),
    ("ready", 2, {"pickup": True, "pickup_status": "picked_up"}, "picked up already"),
    ("ready", 3, {"pickup": True, "pickup_status": "ready"}, "ready for pickup already"),
    ("ready", 4, {"pickup": True, "payment": "refunded"}, "was refunded"),
    ("ready", 4, {"pickup": True, "payment": "voided"}, "was voided"),
    ("ready", 5, {"pickup": True, "payment": "partially_refunded", "refunded": 2}, "nothing to pick up"),
    ("picked_up", 0, {"pickup": True, "cancelled": True}, "is cancelled"),
    ("picked_up", 1, {}, "not a pickup order"),
    ("picked_up", 2, {"pickup": True, "pickup_status": "picked_up"}, "picked up already"),
    ("picked_up", 3, {"pickup": True}, "not ready for pickup"),
    ("picked_up", 4, {"pickup": True, "pickup_status": "ready", "payment": "refunded"}, "was refunded"),
    ("picked_up", 4, {"pickup": True, "pickup_status": "ready", "payment": "voided"}, "was voided"),
    ("cancel", 0, {"cancelled": True, "pickup": True, "payment": "unpaid"}, "is cancelled"),
    ("cancel", 1, {"pickup": True, "pickup_status": "picked_up", "fulfillment": "fulfilled"}, "picked up"),
    ("cancel", 2, {"fulfilled": 2, "fulfillment": "fulfilled"}, "refund them instead"),
    ("cancel", 2, {"fulfilled": 1, "fulfillment": "partially_fulfilled"}, "refund them instead"),
    ("refund", 0, {"pickup": True, "payment": "unpaid"}, "nothing was paid"),
    ("refund", 1, {"pickup": True, "payment": "authorized"}, "only authorized"),
    ("refund", 2, {"payment": "voided"}, "voided"),
    ("refund", 3, {"payment": "refunded"}, "refunded in full already"),
    ("refund", 4, {"pending_refund": 5500}, "nothing is left to refund"),
]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = connect(tmp_path / "store.db")
    yield database
    database.close()


def make_order(db: Database, state: dict) -> str:
    """An order of 2 x 25.00 + 5.00 in `state` (columns set as the lifecycle would have left them)."""
    usd = lambda amount: Money(amount, "USD")  # noqa: E731
    line = OrderLine("Tee", "M", "TEE-M", usd(2500), 2, usd(5000), usd(0), usd(0), usd(5000))
    delivery = {"method": "pickup", "locationName": "Pine Street shop"} if state.get("pickup") else {"method": "ship"}

    def write(conn: Connection) -> str:
        order = create_order(conn, NewOrder(
            email="ada@example.com", currency="USD", lines=(line,), subtotal=5000, discount_total=0, shipping=500,
            tax=0, total=5500, payment_status=PaymentStatus(state.get("payment", "paid")), payment_provider="stripe",
            delivery=delivery, payment_intent_id="pi_test_" + str(abs(hash(str(state))))))
        conn.execute("UPDATE orders SET pickup_status = ?, fulfillment_status = ?, cancelled_at = ? WHERE id = ?",
                     (state.get("pickup_status", "none"), state.get("fulfillment", "unfulfilled"),
                      "2030-01-01T00:00:00+00:00" if state.get("cancelled") else None, order.id))
        conn.execute("UPDATE order_lines SET fulfilled_quantity = ?, refunded_quantity = ? WHERE order_id = ?",
                     (state.get("fulfilled", 0), state.get("refunded", 0), order.id))
        if state.get("pending_refund"):
            conn.execute("INSERT INTO order_refunds (id, order_id, amount, status, created_at, updated_at) "
                         "VALUES ('r1', ?, ?, 'pending', '2030-01-01', '2030-01-01')", (order.id, state["pending_refund"]))
        return order.id

    return db.write(write)


async def attempt(db: Database, action: str, order_id: str) -> None:
    if action == "fulfil":
        fulfil_order(db, order_id, actor=ACTOR)
    elif action == "ready":
        mark_ready_for_pickup(db, order_id, actor=ACTOR)
    elif action == "picked_up":
        await mark_picked_up(db, order_id, actor=ACTOR)
    elif action == "cancel":
        await cancel_order(db, order_id, actor=ACTOR)
    else:
        await refund_order(db, order_id, amount=Money(100, "USD"), actor=ACTOR)


def test_every_guard_of_the_table_has_a_case() -> None:
    covered = {(action, index) for action, index, _, _ in CASES}
    assert covered == {(action, i) for action, guards in TRANSITIONS.items() for i in range(len(guards))}


@pytest.mark.parametrize(("action", "index", "state", "why"), CASES,
                         ids=[f"{a}-{i}-{'-'.join(f'{k}={v}' for k, v in s.items()) or 'ship'}" for a, i, s, _ in CASES])
async def test_an_illegal_transition_is_refused_with_its_reason(db: Database, action: str, index: int, state: dict,
                                                                why: str) -> None:
    order_id = make_order(db, state)
    before = read_order(db, order_id)
    with pytest.raises(OrderError) as caught:
        await attempt(db, action, order_id)
    assert caught.value.code == OrderErrorCode.ILLEGAL_TRANSITION
    assert why in str(caught.value) and before.name in str(caught.value)
    assert read_order(db, order_id) == before                  # nothing written


async def test_an_unknown_order_is_not_found(db: Database) -> None:
    for action in TRANSITIONS:
        with pytest.raises(OrderError) as caught:
            await attempt(db, action, "no-such-order")
        assert caught.value.code == OrderErrorCode.NOT_FOUND
