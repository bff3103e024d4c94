"""Migration 0017 rebuilds `pages` (and its children `blocks`, `block_revisions`) so pages.template may be
'cart': a database at 0016, on a file and on a libSQL server, keeps every row, id, rowid and link."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from shared.db import Database, DatabaseError, connect, migrate
from shared.db.repositories import pages as repo
from shared.db.repositories.versions import content_version
from shared.db.stamps import new_id, utc_now
from shared.models import BlockRevision
from shared.pages.service import add_block, create_page, delete_page
from shared.pages.templates import customize_template
from shared.sync import device

CART_MIGRATION = next(m.version for m in migrate.migrations_for("store") if m.name == "cart_template")
TABLES = ("pages", "blocks", "block_revisions")
CODE = "function render(ctx, h) {\n  return h.html`<p>one</p>`;\n}\n"


def _rows(conn, table: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.all(f"SELECT rowid, * FROM {table} ORDER BY rowid")]


def _schema_names(conn) -> set[tuple[str, str, str]]:
    """Indexes and triggers of the rebuilt tables (DROP TABLE takes them away: they must come back)."""
    marks = ",".join("?" * len(TABLES))
    return {tuple(r) for r in conn.all(
        f"SELECT type, name, tbl_name FROM sqlite_master WHERE tbl_name IN ({marks}) AND type != 'table'", TABLES)}


def _open_at_0016(engine: str, tmp_path: Path, request: pytest.FixtureRequest,
                  monkeypatch: pytest.MonkeyPatch) -> tuple[Database, Callable[[], Database]]:
    """A store database migrated up to 0016 only, and a way to open it again with every migration."""
    shipped = migrate.migrations_for
    monkeypatch.setattr(migrate, "migrations_for",
                        lambda kind: [m for m in shipped(kind) if kind != "store" or m.version < CART_MIGRATION])
    if engine == "sqld":
        old = request.getfixturevalue("sqld").new_database()
    else:
        old = connect(tmp_path / "store.db")
    url = old.url

    def reopen() -> Database:
        monkeypatch.setattr(migrate, "migrations_for", shipped)
        return connect(url)

    return old, reopen


def _fill(db: Database) -> None:
    """Pages, template pages, blocks (one hidden, one custom with revisions) as a 0016 store has them."""
    about = create_page(db, title="About", slug="about", status="published")
    add_block(db, page_id=about.id, kind="rich-text", settings={"heading": "Hello"})
    custom = add_block(db, page_id=about.id, kind="custom", code=CODE)
    db.write(lambda conn: repo.insert_revision(conn, BlockRevision(new_id(), custom.id, "// second", "ann", "Edit",
                                                                   utc_now())))
    product = customize_template(db, template="product")
    add_block(db, page_id=product.id, kind="rich-text", position=0)
    customize_template(db, template="not_found")
    create_page(db, title="Draft", slug="draft")


def test_0016_to_0017_keeps_pages_blocks_and_revisions(engine: str, tmp_path: Path, request: pytest.FixtureRequest,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    old, reopen = _open_at_0016(engine, tmp_path, request, monkeypatch)
    device.enable_capture(old, str(uuid.uuid4()))       # a device: its triggers record every authored change
    _fill(old)
    with pytest.raises(DatabaseError, match="CHECK"):      # what 0017 is for
        old.write(lambda conn: conn.execute(
            "INSERT INTO pages (id, slug, title, created_at, updated_at, template) "
            "VALUES ('x', 'template-cart', 'Cart', '', '', 'cart')"))
    before = old.read(lambda conn: ({t: _rows(conn, t) for t in TABLES}, _schema_names(conn), content_version(conn),
                                    conn.all("SELECT table_name, key FROM sync_dirty ORDER BY 1, 2")))
    old.close()

    db = reopen()
    try:
        assert CART_MIGRATION in db.read(migrate.applied_versions)
        after = db.read(lambda conn: ({t: _rows(conn, t) for t in TABLES}, _schema_names(conn),
                                      content_version(conn),
                                      conn.all("SELECT table_name, key FROM sync_dirty ORDER BY 1, 2")))
        # Every row with its id, rowid and links; the same indexes and triggers (later migrations may
        # add their own: 0030's on blocks); nothing authored changed, so no content-version bump and
        # nothing new for sync to send.
        assert (after[0], after[2], after[3]) == (before[0], before[2], before[3])
        assert before[1] <= after[1]
        assert sum(len(rows) for rows in before[0].values()) > 10 and before[3]
        assert db.read(lambda conn: conn.all("PRAGMA foreign_key_check")) == []
        assert db.read(lambda conn: conn.scalar("PRAGMA integrity_check")) == "ok"
        assert db.read(lambda conn: conn.all("SELECT name FROM sqlite_master WHERE name LIKE '_m0017%'")) == []
        _check_rebuilt_tables_work(db)
    finally:
        db.close()


def _check_rebuilt_tables_work(db: Database) -> None:
    """'cart' is stored; the triggers bump the content version again; one page per template; a page's
    deletion still takes its blocks and their revisions (ON DELETE CASCADE survived the rebuild)."""
    version = db.read(content_version)
    cart = customize_template(db, template="cart")
    assert db.read(lambda conn: repo.get_template_page(conn, "cart")).id == cart.id
    assert db.read(content_version) > version
    dirty = db.read(lambda conn: {tuple(r) for r in conn.all("SELECT table_name, key FROM sync_dirty")})
    main_cart = db.read(lambda conn: repo.list_blocks(conn, cart.id))[0]
    assert {("pages", cart.id), ("blocks", main_cart.id)} <= dirty          # the sync triggers are back
    with pytest.raises(DatabaseError, match="UNIQUE"):
        db.write(lambda conn: conn.execute(
            "INSERT INTO pages (id, slug, title, created_at, updated_at, template) "
            "VALUES ('y', 'other-cart', 'Cart', '', '', 'cart')"))
    with pytest.raises(DatabaseError, match="CHECK"):
        db.write(lambda conn: conn.execute(
            "INSERT INTO pages (id, slug, title, created_at, updated_at, template) "
            "VALUES ('z', 'z', 'Z', '', '', 'checkout')"))
    about = db.read(lambda conn: repo.get_page_by_slug(conn, "about"))
    delete_page(db, page_id=about.id)
    assert db.read(lambda conn: conn.scalar("SELECT count(*) FROM blocks WHERE page_id = ?", (about.id,))) == 0
    assert db.read(lambda conn: conn.scalar(
        "SELECT count(*) FROM block_revisions WHERE block_id NOT IN (SELECT id FROM blocks)")) == 0
