"""The stock ledger: movements (received, sold, returned, adjusted) and physical counts, each a change
with its own UUID applied once, and the instant it happened.

On hand at a location = the latest count by occurred_at + the movements that occurred after it (every
movement when there never was a count): Square's model, so a POS that uploads a sale made offline
hours ago, after a count, lands where it belongs. Triggers keep `location_stock` (per location) and
`variant_stock` (per variant, what the storefront shows) equal to that; the functions here validate
and append. Run them inside `db.write(fn)`.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from shared.db import Connection
from shared.db.repositories import inventory as repo
from shared.inventory.errors import InventoryError, InventoryErrorCode
from shared.inventory.models import stamp
from shared.models import StockMovement

ADJUSTMENT_REASONS = frozenset({"received", "sold", "returned", "adjusted"})
MAX_DELTA = 1_000_000


def record_movement(conn: Connection, *, change_id: str, variant_id: str, location_id: str, delta: int,
                    reason: str, occurred_at: datetime | str, now: datetime, reference: str = "") -> bool:
    """Append a movement of `delta` units; False when this change id was already applied (a retry).
    Raises InventoryError (INVALID, UNKNOWN_VARIANT, UNKNOWN_LOCATION)."""
    if reason not in ADJUSTMENT_REASONS:
        raise InventoryError(InventoryErrorCode.INVALID,
                             f"reason must be one of {', '.join(sorted(ADJUSTMENT_REASONS))} (counts: record_count)")
    if isinstance(delta, bool) or not isinstance(delta, int) or delta == 0 or abs(delta) > MAX_DELTA:
        raise InventoryError(InventoryErrorCode.INVALID, f"delta must be a whole number, not 0, at most {MAX_DELTA}")
    movement = StockMovement(_change_id(change_id), variant_id, location_id, delta, reason, _reference(reference),
                             stamp(now, field="now"), stamp(occurred_at, field="occurred_at"))
    return _append(conn, movement)


def record_count(conn: Connection, *, change_id: str, variant_id: str, location_id: str, quantity: int,
                 occurred_at: datetime | str, now: datetime, reference: str = "") -> bool:
    """Append a physical count: from `occurred_at` on, the location holds `quantity` plus what moves
    after it (an older count than the latest changes nothing). False when this change id was already
    applied. Raises InventoryError (INVALID, UNKNOWN_VARIANT, UNKNOWN_LOCATION)."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 <= quantity <= MAX_DELTA:
        raise InventoryError(InventoryErrorCode.INVALID, f"a count is a whole number from 0 to {MAX_DELTA}")
    movement = StockMovement(_change_id(change_id), variant_id, location_id, 0, "counted", _reference(reference),
                             stamp(now, field="now"), stamp(occurred_at, field="occurred_at"), quantity)
    return _append(conn, movement)


def _append(conn: Connection, movement: StockMovement) -> bool:
    if not repo.existing_variants(conn, [movement.variant_id]):
        raise InventoryError(InventoryErrorCode.UNKNOWN_VARIANT, f"no such variant: {movement.variant_id}",
                             variant_ids=(movement.variant_id,))
    if not repo.location_exists(conn, movement.location_id):
        raise InventoryError(InventoryErrorCode.UNKNOWN_LOCATION, f"no such location: {movement.location_id}")
    return repo.insert_movement(conn, movement)


def _change_id(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except (TypeError, ValueError, AttributeError):
        raise InventoryError(InventoryErrorCode.INVALID, "a change id is a UUID") from None


def _reference(value: str) -> str:
    if not isinstance(value, str) or len(value) > 200:
        raise InventoryError(InventoryErrorCode.INVALID, "a reference is text of at most 200 characters")
    return value
