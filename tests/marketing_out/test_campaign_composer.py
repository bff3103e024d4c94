"""Marketing ▸ Campaigns composer in the studio (Qt offscreen) against a real cloud app on loopback and
the studio's own session on the same store: the body written as rich text is stored as sanitised HTML
with a derived text part; a picked product shows in the (debounced) preview, in the test copy and in the
subscribers' copies in the outbox; the abandoned-checkout toggle (off by default) is PATCHed to the cloud."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from shared.mail import outbox_entries
from shared.storefront.service import DataDir, open_store
from studio.marketing import CampaignsPage
from studio.marketing.cards import PRODUCT_ID
from studio.marketing.page import admin
from tests.marketing_out.test_campaigns_studio_page import Controller, cloud  # noqa: F401 - the fixture


@pytest.fixture
def session(demo_dir: Path, qapp) -> Iterator[Any]:  # noqa: ANN001
    """The studio's session on the same store the cloud serves (its copy of the catalogue)."""
    from studio.session import StudioSession

    studio = StudioSession(DataDir(demo_dir), open_store(DataDir(demo_dir), "demo"))
    yield studio
    studio.close()


def _select(page: CampaignsPage, start: int, end: int) -> None:
    cursor = page.body.edit.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    page.body.edit.setTextCursor(cursor)


def _copies(demo_dir: Path, marker: str) -> list[dict[str, Any]]:
    store = open_store(DataDir(demo_dir), "demo")
    try:
        return [json.loads(r.payload) for r in store.db.read(lambda conn: outbox_entries(conn, kind="email"))
                if marker in r.dedupe_key]
    finally:
        store.close()


def test_rich_text_and_a_product_from_composer_to_outbox(qtbot, cloud, session, demo_dir: Path):  # noqa: ANN001, F811
    page = CampaignsPage(Controller(cloud), session)
    qtbot.addWidget(page)
    page.subject.setText("Winter sale")
    page.body.edit.setPlainText("Winter sale\nEverything is 20 % off today.")
    _select(page, 0, 3)
    page.body.toggle_heading()
    _select(page, 12, 22)                     # "Everything"
    page.body.toggle_bold()
    _select(page, 38, 43)                     # "today"
    page.body.apply_link("https://shop.test/sale")
    cursor = page.body.edit.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    page.body.edit.setTextCursor(cursor)
    page.body.edit.insertHtml('<img src="x" onerror="alert(1)"><script>alert(2)</script>')

    html = page.body.html()
    assert "<h2>Winter sale</h2>" in html and "<strong>Everything</strong>" in html
    assert '<a href="https://shop.test/sale" rel="noopener noreferrer">today</a>' in html
    assert "onerror" not in html and "<script" not in html and "style=" not in html

    item = page.products.list.item(0)
    product_id, title = item.data(PRODUCT_ID), item.text().split("  ·  ")[0]
    item.setCheckState(Qt.CheckState.Checked)
    qtbot.waitUntil(lambda: title in page.preview.toPlainText() and "Everything" in page.preview.toPlainText(),
                    timeout=20_000)
    assert "Unsubscribe" in page.preview.toPlainText()          # the sender's frame, not the bare body
    assert page.last_preview.to == "subscriber@example.com" and title in page.last_preview.text

    page.save()
    assert page.notice.text() == "Draft saved."
    stored = admin(cloud, "GET", f"/api/admin/campaigns/{page.current_id}")
    assert stored["html"] == html and stored["productIds"] == [product_id]
    assert "Everything is 20 % off today" in stored["text"] and "<" not in stored["text"]

    page.test_to.setText("owner@example.com")
    page.send_test()
    [test] = _copies(demo_dir, ":test:")
    assert title in test["html"] and "<strong>Everything</strong>" in test["html"] and title in test["text"]

    page.send()

    def all_queued() -> bool:
        page.refresh()
        return "3 queued" in page.counts.text() or "3 sent" in page.counts.text()

    qtbot.waitUntil(all_queued, timeout=20_000)
    copies = _copies(demo_dir, ":customer:")
    assert len(copies) == 3 and all(title in c["html"] and "/products/" in c["html"] for c in copies)


def test_the_abandoned_checkout_toggle_is_saved_in_the_cloud(qtbot, cloud, session):  # noqa: ANN001, F811
    controller = Controller(cloud)
    controller.session = session              # the window's SyncController carries the session
    page = CampaignsPage(controller)
    qtbot.addWidget(page)
    assert page.products.list.count() > 0
    assert not page.abandoned.enabled.isChecked()                 # off by default
    assert page.abandoned.enabled.text() == "Remind shoppers who leave checkout (off by default)"
    page.abandoned.enabled.setChecked(True)
    page.abandoned.delay.setValue(30)
    page.abandoned.save_button.click()
    assert "one reminder" in page.notice.text()
    settings = admin(cloud, "GET", "/api/admin/marketing/settings")
    assert settings["abandonedCheckout"] == {"enabled": True, "delaySeconds": 1800}
