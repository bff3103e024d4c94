"""The store's content version (bumped by triggers on every content change, migration 0003) and the
next moment a scheduled post goes live: together they say whether a rendered page is still true."""

from __future__ import annotations

from shared.db.database import Connection


def content_version(conn: Connection) -> int:
    """The current content version."""
    return int(conn.scalar("SELECT version FROM content_version WHERE id = 1") or 0)


def next_scheduled_post(conn: Connection, *, now: str) -> str | None:
    """When the next scheduled post goes live (ISO text), if one is waiting."""
    return conn.scalar("SELECT min(published_at) FROM posts WHERE status = 'scheduled' AND published_at > ?", (now,))


def snapshot_version(conn: Connection) -> str:
    """What a copy of the live database for a device depends on: the content version (every
    catalogue, stock, media and content change) and the releases made (a publish or rollback)."""
    row = conn.one("SELECT (SELECT version FROM content_version WHERE id = 1), (SELECT count(*) FROM releases)")
    return f"{int(row[0] or 0)}-{int(row[1] or 0)}"
