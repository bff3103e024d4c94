"""The cart template in the files format (templates/cart/): exported as its default, customised by
adding a block file above main-cart, rendered at /cart, and round-tripped (export again == the folder,
import again == no changes; --prune with the folder gone returns to the default)."""

from __future__ import annotations

import shutil
from pathlib import Path

from files_support import fingerprint, read_json, write_json
from shared.compose import PRODUCTION
from shared.compose.registry import builtin_block
from shared.db.repositories import pages as page_repo
from shared.files import export_store, import_folder, store_files
from shared.storefront.addresses import render_address, resolve
from shared.storefront.service import Store
from shared.vibe.executor import StoreExecutor
from support import block_ids

CART = "templates/cart"


def _render_cart(store: Store) -> str:
    executor = StoreExecutor(store.record.id)
    try:
        address = resolve("/cart", [], currency="USD", now="2030-01-01T00:00:00+00:00")
        status, page = render_address(store.db, executor, address, path="/cart", query={}, mode=PRODUCTION)
    finally:
        executor.close()
    assert status == 200
    return page.html


def test_the_default_cart_template_is_exported(demo: Store, folder: Path) -> None:
    doc = read_json(folder / CART / "page.json")
    assert doc["title"] == "Cart" and [b["kind"] for b in doc["blocks"]] == ["main-cart"]
    main = doc["blocks"][0]["file"]
    assert (folder / CART / main).read_text(encoding="utf-8") == builtin_block("main-cart").source


def test_a_block_above_main_cart_from_files_round_trips(demo: Store, folder: Path) -> None:
    doc = read_json(folder / CART / "page.json")
    (folder / CART / "00-rich-text.js").write_text(builtin_block("rich-text").source, encoding="utf-8")
    doc["blocks"].insert(0, {"file": "00-rich-text.js", "kind": "rich-text",
                             "settings": {"heading": "Free shipping over $50"}})
    write_json(folder / CART / "page.json", doc)
    assert import_folder(demo.db, folder).line() == "Imported: 1 template customised, 2 blocks added"
    stored = demo.db.read(lambda conn: page_repo.get_template_page(conn, "cart"))
    assert stored is not None and stored.template == "cart"
    blocks = demo.db.read(lambda conn: page_repo.list_blocks(conn, stored.id))
    assert [(b.kind, b.settings) for b in blocks] == [("rich-text", {"heading": "Free shipping over $50"}),
                                                      ("main-cart", {})]
    html = _render_cart(demo)
    assert block_ids(html) == ["header", blocks[0].id, blocks[1].id, "footer"]
    assert "Free shipping over $50" in html

    # Export again: the folder now names the stored blocks; importing that changes nothing.
    export_store(demo.db, folder)
    exported = read_json(folder / CART / "page.json")
    assert [b["id"] for b in exported["blocks"]] == [b.id for b in blocks]
    before = fingerprint(demo.db)
    assert import_folder(demo.db, folder).line() == "No changes"
    assert fingerprint(demo.db) == before
    assert demo.db.read(store_files)[f"{CART}/page.json"] == (folder / CART / "page.json").read_text(encoding="utf-8")

    # The folder gone and --prune: back to the default.
    shutil.rmtree(folder / CART)
    import_folder(demo.db, folder, prune=True)
    assert demo.db.read(lambda conn: page_repo.get_template_page(conn, "cart")) is None
    assert "Free shipping over $50" not in _render_cart(demo)
