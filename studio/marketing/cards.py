"""The Campaigns page's two helper cards: the product picker (the store's products from the studio's own
copy of the database: synced content, like the products browser) and the abandoned-checkout setting
(the cloud's marketing settings, PATCH /api/admin/marketing/settings)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton, QSpinBox, QWidget

from shared.marketing.products import MAX_PRODUCTS
from shared.marketing.settings import DEFAULT_DELAY_S, MAX_DELAY_S, MIN_DELAY_S
from studio.checkout.widgets import card, labelled
from studio.editor.products_browser import load_products

PRODUCT_ID = Qt.ItemDataRole.UserRole


class ProductPicker(QWidget):
    """Checkable list of the store's active products; `changed` fires when the picked set changes.
    `picked()` keeps the order the merchant ticked them in (the copy lists them so)."""

    changed = Signal()

    def __init__(self, session: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.order: list[str] = []
        self.frame, col = card("Products", f"Tick up to {MAX_PRODUCTS} products to feature under the text: each "
                               "copy shows their title, price, picture and a link, as they are when it is sent.")
        self.search = QLineEdit(objectName="campaignProductSearch", placeholderText="Search products")
        self.search.textChanged.connect(self._filter)
        self.list = QListWidget(objectName="campaignProducts")
        self.list.itemChanged.connect(self._ticked)
        self.note = QLabel("", objectName="campaignProductsNote", wordWrap=True)
        for widget in (self.search, self.list, self.note):
            col.addWidget(widget)
        self.reload()

    def reload(self) -> None:
        """List the products again (ticks kept for those still there)."""
        self.list.blockSignals(True)
        self.list.clear()
        rows = load_products(self.session) if self.session is not None else []
        for row in rows:
            item = QListWidgetItem(f"{row.title}  ·  {row.price}" if row.price else row.title)
            item.setData(PRODUCT_ID, row.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if row.id in self.order else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self.note.setText("" if rows else "No products in this store yet." if self.session is not None
                          else "Open a store to pick products.")

    def picked(self) -> list[str]:
        """The ticked product ids, in the order they were ticked."""
        return list(self.order)

    def set_picked(self, product_ids: list[str]) -> None:
        """Tick exactly these (a loaded campaign); ids no longer in the store stay, the copy leaves them out."""
        self.order = [str(i) for i in product_ids][:MAX_PRODUCTS]
        self.list.blockSignals(True)
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(PRODUCT_ID) in self.order
                               else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)
        self.changed.emit()

    def pick(self, product_id: str, on: bool = True) -> None:
        """Tick (or untick) one product, as a click would."""
        for i in range(self.list.count()):
            if self.list.item(i).data(PRODUCT_ID) == product_id:
                self.list.item(i).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def set_enabled(self, enabled: bool) -> None:
        """Frozen once the campaign is sent."""
        self.list.setEnabled(enabled)

    def _ticked(self, item: QListWidgetItem) -> None:
        pid = item.data(PRODUCT_ID)
        if item.checkState() == Qt.CheckState.Checked and pid not in self.order:
            if len(self.order) >= MAX_PRODUCTS:
                self.list.blockSignals(True)
                item.setCheckState(Qt.CheckState.Unchecked)
                self.list.blockSignals(False)
                self.note.setText(f"A campaign features at most {MAX_PRODUCTS} products.")
                return
            self.order.append(pid)
        elif item.checkState() != Qt.CheckState.Checked and pid in self.order:
            self.order.remove(pid)
        self.changed.emit()

    def _filter(self, text: str) -> None:
        needle = text.strip().lower()
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setHidden(bool(needle) and needle not in item.text().lower())


class AbandonedCard(QWidget):
    """The abandoned-checkout reminder setting: on/off (off by default) and the delay in minutes.
    `save_requested(body)` carries the PATCH body; the page sends it."""

    save_requested = Signal(dict)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.frame, col = card("Abandoned checkout", "One reminder, with a link that restores the cart, to a "
                               "shopper who gave their e-mail at checkout and left without ordering (only if they "
                               "agreed to marketing).")
        self.enabled = QCheckBox("Remind shoppers who leave checkout (off by default)", objectName="abandonedEnabled")
        col.addWidget(self.enabled)
        self.delay = QSpinBox(objectName="abandonedDelay", minimum=MIN_DELAY_S // 60, maximum=MAX_DELAY_S // 60,
                              value=DEFAULT_DELAY_S // 60, suffix=" minutes")
        col.addWidget(labelled("Send the reminder after", self.delay)[0])
        self.save_button = QPushButton("Save reminder setting", objectName="abandonedSave")
        self.save_button.clicked.connect(lambda: self.save_requested.emit(self.body()))
        col.addWidget(self.save_button)

    def body(self) -> dict[str, Any]:
        """The PATCH /api/admin/marketing/settings body."""
        return {"abandonedCheckout": {"enabled": self.enabled.isChecked(), "delaySeconds": self.delay.value() * 60}}

    def show_settings(self, settings: dict[str, Any]) -> None:
        """Show the cloud's settings (GET or PATCH answer)."""
        abandoned = settings.get("abandonedCheckout") or {}
        self.enabled.setChecked(bool(abandoned.get("enabled", False)))
        self.delay.setValue(int(abandoned.get("delaySeconds", DEFAULT_DELAY_S)) // 60)

    def set_enabled(self, enabled: bool) -> None:
        """Usable only when linked to the cloud."""
        for widget in (self.enabled, self.delay, self.save_button):
            widget.setEnabled(enabled)
