"""Inventory: the stock ledger (movements and counts), holds with an expiry, and availability.

Every service takes the connection of a `db.write(fn)` transaction; see holds.py for why that alone
prevents overselling, and docs/data.md ("Stock") for the model.
"""

from shared.inventory.errors import InventoryError, InventoryErrorCode, Shortage
from shared.inventory.holds import (
    DEFAULT_TTL, PURGE_GRACE, available, check_holds, commit_holds, extend_holds, hold_stock, purge_expired_holds,
    read_holds, release_holds, stock_positions,
)
from shared.inventory.ledger import record_count, record_movement
from shared.inventory.models import CommitResult, HeldLine, HoldCheck, HoldGroup, LocationPolicy, StockPosition

__all__ = [
    "DEFAULT_TTL", "PURGE_GRACE", "CommitResult", "HeldLine", "HoldCheck", "HoldGroup", "InventoryError",
    "InventoryErrorCode", "LocationPolicy", "Shortage", "StockPosition", "available", "check_holds", "commit_holds",
    "extend_holds", "hold_stock", "purge_expired_holds", "read_holds", "record_count", "record_movement",
    "release_holds", "stock_positions",
]
