"""The products browser on the demo store: products with price range and stock, search, variants with
stock per location (read-only), and the product and collection pickers block settings use."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from shared.db.repositories import catalog, inventory  # noqa: E402
from studio.editor.pickers import CollectionPickerDialog, ProductPickerDialog, pick_setting  # noqa: E402
from studio.editor.products_browser import ProductsBrowser, money  # noqa: E402

from screenshots import save_screenshot, settle  # noqa: E402 - tests/studio, see screenshots.py



def _browser(qtbot, session) -> ProductsBrowser:
    browser = ProductsBrowser(session)
    qtbot.addWidget(browser)
    browser.resize(1200, 620)
    browser.show()
    return browser


def test_money_is_shown_in_major_units():
    assert money({"amount": 2400, "currency": "USD"}) == "$24.00"
    assert money({"amount": 123456, "currency": "SEK"}) == "1,234.56 SEK"
    # The digits come from the one currency table, not a division by 100.
    assert money({"amount": 2400, "currency": "JPY"}) == "¥2,400"
    assert money({"amount": 1234567, "currency": "IQD"}) == "1,234.567 IQD"
    assert money({"amount": 1234567, "currency": "CLF"}) == "123.4567 CLF"
    assert money({"amount": 5, "currency": "XAU"}) == "5 (minor units) XAU"


def test_lists_the_demo_products_and_searches_them(qtbot, session):
    browser = _browser(qtbot, session)
    active = session.db.read(lambda conn: catalog.list_product_ids(conn, limit=10_000))
    assert browser.model.rowCount() == len(active) > 0
    first = browser.model.rows[0]
    assert first.price.startswith("$") and first.status == "Active"
    assert browser.count.text() == f"{len(active):,} products"

    browser.search.setText(first.title)
    assert 1 <= browser.proxy.rowCount() < len(active)
    assert browser.proxy.index(0, 0).data() == first.title
    assert browser.count.text().endswith(f"of {len(active):,} products")
    browser.search.setText("no product is called this")
    assert browser.proxy.rowCount() == 0


def test_a_product_shows_its_variants_with_stock_per_location(qtbot, session):
    browser = _browser(qtbot, session)
    row = next(r for r in browser.model.rows if len(r.view["variants"]) > 1)
    browser.select_handle(row.handle)
    assert browser.title.text() == row.title
    locations = session.db.read(inventory.list_locations)
    table = browser.variants
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    options = [o["name"] for o in row.view["options"]]
    assert headers == [*options, "SKU", "Price", *(loc.name for loc in locations), "Total", "Alert at"]
    assert table.rowCount() == len(row.view["variants"])
    variant = row.view["variants"][0]
    stock = session.db.read(lambda conn: inventory.stock_levels(conn, [variant["id"]])).get(variant["id"], {})
    for i, loc in enumerate(locations):
        assert table.item(0, len(options) + 2 + i).text() == f"{stock.get(loc.id, 0):,}"
    assert table.item(0, len(options)).text() == variant["sku"]
    # Only the low-stock threshold ("Alert at", the last column) is the merchant's to edit.
    assert all(not table.item(0, c).flags() & Qt.ItemFlag.ItemIsEditable for c in range(table.columnCount() - 1))
    assert table.item(0, table.columnCount() - 1).flags() & Qt.ItemFlag.ItemIsEditable
    assert "Stock comes from your point of sale" in browser.note.text()
    assert not browser.model.flags(browser.model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable
    assert not table.item(0, 0).flags() & Qt.ItemFlag.ItemIsEditable


def _top(kind):
    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible())


def test_the_product_picker_returns_handles(qtbot, session):
    def choose_two():
        dialog = _top(ProductPickerDialog)
        selection = dialog.table.selectionModel()
        for row in (0, 2):
            selection.select(dialog.proxy.index(row, 0),
                             QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
        dialog.accept()

    handles = [r.handle for r in ProductsBrowser(session).model.rows]
    QTimer.singleShot(0, choose_two)
    assert ProductPickerDialog.pick(session, None, multiple=True) == [handles[0], handles[2]]

    def choose_one():
        dialog = _top(ProductPickerDialog)
        dialog.search.setText(handles[3])
        dialog.table.selectRow(0)
        dialog.accept()

    QTimer.singleShot(0, choose_one)
    assert pick_setting(session, "product") == handles[3]
    QTimer.singleShot(0, lambda: _top(ProductPickerDialog).reject())
    assert ProductPickerDialog.pick(session, None) is None


def test_the_collection_picker_preselects_and_returns_handles(qtbot, session):
    collections = session.db.read(catalog.list_collections)

    def keep():
        dialog = _top(CollectionPickerDialog)
        assert dialog.chosen() == [collections[1].handle]
        dialog.accept()

    QTimer.singleShot(0, keep)
    assert pick_setting(session, "collections", current=[collections[1].handle]) == [collections[1].handle]
    QTimer.singleShot(0, lambda: (_top(CollectionPickerDialog).table.selectRow(0), _top(CollectionPickerDialog).accept()))
    assert CollectionPickerDialog.pick(session, None) == collections[0].handle


def test_screenshot(qtbot, session, tmp_path):
    browser = _browser(qtbot, session)
    row = max(browser.model.rows, key=lambda r: (len(r.view["options"]), len(r.view["variants"])))
    browser.select_handle(row.handle)
    settle(qtbot, browser)
    save_screenshot(browser, "studio-products.png", tmp_path, size=(1200, 620))
