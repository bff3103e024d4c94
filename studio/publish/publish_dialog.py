"""Publish: what will change for shoppers (the cloud's diff of the working copy against the live
release, after a sync), a note, the Publish button with its progress, and the releases with
"Roll back to this". Publishing syncs first and is refused while edits are not in the cloud (they
are named) or conflicts are open; the dialog says so in words."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QMessageBox, QProgressBar, QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout,
                               QWidget)

from shared.releases.describe import ChangeLine, change_lines
from shared.sync import device
from shared.sync.client import RemoteError
from studio.publish.controller import SyncController
from studio.publish.tasks import problem_text
from studio.session import StudioSession

MAX_LINES = 300
_MARKS = {"added": "+", "changed": "•", "removed": "−"}
_COLOURS = {"added": "#15803d", "changed": "#1d4ed8", "removed": "#b91c1c"}
_REFUSALS = {
    "offline": "The cloud could not be reached. Your edits are safe here; publish when you are back online.",
    "conflicts": "Some changes are in conflict. Review the conflicts first, then publish.",
}


def refusal_text(error: Exception) -> str:
    """A refused publish or rollback, in words."""
    if isinstance(error, RemoteError):
        if error.code == "unsynced":
            return str(error)
        return _REFUSALS.get(error.code, str(error) or error.code)
    return problem_text(error)


class PublishDialog(QDialog):
    """Make the synced content live; list releases and roll back to one."""

    def __init__(self, session: StudioSession, controller: SyncController, parent: QWidget | None = None):
        super().__init__(parent, objectName="publishDialog")
        self.session, self.controller = session, controller
        self.releases: list[dict[str, Any]] = []
        self.live: int | None = None
        self.confirmation: QMessageBox | None = None
        self.setWindowTitle("Publish")
        self.resize(820, 700)
        self._build()
        self.reload()

    def _build(self) -> None:
        column = QVBoxLayout(self)
        column.setContentsMargins(22, 18, 22, 18)
        column.setSpacing(10)
        column.addWidget(QLabel("Publish your store", objectName="dialogTitle"))
        column.addWidget(QLabel("Publishing makes what is in the cloud live for shoppers, all at once. Every "
                                "release is kept, so you can go back to one.", objectName="hint", wordWrap=True))
        column.addWidget(QLabel("What will change", objectName="sectionTitle"))
        self.live_summary = QLabel("Checking what changed since the live release…", objectName="summaryText",
                                   wordWrap=True)
        column.addWidget(self.live_summary)
        self.changes = QListWidget(objectName="changesList")
        self.changes.setMinimumHeight(110)
        self.changes.setMaximumHeight(200)
        column.addWidget(self.changes)
        self.pending = QListWidget(objectName="pendingList")
        self.pending.setMaximumHeight(96)
        column.addWidget(self.pending)
        row = QHBoxLayout()
        self.note = QLineEdit(placeholderText="A note for this release (optional), e.g. “Summer sale hero”")
        self.note.setMaxLength(500)
        self.publish_button = QPushButton("Publish", objectName="primaryButton")
        self.publish_button.clicked.connect(self.publish)
        row.addWidget(self.note, 1)
        row.addWidget(self.publish_button)
        column.addLayout(row)
        self.progress = QProgressBar(objectName="publishProgress", textVisible=False)
        self.progress.setFixedHeight(6)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        column.addWidget(self.progress)
        self.message = QLabel("", objectName="hint", wordWrap=True)
        column.addWidget(self.message)
        column.addWidget(QLabel("Releases", objectName="sectionTitle"))
        self.release_list = QTreeWidget(objectName="releaseList", rootIsDecorated=False)
        self.release_list.setHeaderLabels(["Release", "Note", "Changes", "When", ""])
        header = self.release_list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for section in (0, 2, 3):
            header.setSectionResizeMode(section, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(4, 150)
        column.addWidget(self.release_list, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        column.addLayout(buttons)

    # -- reading ----------------------------------------------------------------------------------

    def reload(self) -> None:
        """Show what is not in the cloud yet; then sync and fetch what publishing would change and the
        releases."""
        self._show_pending()
        self.controller.run(lambda syncer: (syncer.publish_preview(), syncer.releases()), self._got_state)

    def _show_pending(self) -> None:
        """Local edits not yet in the cloud and open conflicts: what would refuse a publish."""
        self.pending.clear()
        for line in device.has_unsynced(self.session.db):
            self.pending.addItem(f"Not in the cloud yet — {line}")
        for conflict in device.open_conflicts(self.session.db):
            self.pending.addItem(f"In conflict — {conflict.label} ({conflict.field})")
        self.pending.setVisible(self.pending.count() > 0)

    def _got_state(self, answer: tuple[dict[str, Any], dict[str, Any]] | None, error: Exception | None) -> None:
        self._show_pending()
        if error is not None:
            self.live_summary.setText(refusal_text(error))
            return
        preview, listing = answer
        self.releases, self.live = listing["releases"], listing.get("live")
        self.release_list.clear()
        for release in self.releases:
            self._add_release_row(release)
        lines = change_lines(preview["summary"])
        self._show_changes(lines)
        counts = preview["summary"].get("text") or "no changes"
        live = f"Live now: release {self.live}." if self.live is not None else "No release yet."
        if not lines:
            self.live_summary.setText(f"{live} Everything in the cloud is live already: publishing now would "
                                      "change nothing for shoppers.")
        else:
            self.live_summary.setText(f"{live} Publishing makes these changes live for shoppers ({counts}), from "
                                      "all your devices.")

    def _show_changes(self, lines: list[ChangeLine]) -> None:
        self.changes.clear()
        for line in lines[:MAX_LINES]:
            item = QListWidgetItem(f"{_MARKS[line.verb]}  {line.text}")
            item.setForeground(QColor(_COLOURS[line.verb]))
            item.setToolTip(line.key)
            self.changes.addItem(item)
        if len(lines) > MAX_LINES:
            self.changes.addItem(f"… and {len(lines) - MAX_LINES} more")
        if not lines:
            self.changes.addItem("No changes since the live release.")

    def _add_release_row(self, release: dict[str, Any]) -> None:
        number = release["number"]
        restored = release.get("restored_from")
        note = release.get("note") or (f"Rolled back to release {restored}" if restored else "")
        item = QTreeWidgetItem([f"#{number}", note, release.get("summary_text", ""),
                                str(release.get("created_at", ""))[:16].replace("T", " "), ""])
        item.setSizeHint(0, QSize(0, 38))        # room for the row's button
        self.release_list.addTopLevelItem(item)
        if number == self.live:
            action: QWidget = QLabel("Live", objectName="liveBadge", alignment=Qt.AlignmentFlag.AlignCenter)
        else:
            action = QPushButton("Roll back to this", objectName="smallButton")
            action.clicked.connect(lambda _checked=False, n=number: self.confirm_rollback(n))
        holder = QWidget()
        row = QHBoxLayout(holder)
        row.setContentsMargins(4, 2, 4, 2)
        row.addWidget(action)
        row.addStretch(1)
        self.release_list.setItemWidget(item, 4, holder)

    # -- actions ----------------------------------------------------------------------------------

    def publish(self) -> None:
        """Sync, then publish with the note; the progress bar runs until the cloud answers."""
        note = self.note.text().strip()
        self._running(True, "Publishing…")
        self.controller.run(lambda syncer: syncer.publish(note), self._published, then_sync=True)

    def _published(self, release: dict[str, Any] | None, error: Exception | None) -> None:
        self._running(False, refusal_text(error) if error else
                      f"Release {release['number']} is live ({release.get('summary_text') or 'no changes'}).",
                      failed=error is not None)
        if error is None:
            self.note.clear()
        self.reload()

    def confirm_rollback(self, number: int) -> None:
        """Ask first: a rollback changes what shoppers get at once."""
        box = QMessageBox(QMessageBox.Icon.Question, "Roll back",
                          f"Make release {number} live again? Shoppers get it at once. Your edits stay in "
                          "the studio and the cloud; you can publish them again later.",
                          QMessageBox.StandardButton.Cancel, self)
        box.setObjectName("rollbackConfirm")
        go = box.addButton(f"Roll back to {number}", QMessageBox.ButtonRole.AcceptRole)
        go.setObjectName("primaryButton")
        box.finished.connect(lambda _result: self.rollback(number) if box.clickedButton() == go else None)
        self.confirmation = box
        box.open()

    def rollback(self, number: int) -> None:
        """Make release `number` live again."""
        self._running(True, f"Rolling back to release {number}…")
        self.controller.run(lambda syncer: syncer.rollback(number), self._rolled_back)

    def _rolled_back(self, release: dict[str, Any] | None, error: Exception | None) -> None:
        self._running(False, refusal_text(error) if error else
                      f"Release {release.get('restored_from')} is live again (as release {release['number']}).",
                      failed=error is not None)
        self.reload()

    def _running(self, running: bool, message: str, *, failed: bool = False) -> None:
        self.publish_button.setEnabled(not running)
        self.release_list.setEnabled(not running)
        self.progress.setRange(0, 0 if running else 1)     # 0..0: Qt's indeterminate bar
        self.progress.setValue(0 if running else 1)
        self.message.setText(message)
        self.message.setObjectName("errorText" if failed else "hint")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
