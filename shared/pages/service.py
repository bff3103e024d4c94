"""PageService: pages, their ordered blocks, draft/published state, SEO fields and block revisions.

Every function runs in one `db.write` transaction: it either does all it says or nothing, and raises
PageError (with a code and the field at fault) for bad input.
"""

from __future__ import annotations

import difflib
import re
from datetime import datetime
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from shared import slugs
from shared.compose.registry import builtin_block, builtin_kinds
from shared.compose.schema import SettingsError, clean_settings
from shared.db import Connection, Database, DatabaseError
from shared.db.repositories import pages as repo
from shared.db.stamps import new_id, utc_now
from shared.models import Block, BlockRevision, Page
from shared.pages.errors import PageError, PageErrorCode
from shared.vibe.validator import check_block

PAGE_SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?\Z")
HOME = "home"
CUSTOM = "custom"
MAX_BLOCKS_PER_PAGE = 60


def slugify(text: str) -> str:
    """A page slug from a title: 'About Us!' -> 'about-us' (shared.slugs: 'Über uns' -> 'uber-uns')."""
    return slugs.slugify(text, fallback="page")


def _check_slug(slug: Any) -> str:
    if not isinstance(slug, str) or not PAGE_SLUG_RE.match(slug):
        raise PageError(PageErrorCode.INVALID, "A page address may use lowercase letters, digits and hyphens "
                        "(1-80 characters, not starting or ending with a hyphen)", field="slug")
    return slug


def _check_title(title: Any) -> str:
    if not isinstance(title, str) or not title.strip():
        raise PageError(PageErrorCode.INVALID, "A page needs a title", field="title")
    if len(title) > 200:
        raise PageError(PageErrorCode.INVALID, "A page title can be at most 200 characters", field="title")
    return title.strip()


def _page(conn: Connection, page_id: str) -> Page:
    page = repo.get_page(conn, page_id)
    if page is None:
        raise PageError(PageErrorCode.NOT_FOUND, f"No page with id {page_id}", field="page_id")
    return page


def _block(conn: Connection, block_id: str) -> Block:
    block = repo.get_block(conn, block_id)
    if block is None:
        raise PageError(PageErrorCode.NOT_FOUND, f"No block with id {block_id}", field="block_id")
    return block


def _slug_free(conn: Connection, slug: str, *, except_id: str | None = None) -> None:
    other = repo.get_page_by_slug(conn, slug)
    if other is not None and other.id != except_id:
        raise PageError(PageErrorCode.DUPLICATE_SLUG, f"Another page already uses the address '{slug}'",
                        field="slug")


def create_page(db: Database, *, title: str, slug: str | None = None, status: str = "draft") -> Page:
    """Create a page (slug from the title when not given). Raises PageError for a bad or taken slug."""
    title = _check_title(title)
    slug = _check_slug(slug if slug is not None else slugify(title))
    check_status(status)
    return db.write(lambda conn: create_page_in(conn, title=title, slug=slug, status=status))


def create_page_in(conn: Connection, *, title: str, slug: str, status: str = "draft", template: str | None = None,
                   page_id: str | None = None) -> Page:
    """create_page inside the caller's transaction (a folder import makes many changes in one);
    `template` makes it a template page, `page_id` keeps an id the caller chose."""
    title, slug = _check_title(title), _check_slug(slug)
    check_status(status)
    _slug_free(conn, slug)
    now = utc_now()
    page = Page(page_id or new_id(), slug, title, status, repo.next_page_position(conn), created_at=now,
                updated_at=now, published_at=now if status == "published" else None, template=template)
    repo.insert_page(conn, page)
    return page


def check_title(title: Any) -> str:
    """A page title, trimmed; raises PageError(INVALID) for an empty or over-long one."""
    return _check_title(title)


def check_slug(slug: Any) -> str:
    """A page slug; raises PageError(INVALID) unless it is lowercase letters, digits and hyphens."""
    return _check_slug(slug)


def check_status(status: Any) -> str:
    """'draft' or 'published'; raises PageError(INVALID) for anything else."""
    if status not in ("draft", "published"):
        raise PageError(PageErrorCode.INVALID, "status must be draft or published", field="status")
    return status


def rename_page(db: Database, *, page_id: str, title: str) -> Page:
    """Change a page's title."""
    title = _check_title(title)

    def write(conn: Connection) -> Page:
        _page(conn, page_id)
        repo.update_page(conn, page_id, title=title, updated_at=utc_now())
        return _page(conn, page_id)

    return db.write(write)


def change_slug(db: Database, *, page_id: str, slug: str) -> Page:
    """Change a page's address; unique per store. The home page keeps 'home'."""
    slug = _check_slug(slug)

    def write(conn: Connection) -> Page:
        page = _page(conn, page_id)
        if page.slug == HOME and slug != HOME:
            raise PageError(PageErrorCode.PROTECTED, "The home page's address cannot change", field="slug")
        _slug_free(conn, slug, except_id=page_id)
        repo.update_page(conn, page_id, slug=slug, updated_at=utc_now())
        return _page(conn, page_id)

    return db.write(write)


def delete_page(db: Database, *, page_id: str) -> None:
    """Delete a page with its blocks and their history. The home page cannot be deleted."""
    def write(conn: Connection) -> None:
        page = _page(conn, page_id)
        if page.slug == HOME:
            raise PageError(PageErrorCode.PROTECTED, "The home page cannot be deleted", field="page_id")
        repo.delete_page(conn, page_id)

    db.write(write)


def reorder_pages(db: Database, *, page_ids: list[str]) -> list[Page]:
    """Put pages in the given order (every page exactly once)."""
    def write(conn: Connection) -> list[Page]:
        current = repo.list_pages(conn)
        if sorted(page_ids) != sorted(p.id for p in current):
            raise PageError(PageErrorCode.INVALID, "The new order must list every page once", field="page_ids")
        now = utc_now()
        for position, pid in enumerate(page_ids):
            repo.update_page(conn, pid, position=position, updated_at=now)
        return repo.list_pages(conn)

    return db.write(write)


def set_page_status(db: Database, *, page_id: str, status: str) -> Page:
    """Publish ('published') or unpublish ('draft') a page; shoppers see published pages only."""
    if status not in ("draft", "published"):
        raise PageError(PageErrorCode.INVALID, "status must be draft or published", field="status")

    def write(conn: Connection) -> Page:
        page = _page(conn, page_id)
        now = utc_now()
        published_at = (page.published_at or now) if status == "published" else page.published_at
        repo.update_page(conn, page_id, status=status, published_at=published_at, updated_at=now)
        return _page(conn, page_id)

    return db.write(write)


def update_seo(db: Database, *, page_id: str, seo_title: str = "", seo_description: str = "",
               canonical_url: str = "", social_image_id: str | None = None, noindex: bool = False) -> Page:
    """Set a page's SEO fields: title, description, canonical URL, social image, noindex."""
    check_seo(seo_title=seo_title, seo_description=seo_description, canonical_url=canonical_url)

    def write(conn: Connection) -> Page:
        _page(conn, page_id)
        try:
            repo.update_page(conn, page_id, seo_title=seo_title, seo_description=seo_description,
                             canonical_url=canonical_url, social_image_id=social_image_id, noindex=int(noindex),
                             updated_at=utc_now())
        except DatabaseError as exc:
            raise PageError(PageErrorCode.INVALID, "No such social image", field="social_image_id") from exc
        return _page(conn, page_id)

    return db.write(write)


def check_seo(*, seo_title: Any, seo_description: Any, canonical_url: Any) -> None:
    """Raise PageError(INVALID) naming the first bad SEO field (too long, or not an http(s) canonical URL)."""
    from shared.storefront.validation import url_problem

    for name, value, limit in (("seo_title", seo_title, 200), ("seo_description", seo_description, 500)):
        label = name.replace("seo_", "SEO ")
        if not isinstance(value, str):
            raise PageError(PageErrorCode.INVALID, f"{label} must be text", field=name)
        if len(value) > limit:
            raise PageError(PageErrorCode.INVALID, f"{label} can be at most {limit} characters", field=name)
    if not isinstance(canonical_url, str) or (canonical_url and url_problem(canonical_url)):
        raise PageError(PageErrorCode.INVALID, "The canonical URL must be an http(s) URL", field="canonical_url")


def edit_page_in(conn: Connection, *, page_id: str, **changes: Any) -> bool:
    """Set a page's title, slug, status and SEO fields inside the caller's transaction; only the
    fields that differ are written, and updated_at moves only then. True when something changed."""
    page = _page(conn, page_id)
    fields = {name: value for name, value in changes.items() if getattr(page, name) != value}
    if "title" in fields:
        fields["title"] = _check_title(fields["title"])
    if "slug" in fields:
        _check_slug(fields["slug"])
        if page.slug == HOME:
            raise PageError(PageErrorCode.PROTECTED, "The home page's address cannot change", field="slug")
        _slug_free(conn, fields["slug"], except_id=page_id)
    if "status" in fields:
        check_status(fields["status"])
        if fields["status"] == "published" and page.published_at is None:
            fields["published_at"] = utc_now()
    if {"seo_title", "seo_description", "canonical_url"} & set(fields):
        check_seo(seo_title=changes.get("seo_title", page.seo_title),
                  seo_description=changes.get("seo_description", page.seo_description),
                  canonical_url=changes.get("canonical_url", page.canonical_url))
    if not fields:
        return False
    if "noindex" in fields:
        fields["noindex"] = int(bool(fields["noindex"]))
    try:
        repo.update_page(conn, page_id, **fields, updated_at=utc_now())
    except DatabaseError as exc:
        raise PageError(PageErrorCode.INVALID, "No such social image", field="social_image_id") from exc
    return True


def _validated_code(code: str) -> str:
    check = check_block(code)
    if not check.ok:
        first = check.diagnostics[0]
        raise PageError(PageErrorCode.INVALID_CODE, f"line {first.line}, column {first.column}: {first.message}",
                        field="code", diagnostics=check.diagnostics)
    return code


def _schema_for(kind: str, code: str | None) -> Mapping[str, Any]:
    if code is not None:
        return check_block(code).schema
    return builtin_block(kind).schema


def _settings(kind: str, code: str | None, settings: Mapping[str, Any] | None) -> dict[str, Any]:
    try:
        return clean_settings(_schema_for(kind, code), settings or {})
    except SettingsError as exc:
        raise PageError(PageErrorCode.INVALID, str(exc), field=f"settings.{exc.setting}") from exc


def _room_for_one(blocks: list[Block]) -> None:
    if len(blocks) >= MAX_BLOCKS_PER_PAGE:
        raise PageError(PageErrorCode.INVALID, f"A page can hold at most {MAX_BLOCKS_PER_PAGE} blocks",
                        field="page_id")


def add_block(db: Database, *, page_id: str, kind: str, settings: Mapping[str, Any] | None = None,
              code: str | None = None, position: int | None = None) -> Block:
    """Add a block (built-in kind, or 'custom' with code) at `position` (default: the end)."""
    clean = check_block_input(kind=kind, code=code, settings=settings)
    return db.write(lambda conn: add_block_in(conn, page_id=page_id, kind=kind, settings=clean, code=code,
                                              position=position))


def check_block_input(*, kind: str, code: str | None, settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """A block's settings cleaned against its schema, after checking its kind and code.

    Raises PageError: INVALID for an unknown kind or bad settings, INVALID_CODE (with diagnostics)
    for code the validator refuses."""
    if kind != CUSTOM and kind not in builtin_kinds():
        raise PageError(PageErrorCode.INVALID, f"Unknown block kind '{kind}'", field="kind")
    if kind == CUSTOM and code is None:
        raise PageError(PageErrorCode.INVALID, "A custom block needs code", field="code")
    if code is not None:
        _validated_code(code)
    return _settings(kind, code, settings)


def add_block_in(conn: Connection, *, page_id: str, kind: str, settings: Mapping[str, Any] | None = None,
                 code: str | None = None, position: int | None = None, block_id: str | None = None,
                 hidden: bool = False) -> Block:
    """add_block inside the caller's transaction; `block_id` keeps an id the caller chose."""
    clean = check_block_input(kind=kind, code=code, settings=settings)
    _page(conn, page_id)
    blocks = repo.list_blocks(conn, page_id)
    _room_for_one(blocks)
    at = len(blocks) if position is None else max(0, min(int(position), len(blocks)))
    now = utc_now()
    block = Block(block_id or new_id(), page_id, kind, code, clean, at, bool(hidden), created_at=now, updated_at=now)
    repo.insert_block(conn, block)
    order = [b.id for b in blocks]
    order.insert(at, block.id)
    repo.set_block_positions(conn, order, now)
    if code is not None:
        repo.insert_revision(conn, BlockRevision(new_id(), block.id, code, "", "Created", now))
    return repo.get_block(conn, block.id)


def move_block(db: Database, *, block_id: str, position: int) -> list[Block]:
    """Move a block to `position` on its page; returns the page's blocks in their new order."""
    def write(conn: Connection) -> list[Block]:
        block = _block(conn, block_id)
        order = [b.id for b in repo.list_blocks(conn, block.page_id) if b.id != block_id]
        order.insert(max(0, min(int(position), len(order))), block_id)
        repo.set_block_positions(conn, order, utc_now())
        return repo.list_blocks(conn, block.page_id)

    return db.write(write)


def duplicate_block(db: Database, *, block_id: str) -> Block:
    """Copy a block (code, settings, hidden state) right after itself."""
    def write(conn: Connection) -> Block:
        block = _block(conn, block_id)
        _room_for_one(repo.list_blocks(conn, block.page_id))
        now = utc_now()
        copy = replace(block, id=new_id(), position=block.position + 1, created_at=now, updated_at=now)
        repo.insert_block(conn, copy)
        order = [b.id for b in repo.list_blocks(conn, block.page_id) if b.id != copy.id]
        order.insert(order.index(block.id) + 1, copy.id)
        repo.set_block_positions(conn, order, now)
        if copy.code is not None:
            repo.insert_revision(conn, BlockRevision(new_id(), copy.id, copy.code, "", "Duplicated", now))
        return repo.get_block(conn, copy.id)

    return db.write(write)


def remove_block(db: Database, *, block_id: str) -> None:
    """Delete a block and renumber the rest of its page."""
    def write(conn: Connection) -> None:
        block = _block(conn, block_id)
        repo.delete_block(conn, block_id)
        repo.set_block_positions(conn, [b.id for b in repo.list_blocks(conn, block.page_id)], utc_now())

    db.write(write)


def set_block_hidden(db: Database, *, block_id: str, hidden: bool) -> Block:
    """Hide a block from the page (kept, not rendered) or show it again."""
    def write(conn: Connection) -> Block:
        _block(conn, block_id)
        repo.update_block(conn, block_id, hidden=bool(hidden), updated_at=utc_now())
        return repo.get_block(conn, block_id)

    return db.write(write)


def update_block_settings(db: Database, *, block_id: str, settings: Mapping[str, Any]) -> Block:
    """Replace a block's settings, checked against its schema."""
    def write(conn: Connection) -> Block:
        block = _block(conn, block_id)
        clean = _settings(block.kind, block.code, settings)
        repo.update_block(conn, block_id, settings=clean, updated_at=utc_now())
        return repo.get_block(conn, block_id)

    return db.write(write)


def block_source(block: Block) -> str:
    """The code a block runs: its own, or its built-in kind's."""
    return block.code if block.code is not None else builtin_block(block.kind).source


def save_block_code(db: Database, *, block_id: str, code: str, author: str = "", message: str = "",
                    coalesce_seconds: float = 0) -> BlockRevision | None:
    """Save new code for a block as a revision; None when the code is unchanged. Invalid code is refused.

    With `coalesce_seconds`, a save that follows the block's newest revision by the same author and
    message within that many seconds updates that revision instead of adding one: the studio saves
    as the merchant types, and the history should read as editing sessions, not keystrokes."""
    _validated_code(code)
    return db.write(lambda conn: save_block_code_in(conn, block_id=block_id, code=code, author=author,
                                                    message=message, coalesce_seconds=coalesce_seconds))


def save_block_code_in(conn: Connection, *, block_id: str, code: str, author: str = "", message: str = "",
                       coalesce_seconds: float = 0) -> BlockRevision | None:
    """save_block_code inside the caller's transaction (same checks, same revision rules)."""
    _validated_code(code)
    block = _block(conn, block_id)
    if block.code is not None and block.code == code:
        return None
    now = utc_now()
    revisions = repo.list_revisions(conn, block_id)
    if block.code is None and not revisions:
        # Forking a built-in: keep the original as the first revision so it can be restored.
        repo.insert_revision(conn, BlockRevision(new_id(), block_id, block_source(block), "",
                                                 f"Built-in {block.kind}", now))
    repo.update_block(conn, block_id, code=code, updated_at=now)
    newest = revisions[0] if revisions else None
    if coalesce_seconds and newest is not None and len(revisions) > 1 \
            and (newest.author, newest.message) == (author[:200], message[:500]) \
            and _seconds_between(newest.created_at, now) <= coalesce_seconds:
        repo.update_revision_code(conn, newest.id, code, now)
        return replace(newest, code=code, created_at=now)
    revision = BlockRevision(new_id(), block_id, code, author[:200], message[:500], now)
    repo.insert_revision(conn, revision)
    return revision


def _seconds_between(earlier: str, later: str) -> float:
    return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds()


def list_revisions(db: Database, *, block_id: str) -> list[BlockRevision]:
    """A block's saved versions, newest first."""
    return db.read(lambda conn: (_block(conn, block_id), repo.list_revisions(conn, block_id))[1])


def diff_revision(db: Database, *, revision_id: str) -> str:
    """A unified diff from a revision to the block's current code (empty when they are equal)."""
    def read(conn: Connection) -> str:
        revision = repo.get_revision(conn, revision_id)
        if revision is None:
            raise PageError(PageErrorCode.NOT_FOUND, f"No revision with id {revision_id}", field="revision_id")
        current = block_source(_block(conn, revision.block_id))
        lines = difflib.unified_diff(revision.code.splitlines(keepends=True), current.splitlines(keepends=True),
                                     fromfile=f"revision {revision.created_at}", tofile="current")
        # Code without a final newline would run its last '-' line into the '+' line after it.
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)

    return db.read(read)


def restore_revision(db: Database, *, revision_id: str, author: str = "") -> BlockRevision | None:
    """Make a revision's code current again (recorded as a new revision)."""
    revision = db.read(lambda conn: repo.get_revision(conn, revision_id))
    if revision is None:
        raise PageError(PageErrorCode.NOT_FOUND, f"No revision with id {revision_id}", field="revision_id")
    return save_block_code(db, block_id=revision.block_id, code=revision.code, author=author,
                           message=f"Restored the version of {revision.created_at}")
