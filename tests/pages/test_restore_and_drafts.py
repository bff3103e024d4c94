"""What the studio's undo and crash safety rely on: deleted pages and blocks come back exactly,
typing is coalesced into one revision per editing session, and unsaved code survives as a draft."""

from __future__ import annotations

import pytest

from shared.db.repositories import pages as repo
from shared.pages import drafts
from shared.pages import service as pages
from shared.pages.errors import PageError, PageErrorCode
from shared.pages.restore import restore_block, restore_page, snapshot_block, snapshot_page
from shared.storefront.service import Store

CODE = 'function render(ctx, h) {\n  return h.html`<p>one</p>`;\n}\n'


def _state(store: Store) -> tuple:
    def read(conn):
        rows = conn.all("SELECT id, slug, title, status, position, seo_title FROM pages ORDER BY id")
        blocks = conn.all("SELECT id, page_id, kind, code, settings, position, hidden FROM blocks ORDER BY id")
        revisions = conn.all("SELECT id, block_id, code, author, message, created_at FROM block_revisions ORDER BY id")
        return rows, blocks, revisions
    return store.db.read(read)


def test_a_deleted_page_comes_back_with_its_blocks_and_history(store: Store):
    page = pages.create_page(store.db, title="Lookbook")
    pages.update_seo(store.db, page_id=page.id, seo_title="Our lookbook")
    custom = pages.add_block(store.db, page_id=page.id, kind="custom", code=CODE)
    pages.save_block_code(store.db, block_id=custom.id, code=CODE.replace("one", "two"))
    pages.add_block(store.db, page_id=page.id, kind="rich-text", settings={"heading": "Hi"})
    before = _state(store)
    snapshot = snapshot_page(store.db, page_id=page.id)
    pages.delete_page(store.db, page_id=page.id)
    assert _state(store) != before
    restore_page(store.db, snapshot)
    assert _state(store) == before


def test_a_page_is_not_restored_over_a_page_that_took_its_address(store: Store):
    page = pages.create_page(store.db, title="Lookbook")
    snapshot = snapshot_page(store.db, page_id=page.id)
    pages.delete_page(store.db, page_id=page.id)
    pages.create_page(store.db, title="Lookbook")
    before = _state(store)
    with pytest.raises(PageError) as caught:
        restore_page(store.db, snapshot)
    assert caught.value.code == PageErrorCode.DUPLICATE_SLUG
    assert _state(store) == before


def test_a_deleted_block_comes_back_at_its_place(store: Store):
    home = store.db.read(lambda conn: repo.get_page_by_slug(conn, "home"))
    ids = [pages.add_block(store.db, page_id=home.id, kind="rich-text", settings={"heading": f"H{i}"}).id
           for i in range(3)]
    pages.save_block_code(store.db, block_id=ids[1], code=CODE)
    before = _state(store)
    snapshot = snapshot_block(store.db, block_id=ids[1])
    pages.remove_block(store.db, block_id=ids[1])
    restore_block(store.db, snapshot)
    assert [b.id for b in store.db.read(lambda conn: repo.list_blocks(conn, home.id))][-3:] == ids
    assert _state(store)[2] == before[2]
    with pytest.raises(PageError):
        restore_block(store.db, snapshot)


def test_typing_is_coalesced_into_one_revision_per_session(store: Store):
    home = store.db.read(lambda conn: repo.get_page_by_slug(conn, "home"))
    block = pages.add_block(store.db, page_id=home.id, kind="custom", code=CODE)
    for word in ("two", "three", "four"):
        pages.save_block_code(store.db, block_id=block.id, code=CODE.replace("one", word), author="studio",
                              message="Edited", coalesce_seconds=60)
    revisions = pages.list_revisions(store.db, block_id=block.id)
    assert [r.code for r in revisions] == [CODE.replace("one", "four"), CODE]
    pages.save_block_code(store.db, block_id=block.id, code=CODE.replace("one", "five"), author="other",
                          message="Edited", coalesce_seconds=60)
    assert len(pages.list_revisions(store.db, block_id=block.id)) == 3


def test_unsaved_code_is_kept_until_dropped(store: Store):
    home = store.db.read(lambda conn: repo.get_page_by_slug(conn, "home"))
    block = pages.add_block(store.db, page_id=home.id, kind="custom", code=CODE)
    assert drafts.code_draft(store.db, block_id=block.id) is None
    drafts.keep_code_draft(store.db, block_id=block.id, code="function render(ctx, h) { return h.html`<p")
    drafts.keep_code_draft(store.db, block_id=block.id, code="function render(ctx, h) { return h.html`<p>")
    assert drafts.code_draft(store.db, block_id=block.id) == "function render(ctx, h) { return h.html`<p>"
    drafts.drop_code_draft(store.db, block_id=block.id)
    assert drafts.code_draft(store.db, block_id=block.id) is None
