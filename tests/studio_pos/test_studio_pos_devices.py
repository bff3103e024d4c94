"""The studio's Point of sale page against a REAL cloud (`vibeshop cloud serve` on loopback) and a
studio linked to it by pairing: add a device in the dialog (its token shown once, with a copy button and
the commands to try it), the token works on the POS API at its location, revoke asks first and the token
is refused from then on; a refusal is told in a dialog; offline the page says so and allows nothing.
The page's screenshot goes to docs/screenshots/studio-pos-devices.png with VIBESHOP_DOCS_SCREENSHOTS=1."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import httpx
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from shared.storefront.service import DataDir, open_store
from support import wait_for
from support_linked_studio import LiveCloud

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "studio-pos-devices.png"


def _counts(cloud: LiveCloud, token: str) -> int:
    return httpx.get(f"{cloud.url}/pos/v1/inventory/counts", timeout=30,
                     headers={"Host": "demo.localhost", "Authorization": f"Bearer {token}"}).status_code


def _add(qtbot, page, name: str, location: str):  # noqa: ANN001, ANN202
    dialog = page.open_add()
    assert dialog is not None and dialog.isVisible()
    dialog.name.setText(name)
    dialog.location.setCurrentIndex(dialog.location.findText(location))
    dialog.add_button.click()
    qtbot.waitUntil(lambda: dialog.token_shown, timeout=30_000)
    return dialog


def test_add_try_and_revoke_a_device_from_the_studio(live_cloud: LiveCloud, window_on, qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "laptop"
    live_cloud.link(folder)
    window = window_on(folder)
    window.show_section("pos")
    page = window.pos_devices
    assert window.rail.currentItem().text().endswith("POS") and window.center.currentWidget() is page
    qtbot.waitUntil(lambda: page.online and page.add_button.isEnabled(), timeout=60_000)
    assert page.table.rowCount() == 0 and page.empty.isVisible() and not page.revoke_button.isEnabled()

    dialog = _add(qtbot, page, "Front till", "Pine Street shop")
    token = dialog.token.text()
    assert token.startswith("vs_") and "Pine Street shop" in dialog.made_label.text()
    assert f"Bearer {token}" in dialog.try_text.toPlainText()
    assert f"http://demo.localhost:{live_cloud.port}/pos/v1/inventory/counts" in dialog.try_text.toPlainText()
    assert f"vibeshop pos feed --remote http://demo.localhost:{live_cloud.port} --token {token}" \
        in dialog.try_text.toPlainText()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == token
    assert _counts(live_cloud, token) == 200
    dialog.accept()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=30_000)
    assert [page.table.item(0, c).text() for c in (0, 1, 4)] == ["Front till", "Pine Street shop", "Active"]
    assert not page.empty.isVisible()

    page.table.selectRow(0)
    assert page.revoke_button.isEnabled()
    box = page.revoke()
    assert "Front till" in box.text() and "Pine Street shop" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert _counts(live_cloud, token) == 200

    box = page.revoke()
    next(b for b in box.buttons() if b.text() == "Revoke").click()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1 and page.table.item(0, 4).text().startswith("Revoked"),
                    timeout=30_000)
    assert _counts(live_cloud, token) == 401
    page.table.selectRow(0)
    assert not page.revoke_button.isEnabled()
    listed = live_cloud.cli("pos", "device", "list", "--store", "demo").stdout
    assert "Front till" in listed and "\trevoked " in listed


def test_refusals_are_dialogs_and_offline_disables_everything(live_cloud: LiveCloud, window_on, qtbot,
                                                              tmp_path: Path) -> None:
    folder = tmp_path / "laptop"
    live_cloud.link(folder)
    window = window_on(folder)
    window.show_section("pos")
    page = window.pos_devices
    qtbot.waitUntil(lambda: page.online, timeout=60_000)
    dialog = _add(qtbot, page, "Back office", "Harbor warehouse")
    dialog.accept()
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=30_000)

    # Revoked from a terminal meanwhile: the studio's revoke is refused, and says why in a dialog.
    device_id = page.devices[0]["id"]
    assert live_cloud.cli("pos", "device", "revoke", device_id).returncode == 0
    page.table.selectRow(0)
    next(b for b in page.revoke().buttons() if b.text() == "Revoke").click()
    qtbot.waitUntil(lambda: page.last_problem is not None and page.last_problem.isVisible(), timeout=30_000)
    assert "already revoked" in page.last_problem.text() and "409" in page.last_problem.text()
    page.last_problem.accept()
    qtbot.waitUntil(lambda: page.table.item(0, 4).text().startswith("Revoked"), timeout=30_000)

    # An empty name never leaves the dialog; the cloud's refusal of a field shows under it.
    dialog = page.open_add()
    dialog.add_button.click()
    assert dialog.router.labels["name"].isVisible() and not dialog.token_shown
    dialog.name.setText("Till")
    dialog.location.setItemData(0, "no-such-location")
    dialog.add_button.click()
    qtbot.waitUntil(lambda: dialog.router.labels["location"].isVisible(), timeout=30_000)
    assert "locations" in dialog.router.labels["location"].text() and dialog.add_button.isEnabled()
    dialog.reject()

    live_cloud.stop()
    page.refresh()
    qtbot.waitUntil(lambda: not page.online and page.notice.isVisible(), timeout=60_000)
    assert "offline" in page.notice.text()
    assert not page.add_button.isEnabled() and not page.revoke_button.isEnabled()
    assert page.open_add() is None and page.revoke() is None


def test_not_linked_says_so(demo_dir: Path, qtbot, studio_look) -> None:
    from studio.pos_devices.page import NOT_LINKED_TEXT, PosDevicesPage
    from studio.session import StudioSession

    session = StudioSession(DataDir(demo_dir), open_store(DataDir(demo_dir), "demo"))
    try:
        page = PosDevicesPage(session, None)
        qtbot.addWidget(page)
        assert page.notice.text() == NOT_LINKED_TEXT and not page.add_button.isEnabled()
        assert page.open_add() is None
    finally:
        session.close()


def test_screenshot_of_the_page(live_cloud: LiveCloud, window_on, qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "laptop"
    live_cloud.link(folder)
    tokens = []
    for name, location in (("Front counter till", "Pine Street shop"), ("Handheld 2", "Pine Street shop"),
                           ("Warehouse scanner", "Harbor warehouse")):
        tokens.append(live_cloud.add_pos_device(location, name))
    old_id = live_cloud.cli("pos", "device", "list", "--store", "demo").stdout.splitlines()[-1].split("\t")[0]
    assert live_cloud.cli("pos", "device", "revoke", old_id).returncode == 0
    assert _counts(live_cloud, tokens[1]) == 200             # Handheld 2 has called: its last use shows
    wait_for(lambda: "never used" not in live_cloud.cli("pos", "device", "list", "--store", "demo").stdout
             .splitlines()[1], "the last use of Handheld 2 recorded", timeout=60)
    window = window_on(folder)
    window.show_section("pos")
    page = window.pos_devices
    qtbot.waitUntil(lambda: page.online and page.table.rowCount() == 3, timeout=60_000)
    page.table.selectRow(0)
    path = tmp_path / "studio-pos-devices.png"
    assert window.grab().save(str(path), "PNG")
    form = page.open_add()
    form.name.setText("Pop-up stand")
    assert form.grab().save(str(tmp_path / "studio-pos-device-form.png"), "PNG")
    form.reject()
    dialog = _add(qtbot, page, "Pop-up stand", "Pine Street shop")
    assert dialog.grab().save(str(tmp_path / "studio-pos-device-added.png"), "PNG")
    if os.environ.get("VIBESHOP_DOCS_SCREENSHOTS") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, SCREENSHOT)
        for name in ("studio-pos-device-added.png", "studio-pos-device-form.png"):
            shutil.copyfile(tmp_path / name, SCREENSHOT.with_name(name))
    dialog.accept()
