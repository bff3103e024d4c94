"""Locations, the stock ledger (append-only movements and counts, summed per variant and location by
triggers into `location_stock`) and stock holds. Timestamps are UTC ISO text that sorts as text
(shared.inventory turns datetimes into it), so `expires_at > ?` compares instants."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from shared.db.database import Connection
from shared.models import Location, StockMovement

_CHUNK = 500        # bound parameters per IN (...) list, well under SQLite's limit


def insert_location(conn: Connection, location: Location) -> None:
    """Add a stock location."""
    conn.execute("INSERT INTO locations (id, name, address, is_default, created_at) VALUES (?, ?, ?, ?, ?)",
                 (location.id, location.name, location.address, int(location.is_default), location.created_at))


def list_locations(conn: Connection) -> list[Location]:
    """Every location, the default first."""
    return [Location(r[0], r[1], r[2], bool(r[3]), r[4]) for r in conn.all(
        "SELECT id, name, address, is_default, created_at FROM locations ORDER BY is_default DESC, name")]


def insert_movement(conn: Connection, movement: StockMovement) -> bool:
    """Append a movement or a count; False when one with that id (its change id) was already recorded,
    so a retried change is applied once. occurred_at defaults to created_at."""
    cursor = conn.execute(
        "INSERT OR IGNORE INTO stock_movements "
        "(id, variant_id, location_id, delta, reason, reference, created_at, occurred_at, counted) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (movement.id, movement.variant_id, movement.location_id, movement.delta, movement.reason,
         movement.reference, movement.created_at, movement.occurred_at or movement.created_at, movement.counted))
    return bool(cursor.rowcount)


def movement_ids_recorded(conn: Connection, ids: Sequence[str]) -> set[str]:
    """Which of these change ids are already in the ledger."""
    found: set[str] = set()
    for chunk in _chunks(ids):
        found.update(r[0] for r in conn.all(
            f"SELECT id FROM stock_movements WHERE id IN ({_marks(chunk)})", chunk))
    return found


def reference_has_movements(conn: Connection, reference: str, reason: str) -> bool:
    """Whether the ledger holds a movement of this reason for this reference (an order's sale)."""
    # `reference <> ''` repeats the partial index's condition so that SQLite uses it.
    return conn.one("SELECT 1 FROM stock_movements WHERE reference = ? AND reference <> '' AND reason = ? LIMIT 1",
                    (reference, reason)) is not None


def list_movements(conn: Connection, variant_id: str, location_id: str | None = None) -> list[StockMovement]:
    """A variant's ledger (at one location or all), in the order things happened."""
    sql = ("SELECT id, variant_id, location_id, delta, reason, reference, created_at, occurred_at, counted "
           "FROM stock_movements WHERE variant_id = ?")
    params: list[str] = [variant_id]
    if location_id is not None:
        sql += " AND location_id = ?"
        params.append(location_id)
    return [StockMovement(*row) for row in conn.all(sql + " ORDER BY occurred_at, created_at, id", params)]


def stock_levels(conn: Connection, variant_ids: Sequence[str]) -> dict[str, dict[str, int]]:
    """variant id -> location id -> quantity on hand (the latest count plus the movements after it)."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for chunk in _chunks(variant_ids):
        for variant_id, location_id, qty in conn.all(
                f"SELECT variant_id, location_id, on_hand FROM location_stock WHERE variant_id IN ({_marks(chunk)})",
                chunk):
            out[variant_id][location_id] = int(qty)
    return dict(out)


def existing_variants(conn: Connection, variant_ids: Sequence[str]) -> set[str]:
    """Which of these variant ids exist."""
    found: set[str] = set()
    for chunk in _chunks(variant_ids):
        found.update(r[0] for r in conn.all(f"SELECT id FROM variants WHERE id IN ({_marks(chunk)})", chunk))
    return found


def location_exists(conn: Connection, location_id: str) -> bool:
    """Whether a location with this id exists."""
    return conn.one("SELECT 1 FROM locations WHERE id = ?", (location_id,)) is not None


# --- holds --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class HoldRow:
    """One stored hold."""

    id: str
    group_id: str
    variant_id: str
    location_id: str
    quantity: int
    expires_at: str
    created_at: str


def held_quantities(conn: Connection, variant_ids: Sequence[str], *, now: str,
                    exclude_group: str | None = None) -> dict[str, dict[str, int]]:
    """variant id -> location id -> units held by holds still active at `now` (expires_at > now),
    leaving out one group's own holds when asked (it is about to replace them)."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for chunk in _chunks(variant_ids):
        sql = (f"SELECT variant_id, location_id, sum(quantity) FROM stock_holds "
               f"WHERE variant_id IN ({_marks(chunk)}) AND expires_at > ?")
        params = [*chunk, now]
        if exclude_group is not None:
            sql += " AND group_id <> ?"
            params.append(exclude_group)
        for variant_id, location_id, qty in conn.all(sql + " GROUP BY variant_id, location_id", params):
            out[variant_id][location_id] = int(qty)
    return dict(out)


def group_holds(conn: Connection, group_id: str) -> list[HoldRow]:
    """A group's holds, expired ones included, in a stable order."""
    return [HoldRow(*row) for row in conn.all(
        "SELECT id, group_id, variant_id, location_id, quantity, expires_at, created_at FROM stock_holds "
        "WHERE group_id = ? ORDER BY variant_id, location_id", (group_id,))]


def insert_hold(conn: Connection, hold: HoldRow) -> None:
    """Store one hold."""
    conn.execute("INSERT INTO stock_holds (id, group_id, variant_id, location_id, quantity, expires_at, created_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (hold.id, hold.group_id, hold.variant_id, hold.location_id, hold.quantity, hold.expires_at,
                  hold.created_at))


def set_hold_expiry(conn: Connection, hold_id: str, expires_at: str) -> None:
    """Move one hold's expiry."""
    conn.execute("UPDATE stock_holds SET expires_at = ? WHERE id = ?", (expires_at, hold_id))


def extend_active_holds(conn: Connection, group_id: str, *, now: str, expires_at: str) -> int:
    """Push the expiry of a group's still-active holds out to `expires_at` (never earlier); returns
    how many holds are active."""
    conn.execute("UPDATE stock_holds SET expires_at = ? WHERE group_id = ? AND expires_at > ? AND expires_at < ?",
                 (expires_at, group_id, now, expires_at))
    return int(conn.scalar("SELECT count(*) FROM stock_holds WHERE group_id = ? AND expires_at > ?",
                           (group_id, now)))


def delete_group_holds(conn: Connection, group_id: str) -> int:
    """Delete a group's holds; returns how many there were."""
    return int(conn.execute("DELETE FROM stock_holds WHERE group_id = ?", (group_id,)).rowcount)


def delete_holds_expired_before(conn: Connection, cutoff: str) -> int:
    """Delete holds that expired at or before `cutoff`; returns how many."""
    return int(conn.execute("DELETE FROM stock_holds WHERE expires_at <= ?", (cutoff,)).rowcount)


def _chunks(ids: Sequence[str]) -> Iterator[list[str]]:
    unique = list(dict.fromkeys(ids))
    for start in range(0, len(unique), _CHUNK):
        yield unique[start:start + _CHUNK]


def _marks(chunk: Sequence[str]) -> str:
    return ", ".join("?" * len(chunk))
