"""Link a cloud store: the merchant types the cloud's address and a pairing code (made in the cloud
with `vibeshop cloud device add`); the studio exchanges it for a device token and pulls the store
into this data folder. Used by the first-run dialog and the sync menu."""

from __future__ import annotations

import socket
from typing import Any

from PySide6.QtWidgets import (QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QProgressBar, QPushButton,
                               QVBoxLayout, QWidget)

from shared.storefront.errors import StoreError
from shared.storefront.service import DataDir
from shared.sync.client import RemoteError, link
from studio.publish.tasks import BackgroundTasks, problem_text

_PROBLEMS = {
    "pairing_code": "This code is unknown, already used or expired. Make a new one in the cloud and try again.",
    "offline": "The cloud could not be reached at this address. Check it, and that you are online.",
}


def link_problem(error: Exception) -> str:
    """Why linking failed, in words."""
    if isinstance(error, RemoteError):
        if error.status == 429:
            return "Too many attempts. Wait a minute, then try again."
        return _PROBLEMS.get(error.code, str(error))
    if isinstance(error, StoreError):
        return f"The store could not be added to this folder: {error}"
    return f"Linking failed: {problem_text(error)}"


class LinkDialog(QDialog):
    """Cloud address + pairing code → a linked store in the data folder (`linked_slug`)."""

    def __init__(self, data_dir: DataDir, parent: QWidget | None = None, *, remote: str = ""):
        super().__init__(parent, objectName="linkDialog")
        self.data_dir = data_dir
        self.linked_slug: str | None = None
        self._tasks = BackgroundTasks(self)
        self.setWindowTitle("Link a cloud store")
        self.setMinimumWidth(520)
        column = QVBoxLayout(self)
        column.setContentsMargins(28, 24, 28, 24)
        column.setSpacing(12)
        column.addWidget(QLabel("Link a cloud store", objectName="dialogTitle"))
        column.addWidget(QLabel("Edit your online store here, even offline: the studio keeps a copy and syncs "
                                "it when you are online. Make a pairing code in the cloud (Devices → Add a "
                                "device, or `vibeshop cloud device add`), then enter it below.",
                                objectName="hint", wordWrap=True))
        form = QFormLayout()
        form.setSpacing(10)
        self.remote = QLineEdit(remote, placeholderText="https://cloud.example.com")
        self.code = QLineEdit(placeholderText="10 letters and digits", maxLength=12)
        self.code.textEdited.connect(lambda text: self.code.setText(text.upper()))
        self.device_name = QLineEdit(socket.gethostname()[:80])
        form.addRow("Cloud address", self.remote)
        form.addRow("Pairing code", self.code)
        form.addRow("This computer", self.device_name)
        column.addLayout(form)
        self.progress = QProgressBar(objectName="publishProgress", textVisible=False)
        self.progress.setFixedHeight(6)
        self.progress.setRange(0, 0)
        self.progress.hide()
        column.addWidget(self.progress)
        self.error = QLabel("", objectName="errorText", wordWrap=True)
        self.error.hide()
        column.addWidget(self.error)
        row = QHBoxLayout()
        row.addStretch(1)
        self.cancel = QPushButton("Cancel")
        self.cancel.clicked.connect(self.reject)
        self.link_button = QPushButton("Link", objectName="primaryButton")
        self.link_button.clicked.connect(self.start_link)
        row.addWidget(self.cancel)
        row.addWidget(self.link_button)
        column.addLayout(row)

    def start_link(self) -> None:
        """Pair and pull the store in the background; the dialog closes when it is here."""
        remote, code = self.remote.text().strip(), self.code.text().strip()
        if not remote.startswith(("http://", "https://")) or not code:
            self._show_error("Enter the cloud's address (https://…) and the pairing code.")
            return
        self.error.hide()
        self._busy(True)
        name, data_dir = self.device_name.text().strip() or None, self.data_dir

        def work() -> str:
            store = link(data_dir, remote=remote, code=code, device_name=name)
            slug = store.record.slug
            store.close()            # reopened on the UI thread by whoever opens it
            return slug

        self._tasks.submit(work, self._linked)

    def _linked(self, slug: Any, error: Exception | None) -> None:
        self._busy(False)
        if error is not None:
            self._show_error(link_problem(error))
            return
        self.linked_slug = slug
        self.accept()

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        for widget in (self.remote, self.code, self.device_name, self.link_button):
            widget.setEnabled(not busy)
        self.link_button.setText("Linking…" if busy else "Link")

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def done(self, result: int) -> None:
        """Closing waits for a link in flight (it is writing the store into the data folder)."""
        if result == QDialog.DialogCode.Rejected and self._tasks.running:
            return
        super().done(result)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._tasks.stop()
        super().closeEvent(event)
