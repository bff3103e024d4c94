"""The cart template in the studio (offscreen Qt, real preview): listed with the other templates at
/cart, chosen to customise it, a block added from the gallery and moved above the cart, undone."""

from __future__ import annotations

import json

from shared.db.repositories import pages as page_repo
from studio.editor.block_gallery import BlockGallery, gallery_entries
from studio.editor.list_rows import SUBTITLE_ROLE
from studio.editor.page_tree import TEMPLATE_ROLE


def _cart_item(window):
    templates = window.page_tree.templates
    return next(templates.item(i) for i in range(templates.count()) if templates.item(i).data(TEMPLATE_ROLE) == "cart")


def _cart_blocks(window) -> list[str]:
    page = window.session.db.read(lambda conn: page_repo.get_template_page(conn, "cart"))
    return [b.kind for b in window.session.db.read(lambda conn: page_repo.list_blocks(conn, page.id))]


def test_a_merchant_puts_a_block_above_the_cart(studio_window, preview, monkeypatch):
    window = studio_window
    item = _cart_item(window)
    assert (item.text(), item.data(SUBTITLE_ROLE)) == ("Cart", "/cart")

    preview.after(lambda: window.page_tree.templates.setCurrentItem(item))
    assert window.preview.address == "/cart"
    assert _cart_blocks(window) == ["main-cart"]                     # the default, now stored
    assert preview.js("document.body.textContent.includes('Your cart is empty.')") is True

    window.block_list.select_block(window.block_list.blocks()[0].id)
    rich_text = next(e for e in gallery_entries() if e.key == "rich-text")
    monkeypatch.setattr(BlockGallery, "choose", classmethod(lambda cls, parent=None: rich_text))
    preview.after(window.block_list.open_gallery)
    assert _cart_blocks(window) == ["main-cart", "rich-text"]
    added = window.block_list.current_block()
    assert added is not None and added.kind == "rich-text"
    preview.after(lambda: window.block_list.move_block(added.id, 0))
    assert _cart_blocks(window) == ["rich-text", "main-cart"]
    order = json.loads(preview.js(
        "JSON.stringify(Array.from(document.querySelectorAll('[data-block-id]')).map(e => e.dataset.blockId))"))
    assert order.index(added.id) < order.index(window.block_list.blocks()[1].id)

    preview.after(window.undo_action.trigger)                        # the move, undone
    assert _cart_blocks(window) == ["main-cart", "rich-text"]
