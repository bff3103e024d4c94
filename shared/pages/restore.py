"""Snapshots of pages and blocks taken before a delete, so the studio's undo can put them back
exactly: same ids, same place, the same code history."""

from __future__ import annotations

from dataclasses import dataclass, replace

from shared.db import Connection, Database
from shared.db.repositories import pages as repo
from shared.db.stamps import utc_now
from shared.models import Block, BlockRevision, Page
from shared.pages.errors import PageError, PageErrorCode
from shared.pages.service import MAX_BLOCKS_PER_PAGE


@dataclass(frozen=True)
class BlockSnapshot:
    """A block and its revisions (oldest first)."""

    block: Block
    revisions: tuple[BlockRevision, ...]


@dataclass(frozen=True)
class PageSnapshot:
    """A page, its blocks in order, and their revisions."""

    page: Page
    blocks: tuple[BlockSnapshot, ...]


def _block_snapshot(conn: Connection, block: Block) -> BlockSnapshot:
    return BlockSnapshot(block, tuple(reversed(repo.list_revisions(conn, block.id))))


def snapshot_block(db: Database, *, block_id: str) -> BlockSnapshot:
    """Everything needed to bring a block back after it is deleted."""
    def read(conn: Connection) -> BlockSnapshot:
        block = repo.get_block(conn, block_id)
        if block is None:
            raise PageError(PageErrorCode.NOT_FOUND, f"No block with id {block_id}", field="block_id")
        return _block_snapshot(conn, block)

    return db.read(read)


def snapshot_page(db: Database, *, page_id: str) -> PageSnapshot:
    """Everything needed to bring a page back after it is deleted."""
    def read(conn: Connection) -> PageSnapshot:
        page = repo.get_page(conn, page_id)
        if page is None:
            raise PageError(PageErrorCode.NOT_FOUND, f"No page with id {page_id}", field="page_id")
        return PageSnapshot(page, tuple(_block_snapshot(conn, b) for b in repo.list_blocks(conn, page_id)))

    return db.read(read)


def _insert_block(conn: Connection, snapshot: BlockSnapshot) -> None:
    repo.insert_block(conn, snapshot.block)
    for revision in snapshot.revisions:
        repo.insert_revision(conn, revision)


def restore_block(db: Database, snapshot: BlockSnapshot) -> Block:
    """Put a deleted block back at its old position on its page."""
    block = snapshot.block

    def write(conn: Connection) -> Block:
        if repo.get_page(conn, block.page_id) is None:
            raise PageError(PageErrorCode.NOT_FOUND, "The block's page no longer exists", field="page_id")
        if repo.get_block(conn, block.id) is not None:
            raise PageError(PageErrorCode.INVALID, "The block is already there", field="block_id")
        others = repo.list_blocks(conn, block.page_id)
        if len(others) >= MAX_BLOCKS_PER_PAGE:
            raise PageError(PageErrorCode.INVALID, f"A page can hold at most {MAX_BLOCKS_PER_PAGE} blocks",
                            field="page_id")
        now = utc_now()
        _insert_block(conn, BlockSnapshot(replace(block, updated_at=now), snapshot.revisions))
        order = [b.id for b in others]
        order.insert(min(block.position, len(order)), block.id)
        repo.set_block_positions(conn, order, now)
        return repo.get_block(conn, block.id)

    return db.write(write)


def restore_page(db: Database, snapshot: PageSnapshot) -> Page:
    """Put a deleted page back with its blocks and their history. Refused if its address was taken
    since."""
    page = snapshot.page

    def write(conn: Connection) -> Page:
        if repo.get_page(conn, page.id) is not None:
            raise PageError(PageErrorCode.INVALID, "The page is already there", field="page_id")
        if repo.get_page_by_slug(conn, page.slug) is not None:
            raise PageError(PageErrorCode.DUPLICATE_SLUG,
                            f"Another page now uses the address '{page.slug}'; rename it first", field="slug")
        repo.insert_page(conn, replace(page, updated_at=utc_now()))
        for block in snapshot.blocks:
            _insert_block(conn, block)
        return repo.get_page(conn, page.id)

    return db.write(write)
