"""The Point of sale page under hostile input and a flaky cloud (hostile_cloud.py): names the cloud would
refuse are refused under the field before any request; the cloud unreachable, answering 500, a web page,
JSON of another shape, never answering, or 401 is said in a dialog and a notice in words, the page allows
nothing but Refresh meanwhile, and it lists the devices again once the cloud is back. Every request runs
off the UI thread: while the cloud hangs, the page still answers."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from hostile_cloud import HostileCloud, shot
from studio.pos_devices.dialogs import AddDeviceDialog
from studio.pos_devices.page import OFFLINE_TEXT, PosDevicesPage


@pytest.fixture
def page(hostile_cloud: HostileCloud, linked_session, qtbot, short_timeout) -> PosDevicesPage:
    session, sync = linked_session(hostile_cloud.url)
    page = PosDevicesPage(session, sync)
    qtbot.addWidget(page)
    page.resize(1000, 700)
    hostile_cloud.locations = dict(page.locations())
    page.show()
    qtbot.waitUntil(lambda: page.online and page.add_button.isEnabled(), timeout=30_000)
    return page


def _problem(page: PosDevicesPage, qtbot) -> QMessageBox:  # noqa: ANN001
    qtbot.waitUntil(lambda: page.last_problem is not None and page.last_problem.isVisible(), timeout=30_000)
    return page.last_problem


def _back(page: PosDevicesPage, cloud: HostileCloud, qtbot) -> None:  # noqa: ANN001
    """The cloud answers again; Refresh lists the devices and allows adding."""
    if page.last_problem is not None:
        page.last_problem.accept()
        page.last_problem = None
    cloud.mode = "ok"
    assert page.refresh_button.isEnabled()
    page.refresh_button.click()
    qtbot.waitUntil(lambda: page.online and page.add_button.isEnabled() and not page.notice.isVisible(),
                    timeout=30_000)


@pytest.mark.parametrize("name, says", [
    ("", "Give the device a name"),
    ("   ", "Give the device a name"),
    ("x" * 101, "at most 100 characters (this one has 101)"),
    ("Front\ntill", "one line of printable characters"),
    ("Front\x00till", "one line of printable characters"),
    ("Till\u2028two", "one line of printable characters"),
])
def test_a_name_the_cloud_would_refuse_is_refused_under_the_field(page, hostile_cloud, qtbot, name, says) -> None:
    dialog = page.open_add()
    dialog.name.setText(name)
    dialog.add_button.click()
    label = dialog.router.labels["name"]
    assert label.isVisible() and says in label.text()
    assert not dialog.token_shown and dialog.add_button.isEnabled()
    assert ("POST", "/api/admin/pos/devices") not in hostile_cloud.requests
    if name.startswith("Front\n"):
        shot(dialog, "pos-add-name-two-lines")
    dialog.reject()


def test_an_emoji_name_of_100_characters_is_taken_whole(page, hostile_cloud, qtbot) -> None:
    dialog = page.open_add()
    dialog.name.setText("🙂" * 100)            # 200 UTF-16 units: Qt's own limit would cut it to 50
    assert dialog.name.text() == "🙂" * 100
    dialog.add_button.click()
    qtbot.waitUntil(lambda: dialog.token_shown, timeout=30_000)
    assert hostile_cloud.devices[0]["name"] == "🙂" * 100
    dialog.accept()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=30_000)
    assert page.table.item(0, 0).text() == "🙂" * 100


def test_a_location_deleted_since_is_said_under_the_location(page, hostile_cloud, qtbot) -> None:
    dialog = page.open_add()
    dialog.name.setText("Till")
    del hostile_cloud.locations[dialog.location.currentData()]          # deleted on another computer
    dialog.add_button.click()
    qtbot.waitUntil(lambda: dialog.router.labels["location"].isVisible(), timeout=30_000)
    assert "locations" in dialog.router.labels["location"].text() and dialog.add_button.isEnabled()
    assert page.last_problem is None and hostile_cloud.devices == []
    dialog.reject()


def test_a_store_without_locations_cannot_add(page, qtbot, monkeypatch) -> None:
    monkeypatch.setattr(page, "locations", lambda: [])
    dialog = page.open_add()
    assert not dialog.add_button.isEnabled() and dialog.location.count() == 0
    dialog.name.setText("Till")
    dialog.add_button.click()                   # disabled: nothing happens, nothing is sent
    assert not dialog.token_shown
    dialog.reject()


TROUBLE = [
    ("500", "The cloud is having trouble (it answered 500)", "cloud-500"),
    ("html", "was not understood", "cloud-html"),
    ("garbage", "was not understood", "cloud-garbage"),
    ("hang", "did not answer in time", "cloud-timeout"),
    ("401", "no longer accepts this studio's link (401: This token was revoked)", "cloud-401"),
]


@pytest.mark.parametrize("mode, says, name", TROUBLE)
def test_listing_when_the_cloud_misbehaves_says_so_and_recovers(page, hostile_cloud, qtbot, mode, says,
                                                                name) -> None:
    hostile_cloud.mode = mode
    page.refresh_button.click()
    qtbot.waitUntil(lambda: not page.online and page.notice.isVisible(), timeout=30_000)
    assert says in page.notice.text() and "Something went wrong in the studio" not in page.notice.text()
    assert not page.add_button.isEnabled() and not page.revoke_button.isEnabled()
    assert page.open_add() is None and page.revoke() is None
    assert not page.empty.isVisible()            # not "No devices yet": the cloud did not say so
    shot(page, f"pos-list-{name}")
    _back(page, hostile_cloud, qtbot)


@pytest.mark.parametrize("mode, says, name", TROUBLE)
def test_adding_when_the_cloud_misbehaves_keeps_the_dialog_and_says_why(page, hostile_cloud, qtbot, mode, says,
                                                                        name) -> None:
    dialog: AddDeviceDialog = page.open_add()
    dialog.name.setText("Front till")
    hostile_cloud.mode = mode
    dialog.add_button.click()
    if mode == "hang":                          # the request is on the sync thread: the UI still answers
        assert dialog.add_button.text() == "Adding…" and not dialog.add_button.isEnabled()
        qtbot.waitUntil(lambda: ("POST", "/api/admin/pos/devices") in hostile_cloud.requests, timeout=30_000)
        dialog.name.setText("Front till 2")
        assert dialog.name.text() == "Front till 2"
    box = _problem(page, qtbot)
    assert box.windowTitle() == "Could not add the device" and says in box.text()
    assert "Something went wrong in the studio" not in box.text()
    assert ("revoke it there and add it again" in box.text()) == (mode != "401")
    assert not dialog.token_shown and dialog.add_button.isEnabled() and dialog.add_button.text() == "Add device"
    assert not page.online and says in page.notice.text()
    shot(box, f"pos-add-{name}")
    dialog.reject()
    _back(page, hostile_cloud, qtbot)
    dialog = page.open_add()                   # and adding works again
    dialog.name.setText("Front till")
    dialog.add_button.click()
    qtbot.waitUntil(lambda: dialog.token_shown, timeout=30_000)
    assert dialog.token.text().startswith("vs_")
    dialog.accept()


def test_revoke_twice_and_revoke_offline(page, hostile_cloud, qtbot) -> None:
    dialog = page.open_add()
    dialog.name.setText("Back office")
    dialog.add_button.click()
    qtbot.waitUntil(lambda: dialog.token_shown, timeout=30_000)
    dialog.accept()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=30_000)

    page.table.selectRow(0)
    first = page.revoke()
    hostile_cloud.devices[0].update(revoked=True, revokedAt="2026-12-05T09:20:00+00:00")   # from a terminal
    next(b for b in first.buttons() if b.text() == "Revoke").click()
    box = _problem(page, qtbot)
    assert "already revoked" in box.text() and "409" in box.text()
    box.accept()
    qtbot.waitUntil(lambda: page.table.item(0, 4).text().startswith("Revoked"), timeout=30_000)
    page.table.selectRow(0)
    assert not page.revoke_button.isEnabled() and page.revoke() is None

    dialog = page.open_add()
    dialog.name.setText("Handheld")
    dialog.add_button.click()
    qtbot.waitUntil(lambda: dialog.token_shown, timeout=30_000)
    dialog.accept()
    qtbot.waitUntil(lambda: page.table.rowCount() == 2, timeout=30_000)
    page.table.selectRow(0)
    box = page.revoke()
    hostile_cloud.stop()                                              # the network goes away meanwhile
    next(b for b in box.buttons() if b.text() == "Revoke").click()
    page.last_problem = None
    box = _problem(page, qtbot)
    assert box.windowTitle() == "Could not revoke the device" and "You are offline" in box.text()
    assert "Nothing was changed" in box.text()
    assert page.notice.text() == OFFLINE_TEXT and not page.add_button.isEnabled()
    shot(box, "pos-revoke-offline")
    box.accept()
    qtbot.waitUntil(lambda: page.refresh_button.isEnabled(), timeout=30_000)
    hostile_cloud.start()
    page.last_problem = None
    _back(page, hostile_cloud, qtbot)
    assert [d["revoked"] for d in hostile_cloud.devices] == [False, True]
    assert page.table.item(0, 4).text() == "Active"


def test_the_page_lists_again_by_itself_when_the_sync_reaches_the_cloud(page, hostile_cloud, qtbot) -> None:
    hostile_cloud.mode = "500"
    page.refresh_button.click()
    qtbot.waitUntil(lambda: not page.online and page.notice.isVisible(), timeout=30_000)
    hostile_cloud.mode = "ok"
    page.sync.status_changed.emit("synced", "Synced")       # the window's sync got through again
    qtbot.waitUntil(lambda: page.online and page.add_button.isEnabled() and not page.notice.isVisible(),
                    timeout=30_000)
