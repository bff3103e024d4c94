"""The media library: a grid of the store's images with an inspector (alt text, where it is used,
replace, delete), imports by file dialog or drag-and-drop, and the image picker block settings use.

Imports run on a thread pool (import_image is thread-safe: the store's Database serialises writes)
with a progress bar; the files that were refused are named together in one dialog at the end. Every
change goes through `StudioSession.edit`, so it is written at once and can be undone.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import (QAbstractListModel, QModelIndex, QObject, QRunnable, QSize, QSortFilterProxyModel, Qt,
                            QThreadPool, Signal)
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPixmap, QPixmapCache
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
                               QListView, QMessageBox, QProgressBar, QPushButton, QSplitter,
                               QVBoxLayout, QWidget)

from shared.media import names
from shared.media.errors import MediaError, MediaErrorCode
from shared.media.service import (MAX_ALT, MAX_BYTES, delete_media, get_media, import_image, list_media,
                                  media_refs, replace_media, restore_media, undo_replace, update_alt)
from shared.media.usage import BLOCK, PAGE_SOCIAL, POST_COVER, STORE_LOGO
from shared.models import Media
from studio.session import BLOCKS, MEDIA, PAGES, POSTS, STORE, StudioSession

IMAGE_FILTER = "Images (*.jpg *.jpeg *.png *.webp *.gif);;All files (*)"
MEDIA_ID = Qt.ItemDataRole.UserRole
_SCOPES = {PAGE_SOCIAL: PAGES, BLOCK: BLOCKS, POST_COVER: POSTS, STORE_LOGO: STORE}
_STYLE = """
QListView#mediaGrid { background: #f6f7f9; border: 1px solid #dfe3e8; border-radius: 6px; }
QListView#mediaGrid::item { border-radius: 6px; padding: 6px; color: #1f2933; }
QListView#mediaGrid::item:selected { background: #dbe7fb; color: #1f2933; }
QLabel#mediaPreview { background: #eef0f3; border: 1px solid #dfe3e8; border-radius: 6px; }
QLabel#mediaEmpty { color: #6b7785; }
QLabel#mediaTitle { font-weight: 600; font-size: 14px; }
QLabel#mediaMeta, QLabel#mediaUsage { color: #52606d; }
"""


def human_size(size: int) -> str:
    """Bytes as the merchant reads them: '245 KB', '3.1 MB'."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def rendition_path(media_dir: Path, media: Media, *, at_least: int = 0) -> Path:
    """The smallest rendition at least `at_least` pixels wide (the widest when none is)."""
    widths = sorted(media.widths) or [media.width]
    width = next((w for w in widths if w >= at_least), widths[-1])
    try:
        return names.rendition_path(media_dir, media.hash, width, media.format)
    except MediaError:
        return media_dir / ".not-a-rendition"     # a row holding no rendition name: shown as missing


def thumbnail(media_dir: Path, media: Media, size: int) -> QPixmap:
    """The image scaled to fit a `size` square, cached (renditions are content-addressed, so the hash
    is a key that never goes stale). A missing file gives a grey tile."""
    key = f"vibeshop-media:{media.hash}:{size}"
    found = QPixmapCache.find(key)
    if found is not None and not found.isNull():
        return found
    pixmap = QPixmap(str(rendition_path(media_dir, media, at_least=size)))
    if pixmap.isNull():
        pixmap = QPixmap(size, size)
        pixmap.fill(QColor("#d9dde3"))
    pixmap = pixmap.scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio,
                           Qt.TransformationMode.SmoothTransformation)
    QPixmapCache.insert(key, pixmap)
    return pixmap


def _tile(pixmap: QPixmap, size: int) -> QPixmap:
    """The thumbnail centred on a square canvas, so the grid lines up whatever the image's shape."""
    tile = QPixmap(size, size)
    tile.fill(Qt.GlobalColor.transparent)
    painter = QPainter(tile)
    painter.drawPixmap((size - pixmap.width()) // 2, (size - pixmap.height()) // 2, pixmap)
    painter.end()
    return tile


class MediaModel(QAbstractListModel):
    """The store's images: filename and size as text, the thumbnail as decoration, the id as UserRole."""

    def __init__(self, session: StudioSession, icon_size: int = 128, parent: QObject | None = None):
        super().__init__(parent)
        self._session, self._icon = session, icon_size
        self._items: list[Media] = []
        self.reload()

    def reload(self) -> None:
        """Read the library again."""
        self.beginResetModel()
        self._items = list_media(self._session.db)
        self.endResetModel()

    def media(self, row: int) -> Media:
        """The image shown at a row."""
        return self._items[row]

    def row_of(self, media_id: str) -> int:
        """The row of an image, -1 when it is not in the library."""
        return next((i for i, m in enumerate(self._items) if m.id == media_id), -1)

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's names
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        media = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{_elide(media.filename, 20)}\n{human_size(media.bytes)}"
        if role == Qt.ItemDataRole.DecorationRole:
            return _tile(thumbnail(self._session.data_dir.media_dir, media, self._icon), self._icon)
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{media.filename}\n{media.width} × {media.height} px" + (f"\n{media.alt}" if media.alt else "")
        if role == MEDIA_ID:
            return media.id
        if role == Qt.ItemDataRole.UserRole + 1:       # what the picker's search matches
            return f"{media.filename} {media.alt}"
        return None


def _elide(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


class MediaGrid(QListView):
    """Thumbnails in rows; local image files dropped on it are reported by `files_dropped`."""

    files_dropped = Signal(list)

    def __init__(self, icon_size: int = 128, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("mediaGrid")
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setMovement(QListView.Movement.Static)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setWordWrap(True)
        self.setIconSize(QSize(icon_size, icon_size))
        self.setGridSize(QSize(icon_size + 28, icon_size + 52))
        self.setSpacing(6)
        self.setAcceptDrops(True)
        self.setDragDropMode(QListView.DragDropMode.DropOnly)

    @staticmethod
    def _paths(event) -> list[str]:
        mime = event.mimeData()
        return [u.toLocalFile() for u in mime.urls() if u.isLocalFile()] if mime.hasUrls() else []

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self._paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self._paths(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt's name
        paths = self._paths(event)
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)


class _ImportSignals(QObject):
    done = Signal(str, object, str)        # path, Media or None, why it was refused


class _ImportOne(QRunnable):
    """Import one file on a pool thread; reports through `signals` (queued to the UI thread)."""

    def __init__(self, session: StudioSession, path: str, signals: _ImportSignals):
        super().__init__()
        self._session, self._path, self._signals = session, path, signals

    def run(self) -> None:
        try:
            if os.path.getsize(self._path) > MAX_BYTES:
                raise MediaError(MediaErrorCode.TOO_LARGE, f"Images can be at most {MAX_BYTES // 2**20} MB")  # not read at all
            data = Path(self._path).read_bytes()
            media = import_image(self._session.db, self._session.data_dir.media_dir, data=data,
                                 filename=Path(self._path).name)
            self._signals.done.emit(self._path, media, "")
        except MediaError as exc:
            self._signals.done.emit(self._path, None, str(exc))
        except OSError as exc:
            self._signals.done.emit(self._path, None, f"The file could not be read ({exc.strerror or exc})")


class ImportJob(QObject):
    """Imports files in the background: `progress(done, total)` after each file, then
    `finished(imported, errors)` with the Media imported and (file name, reason) for each refusal."""

    progress = Signal(int, int)
    finished = Signal(list, list)

    def __init__(self, session: StudioSession, paths: list[str], parent: QObject | None = None):
        super().__init__(parent)
        self._session, self._paths = session, list(dict.fromkeys(paths))
        self._imported: list[Media] = []
        self._errors: list[tuple[str, str]] = []
        self._signals = _ImportSignals(self)
        self._signals.done.connect(self._one_done)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max(1, min(4, QThreadPool.globalInstance().maxThreadCount())))

    @property
    def total(self) -> int:
        """How many files this job imports."""
        return len(self._paths)

    def start(self) -> None:
        """Queue every file."""
        if not self._paths:
            self.finished.emit([], [])
        # The job keeps its runnables: PySide must not delete a QRunnable Python still refers to.
        self._runnables = [_ImportOne(self._session, path, self._signals) for path in self._paths]
        for runnable in self._runnables:
            runnable.setAutoDelete(False)
            self._pool.start(runnable)

    def _one_done(self, path: str, media: Media | None, error: str) -> None:
        if media is not None:
            self._imported.append(media)
        else:
            self._errors.append((Path(path).name, error))
        done = len(self._imported) + len(self._errors)
        self.progress.emit(done, self.total)
        if done == self.total:
            self.finished.emit(self._imported, self._errors)


class MediaInspector(QWidget):
    """The selected image: a larger preview, its size, alt text, where it is used, Replace… and Delete…."""

    replace_requested = Signal(str)
    delete_requested = Signal(str)

    def __init__(self, session: StudioSession, parent: QWidget | None = None):
        super().__init__(parent)
        self._session, self._media_id = session, None
        self.preview = QLabel(objectName="mediaPreview", alignment=Qt.AlignmentFlag.AlignCenter)
        self.preview.setFixedSize(280, 210)
        self.title = QLabel(objectName="mediaTitle", wordWrap=True)
        self.meta = QLabel(objectName="mediaMeta", wordWrap=True)
        self.alt = QLineEdit(placeholderText="Describe the image for people who can't see it")
        self.alt.setMaxLength(MAX_ALT)
        self.alt.textEdited.connect(self._alt_edited)
        self.usage = QLabel(objectName="mediaUsage", wordWrap=True)
        self.usage.setTextFormat(Qt.TextFormat.PlainText)
        self.replace_button = QPushButton("Replace…")
        self.delete_button = QPushButton("Delete…")
        self.replace_button.clicked.connect(lambda: self._media_id and self.replace_requested.emit(self._media_id))
        self.delete_button.clicked.connect(lambda: self._media_id and self.delete_requested.emit(self._media_id))
        self.empty = QLabel("Select an image to see its details.", objectName="mediaEmpty",
                            alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Alt text", self.alt)
        form.addRow("Used in", self.usage)
        buttons = QHBoxLayout()
        buttons.addWidget(self.replace_button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        self.details = QWidget()
        inner = QVBoxLayout(self.details)
        inner.setContentsMargins(0, 0, 0, 0)
        for widget in (self.preview, self.title, self.meta):
            inner.addWidget(widget)
        inner.addLayout(form)
        inner.addLayout(buttons)
        inner.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.details)
        self.setMinimumWidth(300)
        self.show_media(None)

    @property
    def media_id(self) -> str | None:
        """The image shown, if any."""
        return self._media_id

    def show_media(self, media: Media | None) -> None:
        """Show an image (None: the empty state). The alt field keeps what is typed if it is current."""
        self.details.setVisible(media is not None)
        self.empty.setVisible(media is None)
        if media is None:
            self._media_id = None
            return
        same = media.id == self._media_id
        self._media_id = media.id
        if not same:
            self.preview.setPixmap(thumbnail(self._session.data_dir.media_dir, media, 270))
        self.title.setText(media.filename)
        kind = media.mime.split("/")[-1].upper()
        self.meta.setText(f"{media.width} × {media.height} px · {kind} · {human_size(media.bytes)}")
        if self.alt.text() != media.alt:
            self.alt.setText(media.alt)
            self.alt.setCursorPosition(0)
        places = [ref.label for ref in media_refs(self._session.db, media.id)]
        self.usage.setText("\n".join(places) if places else "Not used anywhere")

    def _alt_edited(self, text: str) -> None:
        media_id = self._media_id
        if media_id is None:
            return
        before = self._session.attempt("Change alt text", lambda: get_media(self._session.db, media_id).alt)
        if before is None:
            return
        self._session.edit("Change alt text", lambda: update_alt(self._session.db, media_id, text),
                           lambda _m: update_alt(self._session.db, media_id, before), scopes=(MEDIA,),
                           merge_key=f"media-alt:{media_id}")


class MediaLibrary(QWidget):
    """The store's images: import, browse, describe, replace and delete them."""

    media_selected = Signal(str)          # a media id
    import_finished = Signal(list, list)  # the Media imported, (file name, reason) for each refused file

    def __init__(self, session: StudioSession, parent: QWidget | None = None):
        super().__init__(parent)
        self._session = session
        self._job: ImportJob | None = None
        self._finished_job: ImportJob | None = None
        self.model = MediaModel(session, parent=self)
        self.grid = MediaGrid()
        self.grid.setModel(self.model)
        self.grid.selectionModel().currentChanged.connect(self._current_changed)
        self.grid.files_dropped.connect(self.import_files)
        self.inspector = MediaInspector(session)
        self.inspector.replace_requested.connect(self.replace_media)
        self.inspector.delete_requested.connect(self.delete_media)

        self.import_button = QPushButton("Import images…")
        self.import_button.clicked.connect(self._choose_files)
        self.progress = QProgressBar(textVisible=True)
        self.progress.setFormat("Importing %v of %m")
        self.progress.setMaximumWidth(260)
        self.progress.hide()
        self.count = QLabel(objectName="mediaMeta")
        hint = QLabel("Drop image files on the grid to import them.", objectName="mediaMeta")
        top = QHBoxLayout()
        top.addWidget(self.import_button)
        top.addWidget(self.progress)
        top.addWidget(hint)
        top.addStretch(1)
        top.addWidget(self.count)

        split = QSplitter()
        split.addWidget(self.grid)
        split.addWidget(self.inspector)
        split.setStretchFactor(0, 1)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self.setStyleSheet(_STYLE)
        session.changed.connect(self._changed)
        self._update_count()

    def select(self, media_id: str) -> None:
        """Select an image in the grid."""
        row = self.model.row_of(media_id)
        if row >= 0:
            self.grid.setCurrentIndex(self.model.index(row))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        media = self.model.media(current.row()) if current.isValid() else None
        self.inspector.show_media(media)
        if media is not None:
            self.media_selected.emit(media.id)

    def _changed(self, scope: str) -> None:
        selected = self.inspector.media_id
        if scope == MEDIA:
            self.model.reload()
            self._update_count()
            if selected is not None and self.model.row_of(selected) >= 0:
                self.select(selected)
            else:
                self.inspector.show_media(None)
        elif selected is not None and self.model.row_of(selected) >= 0:
            self.inspector.show_media(self.model.media(self.model.row_of(selected)))   # where it is used

    def _update_count(self) -> None:
        n = self.model.rowCount()
        self.count.setText(f"{n} image{'s' if n != 1 else ''}")

    def _choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Import images", "", IMAGE_FILTER)
        if paths:
            self.import_files(paths)

    def import_files(self, paths: list[str]) -> ImportJob | None:
        """Import files in the background; refused files are named together at the end."""
        if self._job is not None or not paths:
            return None
        known = {m.id for m in list_media(self._session.db)}
        self._job = ImportJob(self._session, paths)
        self.progress.setRange(0, self._job.total)
        self.progress.setValue(0)
        self.progress.show()
        self.import_button.setEnabled(False)
        self._job.progress.connect(lambda done, _total: self.progress.setValue(done))
        self._job.finished.connect(lambda imported, errors: self._import_done(imported, errors, known))
        self._job.start()
        return self._job

    @property
    def importing(self) -> bool:
        """Whether an import is running."""
        return self._job is not None

    def _import_done(self, imported: list[Media], errors: list[tuple[str, str]], known: set[str]) -> None:
        # Kept until the next import: deleting a job from inside its own signal crashes PySide.
        self._finished_job, self._job = self._job, None
        self.progress.hide()
        self.import_button.setEnabled(True)
        new_ids = list(dict.fromkeys(m.id for m in imported if m.id not in known))
        if new_ids:
            self._record_import(new_ids)
            self.select(new_ids[0])
        if errors:
            lines = "\n".join(f"• {name}: {why}" for name, why in errors)
            total = len(errors) + len(imported)
            QMessageBox.warning(self, "Some files were not imported",
                                f"{len(errors)} of {total} files could not be imported:\n\n{lines}")
        self.import_finished.emit(imported, errors)

    def _record_import(self, new_ids: list[str]) -> None:
        """Put the finished import on the undo stack (undo deletes the new images, redo restores them)."""
        db, media_dir, removed = self._session.db, self._session.data_dir.media_dir, []

        def undo(ids: list[str]) -> None:
            removed[:] = [delete_media(db, media_dir, media_id) for media_id in ids]

        def redo() -> None:
            for item in removed:
                restore_media(db, item)

        n = len(new_ids)
        self._session.edit(f"Import {n} image{'s' if n != 1 else ''}", lambda: new_ids, undo, redo=redo,
                           scopes=(MEDIA,))

    def replace_media(self, media_id: str) -> None:
        """Ask for a file and swap the image for it everywhere it is used."""
        path, _ = QFileDialog.getOpenFileName(self, "Replace image", "", IMAGE_FILTER)
        if not path:
            return
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            self._session.problem.emit("Replace image", f"{Path(path).name} could not be read ({exc.strerror})")
            return
        db, media_dir, state = self._session.db, self._session.data_dir.media_dir, {}

        def do():
            state["done"] = replace_media(db, media_dir, media_id, data=data, filename=Path(path).name)
            return state["done"]

        scopes = self._scopes_of(media_id)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            done = self._session.edit("Replace image", do, lambda _r: undo_replace(db, state["done"]), scopes=scopes)
        finally:
            QGuiApplication.restoreOverrideCursor()
        if done is not None:
            self.select(done.new.id)

    def delete_media(self, media_id: str) -> bool:
        """Delete an image after a warning that names every place it is used; True when deleted."""
        media = self.model.media(self.model.row_of(media_id)) if self.model.row_of(media_id) >= 0 else None
        places = [ref.label for ref in media_refs(self._session.db, media_id)]
        name = media.filename if media else "this image"
        if places:
            where = "\n".join(f"• {p}" for p in places)
            text = f"“{name}” is used in:\n\n{where}\n\nThose places will show no image. Delete it?"
        else:
            text = f"“{name}” is not used anywhere. Delete it?"
        answer = QMessageBox.warning(self, "Delete image", text,
                                     QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
                                     QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return False
        db, media_dir, state = self._session.db, self._session.data_dir.media_dir, {}

        def do():
            state["removed"] = delete_media(db, media_dir, media_id)
            return state["removed"]

        return self._session.edit("Delete image", do, lambda _r: restore_media(db, state["removed"]),
                                  scopes=self._scopes_of(media_id)) is not None

    def _scopes_of(self, media_id: str) -> tuple[str, ...]:
        kinds = {ref.kind for ref in media_refs(self._session.db, media_id)}
        return (MEDIA, *dict.fromkeys(_SCOPES.get(k, BLOCKS) for k in sorted(kinds)))


class MediaPickerDialog(QDialog):
    """Choose one image of the library (search by file name or alt text; images can be imported here)."""

    def __init__(self, session: StudioSession, parent: QWidget | None = None, *, current: str | None = None):
        super().__init__(parent)
        self.setWindowTitle("Choose an image")
        self.resize(720, 520)
        self._session = session
        self.model = MediaModel(session, icon_size=112, parent=self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterRole(Qt.ItemDataRole.UserRole + 1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.search = QLineEdit(placeholderText="Search by file name or alt text", clearButtonEnabled=True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        self.grid = MediaGrid(112)
        self.grid.setModel(self.proxy)
        self.grid.doubleClicked.connect(lambda _i: self.accept())
        self.grid.files_dropped.connect(self._import)
        import_button = QPushButton("Import…")
        import_button.clicked.connect(self._choose_files)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.buttons.addButton(import_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.buttons)
        self.setStyleSheet(_STYLE)
        self._job: ImportJob | None = None
        if current:
            self.select(current)

    def select(self, media_id: str) -> None:
        """Select an image."""
        row = self.model.row_of(media_id)
        if row >= 0:
            self.grid.setCurrentIndex(self.proxy.mapFromSource(self.model.index(row)))

    def selected_id(self) -> str | None:
        """The chosen image's id."""
        index = self.grid.currentIndex()
        return index.data(MEDIA_ID) if index.isValid() else None

    def _choose_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Import images", "", IMAGE_FILTER)
        if paths:
            self._import(paths)

    def _import(self, paths: list[str]) -> None:
        # A small import: the picker shows what arrived and the library's undo covers nothing here,
        # so the images simply join the library (they can be deleted there).
        self._job = ImportJob(self._session, paths, self)
        self._job.finished.connect(self._imported)
        self._job.start()

    def _imported(self, imported: list[Media], errors: list[tuple[str, str]]) -> None:
        self.model.reload()
        self._session.notify(MEDIA)
        if imported:
            self.select(imported[0].id)
        if errors:
            QMessageBox.warning(self, "Some files were not imported",
                                "\n".join(f"• {name}: {why}" for name, why in errors))

    @staticmethod
    def pick(session: StudioSession, parent: QWidget | None = None, *, current: str | None = None) -> str | None:
        """Show the picker; the chosen media id, or None when cancelled."""
        dialog = MediaPickerDialog(session, parent, current=current)
        chosen = dialog.selected_id() if dialog.exec() == QDialog.DialogCode.Accepted else None
        dialog.deleteLater()
        return chosen

