"""What a store's sitemap lists: every public address with its last change."""

from __future__ import annotations

from shared.db.database import Connection


def sitemap_entries(conn: Connection, *, now: str) -> list[tuple[str, str]]:
    """(path, lastmod) for the home page, published pages, active products, collections and visible
    posts, in a stable order."""
    rows: list[tuple[str, str]] = []
    rows += [("/" if slug == "home" else f"/pages/{slug}", updated) for slug, updated in conn.all(
        "SELECT slug, updated_at FROM pages WHERE status = 'published' AND template IS NULL AND noindex = 0 "
        "ORDER BY position, slug")]
    rows += [(f"/collections/{h}", u) for h, u in conn.all("SELECT handle, updated_at FROM collections ORDER BY position, handle")]
    rows += [(f"/products/{h}", u) for h, u in conn.all(
        "SELECT handle, updated_at FROM products WHERE status = 'active' ORDER BY created_at, handle")]
    rows += [(f"/blog/{s}", u) for s, u in conn.all(
        "SELECT slug, coalesce(published_at, updated_at) FROM posts WHERE status IN ('published', 'scheduled') "
        "AND published_at <= ? ORDER BY published_at, slug", (now,))]
    return rows
