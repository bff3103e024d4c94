"""The products browser: the store's catalogue as the point of sale keeps it, read-only. A searchable
table of products (price range, stock, status); the selected product's variants with their options,
SKU, price and stock per location.

Products, prices and stock come from the point of sale (through sync), so nothing here edits them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QLineEdit, QSplitter, QTableView,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from shared.catalog.views import load_product_views
from shared.db.repositories import catalog, inventory
from shared.models import Location
from shared.models.money import MoneyError, minor_digits, to_major
from studio.editor.table_model import RowsTableModel
from studio.session import StudioSession

MAX_PRODUCTS = 5000        # the browser lists this many; the search narrows them
HANDLE = Qt.ItemDataRole.UserRole
SEARCH_TEXT = Qt.ItemDataRole.UserRole + 1
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "CAD": "CA$", "AUD": "A$", "JPY": "¥"}
_STYLE = """
QTableView, QTableWidget { background: white; border: 1px solid #dfe3e8; border-radius: 6px;
                           gridline-color: #eef0f3; selection-background-color: #dbe7fb; selection-color: #1f2933; }
QHeaderView::section { background: #f6f7f9; color: #52606d; border: none; border-bottom: 1px solid #dfe3e8;
                       padding: 5px 8px; font-weight: 600; }
QLabel#productTitle { font-size: 15px; font-weight: 600; color: #1f2933; }
QLabel#posNote { color: #52606d; background: #f1f5fb; border: 1px solid #d7e3f4; border-radius: 6px;
                 padding: 6px 10px; }
"""


def money(value: dict[str, Any] | None) -> str:
    """A Money JSON shape as text with the currency table's digits: '$24.00' for USD and the common
    currencies, '¥2,400' for JPY, '1,234.567 IQD' otherwise."""
    if not value:
        return ""
    currency = value["currency"]
    try:
        amount = to_major(int(value["amount"]), currency)
    except MoneyError:
        # A code the table lacks: show the stored minor units as they are rather than guess a scale.
        return f"{value['amount']} (minor units) {currency}"
    text = f"{amount:,.{minor_digits(currency)}f}"
    symbol = _SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency}"


@dataclass(frozen=True)
class ProductRow:
    """One product as the table shows it."""

    id: str
    handle: str
    title: str
    price: str
    stock: int
    status: str
    view: dict[str, Any]


def _price_range(view: dict[str, Any]) -> str:
    prices = sorted((v["price"] for v in view["variants"]), key=lambda p: p["amount"])
    if not prices:
        return ""
    low, high = money(prices[0]), money(prices[-1])
    return low if low == high else f"{low} – {high}"


def load_products(session: StudioSession, *, limit: int = MAX_PRODUCTS) -> list[ProductRow]:
    """The products shoppers can see (active), newest first, with their views."""
    def read(conn):
        ids = catalog.list_product_ids(conn, limit=limit)
        return ids, load_product_views(conn, ids)

    ids, views = session.db.read(read)
    return [ProductRow(pid, views[pid]["handle"], views[pid]["title"], _price_range(views[pid]),
                       sum(v["inventory"] for v in views[pid]["variants"]), "Active", views[pid])
            for pid in ids if pid in views]


class ProductsModel(RowsTableModel):
    """Products: title, price range, total stock, status; the handle as UserRole."""

    HEADERS = ("Product", "Price", "Stock", "Status")

    def __init__(self, session: StudioSession, parent=None):
        super().__init__(parent)
        self._session = session
        self.reload()

    def reload(self) -> None:
        """Read the catalogue again."""
        self.beginResetModel()
        self.rows = load_products(self._session)
        self.endResetModel()

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.title, row.price, f"{row.stock:,}", row.status)[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (1, 2):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 2 and row.stock <= 0:
            return QColor("#b91c1c")
        if role == HANDLE:
            return row.handle
        if role == SEARCH_TEXT:
            view = row.view
            skus = " ".join(v["sku"] for v in view["variants"])
            return f"{row.title} {row.handle} {view['vendor']} {view['product_type']} {skus}"
        return None


def search_proxy(model: QAbstractTableModel, parent) -> QSortFilterProxyModel:
    """A proxy that filters rows by SEARCH_TEXT (case-insensitive) and sorts by column."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setFilterRole(SEARCH_TEXT)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    return proxy


def configure_table(table: QTableView) -> None:
    """The look every catalogue table shares: rows selected whole, read-only, first column stretched."""
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    table.setShowGrid(False)
    table.setAlternatingRowColors(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setDefaultSectionSize(30)


class VariantsTable(QTableWidget):
    """A product's variants: options, SKU, price, then one stock column per location (read-only)."""

    def show_product(self, view: dict[str, Any] | None, locations: list[Location],
                     stock: dict[str, dict[str, int]]) -> None:
        """Fill the table for a product view (None: empty)."""
        self.clear()
        variants = view["variants"] if view else []
        options = [o["name"] for o in view["options"]] if view else []
        headers = [*(options or ["Variant"]), "SKU", "Price", *(loc.name for loc in locations), "Total"]
        self.setColumnCount(len(headers))
        self.setHorizontalHeaderLabels(headers)
        self.setRowCount(len(variants))
        for r, variant in enumerate(variants):
            per_location = stock.get(variant["id"], {})
            cells = [*(variant["options"].get(o, "") for o in options)] if options else [variant["title"]]
            cells += [variant["sku"], money(variant["price"])]
            cells += [f"{per_location.get(loc.id, 0):,}" for loc in locations]
            cells.append(f"{sum(per_location.values()):,}")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                if c >= len(cells) - len(locations) - 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(r, c, item)


class ProductsBrowser(QWidget):
    """Browse products, variants and stock per location; read-only (the point of sale is the authority)."""

    product_selected = Signal(str)     # a product handle

    def __init__(self, session: StudioSession, parent: QWidget | None = None):
        super().__init__(parent)
        self._session = session
        self.model = ProductsModel(session, self)
        self.proxy = search_proxy(self.model, self)
        self.search = QLineEdit(placeholderText="Search by title, SKU, vendor or type", clearButtonEnabled=True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        configure_table(self.table)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.count = QLabel()
        self.proxy.rowsInserted.connect(self._update_count)
        self.proxy.modelReset.connect(self._update_count)
        self.search.textChanged.connect(lambda _t: self._update_count())

        self.title = QLabel("Select a product", objectName="productTitle")
        self.subtitle = QLabel()
        self.subtitle.setStyleSheet("color: #52606d;")
        self.variants = VariantsTable()
        self.variants.verticalHeader().hide()
        self.variants.setShowGrid(False)
        self.variants.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.variants.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.variants.horizontalHeader().setStretchLastSection(True)
        self.note = QLabel("Stock comes from your point of sale. Change products, prices and stock there; "
                           "they arrive here when the store syncs.", objectName="posNote", wordWrap=True)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.search)
        left_layout.addWidget(self.table, 1)
        left_layout.addWidget(self.count)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(8, 0, 0, 0)
        right_layout.addWidget(self.title)
        right_layout.addWidget(self.subtitle)
        right_layout.addWidget(self.variants, 1)
        right_layout.addWidget(self.note)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 4)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        self.setStyleSheet(_STYLE)
        self._update_count()
        self.show_product(None)

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        self.count.setText(f"{total:,} products" if shown == total else f"{shown:,} of {total:,} products")

    def select_handle(self, handle: str) -> None:
        """Select a product by handle (clears the search if it hides it)."""
        for attempt in range(2):
            for row in range(self.proxy.rowCount()):
                index = self.proxy.index(row, 0)
                if index.data(HANDLE) == handle:
                    self.table.setCurrentIndex(index)
                    return
            if attempt == 0:
                self.search.clear()

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.show_product(None)
            return
        row = self.model.rows[self.proxy.mapToSource(current).row()]
        self.show_product(row)
        self.product_selected.emit(row.handle)

    def show_product(self, row: ProductRow | None) -> None:
        """Show a product's variants with stock per location."""
        if row is None:
            self.title.setText("Select a product")
            self.subtitle.setText("")
            self.variants.show_product(None, [], {})
            return
        view = row.view
        variant_ids = [v["id"] for v in view["variants"]]
        locations, stock = self._session.db.read(
            lambda conn: (inventory.list_locations(conn), inventory.stock_levels(conn, variant_ids)))
        self.title.setText(row.title)
        facts = [f for f in (view["vendor"], view["product_type"], f"{len(variant_ids)} variants", row.price) if f]
        self.subtitle.setText(" · ".join(facts))
        self.variants.show_product(view, locations, stock)
