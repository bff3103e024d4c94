"""Checkout ▸ Taxes: whether prices include tax, tax on shipping, the default rate and the rates by
country and region. Every change is stored at once when it is valid; a refused value stays where it
was typed, with the reason under it, and nothing is stored."""

from __future__ import annotations

import re

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton,
                               QTableWidget, QTableWidgetItem, QWidget)

from shared.checkout.errors import FieldProblem
from shared.checkout.setup import TaxRate, TaxSetup
from studio.checkout.model import TAX, CheckoutModel, SaveTax
from studio.checkout.widgets import ProblemRouter, card, error_label, labelled, scrolling_page

COLUMNS = ("Country", "Region", "Rate (%)", "Name shown to shoppers")
_FIELDS = ("country", "region", "rate", "name")
_ROW = re.compile(r"^tax\.rates\[(\d+)\](?:\.(\w+))?")
_BAD = QColor("#fee2e2")


class TaxesPage(QWidget):
    """The Taxes page of the Checkout section."""

    def __init__(self, model: CheckoutModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.model = model
        self._loading = False
        self._rate_rows: list[int] = []     # the table row of each rate of the last shown() setup
        area, column = scrolling_page("Taxes", "How tax is added at checkout. A shopper's rate is the rate of "
                                      "their region, else of their country, else the default rate.")
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(area)
        self.page_error = error_label()
        self.router = ProblemRouter(self.page_error)

        prices, prices_col = card("How prices are shown")
        self.includes_tax = QCheckBox("All prices include tax")
        self.tax_shipping = QCheckBox("Charge tax on shipping")
        prices_col.addWidget(self.includes_tax)
        prices_col.addWidget(QLabel("On: the price a shopper sees already contains the tax (usual in Europe). "
                                    "Off: tax is added at checkout (usual in the US).", objectName="hint",
                                    wordWrap=True))
        prices_col.addWidget(self.tax_shipping)
        column.addWidget(prices)

        default, default_col = card("Default rate", "Used for every place that has no rate of its own below.")
        self.default_rate = QLineEdit(objectName="defaultRate", maximumWidth=140)
        field, error = labelled("", self.default_rate, suffix="%")
        self.router.add("tax.default_rate", error)
        default_col.addWidget(field)
        column.addWidget(default)

        rates, rates_col = card("Rates by country and region",
                                "Countries as two-letter codes (US, CA, GB), regions as their postal codes "
                                "(ME, NY, ON); leave the region empty for the whole country.")
        self.table = QTableWidget(0, len(COLUMNS), objectName="taxRates")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        header = self.table.horizontalHeader()
        for index, width in enumerate((90, 90, 90)):
            header.resizeSection(index, width)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(260)
        rates_col.addWidget(self.table)
        self.router.add("tax.rates", rates_error := error_label())
        rates_col.addWidget(rates_error)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add rate", objectName="smallButton")
        self.remove_button = QPushButton("Remove rate", objectName="smallButton")
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        rates_col.addLayout(buttons)
        column.addWidget(rates)
        column.addWidget(self.page_error)
        column.addStretch(1)

        self.includes_tax.toggled.connect(lambda _on: self.save())
        self.tax_shipping.toggled.connect(lambda _on: self.save())
        self.default_rate.editingFinished.connect(self.save)
        self.table.itemChanged.connect(lambda _item: self.save())
        self.add_button.clicked.connect(self.add_rate)
        self.remove_button.clicked.connect(self.remove_rate)
        model.changed.connect(self.reload)
        model.problems_changed.connect(self._problems)
        self.reload()

    # -- showing --------------------------------------------------------------------------------------

    def reload(self) -> None:
        """Show the stored tax setup (drops what was typed and refused)."""
        tax = self.model.tax()
        self._loading = True
        self.includes_tax.setChecked(tax.prices_include_tax)
        self.tax_shipping.setChecked(tax.tax_shipping)
        self.default_rate.setText(tax.default_rate)
        self.table.setRowCount(0)
        for rate in tax.rates:
            self._append((rate.country, rate.region, rate.rate, rate.name))
        self._loading = False
        self.router.show(())

    def _append(self, values: tuple[str, str, str, str]) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for index, value in enumerate(values):
            self.table.setItem(row, index, QTableWidgetItem(value))

    def _problems(self, page: str, problems: tuple[FieldProblem, ...]) -> None:
        if page != TAX:
            return
        for row in range(self.table.rowCount()):
            for index in range(len(COLUMNS)):
                item = self.table.item(row, index)
                if item is not None:
                    self._loading = True
                    item.setBackground(QBrush())
                    self._loading = False
        for problem in problems:
            found = _ROW.match(problem.field)
            if found and found[2] in _FIELDS and int(found[1]) < len(self._rate_rows):
                item = self.table.item(self._rate_rows[int(found[1])], _FIELDS.index(found[2]))
                if item is not None:
                    self._loading = True
                    item.setBackground(_BAD)
                    self._loading = False
        self.router.show(problems, _describe)

    # -- editing --------------------------------------------------------------------------------------

    def shown(self) -> TaxSetup:
        """The tax setup as the page shows it now (maybe not valid)."""
        rates = []
        self._rate_rows = []
        for row in range(self.table.rowCount()):
            values = [(self.table.item(row, i).text() if self.table.item(row, i) else "").strip()
                      for i in range(len(COLUMNS))]
            if not any(values):
                continue        # a row just added and not filled in yet
            country, region, rate, name = values
            self._rate_rows.append(row)
            rates.append(TaxRate(country.upper(), rate.rstrip("%").strip(), region.upper(), name))
        return TaxSetup(prices_include_tax=self.includes_tax.isChecked(), tax_shipping=self.tax_shipping.isChecked(),
                        default_rate=self.default_rate.text().strip().rstrip("%").strip() or "0", rates=tuple(rates))

    def save(self) -> None:
        """Store what the page shows as one undoable step, if it differs and is valid."""
        if self._loading:
            return
        before, after = self.model.tax(), self.shown()
        if before == after:
            self.router.show(())
            return
        self.model.run(SaveTax(self.model.db, before, after))

    def add_rate(self) -> None:
        """A new empty row to fill in (stored once it is a valid rate)."""
        self._loading = True
        self._append(("", "", "", ""))
        self._loading = False
        self.table.setCurrentCell(self.table.rowCount() - 1, 0)
        self.table.editItem(self.table.item(self.table.rowCount() - 1, 0))

    def remove_rate(self) -> None:
        """Remove the selected row."""
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self.save()


def _describe(problem: FieldProblem) -> str:
    found = _ROW.match(problem.field)
    if not found:
        return problem.message[:1].upper() + problem.message[1:]
    what = {"country": "Country", "region": "Region", "rate": "Rate", "name": "Name"}.get(found[2] or "", "")
    return f"Rate {int(found[1]) + 1}{' · ' + what if what else ''}: {problem.message}"
