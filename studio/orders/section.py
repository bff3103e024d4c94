"""The Orders section of the studio: the store's orders as the cloud has them, like a store admin's.

A list with filters (status, delivery method, date) and search (number, e-mail, name); the chosen
order's detail (lines, customer, addresses, payment, fulfilments, refunds, e-mails, timeline); its
actions (fulfil, ready for pickup, picked up, cancel, refund) and its PDFs (packing slip, invoice).
Orders live only in the cloud: online the section reads them through the admin API with the linked
device's token; offline it shows the last list and opened orders it kept on disk under a banner
("Offline, as of 14:05") and allows no action. New orders arrive live over the cloud's event stream:
the list refreshes, a desktop notification says so (when the desktop has a tray), and the section's
rail item carries a badge until the merchant looks. Changes arrive there too (`order-updated`: the POS
accepted, readied, handed over or cancelled an order): the list and the opened order refresh by
themselves, and an oversold order (a late POS sale took its units) raises "Order #1001 oversold" and
carries an Oversold badge in the list and the detail."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QBrush, QColor, QDesktopServices, QFont, QShowEvent
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QComboBox, QDialog, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QMessageBox, QPushButton, QSplitter, QSystemTrayIcon, QTableWidget,
                               QTableWidgetItem, QTextBrowser, QVBoxLayout, QWidget)

from studio.orders.cache import ViewCache
from studio.orders.detail import DELIVERY_TEXT, money, order_html, status_line, when
from studio.orders.dialogs import CancelDialog, FulfilDialog, RefundDialog
from studio.orders.live import OrdersListener
from studio.orders.model import OrdersModel

STATUSES = (("Any status", None, None), ("Unfulfilled", "fulfillment_status", "unfulfilled"),
            ("Partially fulfilled", "fulfillment_status", "partially_fulfilled"),
            ("Fulfilled", "fulfillment_status", "fulfilled"), ("On hold", "fulfillment_status", "on_hold"),
            ("Payment pending", "payment_status", "unpaid"), ("Authorized", "payment_status", "authorized"),
            ("Paid", "payment_status", "paid"), ("Partially refunded", "payment_status", "partially_refunded"),
            ("Refunded", "payment_status", "refunded"))
DELIVERIES = (("Any delivery", None), ("Shipping", "ship"), ("Pickup", "pickup"), ("Local delivery", "local_delivery"))
DATES = (("Any time", None), ("Today", 0), ("Last 7 days", 7), ("Last 30 days", 30))
COLUMNS = ("Order", "Date", "Customer", "Status", "Delivery", "Total")
BANNER_STYLE = "background:#fef3c7; color:#92400e; border-radius:6px; padding:8px 10px;"
UPDATE_BATCH_MS = 150       # a burst of order changes (a POS catching up) is one refresh


class OrdersSection(QWidget):
    """Orders from the cloud; `sync` is the window's SyncController (or None: not linked)."""

    badge_changed = Signal(int)              # new orders not seen yet (the rail's badge)
    order_arrived = Signal(dict)             # from the stream's thread; queued to the UI thread
    order_updated = Signal(dict)             # `order-updated` {id, number, version, type}, likewise
    stream_connected = Signal()

    def __init__(self, sync: Any, data_root: Path, slug: str, parent: QWidget | None = None):
        super().__init__(parent, objectName="ordersSection")
        self.sync = sync
        self.model = OrdersModel(sync, ViewCache.for_store(data_root, slug, "orders"), self)
        self.unseen = 0
        self.listener: OrdersListener | None = None
        self.tray: QSystemTrayIcon | None = None
        self.last_document: Path | None = None
        self.last_problem: QMessageBox | None = None
        self.notices: list[tuple[str, str]] = []      # every notification raised (title, text)
        self._detail_stale = False
        self._update_timer = QTimer(self, singleShot=True, interval=UPDATE_BATCH_MS)
        self._update_timer.timeout.connect(self._apply_updates)
        self._build()
        self._wire()
        self._search_timer = QTimer(self, singleShot=True, interval=300)
        self._search_timer.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self._state()
        self.model.refresh()
        self.start_live()

    # -- layout -------------------------------------------------------------------------------------

    def _build(self) -> None:
        column = QVBoxLayout(self)
        column.setContentsMargins(16, 14, 16, 12)
        column.addWidget(QLabel("Orders", objectName="navTitle"))
        self.banner = QLabel("", objectName="offlineBanner", wordWrap=True)
        self.banner.setStyleSheet(BANNER_STYLE)
        column.addWidget(self.banner)
        filters = QHBoxLayout()
        self.search = QLineEdit(objectName="orderSearch", placeholderText="Search by number, e-mail or name")
        self.search.setClearButtonEnabled(True)
        self.status_filter = _combo("statusFilter", [label for label, *_ in STATUSES])
        self.delivery_filter = _combo("deliveryFilter", [label for label, _ in DELIVERIES])
        self.date_filter = _combo("dateFilter", [label for label, _ in DATES])
        self.refresh_button = QPushButton("Refresh", objectName="refreshOrders")
        filters.addWidget(self.search, 2)
        for widget in (self.status_filter, self.delivery_filter, self.date_filter, self.refresh_button):
            filters.addWidget(widget)
        column.addLayout(filters)
        split = QSplitter()
        self.table = QTableWidget(0, len(COLUMNS), objectName="ordersTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)     # the customer takes the room left
        split.addWidget(self.table)
        split.addWidget(self._detail_panel())
        split.setSizes([620, 560])
        column.addWidget(split, 1)

    def _detail_panel(self) -> QWidget:
        panel = QWidget(objectName="orderDetail")
        column = QVBoxLayout(panel)
        column.setContentsMargins(8, 0, 0, 0)
        self.detail = QTextBrowser(objectName="orderText", openExternalLinks=True)
        self.detail.setHtml("<p style='color:#64748b'>Choose an order to see it here.</p>")
        column.addWidget(self.detail, 1)
        row1, row2 = QHBoxLayout(), QHBoxLayout()
        self.fulfil_button = QPushButton("Fulfil…", objectName="primaryButton")
        self.ready_button = QPushButton("Ready for pickup", objectName="readyButton")
        self.picked_button = QPushButton("Picked up", objectName="pickedUpButton")
        self.refund_button = QPushButton("Refund…", objectName="refundButton")
        self.cancel_button = QPushButton("Cancel order…", objectName="dangerButton")
        self.slip_button = QPushButton("Packing slip", objectName="packingSlipButton")
        self.invoice_button = QPushButton("Invoice", objectName="invoiceButton")
        for button in (self.fulfil_button, self.ready_button, self.picked_button):
            row1.addWidget(button)
        row1.addStretch(1)
        for button in (self.refund_button, self.cancel_button, self.slip_button, self.invoice_button):
            row2.addWidget(button)
        row2.addStretch(1)
        column.addLayout(row1)
        column.addLayout(row2)
        return panel

    @property
    def action_buttons(self) -> tuple[QPushButton, ...]:
        """Every button that asks the cloud to change or print an order."""
        return (self.fulfil_button, self.ready_button, self.picked_button, self.refund_button, self.cancel_button,
                self.slip_button, self.invoice_button)

    def _wire(self) -> None:
        self.model.list_changed.connect(self._fill)
        self.model.detail_changed.connect(self._show_detail)
        self.model.state_changed.connect(self._state)
        self.model.problem.connect(self.show_problem)
        self.table.itemSelectionChanged.connect(self._selected)
        for combo in (self.status_filter, self.delivery_filter, self.date_filter):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.refresh_button.clicked.connect(self.model.reload)      # the opened order too
        self.fulfil_button.clicked.connect(self.fulfil)
        self.ready_button.clicked.connect(lambda: self.model.order_action(
            "Ready for pickup", "mark_ready_for_pickup", notify=True))
        self.picked_button.clicked.connect(lambda: self.model.order_action("Picked up", "mark_picked_up"))
        self.cancel_button.clicked.connect(self.cancel)
        self.refund_button.clicked.connect(self.refund)
        self.slip_button.clicked.connect(lambda: self.print_document("packing-slip"))
        self.invoice_button.clicked.connect(lambda: self.print_document("invoice"))
        self.order_arrived.connect(self._arrived)
        self.order_updated.connect(self._updated)
        self.stream_connected.connect(self.model.refresh)

    # -- the list -----------------------------------------------------------------------------------

    def apply_filters(self) -> None:
        """Ask for the list as the filters and the search say."""
        _label, param, value = STATUSES[self.status_filter.currentIndex()]
        days = DATES[self.date_filter.currentIndex()][1]
        since = None
        if days is not None:
            start = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=days)
            since = start.astimezone(UTC).isoformat(timespec="seconds")
        filters = {"delivery": DELIVERIES[self.delivery_filter.currentIndex()][1], "since": since,
                   "q": self.search.text().strip() or None}
        if param:
            filters[param] = value
        self.model.set_filters(**filters)

    def _fill(self) -> None:
        chosen = self.model.detail_key
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.model.items))
        for row, order in enumerate(self.model.items):
            cells = (order.get("name") or f"#{order.get('number')}", when(order.get("createdAt")),
                     order.get("customerName") or order.get("email") or "", status_line(order),
                     DELIVERY_TEXT.get(order.get("deliveryMethod", ""), ""), money(order.get("total")))
            oversold = self.model.is_oversold(order)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(f"Oversold · {text}" if oversold and col == 3 else str(text))
                if col in (5,):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if oversold and col == 3:
                    _badge(item)
                item.setData(256, order.get("id"))
                self.table.setItem(row, col, item)
            if order.get("id") == chosen:
                self.table.selectRow(row)
        self.table.blockSignals(False)

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.open_order(str(self.table.item(rows[0].row(), 0).data(256)))

    def open_order(self, order_id: str) -> None:
        """Show one order (fetched, or the kept copy offline)."""
        self.model.open(order_id)

    def _show_detail(self) -> None:
        order = self.model.detail
        if order is None:
            self.detail.setHtml("<p style='color:#64748b'>This order was not opened on this computer while online.</p>")
        else:
            self.detail.setHtml(order_html(order, oversold=self.model.is_oversold(order)))
        self._state()

    # -- online, offline, busy ----------------------------------------------------------------------

    def _state(self) -> None:
        model = self.model
        self.banner.setText(model.as_of)
        self.banner.setVisible(bool(model.as_of))
        order = model.detail
        live = model.online and not model.busy and order is not None
        cancelled = bool(order and order.get("cancelledAt"))
        pickup = bool(order and order.get("deliveryMethod") == "pickup")
        fulfilment = (order or {}).get("fulfillmentStatus")
        payment = (order or {}).get("paymentStatus")
        pickup_status = (order or {}).get("pickupStatus") or "none"
        self.fulfil_button.setEnabled(live and not cancelled and fulfilment in ("unfulfilled", "partially_fulfilled"))
        self.ready_button.setEnabled(live and not cancelled and pickup and pickup_status == "none"
                                     and fulfilment != "fulfilled")
        self.picked_button.setEnabled(live and not cancelled and pickup and pickup_status == "ready")
        self.cancel_button.setEnabled(live and not cancelled and fulfilment != "fulfilled")
        self.refund_button.setEnabled(live and payment in ("paid", "partially_refunded"))
        for button in (self.slip_button, self.invoice_button):
            button.setEnabled(live)
        self.refresh_button.setEnabled(model.linked)

    # -- actions ------------------------------------------------------------------------------------

    def fulfil(self) -> QDialog | None:
        """Ask what to send and how, then fulfil."""
        return self._with_dialog(FulfilDialog, "Fulfil", "fulfil_order")

    def cancel(self) -> QDialog | None:
        """Ask why and whether to restock, then cancel."""
        return self._with_dialog(CancelDialog, "Cancel order", "cancel_order")

    def refund(self) -> QDialog | None:
        """Ask what to refund, then refund."""
        return self._with_dialog(RefundDialog, "Refund", "refund_order")

    def _with_dialog(self, kind: type, title: str, verb: str) -> QDialog | None:
        if self.model.detail is None or not self.model.online:
            return None
        dialog = kind(self.model.detail, self)
        dialog.accepted.connect(lambda: self.model.order_action(title, verb, **dialog.options()))
        dialog.open()
        return dialog

    def print_document(self, kind: str) -> None:
        """Fetch the packing slip or invoice PDF and open it with the desktop's PDF viewer."""
        order = self.model.detail
        if order is None or not self.model.online:
            return
        key, name = str(order.get("id")), str(order.get("number", "order"))
        self.model.act("Print", lambda syncer: syncer.order_document(key, kind),
                       done=lambda pdf: self._open_document(f"order-{name}-{kind}.pdf", pdf))

    def _open_document(self, filename: str, pdf: bytes) -> None:
        folder = Path(tempfile.mkdtemp(prefix="vibeshop-print-"))
        path = folder / filename
        path.write_bytes(pdf)
        self.last_document = path
        self.open_file(path)

    @staticmethod
    def open_file(path: Path) -> None:
        """Hand a file to the desktop (tests replace this)."""
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def show_problem(self, title: str, message: str) -> QMessageBox:
        """Say why the cloud refused (its reason, as sent: a 409 says which transition and why)."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("orderProblem")
        box.open()
        self.last_problem = box
        return box

    # -- live ----------------------------------------------------------------------------------------

    def start_live(self) -> None:
        """Listen for new orders (a linked store only)."""
        if self.listener is not None or self.sync is None or not self.sync.linked:
            return
        link = self.sync.link
        self.listener = OrdersListener(f"{link.remote}/api/admin/orders/stream",
                                       {"Authorization": f"Bearer {link.token}", "Accept": "text/event-stream"},
                                       on_order=self.order_arrived.emit, on_updated=self.order_updated.emit,
                                       on_connected=self.stream_connected.emit)
        self.listener.start()

    def shutdown(self) -> None:
        """Stop listening (the window closes)."""
        if self.listener is not None:
            self.listener.stop()
            self.listener = None

    def _arrived(self, order: dict) -> None:
        self.model.refresh()
        if not self.isVisible():
            self.unseen += 1
            self.badge_changed.emit(self.unseen)
        self._notify(f"New order #{order.get('number')}", "Open Orders in the studio to see it.")

    def _updated(self, event: dict) -> None:
        """An order changed in the cloud: refresh the list (and the opened order, when it is this one)
        once the burst is over; an oversold order is told at once."""
        if self.model.note_update(event):
            self._detail_stale = True
        if event.get("type") == "order.oversold":
            self._notify(f"Order #{event.get('number')} oversold",
                         "A sale at the counter took the units it was promised: restock the items, or cancel "
                         "and refund it.")
        self._update_timer.start()

    def _apply_updates(self) -> None:
        self.model.refresh()
        if self._detail_stale and self.model.detail_key:
            self._detail_stale = False
            self.model.open(self.model.detail_key)
        elif self.model.detail is not None:
            self._show_detail()            # an Oversold badge told by the stream shows at once

    def _notify(self, title: str, text: str) -> None:
        self.notices.append((title, text))
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return          # offscreen or a desktop without a tray: the badge says it
        if self.tray is None:
            self.tray = QSystemTrayIcon(QApplication.windowIcon(), self)
            self.tray.show()
        self.tray.showMessage(title, text)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self.unseen:
            self.unseen = 0
            self.badge_changed.emit(0)


def _badge(item: QTableWidgetItem) -> None:
    """The list's Oversold badge: dark red on light red, bold."""
    item.setForeground(QBrush(QColor("#991b1b")))
    item.setBackground(QBrush(QColor("#fee2e2")))
    font = QFont(item.font())
    font.setBold(True)
    item.setFont(font)


def _combo(name: str, labels: list[str]) -> QComboBox:
    combo = QComboBox(objectName=name)
    combo.addItems(labels)
    return combo

