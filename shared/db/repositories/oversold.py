"""Store database: what the oversold rule (shared/orders/oversold.py) reads and writes: the open online
orders whose sales took units of a variant at a location, the latest change to that stock made outside
orders (the POS sale that went below zero), and the order's flag."""

from __future__ import annotations

from dataclasses import dataclass

from shared.db import Connection

# How many of a pair's most recent order sales one check reads: a deficit is a few units, and each
# order sale is at least one of them.
MAX_SALES = 500


@dataclass(frozen=True)
class OrderSale:
    """Units an open order (not cancelled, not fulfilled) took of one variant at one location."""

    order_id: str
    number: int
    units: int
    sold_at: str                 # the occurred_at of its latest sale movement there
    oversold_at: str | None


@dataclass(frozen=True)
class StockChange:
    """One ledger entry that is no order's sale (a POS sale, a count, an adjustment)."""

    reason: str
    delta: int
    counted: int | None
    reference: str
    occurred_at: str
    created_at: str


def open_order_sales(conn: Connection, variant_id: str, location_id: str) -> list[OrderSale]:
    """The open orders whose 'sold' movements took this variant at this location, most recent sale
    first (ties: the later order first)."""
    rows = conn.all(
        "SELECT o.id, o.number, -m.delta, m.occurred_at, o.oversold_at FROM stock_movements m "
        "JOIN orders o ON o.id = m.reference "
        "WHERE m.variant_id = ? AND m.location_id = ? AND m.reason = 'sold' AND m.counted IS NULL "
        "AND o.cancelled_at IS NULL AND o.fulfillment_status <> 'fulfilled' "
        "ORDER BY m.occurred_at DESC, o.number DESC LIMIT ?", (variant_id, location_id, MAX_SALES))
    sales: dict[str, OrderSale] = {}
    for order_id, number, units, sold_at, oversold_at in rows:
        seen = sales.get(order_id)
        sales[order_id] = OrderSale(order_id, number, units + (seen.units if seen else 0),
                                    seen.sold_at if seen else sold_at, oversold_at)
    return [sale for sale in sales.values() if sale.units > 0]


def latest_outside_change(conn: Connection, variant_id: str, location_id: str) -> StockChange | None:
    """The change to this stock recorded last that is no order's own movement (None: there is none)."""
    row = conn.one(
        "SELECT reason, delta, counted, reference, occurred_at, created_at FROM stock_movements m "
        "WHERE variant_id = ? AND location_id = ? AND NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = m.reference) "
        "ORDER BY rowid DESC LIMIT 1", (variant_id, location_id))     # rowid: the order recorded
    return None if row is None else StockChange(*row)


def location_name(conn: Connection, location_id: str) -> str:
    """The location's name ('' when it is gone)."""
    return conn.scalar("SELECT name FROM locations WHERE id = ?", (location_id,)) or ""


def mark_oversold(conn: Connection, order_id: str, *, at: str) -> bool:
    """Flag the order (it needs the merchant's attention too); False when it was already flagged."""
    cursor = conn.execute("UPDATE orders SET oversold_at = ?, needs_attention = 1, updated_at = ? "
                          "WHERE id = ? AND oversold_at IS NULL", (at, at, order_id))
    return cursor.rowcount == 1
