"""E-mails: the list of messages the shop sends; for the chosen one, its blocks (add, remove, move, hide,
settings), its subject, and a live preview.

The preview is made by `render_kind` inside `using_designs(db)`: the same render function, the same
sandbox and the same document the order services use inside `using_designs(conn)`, for a sample order.
The view shows those exact bytes (`setHtml` of the e-mail's HTML part) and the text part next to it. Every
edit is saved at once (designs are authored content: they sync and publish like pages), then previewed.
A design whose block fails is shown with the error, and the preview shows what would be sent instead:
the built-in template."""

from __future__ import annotations

from html import escape
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWebEngineCore import QWebEngineSettings
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import (QCheckBox, QComboBox, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPlainTextEdit, QPushButton, QSplitter, QTabWidget, QVBoxLayout,
                               QWidget)

from shared.compose.schema import SettingsError, clean_settings, sanitize_richtext, setting_specs
from shared.mail.designs import KINDS, Design, DesignBlock, DesignError, using_designs
from shared.mail.designs.blocks import email_block, email_block_kinds
from shared.mail.designs.samples import render_kind, store_branding
from shared.mail.designs.service import customise, reset_design, save_design, stored_design
from shared.mail.message import OutgoingEmail
from shared.vibe.validator import check_block

PREVIEW_SITE = "https://shop.example"
BUILT_IN_TEXT = "This e-mail uses the built-in template. Customise it to arrange its blocks."


class EmailsSection(QWidget):
    """The E-mails section. `session` is the StudioSession (its `db` is the store database)."""

    previewed = Signal()

    def __init__(self, session: Any, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.kind = next(iter(KINDS))
        self.design: Design | None = None
        self.last_preview: OutgoingEmail | None = None
        self.last_error: DesignError | None = None
        self._build()
        self.kinds.setCurrentRow(0)

    # -- layout -------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.kinds = QListWidget(objectName="emailKinds")
        for spec in KINDS.values():
            item = QListWidgetItem(spec.title)
            item.setData(Qt.ItemDataRole.UserRole, spec.kind)
            item.setToolTip(spec.description)
            self.kinds.addItem(item)
        self.kinds.currentRowChanged.connect(self._kind_chosen)

        editor = QWidget()
        column = QVBoxLayout(editor)
        self.state = QLabel("", wordWrap=True, objectName="muted")
        self.customise_button = QPushButton("Customise")
        self.reset_button = QPushButton("Use the built-in template")
        self.customise_button.clicked.connect(self.start_design)
        self.reset_button.clicked.connect(self.use_builtin)
        self.subject = QLineEdit(placeholderText="Built-in subject ({store}, {number}, {code} are filled in)")
        self.subject.editingFinished.connect(self._subject_edited)
        self.blocks = QListWidget(objectName="emailBlocks")
        self.blocks.currentRowChanged.connect(self._show_settings)
        self.add_kind = QComboBox()
        for kind in email_block_kinds():
            self.add_kind.addItem(email_block(kind).name, kind)
        row = QHBoxLayout()
        buttons = [("Add", self.add_block), ("Remove", self.remove_block), ("Up", lambda: self.move_block(-1)),
                   ("Down", lambda: self.move_block(1)), ("Hide/show", self.toggle_hidden)]
        row.addWidget(self.add_kind, 1)
        for text, slot in buttons:
            button = QPushButton(text)
            button.clicked.connect(slot)
            row.addWidget(button)
        self.settings_box = QWidget()
        self.settings_form = QFormLayout(self.settings_box)
        self.code = QPlainTextEdit(objectName="emailBlockCode")
        self.code.setPlaceholderText("The selected block's code: change it to make the block your own.")
        self.code.setMinimumHeight(160)
        self.apply_code_button = QPushButton("Use this code")
        self.apply_code_button.clicked.connect(lambda: self.set_code(self.code.toPlainText()))
        self.error = QLabel("", wordWrap=True, objectName="errorLabel")
        self.error.setStyleSheet("color: #b42318;")
        for widget in (self.state, self.customise_button, self.reset_button, QLabel("Subject"), self.subject,
                       QLabel("Blocks"), self.blocks):
            column.addWidget(widget)
        column.addLayout(row)
        column.addWidget(self.settings_box)
        column.addWidget(QLabel("Code"))
        column.addWidget(self.code)
        column.addWidget(self.apply_code_button)
        column.addWidget(self.error)
        column.addStretch(1)

        self.view = QWebEngineView()
        self.view.settings().setAttribute(QWebEngineSettings.WebAttribute.JavascriptEnabled, False)
        self.text_part = QPlainTextEdit(readOnly=True)
        self.subject_label = QLabel("", wordWrap=True, objectName="emailSubject")
        preview = QWidget()
        preview_column = QVBoxLayout(preview)
        preview_column.addWidget(self.subject_label)
        tabs = QTabWidget()
        tabs.addTab(self.view, "HTML")
        tabs.addTab(self.text_part, "Text")
        preview_column.addWidget(tabs, 1)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        for widget in (self.kinds, editor, preview):
            splitter.addWidget(widget)
        splitter.setSizes([200, 360, 640])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    # -- state ---------------------------------------------------------------------------------------

    def _kind_chosen(self, row: int) -> None:
        if row < 0:
            return
        self.kind = self.kinds.item(row).data(Qt.ItemDataRole.UserRole)
        self.design = stored_design(self.session.db, self.kind)
        self._show_design()
        self.refresh()

    def select_kind(self, kind: str) -> None:
        """Show the message `kind` (tests, links from other sections)."""
        self.kinds.setCurrentRow(list(KINDS).index(kind))

    def _show_design(self, row: int = 0) -> None:
        design = self.design
        self.customise_button.setVisible(design is None)
        self.reset_button.setVisible(design is not None)
        self.state.setText(BUILT_IN_TEXT if design is None else KINDS[self.kind].description)
        self.subject.setEnabled(design is not None)
        self.subject.setText(design.subject if design else "")
        self.blocks.blockSignals(True)
        self.blocks.clear()
        for block in design.blocks if design else ():
            self.blocks.addItem(f"{block.name}{'  (hidden)' if block.hidden else ''}")
        self.blocks.blockSignals(False)
        if design and design.blocks:
            self.blocks.setCurrentRow(max(0, min(row, len(design.blocks) - 1)))
        else:
            self._show_settings(-1)

    def _save(self, design: Design, row: int | None = None) -> None:
        try:
            self.design = save_design(self.session.db, design)
        except DesignError as exc:
            self.error.setText(str(exc))
            return
        self.error.setText("")
        self._show_design(self.blocks.currentRow() if row is None else row)
        self.refresh()

    # -- verbs ---------------------------------------------------------------------------------------

    def start_design(self) -> None:
        """Store the default arrangement of the current kind, to edit it."""
        self.design = customise(self.session.db, self.kind)
        self._show_design()
        self.refresh()

    def use_builtin(self) -> None:
        """Forget the current kind's design: the built-in template is sent again."""
        reset_design(self.session.db, self.kind)
        self.design = None
        self._show_design()
        self.refresh()

    def _replace_blocks(self, blocks: list[DesignBlock], row: int) -> None:
        assert self.design is not None
        self._save(Design(self.design.kind, tuple(blocks), self.design.subject, self.design.enabled), row)

    def add_block(self, kind: str | None = None, code: str | None = None,
                  settings: dict[str, Any] | None = None) -> None:
        """Add a block after the selected one: a built-in e-mail block, or `code` (kind "custom")."""
        if self.design is None:
            self.start_design()
        assert self.design is not None
        blocks = list(self.design.blocks)
        at = self.blocks.currentRow() + 1 if self.blocks.currentRow() >= 0 else len(blocks)
        chosen = "custom" if code is not None else (kind or self.add_kind.currentData())
        blocks.insert(at, DesignBlock(chosen, settings or {}, code))
        self._replace_blocks(blocks, at)

    def remove_block(self) -> None:
        """Remove the selected block."""
        row = self.blocks.currentRow()
        if self.design is None or row < 0:
            return
        blocks = list(self.design.blocks)
        del blocks[row]
        self._replace_blocks(blocks, row)

    def move_block(self, step: int) -> None:
        """Move the selected block up (-1) or down (1)."""
        row = self.blocks.currentRow()
        if self.design is None or row < 0 or not 0 <= row + step < len(self.design.blocks):
            return
        blocks = list(self.design.blocks)
        blocks[row], blocks[row + step] = blocks[row + step], blocks[row]
        self._replace_blocks(blocks, row + step)

    def toggle_hidden(self) -> None:
        """Hide the selected block from the message, or show it again."""
        row = self.blocks.currentRow()
        if self.design is None or row < 0:
            return
        blocks = list(self.design.blocks)
        old = blocks[row]
        blocks[row] = DesignBlock(old.kind, old.settings, old.code, not old.hidden)
        self._replace_blocks(blocks, row)

    def set_setting(self, key: str, value: Any) -> None:
        """Change one setting of the selected block."""
        row = self.blocks.currentRow()
        if self.design is None or row < 0:
            return
        blocks = list(self.design.blocks)
        old = blocks[row]
        if old.settings.get(key) == value:
            return
        blocks[row] = DesignBlock(old.kind, {**old.settings, key: value}, old.code, old.hidden)
        self._replace_blocks(blocks, row)

    def set_code(self, code: str) -> None:
        """Make the selected block the merchant's own with `code` (checked by the validator when saved)."""
        row = self.blocks.currentRow()
        if self.design is None or row < 0:
            return
        blocks = list(self.design.blocks)
        old = blocks[row]
        if code == old.source:
            return
        try:                            # the settings stay when the new code's schema takes them
            settings = clean_settings(check_block(code).schema, old.settings)
        except SettingsError:
            settings = {}
        blocks[row] = DesignBlock("custom", settings, code, old.hidden)
        self._replace_blocks(blocks, row)

    def _subject_edited(self) -> None:
        if self.design is not None and self.subject.text() != self.design.subject:
            self._save(Design(self.design.kind, self.design.blocks, self.subject.text(), self.design.enabled))

    # -- settings form -------------------------------------------------------------------------------

    def _show_settings(self, row: int) -> None:
        while self.settings_form.rowCount():
            self.settings_form.removeRow(0)
        if self.design is None or not 0 <= row < len(self.design.blocks):
            self.code.setPlainText("")
            return
        block = self.design.blocks[row]
        self.code.setPlainText(block.source)
        values = {key: spec.get("default") for key, spec in setting_specs(block.schema).items()}
        values.update(block.settings)
        for key, spec in setting_specs(block.schema).items():
            self.settings_form.addRow(str(spec.get("label") or key), self._field(key, spec, values.get(key)))

    def _field(self, key: str, spec: dict[str, Any], value: Any) -> QWidget:
        kind = spec.get("type", "text")
        if kind == "checkbox":
            box = QCheckBox(checked=bool(value))
            box.toggled.connect(lambda checked: self.set_setting(key, checked))
            return box
        if kind == "select":
            combo = QComboBox()
            for option in spec.get("options", []):
                combo.addItem(str(option.get("label")), option.get("value"))
            combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.currentIndexChanged.connect(lambda _i: self.set_setting(key, combo.currentData()))
            return combo
        line = QLineEdit(str(value or ""))
        if kind == "richtext":          # stored sanitised (the table rule refuses anything else)
            line.editingFinished.connect(lambda: self.set_setting(key, sanitize_richtext(line.text())))
        else:
            line.editingFinished.connect(lambda: self.set_setting(key, line.text()))
        return line

    # -- preview -------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Render the current kind as the shop would send it, and show those bytes."""
        db = self.session.db
        branding = db.read(lambda conn: store_branding(conn, PREVIEW_SITE))
        failures: list[DesignError] = []
        with using_designs(db, failures=failures):
            email = render_kind(self.kind, branding)
        self.last_preview = email
        self.last_error = failures[0] if failures else None
        self.error.setText("" if self.last_error is None else
                           f"This design cannot be sent, so the built-in template goes out instead: {self.last_error}")
        self.subject_label.setText(f"<b>{escape(email.subject)}</b><br>From {escape(email.from_name)}"
                                   f"{' · replies to ' + escape(email.reply_to) if email.reply_to else ''}")
        self.subject_label.setTextFormat(Qt.TextFormat.RichText)
        self.view.setHtml(email.html)
        self.text_part.setPlainText(email.text)
        self.previewed.emit()
