"""Conflict review: two devices changed the same block code, custom CSS or post body at once. The
cloud kept one version (current) and recorded the other (theirs). The merchant sees both side by
side with a diff, and keeps either, or writes a merge, which is saved as a normal edit (through the
shared services, on the undo stack) before the conflict is settled as 'current'. Each choice syncs."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QGridLayout, QHBoxLayout, QLabel, QListWidget,
                               QListWidgetItem, QPlainTextEdit, QPushButton, QSplitter, QVBoxLayout, QWidget)

from shared.db.repositories import pages as page_repo
from shared.pages import service as pages
from shared.posts import service as posts
from shared.sync import device
from shared.sync.device import OpenConflict
from shared.themes import service as themes
from studio.publish.controller import SyncController
from studio.publish.tasks import problem_text
from studio.session import BLOCKS, POSTS, THEME, StudioSession

_FIELD_NAMES = {("blocks", "code"): "code", ("themes", "custom_css"): "custom CSS", ("posts", "body_html"): "text"}


def _save_block_code(db, key: str, text: str) -> Any:
    return pages.save_block_code(db, block_id=key, code=text, author="studio", message="Merged a conflict")


# How a merged text is stored, per (table, field): a service call and the scope the views reload.
MERGE_WRITERS: dict[tuple[str, str], tuple[Callable[[Any, str, str], Any], str]] = {
    ("blocks", "code"): (_save_block_code, BLOCKS),
    ("themes", "custom_css"): (lambda db, _key, text: themes.set_custom_css(db, css=text), THEME),
    ("posts", "body_html"): (lambda db, key, text: posts.update_post(db, key, body_html=text), POSTS),
}


def unified_diff(current: str, theirs: str) -> str:
    """A unified diff from the current version to theirs."""
    lines = difflib.unified_diff(current.splitlines(), theirs.splitlines(), "current", "theirs", lineterm="", n=3)
    return "\n".join(lines) or "The two versions are the same."


def conflict_title(db, conflict: OpenConflict) -> str:
    """What the conflict is about, as the merchant names things ("Hero block on Home")."""
    if conflict.table == "blocks":
        block = db.read(lambda conn: page_repo.get_block(conn, conflict.key))
        page = db.read(lambda conn: page_repo.get_page(conn, block.page_id)) if block is not None else None
        if block is not None:
            kind = block.kind.replace("-", " ").replace("_", " ").capitalize()
            return f"{kind} block on {page.title}" if page is not None else f"{kind} block"
    if conflict.table == "themes":
        return "Theme"
    return conflict.label.split(" (")[0]


def first_difference(current: str, theirs: str) -> int:
    """The first line (0-based) where the two versions differ."""
    for number, (mine, other) in enumerate(zip(current.splitlines(), theirs.splitlines())):
        if mine != other:
            return number
    return min(len(current.splitlines()), len(theirs.splitlines()))


def show_line(view: QPlainTextEdit, line: int) -> None:
    """Put the cursor on `line` and scroll it to the middle of the view."""
    block = view.document().findBlockByLineNumber(max(0, line))
    if block.isValid():
        view.setTextCursor(QTextCursor(block))
        view.centerCursor()


class DiffHighlighter(QSyntaxHighlighter):
    """Green added lines, red removed lines, muted hunk headers."""

    def __init__(self, document: QTextDocument):
        super().__init__(document)
        self._formats = {}
        for prefix, fg, bg in (("+", "#166534", "#dcfce7"), ("-", "#991b1b", "#fee2e2"), ("@", "#64748b", None)):
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(fg))
            if bg:
                fmt.setBackground(QColor(bg))
            self._formats[prefix] = fmt

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt's name
        fmt = self._formats.get(text[:1])
        if fmt is not None and not text.startswith(("+++", "---")):
            self.setFormat(0, len(text), fmt)


def _code_view(read_only: bool = True) -> QPlainTextEdit:
    view = QPlainTextEdit(readOnly=read_only, objectName="codeView")
    font = QFont("monospace")
    font.setStyleHint(QFont.StyleHint.Monospace)
    font.setPointSizeF(9.5)
    view.setFont(font)
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    return view


class MergeDialog(QDialog):
    """A text editor on the current version, to write the version to keep."""

    def __init__(self, conflict: OpenConflict, title: str, parent: QWidget | None = None):
        super().__init__(parent, objectName="mergeDialog")
        self.setWindowTitle(f"Edit a merge — {title}")
        self.resize(900, 620)
        column = QVBoxLayout(self)
        column.setContentsMargins(20, 16, 20, 16)
        column.addWidget(QLabel("Write the version to keep", objectName="dialogTitle"))
        column.addWidget(QLabel("It starts as the current version. Copy what you need from theirs; saving "
                                "stores it like any edit (you can undo it) and settles the conflict.",
                                objectName="hint", wordWrap=True))
        self.editor = _code_view(read_only=False)
        self.editor.setPlainText(conflict.current)
        column.addWidget(self.editor, 1)
        column.addWidget(QLabel("Their changes, from the current version", objectName="versionLabel"))
        self.diff = _code_view()
        self._highlighter = DiffHighlighter(self.diff.document())
        self.diff.setPlainText(unified_diff(conflict.current, conflict.value))
        self.diff.setMaximumHeight(200)
        column.addWidget(self.diff)
        show_line(self.editor, first_difference(conflict.current, conflict.value))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setObjectName("primaryButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)

    def merged_text(self) -> str:
        """What the merchant wrote."""
        return self.editor.toPlainText()


class ConflictsDialog(QDialog):
    """Open conflicts, each shown as current | theirs with a diff, and the three ways to settle it."""

    def __init__(self, session: StudioSession, controller: SyncController, parent: QWidget | None = None):
        super().__init__(parent, objectName="conflictsDialog")
        self.session, self.controller = session, controller
        self.conflicts: list[OpenConflict] = []
        self.merge_dialog: MergeDialog | None = None
        self._busy = False
        self.setWindowTitle("Review conflicts")
        self.resize(1180, 760)
        self._build()
        controller.status_changed.connect(self._status_changed)
        self.reload()

    def _status_changed(self, *_args) -> None:
        if self.isVisible() and not self._busy:
            self.reload()

    def _build(self) -> None:
        column = QVBoxLayout(self)
        column.setContentsMargins(20, 16, 20, 16)
        column.setSpacing(10)
        column.addWidget(QLabel("Review conflicts", objectName="dialogTitle"))
        column.addWidget(QLabel("Two devices changed the same text before syncing. The cloud kept the current "
                                "version; the other one is kept here so nothing is lost. Choose what stays.",
                                objectName="hint", wordWrap=True))
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.list = QListWidget(objectName="conflictList")
        self.list.setMinimumWidth(250)
        self.list.currentRowChanged.connect(self._show)
        splitter.addWidget(self.list)
        detail = QWidget()
        grid = QGridLayout(detail)
        grid.setContentsMargins(8, 0, 0, 0)
        self.title = QLabel("", objectName="sectionTitle")
        grid.addWidget(self.title, 0, 0, 1, 2)
        self.current_label = QLabel("Current (kept by the cloud)", objectName="versionLabel")
        self.theirs_label = QLabel("Theirs", objectName="versionLabel")
        grid.addWidget(self.current_label, 1, 0)
        grid.addWidget(self.theirs_label, 1, 1)
        self.current_view, self.theirs_view, self.diff_view = _code_view(), _code_view(), _code_view()
        self._highlighter = DiffHighlighter(self.diff_view.document())
        grid.addWidget(self.current_view, 2, 0)
        grid.addWidget(self.theirs_view, 2, 1)
        grid.addWidget(QLabel("Changes from current to theirs", objectName="versionLabel"), 3, 0, 1, 2)
        grid.addWidget(self.diff_view, 4, 0, 1, 2)
        grid.setRowStretch(2, 3)
        grid.setRowStretch(4, 2)
        splitter.addWidget(detail)
        splitter.setSizes([260, 900])
        column.addWidget(splitter, 1)
        self.message = QLabel("", objectName="hint", wordWrap=True)
        column.addWidget(self.message)
        row = QHBoxLayout()
        self.keep_current = QPushButton("Keep current", objectName="smallButton")
        self.keep_theirs = QPushButton("Keep theirs", objectName="smallButton")
        self.edit_merge = QPushButton("Edit a merge…", objectName="smallButton")
        self.keep_current.clicked.connect(lambda: self.resolve("current"))
        self.keep_theirs.clicked.connect(lambda: self.resolve("theirs"))
        self.edit_merge.clicked.connect(self.open_merge)
        for button in (self.keep_current, self.keep_theirs, self.edit_merge):
            row.addWidget(button)
        row.addStretch(1)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        row.addWidget(close)
        column.addLayout(row)

    def reload(self) -> None:
        """Read the open conflicts from the store (they arrive with each pull)."""
        selected = self.current_conflict()
        self.conflicts = device.open_conflicts(self.session.db)
        self.list.blockSignals(True)
        self.list.clear()
        for conflict in self.conflicts:
            name = _FIELD_NAMES.get((conflict.table, conflict.field), conflict.field)
            item = QListWidgetItem(f"{conflict_title(self.session.db, conflict)}\n{name.capitalize()}")
            item.setToolTip(f"{conflict.table}.{conflict.field} · {conflict.key}")
            self.list.addItem(item)
        self.list.blockSignals(False)
        ids = [c.id for c in self.conflicts]
        row = ids.index(selected.id) if selected is not None and selected.id in ids else 0
        self.list.setCurrentRow(row if self.conflicts else -1)
        self._show(self.list.currentRow())

    def current_conflict(self) -> OpenConflict | None:
        """The conflict on screen."""
        row = self.list.currentRow()
        return self.conflicts[row] if 0 <= row < len(self.conflicts) else None

    def _show(self, row: int) -> None:
        conflict = self.conflicts[row] if 0 <= row < len(self.conflicts) else None
        for button in (self.keep_current, self.keep_theirs):
            button.setEnabled(conflict is not None and not self._busy)
        self.edit_merge.setEnabled(conflict is not None and not self._busy
                                   and (conflict.table, conflict.field) in MERGE_WRITERS)
        if conflict is None:
            self.title.setText("No open conflicts")
            for view in (self.current_view, self.theirs_view, self.diff_view):
                view.clear()
            return
        name = _FIELD_NAMES.get((conflict.table, conflict.field), conflict.field)
        self.title.setText(f"{conflict_title(self.session.db, conflict)} — {name}")
        self.theirs_label.setText(f"Theirs (the version from {conflict.source})")
        self.theirs_label.setToolTip(f"Device {conflict.device_id}" if conflict.device_id else "")
        self.current_view.setPlainText(conflict.current)
        self.theirs_view.setPlainText(conflict.value)
        self.diff_view.setPlainText(unified_diff(conflict.current, conflict.value))
        line = first_difference(conflict.current, conflict.value)
        show_line(self.current_view, line)
        show_line(self.theirs_view, line)

    # -- settling ---------------------------------------------------------------------------------

    def resolve(self, keep: str) -> None:
        """Keep 'current' or 'theirs' for the conflict on screen, then sync."""
        conflict = self.current_conflict()
        if conflict is None:
            return
        self._set_busy(True, "Keeping the current version…" if keep == "current" else "Keeping their version…")
        started = self.controller.run(lambda syncer: syncer.resolve(conflict.id, keep), self._resolved,
                                      then_sync=True)
        if not started:
            self._set_busy(False, "This store is not linked to the cloud.")

    def open_merge(self) -> None:
        """Edit a merged version; saving stores it as an edit and keeps it ('current')."""
        conflict = self.current_conflict()
        if conflict is None or (conflict.table, conflict.field) not in MERGE_WRITERS:
            return
        self.merge_dialog = MergeDialog(conflict, conflict_title(self.session.db, conflict), self)
        self.merge_dialog.accepted.connect(lambda: self.save_merge(conflict, self.merge_dialog.merged_text()))
        self.merge_dialog.open()

    def save_merge(self, conflict: OpenConflict, text: str) -> None:
        """Store `text` through the services (an undoable edit), then settle the conflict as 'current'."""
        write, scope = MERGE_WRITERS[(conflict.table, conflict.field)]
        db, key, before = self.session.db, conflict.key, conflict.current
        done = self.session.edit("Merge a conflict", lambda: write(db, key, text) or True,
                                 lambda _result: write(db, key, before), scopes=(scope,))
        if done is None:           # refused (invalid code...): the session showed why
            self.message.setText("The merge was not saved; fix it and try again.")
            return
        self._set_busy(True, "Saving the merge…")
        self.controller.run(lambda syncer: syncer.resolve(conflict.id, "current"), self._resolved, then_sync=True)

    def _resolved(self, _value: Any, error: Exception | None) -> None:
        self._set_busy(False, f"Could not settle the conflict: {problem_text(error)}" if error else "Settled. Syncing…")
        self.reload()

    def _set_busy(self, busy: bool, message: str) -> None:
        self._busy = busy
        self.message.setText(message)
        self._show(self.list.currentRow())
