"""The Point of sale page's dialogs: Add device (a name and a location, then the token shown once with
a copy button and the commands that try it) and the confirmation before a device is revoked."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase, QGuiApplication, QTextOption
from PySide6.QtWidgets import (QComboBox, QDialog, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPlainTextEdit,
                               QPushButton, QVBoxLayout, QWidget)

from shared.checkout.errors import CheckoutErrorCode, FieldProblem
from studio.checkout.widgets import ProblemRouter, error_label, labelled

TOKEN_TEXT = "Copy the token now: it is shown only this once. Paste it into the device's settings."
TRY_TEXT = "Try it from this computer:"
NAME_MAX = 100                    # characters, as the cloud counts them (shared/accounts/service.py)


def name_problem(name: str) -> str:
    """Why a device name (already stripped) cannot be sent, as the cloud would refuse it; "" when fine.
    Said here, before any request, so it is said offline too."""
    if not name:
        return "Give the device a name (e.g. Front counter till)"
    if len(name) > NAME_MAX:
        return f"A device's name can be at most {NAME_MAX} characters (this one has {len(name)})"
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in name):
        return "A device's name must be one line of printable characters (no line breaks or control characters)"
    return ""


class AddDeviceDialog(QDialog):
    """Name the device and choose its location; `submitted(name, location_id)` asks the page to make it,
    which answers with `show_token` or `show_problems`. Stays open until the merchant closes it."""

    submitted = Signal(str, str)

    def __init__(self, locations: Sequence[tuple[str, str]], parent: QWidget | None = None):
        super().__init__(parent, objectName="addPosDevice")
        self.setWindowTitle("Add a POS device")
        self.setModal(True)
        self.setMinimumWidth(720)
        column = QVBoxLayout(self)
        column.setContentsMargins(24, 20, 24, 20)
        column.setSpacing(12)
        column.addWidget(QLabel("Add a POS device", objectName="dialogTitle"))
        self.form_page, self.made_page = self._form(locations), self._made()
        self.made_page.setVisible(False)          # hidden, not stacked: the dialog is as tall as what it shows
        column.addWidget(self.form_page)
        column.addWidget(self.made_page)
        self.name.setFocus()

    def _form(self, locations: Sequence[tuple[str, str]]) -> QWidget:
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(10)
        col.addWidget(QLabel("The device gets its own token for the POS API: it sells from the stock of one "
                             "location and sees that location's online orders.", objectName="hint", wordWrap=True))
        self.router = ProblemRouter(error_label())
        self.name = QLineEdit(objectName="posDeviceName", placeholderText="Front counter till")
        self.name.setMaxLength(2 * NAME_MAX)      # Qt counts UTF-16 units: an emoji is two; `name_problem` counts
        holder, error = labelled("Name", self.name)
        self.router.add("name", error)
        col.addWidget(holder)
        self.location = QComboBox(objectName="posDeviceLocation")
        for location_id, name in locations:
            self.location.addItem(name, location_id)
        holder, error = labelled("Location", self.location,
                                 hint="" if locations else "This store has no locations yet: add one under "
                                                           "Products first.")
        self.router.add("location", error)
        col.addWidget(holder)
        col.addWidget(self.router.fallback)
        col.addSpacing(8)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        cancel = QPushButton("Cancel", objectName="smallButton")
        cancel.clicked.connect(self.reject)
        self.add_button = QPushButton("Add device", objectName="primaryButton")
        self.add_button.setDefault(True)
        self.add_button.setEnabled(bool(locations))
        self.add_button.clicked.connect(self.submit)
        buttons.addWidget(cancel)
        buttons.addWidget(self.add_button)
        col.addLayout(buttons)
        return page

    def _made(self) -> QWidget:
        page = QWidget()
        col = QVBoxLayout(page)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(10)
        self.made_label = QLabel("", objectName="summaryText", wordWrap=True)
        col.addWidget(self.made_label)
        col.addWidget(QLabel(TOKEN_TEXT, objectName="fieldLabel", wordWrap=True))
        row = QHBoxLayout()
        self.token = QLineEdit(objectName="posDeviceToken", readOnly=True)
        self.copy_button = QPushButton("Copy", objectName="smallButton")
        self.copy_button.clicked.connect(self.copy_token)
        row.addWidget(self.token, 1)
        row.addWidget(self.copy_button)
        col.addLayout(row)
        col.addWidget(QLabel(TRY_TEXT, objectName="fieldLabel"))
        self.try_text = QPlainTextEdit(objectName="codeView", readOnly=True)
        self.try_text.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.try_text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.try_text.setFixedHeight(112)
        col.addWidget(self.try_text)
        col.addSpacing(8)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        done = QPushButton("Done", objectName="primaryButton")
        done.clicked.connect(self.accept)
        buttons.addWidget(done)
        col.addLayout(buttons)
        return page

    @property
    def token_shown(self) -> bool:
        """Whether the device was made and its token is on show."""
        return self.made_page.isVisibleTo(self)

    def submit(self) -> None:
        """Ask the page to make the device (a name is needed first)."""
        name = self.name.text().strip()
        problem = name_problem(name)
        if problem:
            self.show_problems([{"field": "name", "message": problem}])
            return
        self.router.show(())
        self.set_busy(True)
        self.submitted.emit(name, str(self.location.currentData() or ""))

    def set_busy(self, busy: bool) -> None:
        """While the cloud makes the device, it cannot be asked twice."""
        self.add_button.setEnabled(not busy and self.location.count() > 0)
        self.add_button.setText("Adding…" if busy else "Add device")

    def show_problems(self, fields: Sequence[dict[str, Any]]) -> None:
        """Put each refused field's reason under it (the cloud's `fields`, or its one `field`)."""
        self.set_busy(False)
        self.router.show([FieldProblem(str(f.get("field", "")), CheckoutErrorCode.BAD_VALUE, str(f.get("message", "")))
                          for f in fields])

    def show_token(self, device: dict[str, Any], token: str, try_text: str) -> None:
        """The device is made: its token, once, and how to try it."""
        location = (device.get("location") or {}).get("name") or ""
        self.made_label.setText(f"“{device.get('name', '')}” can now sell from {location}.")
        self.token.setText(token)
        self.token.setCursorPosition(0)         # its start (vs_<id>) names the device, as the list does
        self.try_text.setPlainText(try_text)
        self.form_page.setVisible(False)
        self.made_page.setVisible(True)
        self.adjustSize()

    def copy_token(self) -> None:
        """Put the token on the clipboard."""
        QGuiApplication.clipboard().setText(self.token.text())
        self.copy_button.setText("Copied")


def confirm_revoke(device: dict[str, Any], parent: QWidget) -> tuple[QMessageBox, QPushButton]:
    """The question before a revoke (opened, not run: the caller connects the Revoke button)."""
    location = (device.get("location") or {}).get("name") or "its location"
    box = QMessageBox(QMessageBox.Icon.Warning, "Revoke POS device",
                      f"Revoke “{device.get('name', '')}” at {location}?", parent=parent)
    box.setObjectName("confirmRevoke")
    box.setInformativeText("The device's token stops working at once: it can no longer record sales or see "
                           "orders. To use the device again, add it again and enter the new token.")
    revoke = box.addButton("Revoke", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setTextFormat(Qt.TextFormat.PlainText)
    return box, revoke
