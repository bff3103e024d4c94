"""The media library widget on the demo store: background imports with a progress bar and one error
dialog, alt text saved at once (and undone), delete warnings that name where an image is used, the picker."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QMimeData, QPointF, Qt, QTimer, QUrl  # noqa: E402
from PySide6.QtGui import QDropEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from shared.db.repositories import pages as page_repo  # noqa: E402
from shared.media.service import get_media, list_media, media_usage  # noqa: E402
from studio.editor.media_library import MediaLibrary, MediaPickerDialog  # noqa: E402
from studio.session import StudioSession  # noqa: E402

from screenshots import save_screenshot, settle  # noqa: E402 - tests/studio, see screenshots.py



@pytest.fixture
def warnings(monkeypatch) -> list[tuple[str, str]]:
    """QMessageBox.warning calls (title, text), answered Yes."""
    seen: list[tuple[str, str]] = []

    def warning(_parent, title, text, *_args, **_kwargs):
        seen.append((title, text))
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(warning))
    return seen


def _image(path: Path, colour: str, size=(900, 600)) -> Path:
    Image.new("RGB", size, colour).save(path)
    return path


def _files(tmp_path: Path) -> list[str]:
    bad = tmp_path / "notes.png"
    bad.write_text("not really an image")
    return [str(_image(tmp_path / "sunrise.jpg", "#f4a259")), str(_image(tmp_path / "tide.png", "#5b8e7d")),
            str(_image(tmp_path / "dunes.webp", "#bc4b51", (600, 900))), str(bad)]


def _library(qtbot, session: StudioSession) -> MediaLibrary:
    library = MediaLibrary(session)
    qtbot.addWidget(library)
    library.resize(1100, 680)
    library.show()
    return library


def test_importing_many_files_shows_progress_and_names_each_bad_file(qtbot, session, tmp_path, warnings):
    library = _library(qtbot, session)
    before = len(list_media(session.db))
    job = library.import_files(_files(tmp_path))
    assert job is not None and job.total == 4
    assert library.progress.isVisible() and library.progress.maximum() == 4
    qtbot.waitUntil(lambda: not library.importing, timeout=20_000)

    assert not library.progress.isVisible()
    assert len(list_media(session.db)) == before + 3
    assert library.model.rowCount() == before + 3
    [(title, text)] = warnings
    assert title == "Some files were not imported"
    assert "1 of 4 files" in text and "notes.png: The file is not an image that can be read" in text
    # The whole import is one undo step.
    session.undo_stack.undo()
    assert len(list_media(session.db)) == before
    session.undo_stack.redo()
    assert len(list_media(session.db)) == before + 3


def test_dropping_files_on_the_grid_imports_them(qtbot, session, tmp_path, warnings):
    library = _library(qtbot, session)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(_files(tmp_path)[0])])
    drop = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(library.import_finished, timeout=20_000) as finished:
        library.grid.dropEvent(drop)
    imported, errors = finished.args
    assert [m.filename for m in imported] == ["sunrise.jpg"] and errors == []
    assert library.inspector.media_id == imported[0].id      # the new image is selected
    assert warnings == []


def test_alt_text_is_saved_as_you_type_and_undone_in_one_step(qtbot, session):
    library = _library(qtbot, session)
    media = list_media(session.db)[0]
    library.select(media.id)
    assert library.inspector.title.text() == media.filename
    library.inspector.alt.clear()
    qtbot.keyClicks(library.inspector.alt, "Linen on a line")
    assert get_media(session.db, media.id).alt == "Linen on a line"
    assert library.inspector.alt.text() == "Linen on a line"       # reloads did not disturb typing
    session.undo_stack.undo()
    assert get_media(session.db, media.id).alt == media.alt


def test_delete_warns_with_the_places_the_image_is_used(qtbot, session, warnings):
    library = _library(qtbot, session)
    home = session.db.read(lambda conn: page_repo.get_page_by_slug(conn, "home"))
    hero = home.social_image_id
    library.select(hero)
    assert "Page 'Home' (social image)" in library.inspector.usage.text()

    assert library.delete_media(hero)
    [(title, text)] = warnings
    assert title == "Delete image"
    assert "Page 'Home' – block Hero (Background image)" in text and "Page 'Home' (social image)" in text
    assert library.model.row_of(hero) == -1 and library.inspector.media_id is None
    session.undo_stack.undo()
    assert library.model.row_of(hero) >= 0
    assert "Page 'Home' (social image)" in media_usage(session.db, hero)


def test_delete_of_an_unused_image_says_so_and_cancel_keeps_it(qtbot, session, tmp_path, monkeypatch):
    library = _library(qtbot, session)
    library.import_files([str(_image(tmp_path / "spare.png", "#334455"))])
    qtbot.waitUntil(lambda: not library.importing, timeout=20_000)
    spare = next(m for m in list_media(session.db) if m.filename == "spare.png")
    seen = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(
        lambda _p, title, text, *a: seen.append(text) or QMessageBox.StandardButton.Cancel))
    assert not library.delete_media(spare.id)
    assert seen == ["“spare.png” is not used anywhere. Delete it?"]
    assert get_media(session.db, spare.id) == spare


def test_replace_swaps_the_image_everywhere(qtbot, session, tmp_path, monkeypatch):
    library = _library(qtbot, session)
    home = session.db.read(lambda conn: page_repo.get_page_by_slug(conn, "home"))
    new_file = _image(tmp_path / "new-hero.jpg", "#2e4057", (1600, 900))
    monkeypatch.setattr("studio.editor.media_library.QFileDialog.getOpenFileName",
                        staticmethod(lambda *a, **k: (str(new_file), "")))
    library.replace_media(home.social_image_id)
    replaced = session.db.read(lambda conn: page_repo.get_page_by_slug(conn, "home")).social_image_id
    assert replaced != home.social_image_id
    assert library.inspector.media_id == replaced and library.inspector.title.text() == "new-hero.jpg"
    session.undo_stack.undo()
    assert session.db.read(lambda conn: page_repo.get_page_by_slug(conn, "home")).social_image_id == \
        home.social_image_id


def test_the_picker_returns_the_chosen_image(qtbot, session):
    media = list_media(session.db)[2]

    def choose():
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MediaPickerDialog) and w.isVisible())
        dialog.search.setText(media.filename)
        dialog.grid.setCurrentIndex(dialog.proxy.index(0, 0))
        dialog.accept()

    QTimer.singleShot(0, choose)
    assert MediaPickerDialog.pick(session, None) == media.id
    QTimer.singleShot(0, lambda: next(w for w in QApplication.topLevelWidgets()
                                      if isinstance(w, MediaPickerDialog) and w.isVisible()).reject())
    assert MediaPickerDialog.pick(session, None) is None


def test_screenshot(qtbot, session, tmp_path):
    library = _library(qtbot, session)
    home = session.db.read(lambda conn: page_repo.get_page_by_slug(conn, "home"))
    library.select(home.social_image_id)
    settle(qtbot, library)
    save_screenshot(library, "studio-media.png", tmp_path, size=(1100, 680))
