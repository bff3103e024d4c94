"""The Checkout section of the studio: a list of settings pages on the left (Taxes, Shipping, Pickup,
Discounts, Payments), the chosen page on the right, like a store admin's settings."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QStackedWidget, QVBoxLayout, QWidget

from shared.checkout.errors import FieldProblem
from studio.checkout.discounts_page import DiscountsPage
from studio.checkout.model import CheckoutModel
from studio.checkout.payments_page import PaymentsPage
from studio.checkout.pickup_page import PickupPage
from studio.checkout.shipping_page import ShippingPage
from studio.checkout.taxes_page import TaxesPage
from studio.session import StudioSession
from studio.webhooks_page import WebhooksPage

PAGES = (("Taxes", "Rates, prices with or without tax"), ("Shipping", "Zones, rates, local delivery"),
         ("Pickup", "Collect at your shops"), ("Discounts", "Codes and automatic"),
         ("Payments", "Stripe, pay in store"), ("Webhooks", "Tell your other apps"))


class CheckoutSection(QWidget):
    """Every Checkout page over one model; `sync` (the window's SyncController) reaches the cloud for
    the payment keys and the webhook subscriptions."""

    def __init__(self, session: StudioSession, sync: Any = None, parent: QWidget | None = None):
        super().__init__(parent, objectName="checkoutSection")
        self.model = CheckoutModel(session, self)
        self.taxes = TaxesPage(self.model)
        self.shipping = ShippingPage(self.model)
        self.pickup = PickupPage(self.model)
        self.discounts = DiscountsPage(self.model)
        self.payments = PaymentsPage(sync)
        self.webhooks = WebhooksPage(sync)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        side = QWidget(objectName="checkoutNav")
        side.setFixedWidth(264)
        side_col = QVBoxLayout(side)
        side_col.setContentsMargins(12, 18, 12, 12)
        side_col.addWidget(QLabel("Checkout", objectName="navTitle"))
        self.nav = QListWidget(objectName="checkoutNavList")
        for title, hint in PAGES:
            item = QListWidgetItem(f"{title}\n{hint}")
            item.setSizeHint(QSize(220, 52))
            self.nav.addItem(item)
        side_col.addWidget(self.nav, 1)
        self.warning = QLabel("", objectName="setupWarning", wordWrap=True)
        self.warning.setVisible(False)
        side_col.addWidget(self.warning)
        self.stack = QStackedWidget(objectName="checkoutStack")
        for page in (self.taxes, self.shipping, self.pickup, self.discounts, self.payments, self.webhooks):
            self.stack.addWidget(page)
        row.addWidget(side)
        row.addWidget(self.stack, 1)
        self.nav.currentRowChanged.connect(self.show_page)
        self.model.changed.connect(self._check_whole)
        self.nav.setCurrentRow(0)
        self._check_whole()

    def show_page(self, index: int | str) -> None:
        """Show a page by index or title ("Discounts")."""
        if isinstance(index, str):
            index = [title.lower() for title, _hint in PAGES].index(index.lower())
        self.nav.setCurrentRow(index)
        self.stack.setCurrentIndex(index)
        if self.stack.currentWidget() in (self.payments, self.webhooks):
            self.stack.currentWidget().refresh()

    def _check_whole(self) -> None:
        """After edits from another device merged in, the whole setup may need a look: say where."""
        problems: tuple[FieldProblem, ...] = self.model.check_whole()
        self.warning.setText("" if not problems else
                             f"Checkout can't use this setup yet: {problems[0].field}: {problems[0].message}")
        self.warning.setVisible(bool(problems))
        self.warning.setAlignment(Qt.AlignmentFlag.AlignLeft)
