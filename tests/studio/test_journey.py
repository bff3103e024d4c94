"""A merchant's journey through the real studio window (offscreen Qt, real QtWebEngine preview, the
demo store in a libSQL file): create a page, add a block from the gallery, type code and see the
preview change, reorder, change the theme colour, undo, and the preview being what shoppers get."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QColorDialog, QInputDialog, QMessageBox

from shared.db.repositories import pages as page_repo
from shared.pages import drafts
from shared.themes.service import active_theme
from studio.editor.block_gallery import BlockGallery, gallery_entries
from support import stylesheet_href


def _entry(key: str):
    return next(e for e in gallery_entries() if e.key == key)


def _new_page(window, preview, monkeypatch, title: str):
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (title, True))
    preview.after(window.page_tree.new_page)
    return window.page_tree.current_page()


def test_create_a_page_and_add_a_block_from_the_gallery(studio_window, preview, monkeypatch):
    window = studio_window
    page = _new_page(window, preview, monkeypatch, "Gift guide")
    assert (page.slug, page.status) == ("gift-guide", "draft")
    assert window.preview.address == "/pages/gift-guide"
    assert "draft" in window.preview.banner.text() and window.preview.banner.isVisible()
    assert "Draft" in [b for b, _kind in window.page_tree.list.currentItem().data(Qt.ItemDataRole.UserRole + 2)]

    monkeypatch.setattr(BlockGallery, "choose", classmethod(lambda cls, parent=None: _entry("starter-callout")))
    preview.after(window.block_list.open_gallery)
    assert preview.js("document.querySelector('.vs-callout h2').textContent") == "Gift cards are here"
    stored = window.session.db.read(lambda conn: page_repo.list_blocks(conn, page.id))
    assert [b.kind for b in stored] == ["custom"]
    assert window.inspector.block.id == stored[0].id


def test_typing_code_changes_the_preview_and_bad_code_is_kept_but_not_rendered(studio_window, preview, monkeypatch,
                                                                              qtbot):
    window = studio_window
    _new_page(window, preview, monkeypatch, "Typing")
    window.block_list.add_entry(_entry("starter-quote"))
    preview.after()
    block = window.inspector.block
    editor = window.inspector.code.editor
    window.inspector.tabs.setCurrentWidget(window.inspector.code)
    code = editor.toPlainText()
    cursor = editor.textCursor()
    cursor.setPosition(code.index("<p>“") + len("<p>"))
    editor.setTextCursor(cursor)
    with qtbot.waitSignal(window.preview.loaded, timeout=15_000):
        qtbot.keyClicks(editor, "Truly: ")
    qtbot.waitUntil(lambda: "Truly: " in (preview.js(
        "document.querySelector('.vs-big-quote p').textContent") or ""), timeout=10_000)
    saved = window.session.db.read(lambda conn: page_repo.get_block(conn, block.id))
    assert "Truly: " in saved.code
    assert drafts.code_draft(window.session.db, block_id=block.id) is None

    # Broken code: kept as a draft (nothing typed is lost), the stored code and the preview stay.
    qtbot.keyClicks(editor, "${")
    qtbot.waitUntil(lambda: bool(window.inspector.code.problems), timeout=10_000)
    assert drafts.code_draft(window.session.db, block_id=block.id) == editor.toPlainText()
    assert window.session.db.read(lambda conn: page_repo.get_block(conn, block.id)).code == saved.code


def test_reorder_blocks_and_undo(studio_window, preview, monkeypatch):
    window = studio_window
    page = _new_page(window, preview, monkeypatch, "Order")
    for key in ("starter-quote", "starter-callout"):
        window.block_list.add_entry(_entry(key))
    preview.after()
    order = "Array.from(document.querySelectorAll('[data-block-kind=custom] > section')).map(e => e.className).join('|')"
    assert preview.js(order).split("|") == ["vs-section vs-big-quote", "vs-section vs-callout"]
    window.block_list.select_block(window.block_list.blocks()[1].id)
    preview.after(lambda: window.block_list._nudge(-1))
    assert preview.js(order).split("|") == ["vs-section vs-callout", "vs-section vs-big-quote"]
    preview.after(window.undo_action.trigger)
    assert preview.js(order).split("|") == ["vs-section vs-big-quote", "vs-section vs-callout"]
    assert [b.position for b in window.block_list.blocks()] == [0, 1]
    assert window.session.db.read(lambda conn: page_repo.get_page(conn, page.id)) is not None


def test_delete_a_block_then_undo_brings_it_back(studio_window, preview, monkeypatch):
    window = studio_window
    window.page_tree.select_slug("about")
    preview.after()
    blocks = window.block_list.blocks()
    window.block_list.select_block(blocks[0].id)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    preview.after(window.block_list.delete_current)
    assert [b.id for b in window.block_list.blocks()] == [b.id for b in blocks[1:]]
    assert preview.js(f"!!document.querySelector('[data-block-id=\"{blocks[0].id}\"]')") is False
    preview.after(window.undo_action.trigger)
    assert [b.id for b in window.block_list.blocks()] == [b.id for b in blocks]
    assert preview.js(f"!!document.querySelector('[data-block-id=\"{blocks[0].id}\"]')") is True


def test_theme_colour_follows_in_the_preview_and_undo_restores_it(studio_window, preview, monkeypatch):
    window = studio_window
    accent = "getComputedStyle(document.documentElement).getPropertyValue('--vs-color-accent').trim()"
    before = preview.js(accent)
    window.show_section(1)
    monkeypatch.setattr(QColorDialog, "getColor", lambda *a, **k: QColor("#aa3300"))
    preview.after(window.theme_editor.color_buttons["accent"].click)
    assert preview.js(accent) == "#aa3300"
    assert active_theme(window.session.db).settings["colors"]["accent"] == "#aa3300"
    preview.after(window.undo_action.trigger)
    assert preview.js(accent) == before


def test_a_refused_edit_shows_a_message_and_stores_nothing(studio_window, preview, monkeypatch, qtbot):
    window = studio_window
    pages_before = window.session.db.read(page_repo.list_pages)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("About", True))   # slug 'about' is taken
    window.page_tree.new_page()
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "problemDialog") is not None)
    assert "already uses the address 'about'" in window.findChild(QMessageBox, "problemDialog").text()
    assert window.session.db.read(page_repo.list_pages) == pages_before


def test_clicking_a_block_in_the_preview_selects_it(studio_window, preview, qtbot):
    window = studio_window
    hero = next(b for b in window.block_list.blocks() if b.kind == "hero")
    preview.js(f"document.querySelector('[data-block-id=\"{hero.id}\"] h1, [data-block-id=\"{hero.id}\"]').click(); true")
    qtbot.waitUntil(lambda: window.block_list.current_id == hero.id, timeout=30_000)
    assert window.inspector.block.id == hero.id


def test_live_preview_is_byte_for_byte_what_vibeshop_render_prints(studio_window, preview, demo_dir: Path):
    window = studio_window
    preview.after(lambda: window.preview.set_published(True))
    printed = subprocess.run([sys.executable, "-m", "vibeshop", "render", "--data", str(demo_dir), "/"],
                             capture_output=True, check=True).stdout
    assert window.preview.document.body == printed
    # The stylesheet the page links, as the preview loaded it, is the file `vibeshop render` prints for it.
    href = stylesheet_href(printed.decode())
    sheet = subprocess.run([sys.executable, "-m", "vibeshop", "render", "--data", str(demo_dir), href],
                           capture_output=True, check=True).stdout
    assert window.preview.handler.stylesheets[href.rsplit("/", 1)[1]] == sheet
    linked = ("JSON.stringify(Array.from(document.styleSheets).filter(s => s.href)"
              ".map(s => [new URL(s.href).pathname, s.cssRules.length]))")
    [(path, rules)] = json.loads(preview.js(linked))
    assert path == href and rules > 100           # loaded through the preview scheme and applied
    preview.after(lambda: window.preview.set_published(False))
    drafted = subprocess.run([sys.executable, "-m", "vibeshop", "render", "--preview", "--data", str(demo_dir), "/"],
                             capture_output=True, check=True).stdout
    assert window.preview.document.body == drafted
    assert preview.js("document.querySelectorAll('[data-block-id]').length") == drafted.count(b"data-block-id=")


@pytest.mark.parametrize("width", [390, 768, 1280])
def test_device_widths(studio_window, preview, width):
    window = studio_window
    window.preview.set_device_width(width)
    preview.after()
    preview.wait_js("window.innerWidth", width)


def test_the_header_is_edited_from_a_click_in_the_preview_and_undone(studio_window, preview, qtbot):
    window = studio_window
    search = "!!document.querySelector('[data-block-id=\"header\"] form[action=\"/search\"], [data-block-id=\"header\"] a[href=\"/search\"]')"
    assert preview.js(search) is True
    preview.js("document.querySelector('[data-block-id=\"header\"]').click(); true")
    qtbot.waitUntil(lambda: window.inspector.section == "header", timeout=30_000)
    assert window.inspector.heading.text() == "Header"
    assert not window.inspector.tabs.isTabEnabled(1)          # no code or history for theme sections
    preview.after(lambda: window.inspector.form.fields["show_search"].setChecked(False))
    assert preview.js(search) is False
    assert active_theme(window.session.db).settings["sections"]["header"]["show_search"] is False
    preview.after(window.undo_action.trigger)
    assert preview.js(search) is True
    assert window.inspector.form.fields["show_search"].isChecked()
