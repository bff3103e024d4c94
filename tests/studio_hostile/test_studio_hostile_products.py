"""The Products view's "Alert at" threshold and live stock against hostile input and a flaky cloud
(hostile_cloud.py): a threshold that is not a whole number from 0 to 1,000,000 is put back and said in a
dialog, with nothing sent; the cloud answering 500, a web page, JSON of another shape, nothing in time,
401, or not at all is said in words and the stored threshold stays (a web page used to delete it here);
a variant the POS deleted meanwhile is said so and the catalogue pulled again; a catalogue feed answering
garbage leaves the stored cursor alone and says the stock shown is not the latest."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from hostile_cloud import HostileCloud, shot
from shared.db.repositories import catalog_changes
from shared.db.stamps import utc_now
from studio.editor.products_browser import GONE_TEXT, ProductsBrowser

HANDLE = "harbor-classic-tee"


@pytest.fixture
def products(hostile_cloud: HostileCloud, linked_session, qtbot, short_timeout):  # noqa: ANN201
    """(browser, session, problems, variant id): the tee's first variant alerts at 5; cursor 7."""
    session, sync = linked_session(hostile_cloud.url)
    browser = ProductsBrowser(session, sync)
    qtbot.addWidget(browser)
    browser.resize(1400, 700)
    browser.show()
    browser.select_handle(HANDLE)
    qtbot.waitUntil(lambda: browser.variants.rowCount() > 0, timeout=30_000)
    variant_id = browser.variants._variant_ids[0]        # noqa: SLF001
    session.db.write(lambda conn: (catalog_changes.set_threshold(conn, variant_id, 5, now=utc_now()),
                                   catalog_changes.set_cursor(conn, 7)))
    browser.refresh()
    qtbot.waitUntil(lambda: _cell(browser).text() == "5", timeout=30_000)
    sync.catalog.link = sync.link
    problems: list[tuple[str, str]] = []
    session.problem.connect(lambda title, text: problems.append((title, text)))
    return browser, session, problems, variant_id


def _cell(browser: ProductsBrowser):  # noqa: ANN202
    return browser.variants.item(0, browser.variants.alert_column)


def _stored(session, variant_id: str) -> int | None:  # noqa: ANN001
    return session.db.read(lambda conn: catalog_changes.thresholds(conn, [variant_id])).get(variant_id)


@pytest.mark.parametrize("typed", ["-1", "abc", "1000001", "99999999999999999999", "1e3", "٣", "5.5"])
def test_a_threshold_that_is_not_a_whole_number_is_put_back_and_said(products, hostile_cloud, typed) -> None:
    browser, session, problems, variant_id = products
    _cell(browser).setText(typed)
    assert _cell(browser).text() == "5" and _stored(session, variant_id) == 5
    assert len(problems) == 1 and problems[0][0] == "Could not set the alert"
    assert "is not a threshold: type a whole number from 0 to 1,000,000" in problems[0][1]
    assert ("PUT", "/_sync/catalog/alerts") not in hostile_cloud.requests


@pytest.mark.parametrize("mode, says", [
    ("500", "The cloud is having trouble (it answered 500)"),
    ("html", "was not understood"),
    ("garbage", "was not understood"),
    ("hang", "did not answer in time"),
    ("401", "no longer accepts this studio's link (401"),
    ("down", "You are offline"),
])
def test_setting_a_threshold_when_the_cloud_misbehaves_keeps_the_stored_one(products, hostile_cloud, qtbot, mode,
                                                                            says) -> None:
    browser, session, problems, variant_id = products
    if mode == "down":
        hostile_cloud.stop()
    else:
        hostile_cloud.mode = mode
    _cell(browser).setText("12")
    qtbot.waitUntil(lambda: bool(problems), timeout=30_000)
    assert problems[0][0] == "Could not set the alert" and says in problems[0][1]
    sure = mode in ("401", "down")              # refused or never sent; else it may have been done
    assert ("Nothing was changed" in problems[0][1]) == sure
    assert "Refresh" not in problems[0][1]      # the view has no Refresh: the alert is simply set again
    assert _cell(browser).text() == "5" and _stored(session, variant_id) == 5
    if mode == "html":              # the main window shows session.problem in a box like this one
        dialog = QMessageBox(QMessageBox.Icon.Warning, *problems[0], QMessageBox.StandardButton.Ok, browser)
        dialog.open()
        shot(dialog, "products-alert-html")
        dialog.accept()


def test_a_variant_deleted_by_the_pos_meanwhile_is_said_and_the_catalogue_pulled(products, hostile_cloud,
                                                                                 qtbot) -> None:
    browser, session, problems, variant_id = products
    pulls = hostile_cloud.requests.count(("GET", "/_sync/catalog"))
    _cell(browser).setText("3")
    qtbot.waitUntil(lambda: bool(problems), timeout=30_000)
    assert problems == [("Could not set the alert", GONE_TEXT)]
    assert _cell(browser).text() == "5" and _stored(session, variant_id) == 5
    qtbot.waitUntil(lambda: hostile_cloud.requests.count(("GET", "/_sync/catalog")) > pulls, timeout=30_000)


@pytest.mark.parametrize("mode", ["html", "garbage", "500"])
def test_a_catalogue_feed_answering_garbage_keeps_the_cursor_and_says_so(products, hostile_cloud, qtbot,
                                                                         mode) -> None:
    browser, session, _problems, _variant_id = products
    live = browser._sync.catalog      # noqa: SLF001
    hostile_cloud.mode = mode
    with qtbot.waitSignal(live.failed, timeout=30_000) as failed:
        live.refresh_now()
    assert "Something went wrong in the studio" not in failed.args[0]
    assert session.db.read(catalog_changes.get_cursor) == 7
    qtbot.waitUntil(lambda: browser.live_notice.isVisible(), timeout=30_000)
    assert "could not be fetched" in browser.live_notice.text()
    shot(browser, f"products-feed-{mode}")
    hostile_cloud.mode = "ok"
    with qtbot.waitSignal(live.pulled, timeout=30_000):
        live.refresh_now()
    assert not browser.live_notice.isVisible()
