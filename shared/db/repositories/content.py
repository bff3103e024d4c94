"""Themes, menus, posts and media of a store. Every write of them passes the table rules first
(shared/sync/rules.py: RowRefused, nothing written)."""

from __future__ import annotations

import json
from collections.abc import Iterable

from shared.db.database import Connection, Row
from shared.models import Media, Menu, Post, Theme
from shared.db.repositories.checks import check_write

_THEME_COLS = "id, name, preset, settings, custom_css, is_active, created_at, updated_at"
_POST_COLS = ("id, slug, title, excerpt, body_html, author, status, published_at, image_id, seo_title, "
              "seo_description, created_at, updated_at")
_MEDIA_COLS = "id, hash, filename, mime, width, height, bytes, format, widths, alt, created_at"


def _theme(row: Row | None) -> Theme | None:
    if row is None:
        return None
    values = list(row)
    values[3] = json.loads(values[3])
    values[5] = bool(values[5])
    return Theme(*values)


def get_active_theme(conn: Connection) -> Theme | None:
    """The theme the storefront uses."""
    return _theme(conn.one(f"SELECT {_THEME_COLS} FROM themes WHERE is_active = 1"))


def get_theme(conn: Connection, theme_id: str) -> Theme | None:
    """A theme by id."""
    return _theme(conn.one(f"SELECT {_THEME_COLS} FROM themes WHERE id = ?", (theme_id,)))


def list_themes(conn: Connection) -> list[Theme]:
    """Every theme of the store."""
    return [_theme(r) for r in conn.all(f"SELECT {_THEME_COLS} FROM themes ORDER BY created_at")]


def insert_theme(conn: Connection, theme: Theme) -> None:
    """Add a theme (inactive unless theme.is_active and no other is)."""
    values = (theme.id, theme.name, theme.preset, json.dumps(theme.settings), theme.custom_css,
              int(theme.is_active), theme.created_at, theme.updated_at)
    check_write(conn, "themes", dict(zip(_THEME_COLS.split(", "), values, strict=True)), key=theme.id, new=True)
    conn.execute(f"INSERT INTO themes ({_THEME_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", values)


def update_theme(conn: Connection, theme: Theme) -> None:
    """Write a theme's name, preset, settings and custom CSS."""
    check_write(conn, "themes", {"name": theme.name, "preset": theme.preset, "settings": json.dumps(theme.settings),
                                 "custom_css": theme.custom_css, "updated_at": theme.updated_at}, key=theme.id)
    conn.execute("UPDATE themes SET name = ?, preset = ?, settings = ?, custom_css = ?, updated_at = ? WHERE id = ?",
                 (theme.name, theme.preset, json.dumps(theme.settings), theme.custom_css, theme.updated_at, theme.id))


def activate_theme(conn: Connection, theme_id: str, updated_at: str) -> None:
    """Make one theme the active one."""
    conn.execute("UPDATE themes SET is_active = 0, updated_at = ? WHERE is_active = 1 AND id <> ?",
                 (updated_at, theme_id))
    conn.execute("UPDATE themes SET is_active = 1, updated_at = ? WHERE id = ?", (updated_at, theme_id))


def get_menu(conn: Connection, handle: str) -> Menu:
    """A menu by handle (empty when never saved)."""
    row = conn.one("SELECT handle, items, updated_at FROM menus WHERE handle = ?", (handle,))
    return Menu(handle) if row is None else Menu(row[0], tuple(json.loads(row[1])), row[2])


def save_menu(conn: Connection, menu: Menu) -> None:
    """Create or replace a menu."""
    check_write(conn, "menus", {"handle": menu.handle, "items": json.dumps(list(menu.items)),
                                "updated_at": menu.updated_at}, key=menu.handle, new=True)
    conn.execute("INSERT INTO menus (handle, items, updated_at) VALUES (?, ?, ?) ON CONFLICT (handle) "
                 "DO UPDATE SET items = excluded.items, updated_at = excluded.updated_at",
                 (menu.handle, json.dumps(list(menu.items)), menu.updated_at))


def insert_post(conn: Connection, post: Post) -> None:
    """Add a post."""
    values = (post.id, post.slug, post.title, post.excerpt, post.body_html, post.author, post.status,
              post.published_at, post.image_id, post.seo_title, post.seo_description, post.created_at, post.updated_at)
    check_write(conn, "posts", dict(zip(_POST_COLS.split(", "), values, strict=True)), key=post.id, new=True)
    conn.execute(f"INSERT INTO posts ({_POST_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)


def get_post_by_slug(conn: Connection, slug: str) -> Post | None:
    """A post by slug, whatever its state."""
    row = conn.one(f"SELECT {_POST_COLS} FROM posts WHERE slug = ?", (slug,))
    return None if row is None else Post(*row)


def list_visible_posts(conn: Connection, *, now: str, limit: int = 20, offset: int = 0) -> list[Post]:
    """Posts shoppers may see at `now`: published or scheduled with a publish time that has come."""
    return [Post(*r) for r in conn.all(
        f"SELECT {_POST_COLS} FROM posts WHERE status IN ('published', 'scheduled') AND published_at <= ? "
        "ORDER BY published_at DESC LIMIT ? OFFSET ?", (now, limit, offset))]


def count_visible_posts(conn: Connection, *, now: str) -> int:
    """How many posts shoppers may see at `now`."""
    return int(conn.scalar("SELECT count(*) FROM posts WHERE status IN ('published', 'scheduled') "
                           "AND published_at <= ?", (now,)))


def list_posts(conn: Connection) -> list[Post]:
    """Every post, newest first (the studio's view)."""
    return [Post(*r) for r in conn.all(f"SELECT {_POST_COLS} FROM posts ORDER BY coalesce(published_at, created_at) DESC")]


def _media(row: Row) -> Media:
    values = list(row)
    values[8] = tuple(json.loads(values[8]))
    return Media(*values)


def insert_media(conn: Connection, media: Media) -> None:
    """Record an uploaded image."""
    values = (media.id, media.hash, media.filename, media.mime, media.width, media.height, media.bytes,
              media.format, json.dumps(list(media.widths)), media.alt, media.created_at)
    check_write(conn, "media", dict(zip(_MEDIA_COLS.split(", "), values, strict=True)), key=media.id, new=True)
    conn.execute(f"INSERT INTO media ({_MEDIA_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)


def get_media_by_hash(conn: Connection, digest: str) -> Media | None:
    """An image by the hash of its original bytes."""
    row = conn.one(f"SELECT {_MEDIA_COLS} FROM media WHERE hash = ?", (digest,))
    return None if row is None else _media(row)


def get_media_many(conn: Connection, media_ids: Iterable[str]) -> dict[str, Media]:
    """Images by id (missing ids are left out)."""
    ids = list(dict.fromkeys(media_ids))
    out: dict[str, Media] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" * len(chunk))
        for row in conn.all(f"SELECT {_MEDIA_COLS} FROM media WHERE id IN ({marks})", chunk):
            media = _media(row)
            out[media.id] = media
    return out


def get_media(conn: Connection, media_id: str) -> Media | None:
    """An image by id."""
    row = conn.one(f"SELECT {_MEDIA_COLS} FROM media WHERE id = ?", (media_id,))
    return None if row is None else _media(row)


def list_media(conn: Connection) -> list[Media]:
    """Every image of the store, newest first (the studio's media library)."""
    return [_media(r) for r in conn.all(f"SELECT {_MEDIA_COLS} FROM media ORDER BY created_at DESC, filename")]


def set_media_alt(conn: Connection, media_id: str, alt: str) -> None:
    """Change an image's alt text."""
    check_write(conn, "media", {"alt": alt}, key=media_id)
    conn.execute("UPDATE media SET alt = ? WHERE id = ?", (alt, media_id))


def delete_media_row(conn: Connection, media_id: str) -> None:
    """Remove an image's row (product_media rows go with it, other references become NULL)."""
    conn.execute("DELETE FROM media WHERE id = ?", (media_id,))
