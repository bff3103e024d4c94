"""Releases (migration 0008) and the generic row access publishing needs on the synced tables.

Table names are never taken from input: callers pass names from `shared.releases.tables.SYNCED`, and
column names come from the database's own `PRAGMA table_info`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.db.database import Connection, Row

_RELEASE_COLS = "number, created_at, device_id, note, summary, restored_from"


def _q(name: str) -> str:
    """An identifier quoted for SQL (names come from the schema, never from input)."""
    return '"' + name.replace('"', '""') + '"'


# --- the synced tables, generically -------------------------------------------------------------

def table_columns(conn: Connection, table: str) -> list[str]:
    """The table's columns in declaration order (empty if there is no such table)."""
    return [row[1] for row in conn.all(f"PRAGMA table_info({_q(table)})")]


def foreign_keys(conn: Connection, table: str) -> list[tuple[str, str, str]]:
    """(column, referenced table, referenced column) for each foreign key of the table."""
    return [(row[3], row[2], row[4]) for row in conn.all(f"PRAGMA foreign_key_list({_q(table)})")]


def all_rows(conn: Connection, table: str, columns: Sequence[str], key: str) -> list[Row]:
    """Every row of the table with these columns, ordered by its key."""
    cols = ", ".join(_q(c) for c in columns)
    return conn.all(f"SELECT {cols} FROM {_q(table)} ORDER BY {_q(key)}")


def insert_row(conn: Connection, table: str, columns: Sequence[str], values: Sequence[Any]) -> None:
    """Insert one row."""
    cols = ", ".join(_q(c) for c in columns)
    marks = ", ".join("?" * len(columns))
    conn.execute(f"INSERT INTO {_q(table)} ({cols}) VALUES ({marks})", values)


def update_row(conn: Connection, table: str, key: str, key_value: Any, changes: dict[str, Any]) -> None:
    """Set some columns of the row whose key is key_value (nothing to set: no statement)."""
    if not changes:
        return
    sets = ", ".join(f"{_q(c)} = ?" for c in changes)
    conn.execute(f"UPDATE {_q(table)} SET {sets} WHERE {_q(key)} = ?", [*changes.values(), key_value])


def delete_rows(conn: Connection, table: str, key: str, key_values: Sequence[Any]) -> None:
    """Delete the rows with these keys."""
    for start in range(0, len(key_values), 500):
        chunk = list(key_values[start:start + 500])
        marks = ", ".join("?" * len(chunk))
        conn.execute(f"DELETE FROM {_q(table)} WHERE {_q(key)} IN ({marks})", chunk)


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
