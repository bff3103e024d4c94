"""The Customers section of the studio: everyone who ordered or signed in, as the cloud has them.

A list with order count, total spent and marketing consent, searchable by e-mail or name; the chosen
customer's detail (profile, addresses, orders, consent history); and the two GDPR requests a customer
may make to the merchant: export (their data as JSON, the same the shopper's "Download my data"
gives, saved where the merchant chooses) and erase (after a confirmation: the profile is erased, orders
are kept with personal data replaced). Like Orders, it works online through the admin API and keeps
the last view readable offline under a banner, with no action allowed."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QHBoxLayout, QLabel, QLineEdit,
                               QMessageBox, QPushButton, QSplitter, QTableWidget, QTableWidgetItem, QTextBrowser,
                               QVBoxLayout, QWidget)

from shared.sync.client import Syncer
from studio.orders.cache import ViewCache
from studio.orders.detail import money, status_line, when
from studio.orders.model import RemoteView
from studio.orders.section import BANNER_STYLE

COLUMNS = ("Customer", "E-mail", "Orders", "Total spent", "Marketing", "Since")


class CustomersModel(RemoteView):
    """Customers: a search, the detail, export and erase."""

    def __init__(self, sync: Any, cache: ViewCache | None, parent=None):
        super().__init__(sync, cache, parent)
        self.query = ""

    def fetch_list(self, syncer: Syncer) -> dict[str, Any]:
        return syncer.list_customers(q=self.query or None, limit=100)

    def fetch_detail(self, syncer: Syncer, key: str) -> dict[str, Any]:
        return syncer.customer(key)

    def list_of(self, answer: dict[str, Any]) -> list[dict[str, Any]]:
        return [c for c in answer.get("customers", []) if isinstance(c, dict)]


class CustomersSection(QWidget):
    """Customers from the cloud; `sync` is the window's SyncController (or None: not linked)."""

    def __init__(self, sync: Any, data_root: Path, slug: str, parent: QWidget | None = None):
        super().__init__(parent, objectName="customersSection")
        self.cache = ViewCache.for_store(data_root, slug, "customers")
        self.model = CustomersModel(sync, self.cache, self)
        self.last_problem: QMessageBox | None = None
        self.exported: Path | None = None
        self._build()
        self.model.list_changed.connect(self._fill)
        self.model.detail_changed.connect(self._show_detail)
        self.model.state_changed.connect(self._state)
        self.model.problem.connect(self.show_problem)
        self.table.itemSelectionChanged.connect(self._selected)
        self._search_timer = QTimer(self, singleShot=True, interval=300)
        self._search_timer.timeout.connect(self.apply_search)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.export_button.clicked.connect(lambda: self.export())
        self.erase_button.clicked.connect(lambda: self.erase())
        self._state()
        self.model.refresh()

    def _build(self) -> None:
        column = QVBoxLayout(self)
        column.setContentsMargins(16, 14, 16, 12)
        column.addWidget(QLabel("Customers", objectName="navTitle"))
        self.banner = QLabel("", objectName="offlineBanner", wordWrap=True)
        self.banner.setStyleSheet(BANNER_STYLE)
        column.addWidget(self.banner)
        self.search = QLineEdit(objectName="customerSearch", placeholderText="Search by e-mail or name")
        self.search.setClearButtonEnabled(True)
        column.addWidget(self.search)
        split = QSplitter()
        self.table = QTableWidget(0, len(COLUMNS), objectName="customersTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        split.addWidget(self.table)
        panel = QWidget()
        side = QVBoxLayout(panel)
        side.setContentsMargins(8, 0, 0, 0)
        self.detail = QTextBrowser(objectName="customerText")
        self.detail.setHtml("<p style='color:#64748b'>Choose a customer to see them here.</p>")
        side.addWidget(self.detail, 1)
        row = QHBoxLayout()
        self.export_button = QPushButton("Export data…", objectName="exportButton")
        self.erase_button = QPushButton("Erase customer…", objectName="dangerButton")
        row.addWidget(self.export_button)
        row.addWidget(self.erase_button)
        row.addStretch(1)
        side.addLayout(row)
        split.addWidget(panel)
        split.setSizes([640, 540])
        column.addWidget(split, 1)

    def apply_search(self) -> None:
        """List the customers the search matches."""
        self.model.query = self.search.text().strip()
        self.model.refresh()

    def _fill(self) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.model.items))
        for row, customer in enumerate(self.model.items):
            cells = (customer.get("name") or "—", customer.get("email") or "", str(customer.get("ordersCount", 0)),
                     money(customer.get("totalSpent")), "Subscribed" if customer.get("marketingConsent") else "No",
                     when(customer.get("createdAt")))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(str(text))
                if col in (2, 3):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setData(256, customer.get("id"))
                self.table.setItem(row, col, item)
            if customer.get("id") == self.model.detail_key:
                self.table.selectRow(row)
        self.table.blockSignals(False)
        self.table.resizeColumnsToContents()

    def _selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.model.open(str(self.table.item(rows[0].row(), 0).data(256)))

    def _show_detail(self) -> None:
        customer = self.model.detail
        self.detail.setHtml(customer_html(customer) if customer else
                            "<p style='color:#64748b'>This customer was not opened on this computer while online.</p>")
        self._state()

    def _state(self) -> None:
        self.banner.setText(self.model.as_of)
        self.banner.setVisible(bool(self.model.as_of))
        live = self.model.online and not self.model.busy and self.model.detail is not None
        self.export_button.setEnabled(live)
        self.erase_button.setEnabled(live)

    def export(self, path: Path | None = None) -> bool:
        """Fetch the customer's data and save it as JSON where the merchant chooses."""
        customer = self.model.detail
        if customer is None or not self.model.online:
            return False
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(self, "Export customer data",
                                                    f"customer-{customer.get('id', 'data')}.json", "JSON (*.json)")
            if not chosen:
                return False
            path = Path(chosen)
        key = str(customer.get("id"))
        return self.model.act("Export", lambda syncer: syncer.export_customer(key),
                              done=lambda data: self._save_export(path, data))

    def _save_export(self, path: Path, data: Any) -> None:
        try:
            path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")
        except OSError as exc:
            self.show_problem("Export", f"Could not save {path}: {exc}")
            return
        self.exported = path

    def erase(self, *, confirm=None) -> bool:
        """Erase the customer after the merchant confirms (`confirm()` -> bool replaces the dialog)."""
        customer = self.model.detail
        if customer is None or not self.model.online:
            return False
        who = customer.get("email") or customer.get("name") or "this customer"
        if not (confirm or (lambda: self._confirm(who)))():
            return False
        key = str(customer.get("id"))

        def erased(_answer: Any) -> None:
            self.cache.forget_detail(key)
            self.model.detail, self.model.detail_key = None, None
            self.detail.setHtml(f"<p>{escape(str(who))} was erased. Their orders are kept with personal data "
                                "replaced, for your accounts.</p>")
            self._state()

        return self.model.act("Erase", lambda syncer: syncer.erase_customer(key), done=erased)

    def _confirm(self, who: str) -> bool:
        answer = QMessageBox.question(self, "Erase customer",
                                      f"Erase {who}? Their profile, addresses and consent are deleted for good; their "
                                      "orders are kept with personal data replaced. This cannot be undone.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Yes

    def show_problem(self, title: str, message: str) -> QMessageBox:
        """Say why the cloud refused."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("customerProblem")
        box.open()
        self.last_problem = box
        return box


def _address_text(saved: dict[str, Any]) -> str:
    """One saved address on a line: {"address": {...checkout fields}, "isDefault"} (or the fields alone)."""
    fields = saved.get("address") if isinstance(saved.get("address"), dict) else saved
    keys = ("name", "company_name", "street_address", "city_area", "city", "country_area", "postal_code",
            "country_code", "phone")
    text = ", ".join(str(fields[k]) for k in keys if fields.get(k))
    return text + (" (default)" if saved.get("isDefault") else "")


def _consented(change: dict[str, Any]) -> bool:
    for key in ("consented", "consent", "marketingConsent"):
        if key in change:
            return bool(change[key])
    return False


def customer_html(customer: dict[str, Any]) -> str:
    """A customer's detail as HTML (every value escaped)."""
    addresses = "".join(f"<li>{escape(_address_text(a))}</li>" for a in customer.get("addresses") or []
                        if isinstance(a, dict))
    orders = "".join(f"<li>{escape(str(o.get('name') or '#' + str(o.get('number', ''))))} · "
                     f"{escape(when(o.get('createdAt')))} · {escape(status_line(o))} · {money(o.get('total'))}</li>"
                     for o in customer.get("orders") or [] if isinstance(o, dict))
    consent = "".join(f"<li>{escape(when(c.get('at') or c.get('createdAt')))}: "
                      f"{'subscribed' if _consented(c) else 'unsubscribed'} ({escape(str(c.get('source', '')))})</li>"
                      for c in customer.get("consentHistory") or [] if isinstance(c, dict))
    return (f"<h2>{escape(str(customer.get('name') or customer.get('email') or ''))}</h2>"
            f"<p>{escape(str(customer.get('email') or ''))}<br>Customer since {escape(when(customer.get('createdAt')))}"
            f"<br>{int(customer.get('ordersCount') or 0)} orders · {money(customer.get('totalSpent')) or 'nothing'} spent"
            f" · marketing: {'subscribed' if customer.get('marketingConsent') else 'not subscribed'}</p>"
            f"<h3>Addresses</h3><ul>{addresses or '<li>None saved</li>'}</ul>"
            f"<h3>Orders</h3><ul>{orders or '<li>None</li>'}</ul>"
            f"<h3>Marketing consent</h3><ul>{consent or '<li>No changes recorded</li>'}</ul>")
