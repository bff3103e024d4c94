"""Oversold: an online order that lost the race with a POS sale (docs/orders.md, "Oversold").

A POS sale is always accepted, even when it takes stock below zero: the goods already left the
counter. Holds keep online checkouts safe among themselves, not against the counter: a sale made there
while a paid (or paying) order holds the unit leaves that order without goods. The rule, run inside
the write that changed the stock (a POS batch, shared/inventory/pos_changes.py, or an order's
finalize, shared/checkout/finalize.py):

    whenever on hand of a variant at a location is below zero, the open online orders that took its
    units there are flagged, the most recent sale first, until their units cover the deficit; each
    order once (orders.oversold_at, needs_attention, a timeline entry naming the POS change that went
    below zero, and the webhook order.oversold, deduped per order).

Orders already flagged count towards the deficit without being flagged again; cancelled or fulfilled
orders took nothing that is still missing. Nothing is cancelled or refunded: the merchant restocks or
cancels the order (which returns its units)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from shared.db import Connection
from shared.db.repositories import inventory as inventory_repo
from shared.db.repositories import orders as orders_repo
from shared.db.repositories import oversold as repo
from shared.inventory.models import stamp
from shared.orders.events import record_order_event
from shared.orders.service import add_order_event
from shared.webhooks import emit_event


EVENT = "order.oversold"
_CHANGES = {"sold": "a POS sale", "counted": "a count", "adjusted": "a stock adjustment", "received": "a delivery",
            "returned": "a return"}


def flag_oversold(conn: Connection, pairs: Iterable[tuple[str, str]], *, now: datetime) -> tuple[str, ...]:
    """Check the stock of each (variant id, location id) just changed in this write and flag the
    orders that are now short (see the module docstring); returns the ids of the orders flagged now."""
    pairs = list(dict.fromkeys(pairs))
    levels = inventory_repo.stock_levels(conn, [variant_id for variant_id, _ in pairs])
    flagged: list[str] = []
    for variant_id, location_id in pairs:
        on_hand = levels.get(variant_id, {}).get(location_id, 0)
        deficit = -on_hand
        for sale in repo.open_order_sales(conn, variant_id, location_id) if deficit > 0 else ():
            if deficit <= 0:
                break
            deficit -= sale.units
            if sale.oversold_at is None and sale.order_id not in flagged:
                _flag(conn, sale.order_id, variant_id, location_id, on_hand, now=now)
                flagged.append(sale.order_id)
    return tuple(flagged)


def _flag(conn: Connection, order_id: str, variant_id: str, location_id: str, on_hand: int, *,
          now: datetime) -> None:
    at = stamp(now)
    if not repo.mark_oversold(conn, order_id, at=at):
        return
    order = orders_repo.get_order(conn, order_id)
    assert order is not None
    line = next((l for l in order.lines if l.variant_id == variant_id), None)
    what, sku = variant_id, ""
    if line is not None:
        what = " ".join(p for p in (line.title, line.variant_title if line.variant_title != "Default" else "") if p)
        sku = f" (SKU {line.sku})" if line.sku else ""
    where = repo.location_name(conn, location_id) or location_id
    add_order_event(conn, order_id=order_id, kind="oversold", now=at, message=(
        f"Oversold: {what}{sku} at {where} is at {on_hand} on hand after "
        f"{_cause(repo.latest_outside_change(conn, variant_id, location_id))}. The goods of this order "
        "were sold at the counter: restock before fulfilling, or cancel and refund."))
    record_order_event(conn, order_id, EVENT)         # the POS feed and the studio's live orders
    flagged = orders_repo.get_order(conn, order_id)
    assert flagged is not None
    emit_event(conn, event_type=EVENT, data=flagged.to_json(), dedupe_key=f"order:{order_id}:oversold")


def _cause(change: repo.StockChange | None) -> str:
    """Which change went below zero, and when it was made and recorded (a POS offline sells late)."""
    if change is None:
        return "a change outside online orders"
    kind = _CHANGES.get(change.reason, "a stock change")
    amount = f" of {change.counted}" if change.counted is not None else f" of {abs(change.delta)}"
    reference = f" (reference {change.reference})" if change.reference else ""
    made = change.occurred_at or change.created_at
    late = f", recorded {_shown(change.created_at)}" if made[:19] != change.created_at[:19] else ""
    return f"{kind}{amount}{reference} made {_shown(made)}{late}"


def _shown(text: str) -> str:
    """'2026-05-01T13:20:00.000000+00:00' -> '2026-05-01 13:20:00 UTC'."""
    return text[:19].replace("T", " ") + " UTC"
