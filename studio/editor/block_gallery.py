"""The block gallery: built-in sections and starter blocks (editable code to start from), each with a
thumbnail, a name and what it is for. Thumbnails are PNGs in studio/gallery/ (made by
`scripts/gallery_thumbnails.py` from the demo store); an entry without one gets a drawn tile."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QVBoxLayout, QWidget)

from shared.compose.registry import builtin_block, builtin_kinds
from shared.pages.service import CUSTOM
from shared.vibe.validator import check_block

THUMB = QSize(220, 138)
_TILE_COLORS = ("#1e3a5f", "#7c2d12", "#14532d", "#4c1d95", "#831843", "#134e4a", "#713f12")


@dataclass(frozen=True)
class GalleryEntry:
    """One thing that can be added: a built-in kind, or a starter's code (added as a custom block)."""

    key: str
    title: str
    description: str
    kind: str
    code: str | None = None
    category: str = "Sections"


@cache
def gallery_entries() -> tuple[GalleryEntry, ...]:
    """Every built-in block (template sections last) and every starter block."""
    entries = []
    for kind in builtin_kinds():
        block = builtin_block(kind)
        category = "Template sections" if kind.startswith("main-") else "Sections"
        entries.append(GalleryEntry(kind, block.name, str(block.schema.get("description", "")), kind,
                                    category=category))
    for file in sorted(resources.files("studio").joinpath("starters").iterdir(), key=lambda f: f.name):
        if file.name.endswith(".js"):
            code = file.read_text(encoding="utf-8")
            schema = check_block(code).schema
            entries.append(GalleryEntry(f"starter-{file.name[:-3]}", str(schema.get("name", file.name[:-3])),
                                        str(schema.get("description", "")), CUSTOM, code, "Starter blocks (code)"))
    order = {"Sections": 0, "Starter blocks (code)": 1, "Template sections": 2}
    return tuple(sorted(entries, key=lambda e: (order[e.category], e.title)))


def thumbnail(entry: GalleryEntry) -> QPixmap:
    """The entry's picture: the shipped PNG, or a tile with its initial."""
    shipped = resources.files("studio").joinpath("gallery", f"{entry.key}.png")
    if shipped.is_file():
        pixmap = QPixmap()
        pixmap.loadFromData(shipped.read_bytes())
        if not pixmap.isNull():
            return pixmap.scaled(THUMB, Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                                 Qt.TransformationMode.SmoothTransformation)
    pixmap = QPixmap(THUMB)
    pixmap.fill(QColor(_TILE_COLORS[sum(map(ord, entry.key)) % len(_TILE_COLORS)]))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont()
    font.setPointSize(34)
    font.setWeight(QFont.Weight.Bold)
    painter.setFont(font)
    painter.setPen(QColor(255, 255, 255, 220))
    painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, entry.title[:1].upper())
    painter.end()
    return pixmap


class BlockGallery(QDialog):
    """Choose a block to add; a search box filters by name and description."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Add a block")
        self.resize(820, 620)
        layout = QVBoxLayout(self)
        intro = QLabel("Built-in sections take their look from your theme. Starter blocks are code you can "
                       "change in the code editor.", wordWrap=True, objectName="muted")
        layout.addWidget(intro)
        self.search = QLineEdit(placeholderText="Search blocks")
        self.search.textChanged.connect(self._filter)
        layout.addWidget(self.search)
        self.list = QListWidget(objectName="gallery")
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(THUMB)
        self.list.setGridSize(QSize(THUMB.width() + 24, THUMB.height() + 64))
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.setWordWrap(True)
        self.list.setSpacing(6)
        for entry in gallery_entries():
            item = QListWidgetItem(QIcon(thumbnail(entry)), f"{entry.title}\n{entry.category}")
            item.setToolTip(entry.description or entry.title)
            item.setData(Qt.ItemDataRole.UserRole, entry)
            self.list.addItem(item)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        layout.addWidget(self.list, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.add_button = buttons.addButton("Add block", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.list.setCurrentRow(0)

    def _filter(self, text: str) -> None:
        needle = text.strip().lower()
        for i in range(self.list.count()):
            item = self.list.item(i)
            entry: GalleryEntry = item.data(Qt.ItemDataRole.UserRole)
            item.setHidden(bool(needle) and needle not in f"{entry.title} {entry.description}".lower())

    def selected_entry(self) -> GalleryEntry | None:
        """The highlighted entry."""
        item = self.list.currentItem()
        return None if item is None or item.isHidden() else item.data(Qt.ItemDataRole.UserRole)

    @classmethod
    def choose(cls, parent: QWidget | None = None) -> GalleryEntry | None:
        """Show the gallery; the chosen entry, or None when cancelled."""
        dialog = cls(parent)
        return dialog.selected_entry() if dialog.exec() == QDialog.DialogCode.Accepted else None
