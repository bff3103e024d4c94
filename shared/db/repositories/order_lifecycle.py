"""The order lifecycle's rows (migration 0019): statuses, per-line fulfilled and refunded units,
fulfilments, refunds, the order's e-mails in the outbox, and the stock an order took. Write functions
take the connection of a `db.write(fn)` transaction (BEGIN IMMEDIATE): a check and the write it
guards see no other writer between them."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

from shared.db.database import Connection
from shared.db.repositories import orders as orders_repo
from shared.models.money import Money
from shared.orders.models import (Fulfillment, FulfillmentStatus, LineQuantity, Order, OrderMessage, PaymentStatus,
                                  PickupStatus, Refund)

_REFUND_COLS = "id, amount, lines, restock, reason, status, created_at, provider_refund_id, error"


def load_order(conn: Connection, order_id: str) -> Order | None:
    """The order with everything the lifecycle adds: statuses, line quantities, fulfilments, refunds
    and e-mails (the admin API's detail)."""
    order = orders_repo.get_order(conn, order_id)
    return None if order is None else with_lifecycle(conn, order)


def with_lifecycle(conn: Connection, order: Order) -> Order:
    """`order` (as the orders repository reads it, with the lifecycle's columns) completed with its
    rows: line quantities, fulfilments, refunds and e-mails."""
    quantities = {r[0]: (r[1], r[2], r[3]) for r in conn.all(
        "SELECT position, id, fulfilled_quantity, refunded_quantity FROM order_lines WHERE order_id = ?", (order.id,))}
    lines = tuple(dataclasses.replace(line, id=quantities[i][0], fulfilled_quantity=quantities[i][1],
                                      refunded_quantity=quantities[i][2]) if i in quantities else line
                  for i, line in enumerate(order.lines))
    return dataclasses.replace(
        order, lines=lines,
        fulfillments=tuple(_fulfillments(conn, order.id)), refunds=tuple(_refunds(conn, order.id, order.currency)),
        messages=tuple(order_messages(conn, order.id)))


def _fulfillments(conn: Connection, order_id: str) -> list[Fulfillment]:
    return [Fulfillment(id=r[0], lines=_quantities(r[1]), carrier=r[2], tracking_number=r[3], tracking_url=r[4],
                        created_at=r[5])
            for r in conn.all("SELECT id, lines, carrier, tracking_number, tracking_url, created_at "
                              "FROM order_fulfillments WHERE order_id = ? ORDER BY created_at, rowid", (order_id,))]


def _refunds(conn: Connection, order_id: str, currency: str) -> list[Refund]:
    return [Refund(id=r[0], amount=Money(r[1], currency), lines=_quantities(r[2]), restock=bool(r[3]), reason=r[4],
                   status=r[5], created_at=r[6], provider_refund_id=r[7], error=r[8])
            for r in conn.all(f"SELECT {_REFUND_COLS} FROM order_refunds WHERE order_id = ? ORDER BY created_at, rowid",
                              (order_id,))]


def get_refund(conn: Connection, refund_id: str, currency: str) -> Refund | None:
    """One refund by id."""
    r = conn.one(f"SELECT {_REFUND_COLS} FROM order_refunds WHERE id = ?", (refund_id,))
    return None if r is None else Refund(id=r[0], amount=Money(r[1], currency), lines=_quantities(r[2]),
                                         restock=bool(r[3]), reason=r[4], status=r[5], created_at=r[6],
                                         provider_refund_id=r[7], error=r[8])


def order_messages(conn: Connection, order_id: str) -> list[OrderMessage]:
    """The order's e-mails in the outbox (dedupe keys 'order:ID:KIND'), oldest first."""
    prefix = f"order:{order_id}:"
    # A range on the unique dedupe_key index instead of LIKE (whose case folding defeats the index).
    rows = conn.all("SELECT dedupe_key, json_extract(payload, '$.to'), status, attempts, last_error, sent_at "
                    "FROM outbox WHERE dedupe_key >= ? AND dedupe_key < ? AND kind = 'email' "
                    "ORDER BY created_at, rowid", (prefix, prefix + "\uffff"))
    return [OrderMessage(kind=r[0][len(prefix):], to=r[1] or "", status=r[2], attempts=r[3], last_error=r[4],
                         sent_at=r[5]) for r in rows]


def _quantities(text: str) -> tuple[LineQuantity, ...]:
    return tuple(LineQuantity(item["lineId"], item["quantity"]) for item in json.loads(text))


def _dump(lines: tuple[LineQuantity, ...]) -> str:
    return json.dumps([line.to_json() for line in lines], separators=(",", ":"))


# --- writes -------------------------------------------------------------------------------------------

def set_state(conn: Connection, order: Order, *, now: str, payment_status: PaymentStatus | None = None,
              fulfillment_status: FulfillmentStatus | None = None, pickup_status: PickupStatus | None = None,
              cancelled: tuple[str, str] | None = None, captured_amount: int | None = None) -> None:
    """Change the order's statuses (None leaves one as it is); `cancelled` is (at, reason). The old
    one-word `status` column follows, for readers that still use it."""
    payment = payment_status or order.payment_status
    fulfilment = fulfillment_status or order.fulfillment_status
    gone = cancelled is not None or order.cancelled
    legacy = ("cancelled" if gone else "refunded" if payment is PaymentStatus.REFUNDED
              else "fulfilled" if fulfilment is FulfillmentStatus.FULFILLED
              else "paid" if payment in (PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED) else "open")
    conn.execute(
        "UPDATE orders SET payment_status = ?, fulfillment_status = ?, pickup_status = COALESCE(?, pickup_status), "
        "cancelled_at = COALESCE(?, cancelled_at), cancel_reason = COALESCE(?, cancel_reason), "
        "captured_amount = COALESCE(?, captured_amount), status = ?, updated_at = ? WHERE id = ?",
        (str(payment), str(fulfilment), None if pickup_status is None else str(pickup_status),
         cancelled[0] if cancelled else None, cancelled[1] if cancelled else None, captured_amount, legacy, now,
         order.id))


def add_line_quantities(conn: Connection, *, column: str, lines: tuple[LineQuantity, ...]) -> None:
    """Add units to each line's fulfilled or refunded count (negative: give reserved units back). The
    column CHECKs refuse more than the line's quantity, the backstop of the service's own check."""
    if column not in ("fulfilled_quantity", "refunded_quantity"):
        raise ValueError(f"not a line quantity: {column}")
    conn.executemany(f"UPDATE order_lines SET {column} = {column} + ? WHERE id = ?",
                     [(line.quantity, line.line_id) for line in lines])


def insert_fulfillment(conn: Connection, *, order_id: str, fulfillment: Fulfillment) -> None:
    """Record a fulfilment."""
    conn.execute("INSERT INTO order_fulfillments (id, order_id, lines, carrier, tracking_number, tracking_url, "
                 "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (fulfillment.id, order_id, _dump(fulfillment.lines), fulfillment.carrier, fulfillment.tracking_number,
                  fulfillment.tracking_url, fulfillment.created_at))


def insert_refund(conn: Connection, *, order_id: str, refund: Refund, actor: str, notify: bool) -> None:
    """Record a refund (pending: its amount and units are reserved from now on)."""
    conn.execute("INSERT INTO order_refunds (id, order_id, amount, lines, restock, reason, status, provider_refund_id, "
                 "actor, notify, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (refund.id, order_id, refund.amount.amount, _dump(refund.lines), int(refund.restock), refund.reason,
                  refund.status, refund.provider_refund_id, actor, int(notify), refund.created_at, refund.created_at))


def settle_refund(conn: Connection, refund_id: str, *, status: str, now: str, provider_refund_id: str | None = None,
                  error: str = "") -> bool:
    """Mark a pending refund succeeded or failed; False when it was not pending any more (settled by a
    concurrent call)."""
    cursor = conn.execute("UPDATE order_refunds SET status = ?, provider_refund_id = COALESCE(?, provider_refund_id), "
                          "error = ?, updated_at = ? WHERE id = ? AND status = 'pending'",
                          (status, provider_refund_id, error[:500], now, refund_id))
    return bool(cursor.rowcount)


@dataclass(frozen=True)
class SoldUnits:
    """Units an order took from one location (its 'sold' movements) and those given back since."""

    variant_id: str
    location_id: str
    sold: int
    returned: int


def sold_units(conn: Connection, order_id: str) -> list[SoldUnits]:
    """What the order took from stock, per variant and location, and what was returned to stock since."""
    rows = conn.all("SELECT variant_id, location_id, "
                    "-sum(CASE WHEN reason = 'sold' THEN delta ELSE 0 END), "
                    "sum(CASE WHEN reason = 'returned' THEN delta ELSE 0 END) "
                    "FROM stock_movements WHERE reference = ? AND reference <> '' AND reason IN ('sold', 'returned') "
                    "GROUP BY variant_id, location_id ORDER BY min(created_at), variant_id, location_id", (order_id,))
    return [SoldUnits(*row) for row in rows]


def authorized_orders(conn: Connection, *, placed_before: str) -> list[tuple[str, str, str | None]]:
    """(id, created_at, authorization_warned_at) of orders still authorized, placed before the time."""
    return [tuple(r) for r in conn.all(
        "SELECT id, created_at, authorization_warned_at FROM orders WHERE payment_status = 'authorized' "
        "AND created_at < ? AND cancelled_at IS NULL ORDER BY created_at", (placed_before,))]


def mark_authorization_warned(conn: Connection, order_id: str, *, now: str) -> bool:
    """Note the merchant was warned about this order's authorization; False if noted before."""
    return bool(conn.execute("UPDATE orders SET authorization_warned_at = ? WHERE id = ? AND "
                             "authorization_warned_at IS NULL", (now, order_id)).rowcount)
