"""The products browser: the store's catalogue as the point of sale keeps it, read-only. A searchable
table of products (price range, stock, status); the selected product's variants with their options,
SKU, price and stock per location, and each variant's low-stock alert.

Products, prices and stock come from the point of sale (through sync), so nothing here edits them. In a
linked studio they follow the cloud live (studio/publish/catalog_live.py): the tables refresh in place,
keeping the selection and the scroll position. The one value set here is a variant's "Alert at"
threshold (docs/products.md "Low stock"): stock at a location at or below it marks the product and
the cell, and raises a notification once per crossing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QHeaderView, QLabel, QLineEdit, QSplitter,
                               QSystemTrayIcon, QTableView, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from shared.catalog.views import load_product_views
from shared.db.repositories import catalog, catalog_changes, inventory
from shared.sync.catalog_refresh import MAX_THRESHOLD, LowStock
from shared.models import Location
from shared.models.money import MoneyError, minor_digits, to_major
from studio.editor.table_model import RowsTableModel
from studio.orders.model import cloud_trouble_text, refusal_text, unsure
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
LOW_TEXT, LOW_BACKGROUND = QColor("#92400e"), QColor("#fef3c7")


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
    low: tuple[str, ...] = ()          # "Navy / M at Pine Street shop (2 left)" per low variant and location


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
        low = catalog_changes.low_stock_pairs(conn)
        stock = inventory.stock_levels(conn, sorted({v for v, _l in low})) if low else {}
        names = {loc.id: loc.name for loc in inventory.list_locations(conn)} if low else {}
        return ids, load_product_views(conn, ids), low, stock, names

    ids, views, low, stock, names = session.db.read(read)
    return [ProductRow(pid, views[pid]["handle"], views[pid]["title"], _price_range(views[pid]),
                       sum(v["inventory"] for v in views[pid]["variants"]), "Active", views[pid],
                       _low_lines(views[pid], low, stock, names))
            for pid in ids if pid in views]


def _low_lines(view: dict[str, Any], low: set[tuple[str, str]], stock: dict[str, dict[str, int]],
               names: dict[str, str]) -> tuple[str, ...]:
    return tuple(f"{variant['title']} at {names.get(location, location)} ({stock.get(variant['id'], {}).get(location, 0)} left)"
                 for variant in view["variants"] for location in sorted(names, key=names.__getitem__)
                 if (variant["id"], location) in low)


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

    def refresh(self) -> bool:
        """Read the catalogue again in place: when the same products are listed, only their cells
        change (the views keep selection and scroll); otherwise the model resets. True on a reset."""
        rows = load_products(self._session)
        if [r.id for r in rows] != [r.id for r in self.rows]:
            self.beginResetModel()
            self.rows = rows
            self.endResetModel()
            return True
        self.rows = rows
        if rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(self.HEADERS) - 1))
        return False

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            stock = f"⚠ Low · {row.stock:,}" if row.low else f"{row.stock:,}"
            return (row.title, row.price, stock, row.status)[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (1, 2):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 2 and row.stock <= 0:
            return QColor("#b91c1c")
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 2 and row.low:
            return LOW_TEXT
        if role == Qt.ItemDataRole.BackgroundRole and index.column() == 2 and row.low:
            return LOW_BACKGROUND
        if role == Qt.ItemDataRole.ToolTipRole and row.low:
            return "Low stock:\n" + "\n".join(row.low)
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
    """A product's variants: options, SKU, price, one stock column per location, the total, and the
    variant's low-stock threshold ("Alert at", the one editable column). A location at or below the
    threshold is marked."""

    threshold_edited = Signal(str, object)     # variant id, new threshold (None: no alert)
    threshold_refused = Signal(str)            # why a typed threshold was not taken (it is put back)
    ALERT_HEADER = "Alert at"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._variant_ids: list[str] = []
        self._thresholds: dict[str, int] = {}
        self._filling = False
        self.itemChanged.connect(self._item_changed)

    @property
    def alert_column(self) -> int:
        """The index of the "Alert at" column."""
        return self.columnCount() - 1

    def show_product(self, view: dict[str, Any] | None, locations: list[Location],
                     stock: dict[str, dict[str, int]], thresholds: dict[str, int] | None = None) -> None:
        """Fill the table for a product view (None: empty)."""
        self._filling = True
        try:
            self._fill(view, locations, stock, thresholds or {})
        finally:
            self._filling = False

    def _fill(self, view: dict[str, Any] | None, locations: list[Location], stock: dict[str, dict[str, int]],
              thresholds: dict[str, int]) -> None:
        self.clear()
        variants = view["variants"] if view else []
        self._variant_ids = [v["id"] for v in variants]
        self._thresholds = {k: v for k, v in thresholds.items() if k in self._variant_ids}
        options = [o["name"] for o in view["options"]] if view else []
        headers = [*(options or ["Variant"]), "SKU", "Price", *(loc.name for loc in locations), "Total",
                   self.ALERT_HEADER]
        self.setColumnCount(len(headers))
        self.setHorizontalHeaderLabels(headers)
        alert_header = self.horizontalHeaderItem(self.alert_column)
        alert_header.setToolTip("Alert when a location's stock falls to this number or below. "
                                "Double-click to set; leave empty for no alert.")
        first_stock = len(headers) - len(locations) - 2
        self.setRowCount(len(variants))
        for r, variant in enumerate(variants):
            per_location = stock.get(variant["id"], {})
            threshold = thresholds.get(variant["id"])
            cells = [*(variant["options"].get(o, "") for o in options)] if options else [variant["title"]]
            cells += [variant["sku"], money(variant["price"])]
            cells += [f"{per_location.get(loc.id, 0):,}" for loc in locations]
            cells.append(f"{sum(per_location.values()):,}")
            cells.append("" if threshold is None else f"{threshold:,}")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                item.setFlags(flags | Qt.ItemFlag.ItemIsEditable if c == len(cells) - 1 else flags)
                if c >= first_stock:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                location = c - first_stock
                if (threshold is not None and 0 <= location < len(locations)
                        and locations[location].id in per_location
                        and per_location[locations[location].id] <= threshold):
                    item.setForeground(LOW_TEXT)
                    item.setBackground(LOW_BACKGROUND)
                    item.setText(f"⚠ {text}")
                    item.setToolTip(f"Low stock: at or below {threshold:,}")
                self.setItem(r, c, item)

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling or item.column() != self.alert_column or not 0 <= item.row() < len(self._variant_ids):
            return
        variant_id = self._variant_ids[item.row()]
        text = item.text().strip().replace(",", "")
        if text == "":
            value: int | None = None
        elif text.isascii() and text.isdigit() and int(text) <= MAX_THRESHOLD:
            value = int(text)
        else:
            self.set_threshold_text(variant_id, self._thresholds.get(variant_id))
            self.threshold_refused.emit(f"“{item.text().strip()[:40]}” is not a threshold: type a whole number "
                                        f"from 0 to {MAX_THRESHOLD:,}, or leave it empty for no alert.")
            return
        if value != self._thresholds.get(variant_id):
            self.threshold_edited.emit(variant_id, value)

    def set_threshold_text(self, variant_id: str, threshold: int | None) -> None:
        """Show a variant's threshold (after a refused edit, the one it had)."""
        if variant_id not in self._variant_ids:
            return
        self._filling = True
        try:
            self.item(self._variant_ids.index(variant_id), self.alert_column).setText(
                "" if threshold is None else f"{threshold:,}")
        finally:
            self._filling = False


GONE_TEXT = ("This variant is no longer in the store (the point of sale removed it meanwhile). The products "
             "are being refreshed.")


class ProductsBrowser(QWidget):
    """Browse products, variants and stock per location; read-only (the point of sale is the authority).
    With a linked store's SyncController, it follows the live catalogue and sets low-stock alerts."""

    product_selected = Signal(str)     # a product handle
    refreshed = Signal()               # the tables show the catalogue as pulled
    notified = Signal(str, str)        # title, text of a low-stock notification

    def __init__(self, session: StudioSession, sync: Any = None, parent: QWidget | None = None):
        super().__init__(parent)
        self._session = session
        self._sync = sync
        self.tray: QSystemTrayIcon | None = None
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
        self.variants.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                      | QAbstractItemView.EditTrigger.EditKeyPressed)
        self.variants.threshold_edited.connect(self._set_threshold)
        self.variants.threshold_refused.connect(lambda text: self._session.problem.emit("Could not set the alert",
                                                                                         text))
        self.variants.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.variants.horizontalHeader().setStretchLastSection(False)
        self.note = QLabel("Stock comes from your point of sale. Change products, prices and stock there; "
                           "they arrive here when the store syncs. Set \u201cAlert at\u201d to be told when a "
                           "variant runs low at a location.", objectName="posNote", wordWrap=True)

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
        self.live_notice = QLabel("", objectName="noticeText", wordWrap=True)   # a live pull that failed
        self.live_notice.setVisible(False)
        right_layout.addWidget(self.live_notice)
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
        live = getattr(sync, "catalog", None)
        if live is not None:
            live.refreshed.connect(lambda _result: self.refresh())
            live.low_stock.connect(self.announce)
            live.failed.connect(self._live_failed)
            live.pulled.connect(lambda: self.live_notice.setVisible(False))

    def _live_failed(self, text: str) -> None:
        self.live_notice.setText(f"Stock shown as of the last update: the latest could not be fetched. {text}")
        self.live_notice.setVisible(True)

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
        locations, stock, thresholds = self._session.db.read(
            lambda conn: (inventory.list_locations(conn), inventory.stock_levels(conn, variant_ids),
                          catalog_changes.thresholds(conn, variant_ids)))
        self.title.setText(row.title)
        facts = [f for f in (view["vendor"], view["product_type"], f"{len(variant_ids)} variants", row.price) if f]
        self.subtitle.setText(" · ".join(facts))
        self.variants.show_product(view, locations, stock, thresholds)

    # -- live catalogue ---------------------------------------------------------------------------

    def _current_handle(self) -> str | None:
        current = self.table.currentIndex()
        return current.data(HANDLE) if current.isValid() else None

    def refresh(self) -> None:
        """Show the catalogue as it now is without losing the merchant's place: the selected product,
        the selected variant and both scroll positions stay (a variant being edited is left alone)."""
        handle, scroll = self._current_handle(), self.table.verticalScrollBar().value()
        if self.model.refresh():
            self._reselect(handle)
            self.table.verticalScrollBar().setValue(scroll)
        current = self.table.currentIndex()
        if self.variants.state() != QAbstractItemView.State.EditingState:
            row = self.model.rows[self.proxy.mapToSource(current).row()] if current.isValid() else None
            variant_row, variant_column = self.variants.currentRow(), self.variants.currentColumn()
            variant_scroll = self.variants.verticalScrollBar().value()
            self.show_product(row)
            if variant_row >= 0 and variant_row < self.variants.rowCount():
                self.variants.setCurrentCell(variant_row, max(variant_column, 0))
            self.variants.verticalScrollBar().setValue(variant_scroll)
        self._update_count()
        self.refreshed.emit()

    def _reselect(self, handle: str | None) -> None:
        if handle is None:
            return
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(HANDLE) == handle:
                self.table.selectionModel().blockSignals(True)
                try:
                    self.table.setCurrentIndex(index)
                    self.table.selectionModel().select(index, self.table.selectionModel().SelectionFlag.ClearAndSelect
                                                       | self.table.selectionModel().SelectionFlag.Rows)
                finally:
                    self.table.selectionModel().blockSignals(False)
                return

    def announce(self, crossings: list[LowStock]) -> None:
        """Raise a notification for each low-stock crossing (a tray message where the desktop has a
        tray; `notified` in any case)."""
        for crossing in crossings:
            self.notified.emit(f"{crossing.title}: {crossing.text}", crossing.text)
            if not QSystemTrayIcon.isSystemTrayAvailable():
                continue        # offscreen or a desktop without a tray: the marked row says it
            if self.tray is None:
                self.tray = QSystemTrayIcon(QApplication.windowIcon(), self)
                self.tray.show()
            self.tray.showMessage(crossing.title, crossing.text, QSystemTrayIcon.MessageIcon.Warning)

    def _set_threshold(self, variant_id: str, threshold: int | None) -> None:
        live = getattr(self._sync, "catalog", None)
        previous = self._session.db.read(lambda conn: catalog_changes.thresholds(conn, [variant_id])).get(variant_id)

        def done(error: Exception | None) -> None:
            if error is not None:
                self.variants.set_threshold_text(variant_id, previous)
                gone = getattr(error, "code", "") == "not_found"
                retry = unsure(error)           # setting it again is harmless: no "Refresh to see" here
                text = GONE_TEXT if gone else cloud_trouble_text(error) if retry else refusal_text(error)
                self._session.problem.emit("Could not set the alert", text)
                if not cloud_trouble_text(error):
                    live.refresh_now()          # refused: the variant may be gone, the catalogue moved

        if live is None or not live.set_threshold(variant_id, threshold, done):
            self.variants.set_threshold_text(variant_id, previous)
            self._session.problem.emit("Could not set the alert",
                                       "Low-stock alerts are kept in the cloud with the stock they watch: "
                                       "link this store to set them.")
