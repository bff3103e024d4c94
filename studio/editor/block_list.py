"""The blocks of the selected page, in order: drag to reorder, add from the gallery, duplicate, hide
and delete. Every action is one undoable edit, written to the database at once."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMenu,
                               QMessageBox, QToolButton, QVBoxLayout, QWidget)

from shared.compose.registry import builtin_block, builtin_kinds
from shared.db.repositories import pages as page_repo
from shared.models import Block
from shared.pages import service as pages
from shared.pages.restore import restore_block, snapshot_block
from shared.vibe.validator import check_block
from studio.editor.block_gallery import BlockGallery, GalleryEntry
from studio.editor.list_rows import BADGES_ROLE, ID_ROLE, SUBTITLE_ROLE, RowDelegate
from studio.session import BLOCKS, THEME, StudioSession

# The header and footer are theme sections shown on every page: pinned first and last in the list,
# selected like blocks, edited through the theme (not movable or deletable).
THEME_SECTIONS = {"header": "Header", "footer": "Footer"}


def block_title(block: Block) -> str:
    """The name a merchant knows a block by: its schema's name, else its kind."""
    if block.code is not None:
        name = check_block(block.code).schema.get("name")
        if name:
            return str(name)
        return "Custom block" if block.kind == pages.CUSTOM else builtin_block(block.kind).name
    return builtin_block(block.kind).name if block.kind in builtin_kinds() else block.kind


def _summary(block: Block) -> str:
    for key in ("heading", "title", "text", "question"):
        value = block.settings.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return block.kind


class _BlockListWidget(QListWidget):
    """Reports a drag-and-drop move as (block id, new position)."""

    moved = Signal(str, int)

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt's name
        dragged = self.currentItem()
        before = self.currentRow()
        super().dropEvent(event)
        if dragged is not None and self.row(dragged) != before:
            self.moved.emit(dragged.data(ID_ROLE), self.row(dragged) - 1)   # row 0 is the pinned header


class BlockList(QWidget):
    """`block_selected(block_id)` when a block is chosen (or '' when none is)."""

    block_selected = Signal(str)

    def __init__(self, session: StudioSession, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.page_id: str | None = None
        self.current_id: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        header = QHBoxLayout()
        self.title = QLabel("Blocks", objectName="sectionTitle")
        header.addWidget(self.title)
        header.addStretch(1)
        self.add_button = QToolButton(text="+ Add block", objectName="linkButton")
        self.add_button.clicked.connect(self.open_gallery)
        header.addWidget(self.add_button)
        layout.addLayout(header)

        self.list = _BlockListWidget(objectName="blockList")
        self.list.setItemDelegate(RowDelegate(self.list))
        self.list.setMouseTracking(True)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.list.moved.connect(self.move_block)
        self.list.currentItemChanged.connect(self._chosen)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.list, 1)

        actions = QHBoxLayout()
        self.up_button = self._action(actions, "↑", "Move up", lambda: self._nudge(-1))
        self.down_button = self._action(actions, "↓", "Move down", lambda: self._nudge(1))
        actions.addStretch(1)
        self.duplicate_button = self._action(actions, "Duplicate", "Duplicate the block", self.duplicate_current)
        self.hide_button = self._action(actions, "Hide", "Hide the block from the page", self.toggle_hidden)
        self.delete_button = self._action(actions, "Delete", "Delete the block", self.delete_current)
        layout.addLayout(actions)
        session.changed.connect(self._on_changed)

    def _on_changed(self, scope: str) -> None:
        if scope in (BLOCKS, THEME):
            self.reload()

    @staticmethod
    def _action(row: QHBoxLayout, text: str, tip: str, slot) -> QToolButton:
        button = QToolButton(text=text, objectName="smallButton")
        button.setToolTip(tip)
        button.clicked.connect(slot)
        row.addWidget(button)
        return button

    # -- showing ----------------------------------------------------------------------------------

    def set_page(self, page_id: str | None) -> None:
        """Show the blocks of another page."""
        self.page_id = page_id
        self.current_id = None
        self.reload()

    def blocks(self) -> list[Block]:
        """The page's blocks in order."""
        if self.page_id is None:
            return []
        return self.session.db.read(lambda conn: page_repo.list_blocks(conn, self.page_id))

    def reload(self) -> None:
        """Read the blocks again, keeping the selection."""
        self.list.blockSignals(True)
        self.list.clear()
        if self.page_id is not None:
            self._pinned("header")
        for block in self.blocks():
            item = QListWidgetItem(block_title(block))
            item.setData(ID_ROLE, block.id)
            item.setData(SUBTITLE_ROLE, _summary(block))
            badges = [("Hidden", "muted")] if block.hidden else []
            if block.code is not None:
                badges.append(("Code", "code"))
            item.setData(BADGES_ROLE, badges)
            self.list.addItem(item)
            if block.id == self.current_id:
                self.list.setCurrentItem(item)
        if self.page_id is not None:
            self._pinned("footer")
        self.list.blockSignals(False)
        self._update_buttons()

    def _pinned(self, section: str) -> None:
        item = QListWidgetItem(THEME_SECTIONS[section])
        item.setData(ID_ROLE, section)
        item.setData(SUBTITLE_ROLE, "On every page · part of the theme")
        item.setData(BADGES_ROLE, [("Theme", "muted")])
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsDragEnabled)
        self.list.addItem(item)
        if section == self.current_id:
            self.list.setCurrentItem(item)

    def select_block(self, block_id: str) -> None:
        """Select a block by id (a click in the preview)."""
        for i in range(self.list.count()):
            if self.list.item(i).data(ID_ROLE) == block_id:
                self.list.setCurrentRow(i)
                return

    def current_block(self) -> Block | None:
        """The selected stored block (None for nothing, or for the header or footer)."""
        if self.current_id is None or self.current_id in THEME_SECTIONS:
            return None
        return self.session.db.read(lambda conn: page_repo.get_block(conn, self.current_id))

    def _chosen(self, item: QListWidgetItem | None, _old=None) -> None:
        self.current_id = item.data(ID_ROLE) if item is not None else None
        self._update_buttons()
        self.block_selected.emit(self.current_id or "")

    def _update_buttons(self) -> None:
        block = self.current_block()
        for button in (self.up_button, self.down_button, self.duplicate_button, self.hide_button, self.delete_button):
            button.setEnabled(block is not None)
        self.add_button.setEnabled(self.page_id is not None)
        self.hide_button.setText("Show" if block is not None and block.hidden else "Hide")

    # -- editing ----------------------------------------------------------------------------------

    def open_gallery(self) -> None:
        """Pick a block from the gallery and add it after the selected one (or at the end)."""
        if self.page_id is None:
            return
        entry = BlockGallery.choose(self)
        if entry is not None:
            self.add_entry(entry)

    def add_entry(self, entry: GalleryEntry) -> Block | None:
        """Add a gallery entry after the selected block (or at the end); it becomes the selection."""
        db, page_id = self.session.db, self.page_id
        current = self.current_block()
        position = current.position + 1 if current is not None else None
        block = self.session.edit(
            f"Add {entry.title}",
            lambda: pages.add_block(db, page_id=page_id, kind=entry.kind, code=entry.code, position=position),
            lambda added: pages.remove_block(db, block_id=added.id), scopes=(BLOCKS,))
        if block is not None:
            self.current_id = block.id
            self.reload()
            self.block_selected.emit(block.id)
        return block

    def move_block(self, block_id: str, position: int) -> None:
        """Move a block to a position (drag and drop, or the arrows)."""
        db = self.session.db
        block = db.read(lambda conn: page_repo.get_block(conn, block_id))
        position = max(0, position)
        if block is None or block.position == position:
            self.reload()
            return
        self.current_id = block_id
        self.session.edit("Move block", lambda: pages.move_block(db, block_id=block_id, position=position),
                          lambda _b: pages.move_block(db, block_id=block_id, position=block.position),
                          scopes=(BLOCKS,))

    def _nudge(self, step: int) -> None:
        block = self.current_block()
        if block is not None and 0 <= block.position + step < len(self.blocks()):
            self.move_block(block.id, block.position + step)

    def duplicate_current(self) -> None:
        """Copy the selected block right after itself."""
        block = self.current_block()
        if block is None:
            return
        db = self.session.db
        copy = self.session.edit(f"Duplicate {block_title(block)}", lambda: pages.duplicate_block(db, block_id=block.id),
                                 lambda made: pages.remove_block(db, block_id=made.id), scopes=(BLOCKS,))
        if copy is not None:
            self.select_block(copy.id)

    def toggle_hidden(self) -> None:
        """Hide the selected block (kept, not shown to shoppers) or show it again."""
        block = self.current_block()
        if block is None:
            return
        db, hidden = self.session.db, not block.hidden
        self.session.edit("Hide block" if hidden else "Show block",
                          lambda: pages.set_block_hidden(db, block_id=block.id, hidden=hidden),
                          lambda _b: pages.set_block_hidden(db, block_id=block.id, hidden=not hidden),
                          scopes=(BLOCKS,))

    def delete_current(self) -> None:
        """Delete the selected block after confirmation; undo brings it back with its history."""
        block = self.current_block()
        if block is None:
            return
        name = block_title(block)
        answer = QMessageBox.question(self, "Delete block", f"Delete the block '{name}' from this page?\n\n"
                                      "You can undo this.",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                      QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        db = self.session.db
        snapshot = snapshot_block(db, block_id=block.id)
        self.current_id = None
        self.session.edit(f"Delete {name}", lambda: pages.remove_block(db, block_id=block.id),
                          lambda _none: restore_block(db, snapshot), scopes=(BLOCKS,))
        self.block_selected.emit("")

    def _menu(self, point) -> None:
        if self.list.itemAt(point) is None or self.current_block() is None:
            return
        block = self.current_block()
        menu = QMenu(self)
        menu.addAction("Duplicate", self.duplicate_current)
        menu.addAction("Show" if block is not None and block.hidden else "Hide", self.toggle_hidden)
        menu.addSeparator()
        menu.addAction("Delete…", self.delete_current)
        menu.exec(self.list.viewport().mapToGlobal(point))
