"""The studio's E-mails section, offscreen: choose a message, customise it, edit a block's setting and
see the preview follow; the preview holds the bytes the outbox gets; a failing block is shown with its
error while the built-in e-mail is previewed (and sent). The section is reachable from the rail."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from studio.none_refcount import guard_none_refcount
from studio.preview.scheme import register_scheme

guard_none_refcount()
register_scheme()

from shared.mail import enqueue_email, render_ready_for_pickup  # noqa: E402
from shared.mail.designs import using_designs  # noqa: E402
from shared.mail.designs.samples import sample_order, store_branding  # noqa: E402
from studio.emails.section import PREVIEW_SITE  # noqa: E402
from shared.db.repositories import outbox as outbox_repo  # noqa: E402
from shared.storefront.service import DataDir, open_store  # noqa: E402

DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def session(demo_dir: Path, qapp) -> Iterator[Any]:
    from studio.session import StudioSession

    data_dir = DataDir(demo_dir)
    studio = StudioSession(data_dir, open_store(data_dir, "demo"))
    yield studio
    studio.close()


@pytest.fixture
def section(qtbot, session) -> Any:
    from studio.emails import EmailsSection

    widget = EmailsSection(session)
    qtbot.addWidget(widget)
    widget.resize(1300, 860)
    widget.show()
    return widget


def _loaded(qtbot, section, action) -> None:
    with qtbot.waitSignal(section.view.loadFinished, timeout=20_000):
        action()


def _frame(view):  # noqa: ANN001, ANN202
    """What the web view shows now, or None while it has painted nothing (one colour all over)."""
    image = view.grab().toImage()
    colours = {image.pixel(x, y) for y in range(0, image.height(), 16) for x in range(0, image.width(), 16)}
    return image if len(colours) > 1 else None


def _shown(qtbot, section, action) -> None:
    """_loaded, then wait until the view paints the new page: loadFinished comes before the frame, and
    until then the view shows the page before (or nothing)."""
    qtbot.waitUntil(lambda: _frame(section.view) is not None, timeout=20_000)   # the page before, painted
    before = _frame(section.view)
    _loaded(qtbot, section, action)
    qtbot.waitUntil(lambda: (now := _frame(section.view)) is not None and now != before, timeout=20_000)


def _shot(widget, name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    assert widget.grab().save(str(path), "PNG")
    if os.environ.get("VIBESHOP_DOCS_SCREENSHOTS") == "1":
        shutil.copyfile(path, DOCS / name)


def test_customise_edit_and_preview_the_bytes_that_are_sent(qtbot, section, session, tmp_path) -> None:
    # Each step waits for its own frame (the screenshot below shows the last one).
    _shown(qtbot, section, lambda: section.select_kind("ready_for_pickup"))
    assert section.customise_button.isVisible() and "em-card" not in section.last_preview.html

    _shown(qtbot, section, section.start_design)
    assert section.blocks.count() == 5 and 'class="em-card em-wrap"' in section.last_preview.html
    section.blocks.setCurrentRow(1)                                      # "Heading and text"
    _shown(qtbot, section, lambda: section.set_setting("heading", "Come and get it, {number}"))
    assert "Come and get it, #1001" in section.last_preview.html
    assert "Come and get it, #1001" in section.text_part.toPlainText()
    assert section.view.title() == section.last_preview.subject == "Order #1001 is ready for pickup"

    db = session.db
    order = sample_order(pickup=True)

    def write(conn):
        branding = store_branding(conn, PREVIEW_SITE)
        with using_designs(conn):
            return enqueue_email(conn, render_ready_for_pickup(order, branding, unpaid=True),
                                 dedupe_key="order:x:ready_for_pickup")
    row_id = db.write(write)
    payload = json.loads(db.read(lambda conn: outbox_repo.get_row(conn, row_id)).payload)
    assert payload["html"] == section.last_preview.html and payload["text"] == section.last_preview.text
    _shot(section, "email-studio.png", tmp_path)

    _loaded(qtbot, section, lambda: section.move_block(1))              # heading below the location
    assert section.design.blocks[2].kind == "email-heading"
    _loaded(qtbot, section, section.use_builtin)
    assert section.design is None and "em-card" not in section.last_preview.html


def test_a_failing_block_shows_its_error_and_the_builtin_email_is_previewed(qtbot, section) -> None:
    _loaded(qtbot, section, lambda: section.select_kind("order_confirmation"))
    _loaded(qtbot, section, section.start_design)
    code = ('const schema = { name: "Loud", settings: [] };\n'
            'function render(ctx, h) { throw new Error("no order for you"); }')
    _loaded(qtbot, section, lambda: section.add_block(code=code))
    assert "no order for you" in section.error.text() and "built-in template" in section.error.text()
    assert "em-card" not in section.last_preview.html                     # what would be sent instead

    before = section.design
    section.add_block(code='const schema = { name: "x", settings: [] };\n'
                           'function render(ctx, h) { return fetch("x"); }')
    assert "not allowed" in section.error.text() and section.design == before      # refused, nothing saved


def test_the_section_is_on_the_rail(qtbot, demo_dir: Path) -> None:
    from studio.main_window import MainWindow
    from studio.session import StudioSession

    session = StudioSession(DataDir(demo_dir), open_store(DataDir(demo_dir), "demo"))
    window = MainWindow(session)
    qtbot.addWidget(window)
    try:
        window.show_section("E-mails")
        assert window.center.currentWidget() is window.emails
        assert window.emails.kinds.count() == 8
    finally:
        window.close()
        session.close()


def test_a_block_made_your_own_with_code(qtbot, section) -> None:
    _loaded(qtbot, section, lambda: section.select_kind("sign_in_code"))
    _loaded(qtbot, section, section.start_design)
    section.blocks.setCurrentRow(2)                                      # the code block
    assert "function render(ctx, h)" in section.code.toPlainText()
    code = ('const schema = { name: "Big code", settings: [] };\n'
            'function render(ctx, h) { return h.html`<tr><td class="em-section">Use ${ctx.email.code} now</td></tr>`; }')
    section.code.setPlainText(code)
    _loaded(qtbot, section, section.apply_code_button.click)
    assert section.design.blocks[2].kind == "custom" and section.blocks.item(2).text() == "Big code"
    assert "Use 482913 now" in section.last_preview.html and section.error.text() == ""
