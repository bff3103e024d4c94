"""Posts by id: the reads and writes the posts service needs beyond the storefront's in content.py."""

from __future__ import annotations

from typing import Any

from shared.db.database import Connection
from shared.db.repositories.content import _POST_COLS
from shared.models import Post
from shared.db.repositories.checks import check_write

# The columns update_post may set: the names are written into SQL, so they come from this list only.
POST_FIELDS = frozenset({"slug", "title", "excerpt", "body_html", "author", "status", "published_at", "image_id",
                         "seo_title", "seo_description", "updated_at"})


def get_post(conn: Connection, post_id: str) -> Post | None:
    """A post by id, whatever its state."""
    row = conn.one(f"SELECT {_POST_COLS} FROM posts WHERE id = ?", (post_id,))
    return None if row is None else Post(*row)


def slug_taken(conn: Connection, slug: str, *, except_id: str | None = None) -> bool:
    """True when a post other than `except_id` uses the slug."""
    return conn.one("SELECT 1 FROM posts WHERE slug = ? AND id IS NOT ?", (slug, except_id)) is not None


def update_post(conn: Connection, post_id: str, **fields: Any) -> None:
    """Set the given columns of a post (names checked against POST_FIELDS)."""
    unknown = set(fields) - POST_FIELDS
    if unknown:
        raise ValueError(f"not post columns: {sorted(unknown)}")
    if not fields:
        return
    check_write(conn, "posts", fields, key=post_id)
    assignments = ", ".join(f"{name} = ?" for name in fields)
    conn.execute(f"UPDATE posts SET {assignments} WHERE id = ?", (*fields.values(), post_id))


def delete_post(conn: Connection, post_id: str) -> None:
    """Remove a post."""
    conn.execute("DELETE FROM posts WHERE id = ?", (post_id,))


def media_exists(conn: Connection, media_id: str) -> bool:
    """True when an image with this id is in the store's media."""
    return conn.one("SELECT 1 FROM media WHERE id = ?", (media_id,)) is not None
