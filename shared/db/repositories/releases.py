"""Releases (migration 0008). Publishing reads and writes the synced tables themselves through the one
generic row layer, shared/db/repositories/sync.py."""

from __future__ import annotations

from shared.db.database import Connection, Row

_RELEASE_COLS = "number, created_at, device_id, note, summary, restored_from"


def catalogue_media_ids(conn: Connection) -> set[str]:
    """Media the live-only catalogue uses (product images, collection images)."""
    rows = conn.all("SELECT media_id FROM product_media UNION SELECT image_id FROM collections "
                    "WHERE image_id IS NOT NULL")
    return {row[0] for row in rows}


# --- releases --------------------------------------------------------------------------------------

def next_release_number(conn: Connection) -> int:
    """The number the next release gets."""
    return int(conn.scalar("SELECT coalesce(max(number), 0) + 1 FROM releases"))


def insert_release(conn: Connection, *, number: int, created_at: str, device_id: str, note: str, summary: str,
                   snapshot: bytes, snapshot_sha256: str, snapshot_bytes: int, restored_from: int | None) -> None:
    """Record a release (immutable from then on)."""
    conn.execute("INSERT INTO releases (number, created_at, device_id, note, summary, snapshot, snapshot_sha256, "
                 "snapshot_bytes, restored_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (number, created_at, device_id, note, summary, snapshot, snapshot_sha256, snapshot_bytes,
                  restored_from))


def get_release(conn: Connection, number: int) -> Row | None:
    """(number, created_at, device_id, note, summary, restored_from) of one release."""
    return conn.one(f"SELECT {_RELEASE_COLS} FROM releases WHERE number = ?", (number,))


def get_release_snapshot(conn: Connection, number: int) -> tuple[bytes, str] | None:
    """(compressed snapshot, its SHA-256) of one release."""
    row = conn.one("SELECT snapshot, snapshot_sha256 FROM releases WHERE number = ?", (number,))
    return None if row is None else (bytes(row[0]), row[1])


def list_releases(conn: Connection, *, limit: int = 100, before: int | None = None) -> list[Row]:
    """Releases newest first (without their snapshots)."""
    return conn.all(f"SELECT {_RELEASE_COLS} FROM releases WHERE number < ? ORDER BY number DESC LIMIT ?",
                    (before if before is not None else 1 << 62, limit))


def get_live_release(conn: Connection) -> int | None:
    """The number of the live release (None before the first publish)."""
    return conn.scalar("SELECT number FROM live_release WHERE id = 1")


def set_live_release(conn: Connection, number: int) -> None:
    """Point the store at a release."""
    conn.execute("UPDATE live_release SET number = ? WHERE id = 1", (number,))
