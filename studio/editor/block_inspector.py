"""The right-hand panel for the selected block: its settings form, its code, and its history.

Code typed here is never lost: every keystroke is kept as an editor draft in the store's database;
once the code validates it is saved as the block's code (typing coalesced into one revision per
editing session) and the draft is dropped. Reopening the studio brings back a draft that was never
saved."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor, QSyntaxHighlighter, QTextCharFormat
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMessageBox, QPlainTextEdit,
                               QPushButton, QScrollArea, QSizePolicy, QSplitter, QStackedWidget, QTabWidget, QVBoxLayout,
                               QWidget)
from PySide6.QtCore import Qt

from shared.compose.registry import builtin_block, builtin_kinds
from shared.db.repositories import pages as page_repo
from shared.models import Block
from shared.pages import drafts
from shared.pages import service as pages
from shared.vibe.validator import check_block
from shared.themes import service as themes
from studio.editor.block_list import THEME_SECTIONS, block_title
from studio.editor.code_panel import CodePanel
from studio.editor.settings_form import SettingsForm
from studio.session import BLOCKS, THEME, StudioSession

CODE_AUTHOR = "studio"
CODE_MESSAGE = "Edited in the studio"
COALESCE_SECONDS = 300


class _DiffHighlighter(QSyntaxHighlighter):
    """Added lines green, removed lines red, hunk headers blue."""

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt's name
        colors = {"+": ("#166534", "#dcfce7"), "-": ("#991b1b", "#fee2e2"), "@": ("#1d4ed8", None)}
        found = colors.get(text[:1])
        if found is None or text.startswith(("+++", "---")):
            return
        fmt = QTextCharFormat()
        fmt.setForeground(QColor(found[0]))
        if found[1]:
            fmt.setBackground(QColor(found[1]))
        self.setFormat(0, len(text), fmt)


class BlockInspector(QWidget):
    """Settings / Code / History of one block. `edited` after any stored change (for the preview)."""

    edited = Signal()

    def __init__(self, session: StudioSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.block: Block | None = None
        self.section: str | None = None
        self.page_heading, self.page_summary = "", ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel("No block selected", objectName="inspectorTitle")
        self.subheading = QLabel("", objectName="muted", wordWrap=True)
        layout.addWidget(self.heading)
        layout.addWidget(self.subheading)
        self.stack = QStackedWidget()
        self.empty = QLabel("Click a block in the preview, or pick one in the list, to change its settings "
                            "and code.\n\nAdd a block with “+ Add block” (Ctrl+B). Every change is saved at once; "
                            "Ctrl+Z undoes it.", objectName="emptyState",
                            wordWrap=True, alignment=Qt.AlignmentFlag.AlignCenter)
        self.tabs = QTabWidget(objectName="inspectorTabs")
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.tabs)
        layout.addWidget(self.stack, 1)

        self.settings_scroll = QScrollArea(widgetResizable=True, objectName="settingsScroll")
        self.settings_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.tabs.addTab(self.settings_scroll, "Settings")
        self.code = CodePanel()
        # Long code lines scroll inside the editor; they must not widen the window.
        self.code.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.code.code_edited.connect(self._code_typed)
        self.code.code_valid.connect(self._code_valid)
        self.tabs.addTab(self.code, "Code")
        self.tabs.addTab(self._history_tab(), "History")
        self.tabs.currentChanged.connect(lambda _i: self._refresh_history())
        self.form: SettingsForm | None = None
        session.changed.connect(self._on_changed)

    # -- which block ------------------------------------------------------------------------------

    def set_block(self, block_id: str | None) -> None:
        """Inspect another block (None: nothing selected; 'header' or 'footer': the theme's)."""
        self.section = block_id if block_id in THEME_SECTIONS else None
        if self.section is not None:
            self.block = None
            self._show_section(self.section)
            return
        for index in (1, 2):
            self.tabs.setTabEnabled(index, True)
        block = self.session.db.read(lambda conn: page_repo.get_block(conn, block_id)) if block_id else None
        self.block = block
        if block is None:
            self.heading.setText(self.page_heading or "No block selected")
            self.subheading.setText(self.page_summary)
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentWidget(self.tabs)
        self._show_header(block)
        self._build_form(block)
        draft = drafts.code_draft(self.session.db, block_id=block.id)
        self.code.set_code(draft if draft is not None else pages.block_source(block))
        self.code.set_setting_names([s["id"] for s in self._schema(block, None).get("settings", [])
                                     if isinstance(s, Mapping) and isinstance(s.get("id"), str)])
        if draft is not None and draft != pages.block_source(block):
            self.subheading.setText("Unsaved code from your last session was restored. It is saved as soon "
                                    "as it has no problems.")
            self.tabs.setCurrentWidget(self.code)
        self._refresh_history()

    def show_page(self, title: str, summary: str) -> None:
        """What the panel says while no block of the page is selected."""
        self.page_heading, self.page_summary = title, summary
        if self.block is None and self.section is None:
            self.heading.setText(title)
            self.subheading.setText(summary)

    def _show_section(self, section: str) -> None:
        """The header or footer: its settings live in the theme and apply to every page."""
        self.stack.setCurrentWidget(self.tabs)
        self.heading.setText(THEME_SECTIONS[section])
        self.subheading.setText("Part of the theme: changes here show on every page.")
        self.tabs.setCurrentIndex(0)
        for index in (1, 2):
            self.tabs.setTabEnabled(index, False)
        stored = (themes.active_theme(self.session.db).settings.get("sections") or {}).get(section) or {}
        self.form = SettingsForm(self.session, builtin_block(section).schema, stored, self._section_changed)
        self._place_form()

    def _section_changed(self, settings: dict[str, Any]) -> None:
        section, db = self.section, self.session.db
        if section is None:
            return
        before = (themes.active_theme(db).settings.get("sections") or {}).get(section) or {}
        changed = [k for k in settings if settings.get(k) != before.get(k)]
        stored = self.session.edit(f"Change {THEME_SECTIONS[section].lower()}",
                                   lambda: themes.update_section_settings(db, section=section, settings=settings),
                                   lambda _t: themes.update_section_settings(db, section=section, settings=before),
                                   scopes=(THEME,), merge_key=f"section:{section}:{','.join(changed)}")
        if stored is not None:
            self.edited.emit()

    def _show_header(self, block: Block) -> None:
        self.heading.setText(block_title(block))
        kind = "Custom code" if block.code is not None else "Built-in section"
        self.subheading.setText(f"{kind}{' · hidden from shoppers' if block.hidden else ''}")

    @staticmethod
    def _schema(block: Block, code: str | None) -> Mapping[str, Any]:
        source = code if code is not None else block.code
        if source is not None:
            check = check_block(source)
            return check.schema if check.ok else {}
        return builtin_block(block.kind).schema if block.kind in builtin_kinds() else {}

    def _build_form(self, block: Block) -> None:
        self.form = SettingsForm(self.session, self._schema(block, None), block.settings, self._settings_changed)
        self._place_form()

    def _place_form(self) -> None:
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(12, 12, 12, 12)
        column.addWidget(self.form)
        column.addStretch(1)
        self.settings_scroll.setWidget(holder)

    def _on_changed(self, scope: str) -> None:
        if scope == THEME and self.section is not None and self.form is not None:
            stored = (themes.active_theme(self.session.db).settings.get("sections") or {}).get(self.section) or {}
            if stored != self.form.stored:         # an undo or redo: show the stored state
                self._show_section(self.section)
            return
        if scope != BLOCKS or self.block is None:
            return
        fresh = self.session.db.read(lambda conn: page_repo.get_block(conn, self.block.id))
        if fresh is None:
            self.set_block(None)
            return
        settings_moved = fresh.settings != self.block.settings and (self.form is None or
                                                                      fresh.settings != self.form.stored)
        code_moved = pages.block_source(fresh) != self.code.code() and fresh.code != self.block.code
        self.block = fresh
        self._show_header(fresh)
        if settings_moved or code_moved:        # an undo or redo: show the stored state
            self._build_form(fresh)
        if code_moved:
            self.code.set_code(pages.block_source(fresh))
        self._refresh_history()

    # -- storing edits ----------------------------------------------------------------------------

    def _settings_changed(self, settings: dict[str, Any]) -> None:
        block = self.block
        if block is None:
            return
        db, before = self.session.db, block.settings
        changed = [k for k in settings if settings.get(k) != before.get(k)]
        key = f"settings:{block.id}:{','.join(changed)}"
        stored = self.session.edit("Change block settings",
                                   lambda: pages.update_block_settings(db, block_id=block.id, settings=settings),
                                   lambda _b: pages.update_block_settings(db, block_id=block.id, settings=before),
                                   scopes=(BLOCKS,), merge_key=key)
        if stored is not None:
            self.block = stored
            self.edited.emit()

    def _code_typed(self, code: str) -> None:
        if self.block is not None:
            drafts.keep_code_draft(self.session.db, block_id=self.block.id, code=code)

    def _code_valid(self, code: str) -> None:
        block = self.block
        if block is None:
            return
        db, before = self.session.db, pages.block_source(block)
        if code == before:
            drafts.drop_code_draft(db, block_id=block.id)
            return

        def save(text: str) -> Block:
            pages.save_block_code(db, block_id=block.id, code=text, author=CODE_AUTHOR, message=CODE_MESSAGE,
                                  coalesce_seconds=COALESCE_SECONDS)
            drafts.drop_code_draft(db, block_id=block.id)
            return db.read(lambda conn: page_repo.get_block(conn, block.id))

        stored = self.session.edit("Edit code", lambda: save(code), lambda _b: save(before), scopes=(BLOCKS,),
                                   merge_key=f"code:{block.id}")
        if stored is not None:
            self.block = stored
            self._rebuild_form_if_schema_changed(before, code)
            self.edited.emit()

    def _rebuild_form_if_schema_changed(self, before: str, after: str) -> None:
        if self.block is not None and check_block(before).schema != check_block(after).schema:
            self._build_form(self.block)

    def show_render_problem(self, message: str) -> None:
        """The block failed when the page rendered (a limit, an exception): say so on the Code tab."""
        self.code.show_render_problem(message)

    # -- history ----------------------------------------------------------------------------------

    def _history_tab(self) -> QWidget:
        tab = QSplitter(Qt.Orientation.Vertical)
        top = QWidget()
        column = QVBoxLayout(top)
        column.setContentsMargins(8, 8, 8, 8)
        self.revisions = QListWidget(objectName="revisionList")
        self.revisions.currentItemChanged.connect(lambda item, _old: self._show_diff(item))
        column.addWidget(self.revisions, 1)
        row = QHBoxLayout()
        self.history_note = QLabel("", objectName="muted", wordWrap=True)
        row.addWidget(self.history_note, 1)
        self.restore_button = QPushButton("Restore this version", objectName="primaryButton")
        self.restore_button.clicked.connect(self.restore_selected)
        row.addWidget(self.restore_button)
        column.addLayout(row)
        self.diff = QPlainTextEdit(readOnly=True, objectName="diffView")
        self.diff.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self._diff_highlighter = _DiffHighlighter(self.diff.document())
        tab.addWidget(top)
        tab.addWidget(self.diff)
        tab.setSizes([200, 300])
        return tab

    def _refresh_history(self) -> None:
        if self.block is None:
            return
        revisions = pages.list_revisions(self.session.db, block_id=self.block.id)
        self.revisions.blockSignals(True)
        self.revisions.clear()
        for revision in revisions:
            when = revision.created_at[:16].replace("T", " ")
            item = QListWidgetItem(f"{when}  ·  {revision.message or 'Saved'}"
                                   + (f"  ·  {revision.author}" if revision.author else ""))
            item.setData(Qt.ItemDataRole.UserRole, revision.id)
            self.revisions.addItem(item)
        self.revisions.blockSignals(False)
        self.history_note.setText("No saved versions yet: this block uses the built-in code." if not revisions
                                  else "Pick a version to compare it with the current code.")
        self.restore_button.setEnabled(False)
        self.diff.setPlainText("")

    def _show_diff(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        diff = pages.diff_revision(self.session.db, revision_id=item.data(Qt.ItemDataRole.UserRole))
        self.diff.setPlainText(diff or "This version is the same as the current code.")
        self.restore_button.setEnabled(bool(diff))

    def restore_selected(self) -> None:
        """Make the selected revision the block's code again (one undoable edit)."""
        item = self.revisions.currentItem()
        block = self.block
        if item is None or block is None:
            return
        db, before = self.session.db, pages.block_source(block)
        revision_id = item.data(Qt.ItemDataRole.UserRole)
        restored = self.session.edit(
            "Restore version", lambda: pages.restore_revision(db, revision_id=revision_id, author=CODE_AUTHOR),
            lambda _r: pages.save_block_code(db, block_id=block.id, code=before, author=CODE_AUTHOR,
                                             message="Undid a restore"), scopes=(BLOCKS,))
        if restored is not None:
            drafts.drop_code_draft(db, block_id=block.id)
            self.code.set_code(restored.code)
            self.edited.emit()
        else:
            QMessageBox.information(self, "Restore version", "That version is already the current code.")
