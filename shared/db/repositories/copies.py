"""Whole-database copies (VACUUM INTO): a consistent snapshot of a database in a new file."""

from __future__ import annotations

from pathlib import Path

from shared.db import Connection


def vacuum_into(conn: Connection, target: Path) -> None:
    """Write a compacted, consistent copy of the database to `target` (which must not exist)."""
    conn.execute("VACUUM INTO ?", (str(target),))
