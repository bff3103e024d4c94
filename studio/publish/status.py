"""The sync status in the main toolbar: a pill (synced / N pending / syncing / offline / conflicts /
not linked) whose menu holds the sync actions, and a "Sync now" button. It only shows the
controller's state and asks for actions through signals; the main window opens the dialogs."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QMenu, QToolButton, QWidget

from studio.publish.controller import CONFLICTS, NOT_LINKED, SyncController

_DOTS = {"synced": "●", "pending": "●", "syncing": "◌", "offline": "●", "conflicts": "▲", "refused": "▲",
         "not_linked": "○"}


class SyncStatus(QWidget):
    """Status pill with a menu (Sync now, Review conflicts…, Publish…, Link to the cloud…)."""

    sync_requested = Signal()
    conflicts_requested = Signal()
    publish_requested = Signal()
    link_requested = Signal()

    def __init__(self, controller: SyncController, parent: QWidget | None = None):
        super().__init__(parent, objectName="syncStatus")
        self.controller = controller
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        self.pill = QToolButton(objectName="syncPill", popupMode=QToolButton.ToolButtonPopupMode.InstantPopup)
        self.pill.setCursor(Qt.CursorShape.PointingHandCursor)
        self.sync_button = QToolButton(objectName="syncNow", text="Sync now")
        self.sync_button.clicked.connect(self.sync_requested)
        self.menu = QMenu(self, objectName="syncMenu")
        self.sync_action = self._action("Sync now", self.sync_requested)
        self.conflicts_action = self._action("Review conflicts…", self.conflicts_requested)
        self.publish_action = self._action("Publish…", self.publish_requested)
        self.menu.addSeparator()
        self.link_action = self._action("Link to the cloud…", self.link_requested)
        self.pill.setMenu(self.menu)
        row.addWidget(self.pill)
        row.addWidget(self.sync_button)
        controller.status_changed.connect(self.show_status)
        self.show_status(controller.state, controller.text)

    def _action(self, text: str, signal: Signal) -> QAction:
        action = QAction(text, self)
        action.triggered.connect(signal)
        self.menu.addAction(action)
        return action

    def show_status(self, state: str, text: str) -> None:
        """Show the controller's state; the menu offers what makes sense in it."""
        linked = state != NOT_LINKED
        self.pill.setText(f"{_DOTS.get(state, '●')}  {text}")
        self.pill.setToolTip(self.controller.detail or text)
        self.pill.setProperty("state", state)
        self.pill.style().unpolish(self.pill)
        self.pill.style().polish(self.pill)
        self.sync_button.setVisible(linked)
        self.sync_button.setEnabled(state != "syncing")
        self.sync_action.setVisible(linked)
        self.sync_action.setEnabled(state != "syncing")
        self.conflicts_action.setVisible(linked)
        self.conflicts_action.setEnabled(state == CONFLICTS)
        self.publish_action.setVisible(linked)
        self.link_action.setVisible(not linked)
