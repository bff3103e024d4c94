"""Pages, their blocks (ordered by integer position) and block code revisions."""

from __future__ import annotations

import json
from typing import Any

from shared.db.database import Connection, Row
from shared.models import Block, BlockRevision, Page
from shared.db.repositories.checks import check_write

_PAGE_COLS = ("id, slug, title, status, position, seo_title, seo_description, canonical_url, social_image_id, "
              "noindex, published_at, created_at, updated_at, template")
_BLOCK_COLS = "id, page_id, kind, code, settings, position, hidden, created_at, updated_at"
_REV_COLS = "id, block_id, code, author, message, created_at"
PAGE_FIELDS = frozenset({"slug", "title", "status", "position", "seo_title", "seo_description", "canonical_url",
                         "social_image_id", "noindex", "published_at", "updated_at"})
BLOCK_FIELDS = frozenset({"kind", "code", "settings", "position", "hidden", "updated_at"})


def _page(row: Row | None) -> Page | None:
    if row is None:
        return None
    values = list(row)
    values[9] = bool(values[9])
    return Page(*values)


def _block(row: Row) -> Block:
    values = list(row)
    values[4] = json.loads(values[4])
    values[6] = bool(values[6])
    return Block(*values)


def list_pages(conn: Connection, *, published_only: bool = False) -> list[Page]:
    """Pages in navigation order (templates are listed by list_templates)."""
    where = "WHERE template IS NULL" + (" AND status = 'published'" if published_only else "")
    return [_page(r) for r in conn.all(f"SELECT {_PAGE_COLS} FROM pages {where} ORDER BY position, title")]


def list_templates(conn: Connection) -> list[Page]:
    """Template pages (product, collection, ...)."""
    return [_page(r) for r in conn.all(f"SELECT {_PAGE_COLS} FROM pages WHERE template IS NOT NULL ORDER BY template")]


def get_template_page(conn: Connection, template: str) -> Page | None:
    """The page a template renders with, if the store has one."""
    return _page(conn.one(f"SELECT {_PAGE_COLS} FROM pages WHERE template = ?", (template,)))


def get_page(conn: Connection, page_id: str) -> Page | None:
    """A page by id."""
    return _page(conn.one(f"SELECT {_PAGE_COLS} FROM pages WHERE id = ?", (page_id,)))


def get_page_by_slug(conn: Connection, slug: str) -> Page | None:
    """A page by slug."""
    return _page(conn.one(f"SELECT {_PAGE_COLS} FROM pages WHERE slug = ?", (slug,)))


def insert_page(conn: Connection, page: Page) -> None:
    """Add a page. Raises RowRefused for values the table rules refuse (shared/sync/rules.py)."""
    values = (page.id, page.slug, page.title, page.status, page.position, page.seo_title, page.seo_description,
              page.canonical_url, page.social_image_id, int(page.noindex), page.published_at, page.created_at,
              page.updated_at, page.template)
    check_write(conn, "pages", dict(zip(_PAGE_COLS.split(", "), values, strict=True)), key=page.id, new=True)
    conn.execute(f"INSERT INTO pages ({_PAGE_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)


def update_page(conn: Connection, page_id: str, **fields: Any) -> None:
    """Set the given columns of a page (names checked against PAGE_FIELDS, values by the table rules)."""
    if "noindex" in fields:
        fields["noindex"] = int(fields["noindex"])
    check_write(conn, "pages", fields, key=page_id)
    _update(conn, "pages", PAGE_FIELDS, page_id, fields)


def delete_page(conn: Connection, page_id: str) -> None:
    """Remove a page; its blocks and their revisions go with it."""
    conn.execute("DELETE FROM pages WHERE id = ?", (page_id,))


def next_page_position(conn: Connection) -> int:
    """The position after the last page."""
    return int(conn.scalar("SELECT coalesce(max(position) + 1, 0) FROM pages"))


def list_blocks(conn: Connection, page_id: str, *, include_hidden: bool = True) -> list[Block]:
    """A page's blocks in order."""
    hidden = "" if include_hidden else "AND hidden = 0"
    return [_block(r) for r in conn.all(
        f"SELECT {_BLOCK_COLS} FROM blocks WHERE page_id = ? {hidden} ORDER BY position, created_at", (page_id,))]


def get_block(conn: Connection, block_id: str) -> Block | None:
    """A block by id."""
    row = conn.one(f"SELECT {_BLOCK_COLS} FROM blocks WHERE id = ?", (block_id,))
    return None if row is None else _block(row)


def insert_block(conn: Connection, block: Block) -> None:
    """Add a block row (the caller keeps positions contiguous). Raises RowRefused (table rules)."""
    values = (block.id, block.page_id, block.kind, block.code, json.dumps(block.settings), block.position,
              int(block.hidden), block.created_at, block.updated_at)
    check_write(conn, "blocks", dict(zip(_BLOCK_COLS.split(", "), values, strict=True)), key=block.id, new=True)
    conn.execute(f"INSERT INTO blocks ({_BLOCK_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", values)


def update_block(conn: Connection, block_id: str, **fields: Any) -> None:
    """Set the given columns of a block (names checked against BLOCK_FIELDS)."""
    if "settings" in fields:
        fields["settings"] = json.dumps(fields["settings"])
    if "hidden" in fields:
        fields["hidden"] = int(fields["hidden"])
    check_write(conn, "blocks", fields, key=block_id)
    _update(conn, "blocks", BLOCK_FIELDS, block_id, fields)


def delete_block(conn: Connection, block_id: str) -> None:
    """Remove a block and its revisions."""
    conn.execute("DELETE FROM blocks WHERE id = ?", (block_id,))


def set_block_positions(conn: Connection, ordered_ids: list[str], updated_at: str) -> None:
    """Renumber blocks 0..n-1 in the given order."""
    for position, block_id in enumerate(ordered_ids):
        conn.execute("UPDATE blocks SET position = ?, updated_at = ? WHERE id = ? AND position <> ?",
                     (position, updated_at, block_id, position))


def insert_revision(conn: Connection, revision: BlockRevision) -> None:
    """Record a saved version of a block's code."""
    conn.execute(f"INSERT INTO block_revisions ({_REV_COLS}) VALUES (?, ?, ?, ?, ?, ?)",
                 (revision.id, revision.block_id, revision.code, revision.author, revision.message,
                  revision.created_at))


def list_revisions(conn: Connection, block_id: str) -> list[BlockRevision]:
    """A block's revisions, newest first."""
    return [BlockRevision(*r) for r in conn.all(
        f"SELECT {_REV_COLS} FROM block_revisions WHERE block_id = ? ORDER BY created_at DESC, rowid DESC",
        (block_id,))]


def get_revision(conn: Connection, revision_id: str) -> BlockRevision | None:
    """A revision by id."""
    row = conn.one(f"SELECT {_REV_COLS} FROM block_revisions WHERE id = ?", (revision_id,))
    return None if row is None else BlockRevision(*row)


def _update(conn: Connection, table: str, allowed: frozenset[str], row_id: str, fields: dict[str, Any]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"cannot update {table}.{sorted(unknown)}")
    if not fields:
        return
    names = sorted(fields)
    conn.execute(f"UPDATE {table} SET {', '.join(f'{n} = ?' for n in names)} WHERE id = ?",
                 (*[fields[n] for n in names], row_id))


def update_revision_code(conn: Connection, revision_id: str, code: str, created_at: str) -> None:
    """Replace a revision's code and time (typing coalesced into the revision it continues)."""
    conn.execute("UPDATE block_revisions SET code = ?, created_at = ? WHERE id = ?", (code, created_at, revision_id))
