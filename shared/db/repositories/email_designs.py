"""The merchant's e-mail designs (migration 0023): one synced row per customised message kind. Rows go in
and out in their stored form (dicts, `blocks` as JSON text); every write runs the table rules first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.db.database import Connection
from shared.db.repositories.checks import check_write

_COLUMNS = ("id", "subject", "blocks", "enabled", "created_at", "updated_at")


def get_design(conn: Connection, kind: str) -> dict[str, Any] | None:
    """The stored design of one message kind, or None (the built-in template is used)."""
    row = conn.one(f"SELECT {', '.join(_COLUMNS)} FROM email_designs WHERE id = ?", (kind,))
    return None if row is None else dict(zip(_COLUMNS, row, strict=True))


def list_designs(conn: Connection) -> list[dict[str, Any]]:
    """Every stored design, by kind."""
    return [dict(zip(_COLUMNS, r, strict=True))
            for r in conn.all(f"SELECT {', '.join(_COLUMNS)} FROM email_designs ORDER BY id")]


def put_design(conn: Connection, row: Mapping[str, Any]) -> None:
    """Insert or replace the design `row["id"]` (every column given). Raises RowRefused."""
    exists = get_design(conn, row["id"]) is not None
    fields = {c: row[c] for c in _COLUMNS if c != "id" and c in row}
    check_write(conn, "email_designs", fields, key=row["id"], new=not exists)
    names = [c for c in _COLUMNS if c in row]
    updates = ", ".join(f"{c} = excluded.{c}" for c in names if c not in ("id", "created_at"))
    conn.execute(f"INSERT INTO email_designs ({', '.join(names)}) VALUES ({', '.join('?' * len(names))}) "
                 f"ON CONFLICT (id) DO UPDATE SET {updates}", [row[c] for c in names])


def delete_design(conn: Connection, kind: str) -> bool:
    """Forget the design of `kind` (back to the built-in template); True when there was one."""
    return conn.execute("DELETE FROM email_designs WHERE id = ?", (kind,)).rowcount > 0
