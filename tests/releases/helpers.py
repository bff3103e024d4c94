"""What the releases tests share: direct looks at stored rows, renders, and a merchant's editing session."""

from __future__ import annotations

from shared.compose import PRODUCTION
from shared.db import Database
from shared.db.repositories import pages as page_repo
from shared.db.repositories.versions import content_version
from shared.pages import service as pages
from shared.storefront.addresses import render_address, resolve
from shared.themes import service as themes

NOW = "2030-01-01T00:00:00+00:00"
LIVE_ONLY = ("products", "product_options", "variants", "product_media", "collections", "collection_products",
             "locations", "stock_movements", "variant_stock", "product_summary", "customers", "orders")


def rows(db: Database, table: str) -> list[tuple]:
    """Every row of a table, in a stable order (tests only: a direct look at what is stored)."""
    return db.read(lambda conn: conn.all(f"SELECT * FROM {table} ORDER BY 1, 2"))


def version(db: Database) -> int:
    """The database's content version."""
    return db.read(content_version)


def home_blocks(db: Database) -> list:
    """The home page's blocks, in order."""
    def read(conn):
        home = page_repo.get_page_by_slug(conn, "home")
        return page_repo.list_blocks(conn, home.id)
    return db.read(read)


def render(db: Database, executor, path: str) -> tuple[int, str]:
    """What a shopper gets at path (the storefront's address table, PRODUCTION)."""
    address = resolve(path, [], currency="USD", now=NOW)
    status, page = render_address(db, executor, address, path=path, query={}, mode=PRODUCTION)
    return status, page.html


def edit_working_copy(work: Database) -> dict[str, str]:
    """A merchant's session in the working copy, through the real services; returns what it touched."""
    blocks = home_blocks(work)
    hero = next(b for b in blocks if b.kind == "hero")
    pages.update_block_settings(work, block_id=hero.id, settings={**hero.settings, "heading": "Spring, made to last"})
    removed = blocks[-1]
    pages.remove_block(work, block_id=removed.id)
    about = work.read(lambda conn: page_repo.get_page_by_slug(conn, "about"))
    pages.rename_page(work, page_id=about.id, title="Our story")
    new_page = pages.create_page(work, title="Stockists", status="published")
    added = pages.add_block(work, page_id=new_page.id, kind="rich-text",
                            settings={"heading": "Where to find us", "text": "<p>Harbour Street.</p>"})
    themes.update_theme_settings(work, changes={"colors": {"accent": "#aa3300"}})
    themes.set_custom_css(work, css=".vs-block--hero h1 { letter-spacing: -0.02em; }")
    return {"hero": hero.id, "removed": removed.id, "about": about.id, "page": new_page.id, "added": added.id}


def write_without_foreign_keys(db: Database, sql: str) -> None:
    """Write a row that breaks a foreign key, behind the services' back (what a bad merge could leave).
    A file takes the PRAGMA outside any transaction; sqld ignores it sent alone, so it goes in one
    batch with the statement."""
    if db.url.startswith(("http://", "https://")):
        db._raw._connection().executescript(f"PRAGMA foreign_keys = OFF; {sql}; PRAGMA foreign_keys = ON;")
        return
    db._raw.execute("PRAGMA foreign_keys = OFF")   # outside any transaction, or it is ignored
    db.write(lambda conn: conn.execute(sql))
    db._raw.execute("PRAGMA foreign_keys = ON")
