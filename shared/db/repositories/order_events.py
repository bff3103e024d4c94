"""Store database: the order changes (migration 0028, table `order_changes`) that feed the POS API and the
studio's live orders, each order's version and acceptance, and the locations an order concerns.
Write functions take the connection of the caller's write transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from shared.db import Connection


@dataclass(frozen=True)
class ChangeRow:
    """One row of `order_changes`."""

    seq: int
    event_id: str
    change_id: str
    order_id: str
    type: str
    location_id: str | None
    created_at: str


@dataclass(frozen=True)
class CounterFacts:
    """What the POS sees of an order besides the Order itself."""

    version: int
    accepted_at: str | None
    locations: tuple[str, ...]          # pickup location first, then where its stock was taken from


_COLS = "seq, event_id, change_id, order_id, type, location_id, created_at"


def order_locations(conn: Connection, order_id: str) -> tuple[str, ...]:
    """The locations an order concerns: its pickup location (delivery.locationId of a pickup order),
    then each location it took stock from ('sold' movements referencing it), first taken first."""
    pickup = conn.scalar("SELECT json_extract(delivery, '$.locationId') FROM orders WHERE id = ? "
                         "AND json_extract(delivery, '$.method') = 'pickup'", (order_id,))
    sold = [r[0] for r in conn.all(
        "SELECT location_id FROM stock_movements WHERE reference = ? AND reference <> '' AND reason = 'sold' "
        "GROUP BY location_id ORDER BY min(created_at), location_id", (order_id,))]
    found = [pickup] if isinstance(pickup, str) and pickup else []
    return tuple(dict.fromkeys(found + sold))


def insert_changes(conn: Connection, *, rows: Sequence[tuple[str, str, str, str, str | None, str]]) -> None:
    """Append (event_id, change_id, order_id, type, location_id, created_at) rows; seq is assigned."""
    conn.executemany("INSERT INTO order_changes (event_id, change_id, order_id, type, location_id, created_at) "
                     "VALUES (?, ?, ?, ?, ?, ?)", rows)


def changes_at(conn: Connection, *, location_id: str, after: int, limit: int) -> list[ChangeRow]:
    """The changes of one location with seq above `after`, oldest first, at most `limit`."""
    return [ChangeRow(*r) for r in conn.all(
        f"SELECT {_COLS} FROM order_changes WHERE location_id = ? AND seq > ? ORDER BY seq LIMIT ?",
        (location_id, after, limit))]


def newest_seq(conn: Connection) -> int:
    """The highest seq given so far (0 before the first change; AUTOINCREMENT never reuses one)."""
    return int(conn.scalar("SELECT COALESCE(max(seq), 0) FROM order_changes") or 0)


def changes_after(conn: Connection, *, after: int, limit: int, upto: int | None = None
                  ) -> list[tuple[int, str, str, str, int, int]]:
    """(seq, change_id, order_id, type, number, version) of every change with seq above `after` (and at
    most `upto`), oldest first, at most `limit` rows (the studio's stream)."""
    return [tuple(r) for r in conn.all(
        "SELECT c.seq, c.change_id, c.order_id, c.type, o.number, o.version FROM order_changes c "
        "JOIN orders o ON o.id = c.order_id WHERE c.seq > ? AND c.seq <= ? ORDER BY c.seq LIMIT ?",
        (after, (1 << 62) if upto is None else upto, limit))]


def counter_facts(conn: Connection, order_id: str) -> CounterFacts | None:
    """The order's version, acceptance and locations; None when there is no such order."""
    row = conn.one("SELECT version, accepted_at FROM orders WHERE id = ?", (order_id,))
    if row is None:
        return None
    return CounterFacts(int(row[0]), row[1], order_locations(conn, order_id))


def order_version(conn: Connection, order_id: str) -> int | None:
    """The order's version, None when there is no such order."""
    value = conn.scalar("SELECT version FROM orders WHERE id = ?", (order_id,))
    return None if value is None else int(value)


def mark_accepted(conn: Connection, order_id: str, *, now: str) -> bool:
    """Record that a POS accepted the order; False when it was accepted before (nothing changes)."""
    return bool(conn.execute("UPDATE orders SET accepted_at = ?, updated_at = ? WHERE id = ? AND accepted_at IS NULL",
                             (now, now, order_id)).rowcount)
