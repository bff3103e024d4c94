"""Point of sale: the store's POS devices (issue 13, section 1 "Auth"). Each till or handheld has its
own token for the POS API, bound to one location; the merchant adds one here (the token is shown once,
with a copy button and the commands that try it) and revokes a lost or retired one, which the cloud
refuses from then on. `vibeshop cloud pos device add|list|revoke` does the same from a terminal.

Devices live only in the cloud (their tokens are not authored content: never synced, never published):
the page talks to the admin API (GET/POST/DELETE /api/admin/pos/devices) through the window's
SyncController like Checkout ▸ Webhooks. Without a linked store or a connection it says so and every
action is disabled. A refusal is told in a dialog; a refused field under the field."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QMessageBox, QPushButton,
                               QTableWidget, QTableWidgetItem, QWidget)

from shared.db.repositories.inventory import list_locations
from shared.sync.client import RemoteError
from studio.checkout.widgets import card, scrolling_page
from studio.orders.detail import when
from studio.orders.model import cloud_trouble_text, refusal_text, unsure
from studio.pos_devices import remote
from studio.pos_devices.dialogs import AddDeviceDialog, confirm_revoke
from studio.publish.tasks import problem_text
from studio.session import StudioSession

TITLE = "Point of sale"
SUBTITLE = ("Each till or handheld at your counters gets its own token for the POS API. A device sells from the "
            "stock of one location and sees that location's online orders. Revoke a lost or retired device "
            "here: the cloud refuses it at once.")
NOT_LINKED_TEXT = ("POS devices connect to your store in the cloud. Link this store to the cloud (Link… in the "
                   "toolbar) to add one.")
OFFLINE_TEXT = ("POS devices are managed in the cloud: you are offline, so they cannot be listed, added or "
                "revoked now. Your devices keep selling; try again when you are online.")
UNSURE_TEXT = ("\n\nIf the device shows in the list when the cloud answers again, it was added but its token "
               "never arrived: revoke it there and add it again.")
EMPTY_TEXT = "No devices yet. Add one for each till, then enter its token in the device's settings."
COLUMNS = ("Name", "Location", "Added", "Last used", "Status")
TABLE_STYLE = ("QTableWidget { border: 1px solid #e2e8f0; border-radius: 6px; gridline-color: #f1f5f9; "
               "background: #ffffff; } QTableWidget::item { padding: 4px 8px; } "
               "QHeaderView::section { padding-left: 10px; }")         # header text over the cells' text


def status_text(device: dict[str, Any]) -> str:
    """'Active' or 'Revoked 5 Dec 2026, 14:05'."""
    return f"Revoked {when(device['revokedAt'])}" if device.get("revokedAt") else "Active"


class PosDevicesPage(QWidget):
    """The Point of sale page. `sync` is the window's SyncController (or None: not linked)."""

    def __init__(self, session: StudioSession, sync: Any, parent: QWidget | None = None):
        super().__init__(parent, objectName="posDevicesPage")
        self.session, self.sync = session, sync
        self.devices: list[dict[str, Any]] = []
        self.online = False
        self.busy = False
        self.add_dialog: AddDeviceDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self.last_problem: QMessageBox | None = None
        self._serial = 0
        area, column = scrolling_page(TITLE, SUBTITLE)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(area)
        self.notice = QLabel("", objectName="noticeText", wordWrap=True)
        column.addWidget(self.notice)
        column.addWidget(self._devices_card())
        column.addStretch(1)
        self._enable()
        if sync is not None:
            sync.status_changed.connect(self._sync_status)
        if not self.linked:
            self.refresh()               # says so at once; a linked store is asked when the page shows

    def _devices_card(self) -> QWidget:
        frame, col = card("Devices", "A device's last use is recorded about every ten minutes.")
        self.table = QTableWidget(0, len(COLUMNS), objectName="posDevices")
        self.table.setStyleSheet(TABLE_STYLE)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(False)
        self.table.verticalHeader().setVisible(False)
        self.table.setMinimumHeight(220)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setMinimumSectionSize(120)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)        # the room left goes after the status, not inside a column
        self.table.itemSelectionChanged.connect(self._enable)
        col.addWidget(self.table)
        self.empty = QLabel(EMPTY_TEXT, objectName="hint", wordWrap=True)
        col.addWidget(self.empty)
        row = QHBoxLayout()
        self.revoke_button = QPushButton("Revoke…", objectName="dangerButton")
        self.revoke_button.clicked.connect(self.revoke)
        self.refresh_button = QPushButton("Refresh", objectName="smallButton")
        self.refresh_button.clicked.connect(self.refresh)
        self.add_button = QPushButton("Add device…", objectName="primaryButton")
        self.add_button.clicked.connect(self.open_add)
        row.addWidget(self.revoke_button)
        row.addWidget(self.refresh_button)
        row.addStretch(1)
        row.addWidget(self.add_button)
        col.addLayout(row)
        return frame

    # -- state ----------------------------------------------------------------------------------------

    @property
    def linked(self) -> bool:
        """Whether the store is linked to a cloud store (the devices live there)."""
        return self.sync is not None and self.sync.linked

    def _say(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    def _enable(self) -> None:
        usable = self.linked and self.online and not self.busy
        current = self.current()
        self.add_button.setEnabled(usable)
        self.revoke_button.setEnabled(usable and current is not None and not current.get("revoked"))
        self.refresh_button.setEnabled(self.linked and not self.busy)
        self.empty.setVisible(not self.devices and self.linked and self.online)

    def current(self) -> dict[str, Any] | None:
        """The selected device's JSON."""
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].row() if rows else -1
        return self.devices[row] if 0 <= row < len(self.devices) else None

    # -- reading --------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Ask the cloud for the devices (nothing at all when not linked)."""
        if not self.linked:
            self.online = False
            self._say(NOT_LINKED_TEXT)
            self._fill([])
            return
        self._serial += 1
        serial = self._serial
        self.sync.run(remote.list_devices, lambda answer, error: self._listed(serial, answer, error))

    def _listed(self, serial: int, answer: Any, error: Exception | None) -> None:
        if serial != self._serial:
            return                       # a newer refresh is on its way
        if error is not None:
            self.online = False
            self._say(_listing_text(error))
            self._enable()
            return
        self.online = True
        self._say("")
        self._fill(list(answer or []))

    def _fill(self, devices: list[dict[str, Any]]) -> None:
        chosen = (self.current() or {}).get("id")
        self.devices = devices
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.setRowCount(len(devices))
        for row, device in enumerate(devices):
            used = when(device["lastUsedAt"]) if device.get("lastUsedAt") else "Not yet"
            cells = (device.get("name", ""), (device.get("location") or {}).get("name") or "(deleted location)",
                     when(device.get("createdAt")), used, status_text(device))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(str(text))
                item.setData(Qt.ItemDataRole.UserRole, device.get("id"))
                if device.get("revoked"):
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(row, col, item)
            if device.get("id") == chosen:
                self.table.selectRow(row)
        self.table.blockSignals(False)
        self._enable()

    # -- adding ---------------------------------------------------------------------------------------

    def locations(self) -> list[tuple[str, str]]:
        """(id, name) of the store's locations, the default first (this computer's copy of the store)."""
        return [(loc.id, loc.name) for loc in self.session.db.read(list_locations)]

    def open_add(self) -> AddDeviceDialog | None:
        """The Add device dialog (online only)."""
        if not (self.linked and self.online):
            return None
        dialog = AddDeviceDialog(self.locations(), self)
        dialog.submitted.connect(lambda name, location_id: self._add(dialog, name, location_id))
        dialog.finished.connect(lambda _result: self.refresh())
        self.add_dialog = dialog
        dialog.open()
        return dialog

    def _add(self, dialog: AddDeviceDialog, name: str, location_id: str) -> None:
        address = remote.store_address(self.sync.link.remote, self.session.store.record.slug)

        def done(answer: Any, error: Exception | None) -> None:
            if error is None:
                token = str(answer.get("token", ""))
                dialog.show_token(answer.get("device") or {}, token, remote.try_lines(address, token))
                return
            fields = _refused_fields(error)
            if fields:
                dialog.show_problems(fields)
                return
            dialog.set_busy(False)
            self._lost(error)
            text = cloud_trouble_text(error) + UNSURE_TEXT if unsure(error) else refusal_text(error)
            self.show_problem("Could not add the device", text)

        if not self.sync.run(lambda syncer: remote.add_device(syncer, name=name, location_id=location_id), done):
            dialog.set_busy(False)

    # -- revoking -------------------------------------------------------------------------------------

    def revoke(self) -> QMessageBox | None:
        """Ask first, then revoke the selected device."""
        device = self.current()
        if device is None or device.get("revoked") or not (self.linked and self.online):
            return None
        box, revoke_button = confirm_revoke(device, self)
        box.buttonClicked.connect(lambda button: self._revoke(device) if button is revoke_button else None)
        self.confirm_box = box
        box.open()
        return box

    def _revoke(self, device: dict[str, Any]) -> None:
        self.busy = True
        self._enable()

        def done(_answer: Any, error: Exception | None) -> None:
            self.busy = False
            if error is not None:
                self._lost(error)
                self.show_problem("Could not revoke the device", refusal_text(error))
            self._enable()
            self.refresh()

        device_id = str(device.get("id"))
        if not self.sync.run(lambda syncer: remote.revoke_device(syncer, device_id), done):
            self.busy = False
            self._enable()

    def _lost(self, error: Exception) -> None:
        """An action failed for the network's or the cloud's sake: say so on the page and allow nothing
        but Refresh until the cloud answers again."""
        if cloud_trouble_text(error):
            self.online = False
            self._say(_listing_text(error))
            self._enable()

    def _sync_status(self, *_args: Any) -> None:
        if not self.online and self.isVisible() and not self.busy:
            self.refresh()               # the cloud answers the sync again: list the devices again

    def show_problem(self, title: str, message: str) -> QMessageBox:
        """Say why the cloud refused, in a dialog."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("posDeviceProblem")
        box.open()
        self.last_problem = box
        return box

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self.refresh()


def _listing_text(error: Exception) -> str:
    """The page's notice when the devices cannot be listed (or an action failed for the cloud's sake)."""
    if isinstance(error, RemoteError) and error.code == "offline" and not unsure(error):     # no connection
        return OFFLINE_TEXT
    trouble = cloud_trouble_text(error)
    if trouble:
        return f"POS devices cannot be listed, added or revoked now. {trouble} Then press Refresh."
    return f"The cloud refused to show the devices: {problem_text(error)}"


def _refused_fields(error: Exception) -> list[dict[str, Any]]:
    """The refused fields of a 4xx (its `fields`, or its one `field` with the message)."""
    if not isinstance(error, RemoteError) or cloud_trouble_text(error):
        return []
    fields = [f for f in error.details.get("fields") or [] if isinstance(f, dict)]
    field = error.details.get("field")
    return fields or ([{"field": field, "message": str(error)}] if field in ("name", "location") else [])
