"""The posts editor, offscreen on a copy of the demo store: write a post with the toolbar, schedule
it, undo, delete; what is stored is what the service keeps."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QDateTime, Qt  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402
from PySide6.QtWidgets import QMessageBox, QScrollArea, QToolButton  # noqa: E402

from shared.db.repositories import content  # noqa: E402
from shared.posts import service as posts  # noqa: E402
from shared.storefront.routes import blog_route  # noqa: E402
from studio.editor.media_library import MediaPickerDialog  # noqa: E402
from studio.editor.posts_editor import PostsEditor, media_address  # noqa: E402
from studio.session import StudioSession  # noqa: E402

from screenshots import save_screenshot, settle  # noqa: E402 - tests/studio, see screenshots.py



@pytest.fixture
def editor(qtbot, session: StudioSession) -> PostsEditor:
    widget = PostsEditor(session)
    qtbot.addWidget(widget)
    widget.resize(1280, 960)
    widget.show()
    return widget


@pytest.fixture
def problems(session: StudioSession) -> list[tuple[str, str]]:
    """What the session reported as refused (the main window would show these)."""
    seen: list[tuple[str, str]] = []
    session.problem.connect(lambda title, message: seen.append((title, message)))
    return seen


def _stored(session: StudioSession, post_id: str):
    return posts.get_post(session.db, post_id)


def _type_body(qtbot, editor: PostsEditor, lines: list[str]) -> None:
    editor.body.setFocus()
    for index, line in enumerate(lines):
        if index:
            qtbot.keyClick(editor.body, Qt.Key.Key_Return)
        qtbot.keyClicks(editor.body, line)


def _select_blocks(editor: PostsEditor, first: int, last: int) -> None:
    document = editor.body.document()
    cursor = QTextCursor(document.findBlockByNumber(first))
    end = document.findBlockByNumber(last)
    cursor.setPosition(end.position() + end.length() - 1, QTextCursor.MoveMode.KeepAnchor)
    editor.body.setTextCursor(cursor)


def _new_post(qtbot, editor: PostsEditor, title: str) -> str:
    qtbot.mouseClick(editor.new_button, Qt.MouseButton.LeftButton)
    post = editor.current_post()
    assert post is not None and post.title == "Untitled post"
    assert editor.title_edit.hasFocus() or editor.title_edit.selectedText() == "Untitled post"
    editor.title_edit.selectAll()
    qtbot.keyClicks(editor.title_edit, title)
    return post.id


def test_write_format_schedule_undo_and_delete(qtbot, editor: PostsEditor, session: StudioSession,
                                               problems: list, monkeypatch: pytest.MonkeyPatch) -> None:
    addresses: list[str] = []
    editor.preview_address.connect(addresses.append)
    post_id = _new_post(qtbot, editor, "Autumn at the shop")
    # Typing is saved by itself shortly after the last key; a draft's address follows its title.
    qtbot.waitUntil(lambda: _stored(session, post_id).title == "Autumn at the shop", timeout=30_000)
    assert _stored(session, post_id).slug == "autumn-at-the-shop"
    assert editor.slug_edit.text() == "autumn-at-the-shop"
    assert addresses[-1] == "/blog/autumn-at-the-shop"

    _type_body(qtbot, editor, ["New in this week", "Wool socks", "Beeswax candles", "See you soon."])
    _select_blocks(editor, 0, 0)
    editor.format_actions["h2"].trigger()
    _select_blocks(editor, 1, 2)
    editor.format_actions["bullets"].trigger()
    _select_blocks(editor, 3, 3)
    editor.format_actions["bold"].trigger()
    editor.flush()
    body = _stored(session, post_id).body_html
    assert body == ("<h2>New in this week</h2><ul><li>Wool socks</li><li>Beeswax candles</li></ul>"
                    "<p><strong>See you soon.</strong></p>")
    formatted = body

    # More typing in the body, then undo: one step brings the body back as it was before it.
    editor.body.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor.body, " Bring a friend.")
    editor.flush()
    assert "Bring a friend." in _stored(session, post_id).body_html

    # Schedule it two days ahead: it is not on the blog until then.
    when = QDateTime.currentDateTime().addDays(2)
    editor.publish_edit.setDateTime(when)
    editor.state_combo.setCurrentIndex(1)
    editor.state_combo.activated.emit(1)
    scheduled = _stored(session, post_id)
    assert scheduled.status == "scheduled"
    assert abs(datetime.fromisoformat(scheduled.published_at).timestamp() - when.toSecsSinceEpoch()) < 1
    now = datetime.now(UTC)

    def on_blog(at: datetime) -> bool:
        stamp = at.isoformat(timespec="microseconds")
        return any(p["id"] == post_id for p in session.db.read(
            lambda conn: blog_route(conn, params={}, path="/blog", now=stamp))["posts"])

    assert not on_blog(now)
    assert on_blog(now + timedelta(days=2, minutes=1))
    assert "Scheduled for" in editor.list.currentItem().data(Qt.ItemDataRole.UserRole + 2)[0][0]
    assert editor.publish_edit.isEnabled()

    session.undo_stack.undo()                     # the schedule
    assert _stored(session, post_id).status == "draft"
    assert editor.state_combo.currentData() == "draft"
    session.undo_stack.undo()                     # the extra sentence
    assert _stored(session, post_id).body_html == formatted
    assert editor.body.html() == formatted        # the editor shows the stored body again
    session.undo_stack.redo()
    assert "Bring a friend." in _stored(session, post_id).body_html
    assert not problems

    # Delete, confirmed: gone; undo brings the very same post back.
    asked: list[str] = []

    def answer_yes(parent, title, text, *args, **kwargs):
        asked.append(title)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer_yes)
    before = _stored(session, post_id)
    qtbot.mouseClick(editor.delete_button, Qt.MouseButton.LeftButton)
    assert asked == ["Delete post"]
    assert post_id not in {p.id for p in posts.list_posts(session.db)}
    assert editor.current_post() is None or editor.current_post().id != post_id
    session.undo_stack.undo()
    assert _stored(session, post_id) == before


def test_cancelled_delete_keeps_the_post(qtbot, editor: PostsEditor, session: StudioSession,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    post = editor.current_post()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Cancel)
    editor.delete_current()
    assert _stored(session, post.id) == post


def test_focus_out_saves_at_once_and_typing_undoes_in_one_step(qtbot, editor: PostsEditor,
                                                               session: StudioSession) -> None:
    post = editor.current_post()
    editor.author_edit.setFocus()
    editor.author_edit.selectAll()
    qtbot.keyClicks(editor.author_edit, "Sam Okafor")
    editor.excerpt_edit.setFocus()                 # leaving the field saves without waiting
    assert _stored(session, post.id).author == "Sam Okafor"
    session.undo_stack.undo()
    assert _stored(session, post.id).author == post.author
    assert editor.author_edit.text() == post.author


def test_refused_input_is_shown_next_to_the_field(qtbot, editor: PostsEditor, session: StudioSession,
                                                  problems: list) -> None:
    post = editor.current_post()
    other = posts.list_posts(session.db)[1]
    editor.slug_edit.setFocus()
    editor.slug_edit.selectAll()
    qtbot.keyClicks(editor.slug_edit, other.slug)
    qtbot.keyClick(editor.slug_edit, Qt.Key.Key_Return)
    assert _stored(session, post.id).slug == post.slug
    assert problems and "already uses" in problems[-1][1]
    assert editor._errors["slug"].isVisibleTo(editor) and "already uses" in editor._errors["slug"].text()
    editor.slug_edit.selectAll()
    qtbot.keyClicks(editor.slug_edit, "our-makers")
    qtbot.keyClick(editor.slug_edit, Qt.Key.Key_Return)
    assert _stored(session, post.id).slug == "our-makers"
    assert not editor._errors["slug"].isVisibleTo(editor)


def test_scheduling_in_the_past_is_refused(qtbot, editor: PostsEditor, session: StudioSession,
                                           problems: list) -> None:
    post = editor.current_post()
    editor.set_state("draft")
    editor.publish_edit.setDateTime(QDateTime.currentDateTime().addDays(-1))
    editor.set_state("scheduled")
    assert _stored(session, post.id).status == "draft"
    assert "future" in editor._errors["state"].text()
    assert editor.state_combo.currentData() == "draft"


def test_links_images_and_hostile_paste_are_sanitised(qtbot, editor: PostsEditor, session: StudioSession) -> None:
    post_id = _new_post(qtbot, editor, "Links")
    _type_body(qtbot, editor, ["Read our story"])
    _select_blocks(editor, 0, 0)
    editor.body.set_link("https://example.com/story")
    media = session.db.read(content.list_media)[0]
    editor.body.moveCursor(QTextCursor.MoveOperation.End)
    editor.body.insert_image(media_address(media), "A mug")
    editor.flush()
    body = _stored(session, post_id).body_html
    assert '<a href="https://example.com/story" rel="noopener noreferrer">Read our story</a>' in body
    assert f'<img src="{media_address(media)}" alt="A mug">' in body
    # Stored HTML that slipped past an older version still loads harmlessly and is cleaned on save.
    editor.body.load('<p onclick="x()">hi <a href="javascript:alert(1)">there</a></p><script>alert(1)</script>')
    editor.flush()
    cleaned = _stored(session, post_id).body_html
    assert "javascript" not in cleaned and "script" not in cleaned and "onclick" not in cleaned


def test_image_from_the_media_picker(qtbot, editor: PostsEditor, session: StudioSession,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    post = editor.current_post()
    media = session.db.read(content.list_media)[0]
    monkeypatch.setattr(MediaPickerDialog, "pick", staticmethod(lambda *a, **k: media.id))
    editor.body.moveCursor(QTextCursor.MoveOperation.End)
    editor.format_actions["image"].trigger()
    src = media_address(media)
    assert src.startswith(f"/media/{media.hash}-") and (session.data_dir.media_dir / src[7:]).is_file()
    assert f'<img src="{src}"' in _stored(session, post.id).body_html
    session.undo_stack.undo()
    assert _stored(session, post.id).body_html == post.body_html


def test_cover_image(qtbot, editor: PostsEditor, session: StudioSession, monkeypatch: pytest.MonkeyPatch) -> None:
    post_id = _new_post(qtbot, editor, "Covered")
    media = session.db.read(content.list_media)[1]
    monkeypatch.setattr(MediaPickerDialog, "pick", staticmethod(lambda *a, **k: media.id))
    editor.cover_button.click()
    assert _stored(session, post_id).image_id == media.id
    assert editor.cover.pixmap() is not None and not editor.cover.pixmap().isNull()
    editor.cover_remove.click()
    assert _stored(session, post_id).image_id is None
    session.undo_stack.undo()
    assert _stored(session, post_id).image_id == media.id
    assert editor.cover_remove.isEnabled()


def test_seo_counters_turn_amber_past_the_recommendation(qtbot, editor: PostsEditor, session: StudioSession) -> None:
    editor.seo_title_edit.setFocus()
    qtbot.keyClicks(editor.seo_title_edit, "x" * 61)
    assert editor.counters["seo_title"].text() == "61 / 60"
    assert editor.counters["seo_title"].property("over") is True
    editor.seo_description_edit.setPlainText("A short description.")
    assert editor.counters["seo_description"].property("over") is False
    editor.flush()
    assert _stored(session, editor.current_post().id).seo_title == "x" * 61


def test_screenshot(qtbot, editor: PostsEditor, session: StudioSession, tmp_path: Path) -> None:
    post = editor.current_post()
    posts.update_post(session.db, post.id, seo_title="How we choose our makers · Harbor & Pine",
                      seo_description="Every piece in the shop comes from someone we have met: made nearby where "
                                      "we can, and tested at home before it reaches a shelf.")
    later = posts.create_post(session.db, "Winter market dates")
    posts.set_post_state(session.db, later.id, status="scheduled",
                         publish_at=(datetime.now(UTC) + timedelta(days=9)).replace(hour=9, minute=0).isoformat())
    posts.create_post(session.db, "Notes on natural dyes")
    session.notify("posts")
    editor.select_post(post.id)
    editor.resize(1280, 1000)          # everything in view, no scroll bar
    settle(qtbot, editor)
    save_screenshot(editor, "studio-posts.png", tmp_path, size=(1280, 1000))


def test_a_narrow_column_stacks_the_cards_and_folds_the_format_bar_instead_of_scrolling_sideways(
        qtbot, editor: PostsEditor, studio_look, tmp_path: Path) -> None:
    scroll = editor.findChild(QScrollArea, "postScroll")
    publishing, listing = editor.cards.cards
    more = editor.findChild(QToolButton, "qt_toolbar_ext_button")
    editor.resize(1280, 1000)
    qtbot.waitUntil(lambda: not editor.cards.stacked, timeout=20_000)
    settle(qtbot, editor)                  # every layout the resize started is done
    assert publishing.geometry().top() == listing.geometry().top()
    assert not more.isVisible()
    editor.resize(765, 1000)               # the posts column of a 1600 px window, beside the preview
    qtbot.waitUntil(lambda: editor.cards.stacked, timeout=20_000)
    qtbot.waitUntil(lambda: listing.geometry().top() > publishing.geometry().bottom(), timeout=20_000)
    settle(qtbot, editor)                  # the scroll area and the format bar followed too
    assert scroll.horizontalScrollBar().maximum() == 0
    assert more.isVisible() and more.text() == "»"          # the commands that did not fit
    save_screenshot(editor, "studio-posts-narrow.png", tmp_path)
    editor.resize(1280, 1000)
    qtbot.waitUntil(lambda: not editor.cards.stacked, timeout=20_000)
