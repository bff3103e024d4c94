"""Pickers for block settings that point at store data: images (media ids), products and collections
(handles, as shared/compose/schema.py stores them). `pick_setting(session, type, parent)` chooses the
dialog from the setting's type, so the settings form needs no chain of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QLabel, QLineEdit, QTableView,
                               QVBoxLayout, QWidget)

from shared.db.repositories import catalog
from studio.editor.media_library import MediaPickerDialog
from studio.editor.products_browser import (HANDLE, SEARCH_TEXT, ProductsModel, configure_table, search_proxy)
from studio.editor.table_model import RowsTableModel
from studio.session import StudioSession

_UNSET: Any = object()


class CollectionsModel(RowsTableModel):
    """Collections: title, how many products, handle; the handle as UserRole."""

    HEADERS = ("Collection", "Products", "Handle")

    def __init__(self, session: StudioSession, parent=None):
        super().__init__(parent)

        def read(conn):
            found = catalog.list_collections(conn, limit=1000)
            return found, catalog.count_collection_products(conn, [c.id for c in found])

        self.rows, self.counts = session.db.read(read)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        c = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (c.title, f"{self.counts.get(c.id, 0):,}", c.handle)[index.column()]
        if role == HANDLE:
            return c.handle
        if role == SEARCH_TEXT:
            return f"{c.title} {c.handle}"
        return None


class _HandlePicker(QDialog):
    """A searchable table of rows with handles; single or multiple choice."""

    def __init__(self, title: str, model: QAbstractTableModel, parent: QWidget | None, *, multiple: bool,
                 current: list[str]):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(640, 520)
        self.model = model
        self.proxy = search_proxy(model, self)
        self.search = QLineEdit(placeholderText="Search", clearButtonEnabled=True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        configure_table(self.table)
        mode = QAbstractItemView.SelectionMode
        self.table.setSelectionMode(mode.ExtendedSelection if multiple else mode.SingleSelection)
        self.table.doubleClicked.connect(lambda _i: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        if multiple:
            layout.addWidget(QLabel("Ctrl- or Shift-click to choose several; they appear in the order chosen."))
        layout.addWidget(buttons)
        self.select_handles(current)

    def select_handles(self, handles: list[str]) -> None:
        """Select the rows with these handles."""
        selection = self.table.selectionModel()
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(HANDLE) in handles:
                selection.select(index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows)

    def chosen(self) -> list[str]:
        """The chosen handles (table order)."""
        rows = sorted(self.table.selectionModel().selectedRows(), key=lambda i: i.row())
        return [i.data(HANDLE) for i in rows]

    def run(self, multiple: bool) -> str | list[str] | None:
        """Show the dialog; a handle (or a list of them with `multiple`), None when cancelled."""
        accepted = self.exec() == QDialog.DialogCode.Accepted
        chosen = self.chosen() if accepted else None
        self.deleteLater()
        if chosen is None:
            return None
        return chosen if multiple else (chosen[0] if chosen else None)


class ProductPickerDialog(_HandlePicker):
    """Choose one or several products (by handle) for a block setting."""

    def __init__(self, session: StudioSession, parent: QWidget | None = None, *, multiple: bool = False,
                 current: list[str] | None = None):
        super().__init__("Choose products" if multiple else "Choose a product", ProductsModel(session), parent,
                         multiple=multiple, current=current or [])
        self.model.setParent(self)

    @staticmethod
    def pick(session: StudioSession, parent: QWidget | None = None, multiple: bool = False, *,
             current: list[str] | None = None) -> str | list[str] | None:
        """A product handle (a list with `multiple`), or None when cancelled."""
        return ProductPickerDialog(session, parent, multiple=multiple, current=current).run(multiple)


class CollectionPickerDialog(_HandlePicker):
    """Choose one or several collections (by handle) for a block setting."""

    def __init__(self, session: StudioSession, parent: QWidget | None = None, *, multiple: bool = False,
                 current: list[str] | None = None):
        super().__init__("Choose collections" if multiple else "Choose a collection", CollectionsModel(session),
                         parent, multiple=multiple, current=current or [])
        self.model.setParent(self)

    @staticmethod
    def pick(session: StudioSession, parent: QWidget | None = None, multiple: bool = False, *,
             current: list[str] | None = None) -> str | list[str] | None:
        """A collection handle (a list with `multiple`), or None when cancelled."""
        return CollectionPickerDialog(session, parent, multiple=multiple, current=current).run(multiple)


def _as_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return [value] if isinstance(value, str) and value else []


# Setting type -> how to pick its value (the schema's types: shared/compose/schema.py _CHECKS).
PICKERS: dict[str, Callable[[StudioSession, QWidget | None, Any], Any]] = {
    "image": lambda s, p, cur: MediaPickerDialog.pick(s, p, current=cur if isinstance(cur, str) else None),
    "product": lambda s, p, cur: ProductPickerDialog.pick(s, p, False, current=_as_list(cur)),
    "products": lambda s, p, cur: ProductPickerDialog.pick(s, p, True, current=_as_list(cur)),
    "collection": lambda s, p, cur: CollectionPickerDialog.pick(s, p, False, current=_as_list(cur)),
    "collections": lambda s, p, cur: CollectionPickerDialog.pick(s, p, True, current=_as_list(cur)),
}


def pick_setting(session: StudioSession, setting_type: str, parent: QWidget | None = None,
                 current: Any = _UNSET) -> Any:
    """Pick a value for a block setting of type image/product/products/collection/collections: a media
    id, a handle or a list of handles; None when cancelled. KeyError for other types."""
    return PICKERS[setting_type](session, parent, None if current is _UNSET else current)
