"""The Orders section's action dialogs: fulfil (lines, quantities, carrier and tracking), cancel (reason,
restock) and refund (by lines or by an amount, restock). Each only gathers what the merchant chose;
`options()` is the keyword arguments of the Syncer call (shared/sync/client.py). The cloud checks
everything again and says why when it refuses."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QGridLayout, QLabel,
                               QLineEdit, QRadioButton, QSpinBox, QVBoxLayout, QWidget)

from shared.models.money import MoneyError, from_major
from studio.orders.detail import line_id, money


class _LinesGrid(QWidget):
    """One spin box per line, from 0 to what is left of it (`left(line)`)."""

    def __init__(self, order: dict[str, Any], left, start_full: bool, parent: QWidget | None = None):
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.spins: list[tuple[str, int, QSpinBox]] = []
        for index, line in enumerate(order.get("lines") or []):
            most = max(0, left(line))
            spin = QSpinBox(maximum=most, value=most if start_full else 0, objectName=f"lineQuantity{index}")
            spin.setSuffix(f" of {most}")
            spin.setEnabled(most > 0)
            title = f"{line.get('title', '')} {('· ' + line['variantTitle']) if line.get('variantTitle') else ''}"
            grid.addWidget(QLabel(title.strip()), index, 0)
            grid.addWidget(spin, index, 1)
            self.spins.append((line_id(line, index), most, spin))

    def chosen(self) -> list[tuple[str, int]]:
        """(line id, quantity) of the lines with a quantity."""
        return [(key, spin.value()) for key, _most, spin in self.spins if spin.value() > 0]

    def everything(self) -> bool:
        """Whether every line is at its most."""
        return all(spin.value() == most for _key, most, spin in self.spins)


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    box.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


class FulfilDialog(QDialog):
    """Fulfil some or all of what is left, with the carrier and tracking."""

    def __init__(self, order: dict[str, Any], parent: QWidget | None = None):
        super().__init__(parent, objectName="fulfilDialog")
        self.setWindowTitle(f"Fulfil {order.get('name', '')}")
        column = QVBoxLayout(self)
        column.addWidget(QLabel("Units to send now:"))
        self.lines = _LinesGrid(order, lambda line: int(line.get("quantity", 0)) - int(line.get("fulfilledQuantity", 0))
                                - int(line.get("refundedQuantity", 0)), True)
        column.addWidget(self.lines)
        form = QFormLayout()
        self.carrier = QLineEdit(objectName="carrier", placeholderText="UPS, DHL, La Poste…")
        self.tracking_number = QLineEdit(objectName="trackingNumber")
        self.tracking_url = QLineEdit(objectName="trackingUrl", placeholderText="https://…")
        form.addRow("Carrier", self.carrier)
        form.addRow("Tracking number", self.tracking_number)
        form.addRow("Tracking URL", self.tracking_url)
        column.addLayout(form)
        self.notify = QCheckBox("E-mail the shipping confirmation to the customer", checked=True)
        column.addWidget(self.notify)
        self.buttons = _buttons(self, "Fulfil")
        column.addWidget(self.buttons)

    def options(self) -> dict[str, Any]:
        """fulfil_order's keyword arguments (lines None: everything left)."""
        return {"lines": None if self.lines.everything() else self.lines.chosen(),
                "carrier": self.carrier.text().strip(), "tracking_number": self.tracking_number.text().strip(),
                "tracking_url": self.tracking_url.text().strip(), "notify": self.notify.isChecked()}


class CancelDialog(QDialog):
    """Cancel: why, and whether the units go back to stock. The payment is voided or refunded."""

    def __init__(self, order: dict[str, Any], parent: QWidget | None = None):
        super().__init__(parent, objectName="cancelDialog")
        self.setWindowTitle(f"Cancel {order.get('name', '')}")
        column = QVBoxLayout(self)
        column.addWidget(QLabel("Cancelling voids the payment, or refunds it when it was taken.", wordWrap=True))
        self.reason = QLineEdit(objectName="cancelReason", placeholderText="Customer changed their mind, …")
        form = QFormLayout()
        form.addRow("Reason", self.reason)
        column.addLayout(form)
        self.restock = QCheckBox("Put the units back in stock", checked=True, objectName="restock")
        self.notify = QCheckBox("E-mail the customer", checked=True)
        column.addWidget(self.restock)
        column.addWidget(self.notify)
        column.addWidget(_buttons(self, "Cancel order"))

    def options(self) -> dict[str, Any]:
        """cancel_order's keyword arguments."""
        return {"reason": self.reason.text().strip(), "restock": self.restock.isChecked(),
                "notify": self.notify.isChecked()}


class RefundDialog(QDialog):
    """Refund by lines (their price) or by an amount, never more than the refundable amount."""

    def __init__(self, order: dict[str, Any], parent: QWidget | None = None):
        super().__init__(parent, objectName="refundDialog")
        self.setWindowTitle(f"Refund {order.get('name', '')}")
        self.currency = str(order.get("currency") or (order.get("total") or {}).get("currency") or "USD")
        column = QVBoxLayout(self)
        refundable = order.get("refundable")
        if refundable:
            column.addWidget(QLabel(f"Up to {money(refundable)} can be refunded.", objectName="refundable"))
        self.by_lines = QRadioButton("Refund items", checked=True, objectName="byLines")
        self.by_amount = QRadioButton("Refund an amount", objectName="byAmount")
        group = QButtonGroup(self)
        group.addButton(self.by_lines)
        group.addButton(self.by_amount)
        column.addWidget(self.by_lines)
        self.lines = _LinesGrid(order, lambda line: int(line.get("quantity", 0)) - int(line.get("refundedQuantity", 0)),
                                False)
        column.addWidget(self.lines)
        column.addWidget(self.by_amount)
        self.amount = QLineEdit(objectName="refundAmount", placeholderText=f"0.00 {self.currency}")
        column.addWidget(self.amount)
        self.reason = QLineEdit(objectName="refundReason", placeholderText="Reason (optional)")
        column.addWidget(self.reason)
        self.restock = QCheckBox("Put the refunded items back in stock", objectName="restock")
        self.notify = QCheckBox("E-mail the customer", checked=True)
        column.addWidget(self.restock)
        column.addWidget(self.notify)
        self.error = QLabel("", objectName="fieldError", wordWrap=True)
        self.error.setVisible(False)
        column.addWidget(self.error)
        column.addWidget(_buttons(self, "Refund"))
        self.by_amount.toggled.connect(self._mode)
        self._mode()

    def _mode(self) -> None:
        self.lines.setEnabled(self.by_lines.isChecked())
        self.amount.setEnabled(self.by_amount.isChecked())

    def minor_amount(self) -> int | None:
        """The typed amount in minor units of the order's currency; None unless it is a positive amount
        with no more digits than the currency has."""
        text = self.amount.text().strip().replace(",", ".")
        try:
            minor = from_major(text, self.currency)
        except MoneyError:
            return None
        return minor if minor > 0 and from_major(text, self.currency, rounding="ROUND_DOWN") == minor else None

    def accept(self) -> None:  # noqa: D102 - checks before closing
        if self.by_amount.isChecked() and not self.minor_amount():
            self.error.setText(f"Type an amount in {self.currency}, like 12.50.")
            self.error.setVisible(True)
            return
        if self.by_lines.isChecked() and not self.lines.chosen():
            self.error.setText("Choose how many units of which items to refund.")
            self.error.setVisible(True)
            return
        super().accept()

    def options(self) -> dict[str, Any]:
        """refund_order's keyword arguments."""
        chosen: dict[str, Any] = {"restock": self.restock.isChecked(), "reason": self.reason.text().strip(),
                                  "notify": self.notify.isChecked()}
        if self.by_amount.isChecked():
            chosen["amount"] = {"amount": self.minor_amount(), "currency": self.currency}
        else:
            chosen["lines"] = self.lines.chosen()
        return chosen
