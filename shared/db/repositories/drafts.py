"""Editor drafts: text typed in the studio and not yet saved (see migration 0006)."""

from __future__ import annotations

from shared.db import Connection


def put_draft(conn: Connection, key: str, text: str, updated_at: str) -> None:
    """Keep (or replace) the draft under key."""
    conn.execute("INSERT INTO editor_drafts (key, text, updated_at) VALUES (?, ?, ?) "
                 "ON CONFLICT (key) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
                 (key, text, updated_at))


def get_draft(conn: Connection, key: str) -> str | None:
    """The draft under key, if any."""
    row = conn.one("SELECT text FROM editor_drafts WHERE key = ?", (key,))
    return None if row is None else row[0]


def delete_draft(conn: Connection, key: str) -> None:
    """Forget the draft under key."""
    conn.execute("DELETE FROM editor_drafts WHERE key = ?", (key,))
