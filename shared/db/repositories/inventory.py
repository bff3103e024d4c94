"""Locations and append-only stock movements, summed per variant and location."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from shared.db.database import Connection
from shared.models import Location, StockMovement


def insert_location(conn: Connection, location: Location) -> None:
    """Add a stock location."""
    conn.execute("INSERT INTO locations (id, name, address, is_default, created_at) VALUES (?, ?, ?, ?, ?)",
                 (location.id, location.name, location.address, int(location.is_default), location.created_at))


def list_locations(conn: Connection) -> list[Location]:
    """Every location, the default first."""
    return [Location(r[0], r[1], r[2], bool(r[3]), r[4]) for r in conn.all(
        "SELECT id, name, address, is_default, created_at FROM locations ORDER BY is_default DESC, name")]


def insert_movement(conn: Connection, movement: StockMovement) -> bool:
    """Append a movement; False when a movement with that id was already recorded (applied once)."""
    cursor = conn.execute(
        "INSERT OR IGNORE INTO stock_movements (id, variant_id, location_id, delta, reason, reference, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (movement.id, movement.variant_id, movement.location_id, movement.delta, movement.reason,
         movement.reference, movement.created_at))
    return bool(cursor.rowcount)


def stock_levels(conn: Connection, variant_ids: Sequence[str]) -> dict[str, dict[str, int]]:
    """variant id -> location id -> quantity on hand (the sum of its movements)."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    ids = list(dict.fromkeys(variant_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        for variant_id, location_id, qty in conn.all(
                "SELECT variant_id, location_id, sum(delta) FROM stock_movements "
                f"WHERE variant_id IN ({marks}) GROUP BY variant_id, location_id", chunk):
            out[variant_id][location_id] = int(qty)
    return dict(out)
