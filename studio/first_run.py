"""The first run: a data folder without stores offers to open the demo store, create a new one, or
link a store that lives in the cloud."""

from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton,
                               QVBoxLayout, QWidget)

from shared.models.money import STORE_CURRENCIES
from shared.pages.service import slugify
from shared.storefront.errors import StoreError
from shared.storefront.service import DataDir, create_store

# The common ones first, then every other currency a store can sell in (the one ISO 4217 table).
_COMMON = ("USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF", "SEK", "NZD")
CURRENCIES = _COMMON + tuple(sorted(STORE_CURRENCIES - set(_COMMON)))


class FirstRunDialog(QDialog):
    """Welcome: open the demo store, create a store from a name, an address and a currency, or link
    a cloud store."""

    def __init__(self, data_dir: DataDir, parent: QWidget | None = None):
        super().__init__(parent)
        self.data_dir = data_dir
        self.created_slug: str | None = None
        self.setWindowTitle("Welcome to Vibeshop Studio")
        self.setMinimumWidth(520)
        column = QVBoxLayout(self)
        column.setContentsMargins(28, 24, 28, 24)
        column.setSpacing(12)
        column.addWidget(QLabel("Welcome to Vibeshop Studio", objectName="welcomeTitle"))
        column.addWidget(QLabel("Build your online store here, even offline. Start from the demo store to look "
                                "around, or create your own.", objectName="muted", wordWrap=True))
        demo = QPushButton("Open the demo store", objectName="primaryButton")
        demo.clicked.connect(self.open_demo)
        column.addWidget(demo)
        cloud = QPushButton("Link a cloud store…", objectName="linkButton")
        cloud.setToolTip("Edit a store that is already online: enter its address and a pairing code")
        cloud.clicked.connect(self.link_cloud)
        column.addWidget(cloud)
        column.addWidget(QLabel("Or create a store", objectName="sectionTitle"))
        form = QFormLayout()
        self.name = QLineEdit(placeholderText="Harbor & Pine")
        self.slug = QLineEdit(placeholderText="harbor-pine")
        self.name.textEdited.connect(lambda text: self.slug.setText(slugify(text) if text.strip() else ""))
        self.currency = QComboBox()
        self.currency.addItems(CURRENCIES)
        form.addRow("Store name", self.name)
        form.addRow("Address", self.slug)
        form.addRow("Currency", self.currency)
        column.addLayout(form)
        self.error = QLabel("", objectName="errorText", wordWrap=True)
        self.error.hide()
        column.addWidget(self.error)
        row = QHBoxLayout()
        row.addStretch(1)
        cancel = QPushButton("Quit")
        cancel.clicked.connect(self.reject)
        create = QPushButton("Create store", objectName="primaryButton")
        create.clicked.connect(self.create)
        row.addWidget(cancel)
        row.addWidget(create)
        column.addLayout(row)

    def open_demo(self) -> None:
        """Seed (or reuse) the demo store."""
        from shared.demo.seed import seed_demo

        result = seed_demo(self.data_dir)
        self.created_slug = result.store.record.slug
        result.store.close()
        self.accept()

    def link_cloud(self) -> None:
        """Pair with a cloud store and pull it into this folder; it opens next."""
        from studio.publish.link_dialog import LinkDialog

        self.link_dialog = LinkDialog(self.data_dir, self)
        if self.link_dialog.exec() == QDialog.DialogCode.Accepted and self.link_dialog.linked_slug:
            self.created_slug = self.link_dialog.linked_slug
            self.accept()

    def create(self) -> None:
        """Create the store, or say which field is wrong (nothing is stored then)."""
        try:
            store = create_store(self.data_dir, slug=self.slug.text().strip(), name=self.name.text().strip(),
                                 currency=self.currency.currentText())
        except StoreError as exc:
            details = "; ".join(f"{e.field}: {e.message}" for e in exc.errors) if exc.errors else str(exc)
            self.error.setText(details)
            self.error.show()
            return
        self.created_slug = store.record.slug
        store.close()
        self.accept()

    @classmethod
    def create_or_demo(cls, data_dir: DataDir) -> str | None:
        """Show the dialog; the slug of the store to open, or None when the merchant quit."""
        dialog = cls(data_dir)
        return dialog.created_slug if dialog.exec() == QDialog.DialogCode.Accepted else None
