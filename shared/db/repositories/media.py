"""Where an image is used: every column and setting that holds a media id, read and repointed."""

from __future__ import annotations

import json
from typing import Any

from shared.db.database import Connection
from shared.db.repositories.checks import check_write

# (id, title, template) of pages, (id, title) of posts and collections, (id, title, position) of products.
PageRow = tuple[str, str, str | None]


def pages_with_social_image(conn: Connection, media_id: str) -> list[PageRow]:
    """Pages whose social (Open Graph) image is this image."""
    return [tuple(r) for r in conn.all("SELECT id, title, template FROM pages WHERE social_image_id = ? "
                                       "ORDER BY position, title", (media_id,))]


def posts_with_image(conn: Connection, media_id: str) -> list[tuple[str, str]]:
    """Posts whose cover is this image."""
    return [tuple(r) for r in conn.all("SELECT id, title FROM posts WHERE image_id = ? ORDER BY title", (media_id,))]


def collections_with_image(conn: Connection, media_id: str) -> list[tuple[str, str]]:
    """Collections whose image is this image."""
    return [tuple(r) for r in conn.all("SELECT id, title FROM collections WHERE image_id = ? ORDER BY title",
                                       (media_id,))]


def products_with_image(conn: Connection, media_id: str) -> list[tuple[str, str, int]]:
    """Products showing this image, with its position among each product's images."""
    return [tuple(r) for r in conn.all(
        "SELECT p.id, p.title, pm.position FROM product_media pm JOIN products p ON p.id = pm.product_id "
        "WHERE pm.media_id = ? ORDER BY p.title", (media_id,))]


def blocks_mentioning(conn: Connection, text: str) -> list[tuple[str, str, str, str | None, str, str | None,
                                                                 dict[str, Any]]]:
    """Blocks whose settings JSON contains `text` anywhere (the caller checks the schema):
    (block id, page id, page title, page template, kind, code, settings)."""
    return [(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6])) for r in conn.all(
        "SELECT b.id, b.page_id, p.title, p.template, b.kind, b.code, b.settings FROM blocks b "
        "JOIN pages p ON p.id = b.page_id WHERE instr(b.settings, ?) > 0 ORDER BY p.position, p.title, b.position",
        (text,))]


def set_page_social_image(conn: Connection, page_id: str, media_id: str | None, updated_at: str) -> None:
    """Point a page's social image at another image (or none)."""
    check_write(conn, "pages", {"social_image_id": media_id, "updated_at": updated_at}, key=page_id)
    conn.execute("UPDATE pages SET social_image_id = ?, updated_at = ? WHERE id = ?", (media_id, updated_at, page_id))


def set_post_image(conn: Connection, post_id: str, media_id: str | None, updated_at: str) -> None:
    """Point a post's cover at another image (or none)."""
    check_write(conn, "posts", {"image_id": media_id, "updated_at": updated_at}, key=post_id)
    conn.execute("UPDATE posts SET image_id = ?, updated_at = ? WHERE id = ?", (media_id, updated_at, post_id))


def set_collection_image(conn: Connection, collection_id: str, media_id: str | None, updated_at: str) -> None:
    """Point a collection's image at another image (or none)."""
    conn.execute("UPDATE collections SET image_id = ?, updated_at = ? WHERE id = ?",
                 (media_id, updated_at, collection_id))


def put_product_image(conn: Connection, product_id: str, media_id: str, position: int) -> None:
    """Show an image on a product at a position (nothing when the product already shows it)."""
    conn.execute("INSERT OR IGNORE INTO product_media (product_id, media_id, position) VALUES (?, ?, ?)",
                 (product_id, media_id, position))


def drop_product_image(conn: Connection, product_id: str, media_id: str) -> None:
    """Stop showing an image on a product."""
    conn.execute("DELETE FROM product_media WHERE product_id = ? AND media_id = ?", (product_id, media_id))


def set_block_settings(conn: Connection, block_id: str, settings: dict[str, Any], updated_at: str) -> None:
    """Write a block's settings as they are (the caller only swapped one image id for another)."""
    check_write(conn, "blocks", {"settings": json.dumps(settings), "updated_at": updated_at}, key=block_id)
    conn.execute("UPDATE blocks SET settings = ?, updated_at = ? WHERE id = ?",
                 (json.dumps(settings), updated_at, block_id))


def block_settings(conn: Connection, block_id: str) -> dict[str, Any] | None:
    """A block's stored settings (None when the block is gone)."""
    row = conn.one("SELECT settings FROM blocks WHERE id = ?", (block_id,))
    return None if row is None else json.loads(row[0])
