"""The SEO panel on the demo store: counters and previews follow the typing, each field is saved at
once (one undo step per field), a bad canonical URL is held back, posts edit their own SEO fields."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from shared.db.repositories import content  # noqa: E402
from shared.db.repositories import pages as page_repo  # noqa: E402
from studio.editor import seo_panel  # noqa: E402
from studio.editor.seo_panel import SeoPanel, truncate  # noqa: E402
from studio.session import StudioSession  # noqa: E402

from screenshots import save_screenshot, settle  # noqa: E402 - tests/studio, see screenshots.py



def _page(session: StudioSession, slug: str):
    return session.db.read(lambda conn: page_repo.get_page_by_slug(conn, slug))


def _panel(qtbot, session: StudioSession, slug: str = "about") -> SeoPanel:
    panel = SeoPanel(session)
    qtbot.addWidget(panel)
    panel.resize(1100, 560)
    panel.show()
    panel.set_page(_page(session, slug).id)
    return panel


def test_truncate_cuts_at_a_word_with_an_ellipsis():
    assert truncate("Short", 60) == "Short"
    cut = truncate("Linen shirts, wool throws and pottery made by hand in small batches by the harbour", 60)
    assert cut.endswith("…") and len(cut) <= 60 and not cut[:-1].endswith(" ")


def test_nothing_selected_shows_a_hint(qtbot, session):
    panel = SeoPanel(session)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.empty.isVisible() and not panel.editor.isVisible()


def test_typing_updates_counters_snippet_and_the_page_row(qtbot, session):
    panel = _panel(qtbot, session)
    about = _page(session, "about")
    store_name = session.store.storefront().name
    assert panel.snippet.title.text() == f"{about.title} – {store_name}"      # the storefront's fallback
    assert panel.snippet.url.text().endswith("› pages › about")

    panel.title.clear()
    qtbot.keyClicks(panel.title, "Our story")
    assert _page(session, "about").seo_title == "Our story"
    assert panel.title_counter.text().startswith("9 / 60") and not panel.title_counter.over
    assert panel.snippet.title.text() == "Our story" and panel.card.title.text() == "Our story"

    long_title = " ".join(["Harbour"] * 10)                                   # 79 characters
    panel.title.clear()
    qtbot.keyClicks(panel.title, long_title)
    assert panel.title_counter.over and "will be cut" in panel.title_counter.text()
    assert "#b45309" in panel.title_counter.styleSheet()
    assert panel.snippet.title.text().endswith("…") and len(panel.snippet.title.text()) <= 60

    panel.description.setPlainText("")
    qtbot.keyClicks(panel.description, "Three generations of makers. " * 6)
    assert _page(session, "about").seo_description == "Three generations of makers. " * 6
    assert panel.description_counter.over
    assert len(panel.snippet.description.text()) <= 155 and panel.snippet.description.text().endswith("…")

    # Each field's typing is one undo step.
    session.undo_stack.undo()
    assert _page(session, "about").seo_description == about.seo_description
    assert panel.description.toPlainText() == about.seo_description
    session.undo_stack.undo()
    assert _page(session, "about").seo_title == about.seo_title     # all title typing was one step


def test_a_bad_canonical_url_is_held_back_and_a_good_one_saved(qtbot, session):
    panel = _panel(qtbot, session)
    problems = []
    session.problem.connect(lambda title, message: problems.append(message))
    qtbot.keyClicks(panel.canonical, "harbor")
    assert panel.canonical_problem.isVisible() and _page(session, "about").canonical_url == ""
    panel.canonical.clear()
    qtbot.keyClicks(panel.canonical, "https://harborandpine.com/about")
    assert not panel.canonical_problem.isVisible()
    assert _page(session, "about").canonical_url == "https://harborandpine.com/about"
    assert panel.snippet.url.text().startswith("https://harborandpine.com")
    assert problems == []


def test_noindex_and_social_image(qtbot, session, monkeypatch):
    panel = _panel(qtbot, session)
    panel.noindex.click()
    assert _page(session, "about").noindex is True
    hero = _page(session, "home").social_image_id
    monkeypatch.setattr(seo_panel.MediaPickerDialog, "pick", staticmethod(lambda *a, **k: hero))
    panel.choose_image.click()
    assert _page(session, "about").social_image_id == hero
    assert panel.card.image.pixmap() is not None and not panel.card.image.pixmap().isNull()
    assert panel.card_note.text() == ""
    panel.remove_image.click()
    assert _page(session, "about").social_image_id is None
    assert "first image" in panel.card_note.text()          # About shows its story image instead
    assert _page(session, "about").noindex is True          # saving one field kept the others


def test_posts_edit_their_search_title_and_description(qtbot, session):
    post = session.db.read(content.list_posts)[0]
    panel = SeoPanel(session)
    qtbot.addWidget(panel)
    panel.show()
    panel.set_post(post.id)
    assert not panel.canonical.isVisible() and not panel.noindex.isVisible()
    qtbot.keyClicks(panel.title, "Journal")
    stored = session.db.read(lambda conn: content.get_post_by_slug(conn, post.slug))
    assert stored.seo_title == "Journal"
    assert panel.snippet.url.text().endswith(f"› blog › {post.slug}")
    assert panel.card_note.text() == "The post's cover image is its social image."


def test_screenshot(qtbot, session, tmp_path):
    panel = _panel(qtbot, session, "home")
    qtbot.keyClicks(panel.title, "Harbor & Pine: linen, wool and pottery from the harbour town of Pine")
    settle(qtbot, panel)
    # The stacked layout's minimum height is more than the 560 px _panel asks for: expect the panel's own size.
    save_screenshot(panel, "studio-seo.png", tmp_path)
