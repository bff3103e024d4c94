"""The studio's sync, conflict review, publish and link UI against a REAL cloud: `vibeshop cloud serve`
on a random loopback port over a copy of the demo data, data folders linked to it with real pairing
codes, real main windows offscreen. Checks the status the toolbar shows (synced, pending, conflicts,
offline with backoff), settling a conflict in the dialog, publishing and rolling back in the dialog
(what shoppers get, fetched from the cloud), and linking from the first-run dialog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QPushButton
from screenshots import save_screenshot, settle

from shared.db.repositories import pages as page_repo
from shared.pages import service as pages
from shared.storefront.service import DataDir, open_store
from shared.sync import device
from shared.sync.client import Syncer
from studio.publish.pokes import backoff_delay
from studio.session import BLOCKS
from support_linked_studio import LiveCloud


@pytest.fixture(autouse=True)
def _studio_look(studio_look) -> None:
    """Every test here sees the studio's own style (the screenshots show what the merchant sees)."""


@pytest.fixture
def cloud(live_cloud: LiveCloud) -> LiveCloud:
    """The real cloud over a copy of the demo data (tests/support_linked_studio.py)."""
    return live_cloud


def _hero(db) -> Any:
    home = db.read(lambda conn: page_repo.get_page_by_slug(conn, "home"))
    return next(b for b in db.read(lambda conn: page_repo.list_blocks(conn, home.id)) if b.kind == "hero")


def _edit_code(session, marker: str) -> None:
    """Change the hero's code the way the code editor does: one undoable edit through the service."""
    hero = _hero(session.db)
    before = pages.block_source(hero)
    code = before.replace("function render(ctx, h) {", f"function render(ctx, h) {{\n  // {marker}", 1)
    assert code != before
    session.edit("Edit code", lambda: pages.save_block_code(session.db, block_id=hero.id, code=code),
                 lambda _r: pages.save_block_code(session.db, block_id=hero.id, code=before), scopes=(BLOCKS,))


def _edit_heading(session, heading: str) -> None:
    hero = _hero(session.db)
    settings = {**hero.settings, "heading": heading}
    session.edit("Edit heading", lambda: pages.update_block_settings(session.db, block_id=hero.id, settings=settings),
                 lambda _r: pages.update_block_settings(session.db, block_id=hero.id, settings=hero.settings),
                 scopes=(BLOCKS,))


def _wait_state(qtbot, window, state: str, timeout: int = 30_000) -> None:
    qtbot.waitUntil(lambda: window.sync.state == state, timeout=timeout)


def _wait_shopper(qtbot, cloud: LiveCloud, present: str, absent: str = "", timeout: int = 30_000) -> None:
    """Poll the storefront (every worker's page cache follows a publish within one second)."""
    seen: list[str] = []

    def check() -> bool:
        seen[:] = [cloud.shopper_page()]
        return present in seen[0] and (not absent or absent not in seen[0])

    qtbot.waitUntil(check, timeout=timeout)


def test_backoff_doubles_from_one_second_to_a_minute_with_jitter():
    assert [backoff_delay(n, rng=lambda: 0.5) for n in range(1, 9)] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert backoff_delay(1, rng=lambda: 0.0) == pytest.approx(0.8)
    assert backoff_delay(3, rng=lambda: 1.0) == pytest.approx(4.8)
    assert backoff_delay(30, rng=lambda: 1.0) == 60


def test_a_store_that_is_not_linked_makes_no_request(studio_window, tmp_path: Path):
    sync = studio_window.sync
    assert (sync.state, sync.linked, sync._poke) == ("not_linked", False, None)
    status = studio_window.sync_status
    assert status.link_action.isVisible() and not status.publish_action.isVisible()
    assert not status.sync_button.isVisible()
    assert sync.run(lambda syncer: syncer.releases(), lambda *_: None) is False
    save_screenshot(status.parentWidget(), "sync-toolbar-not-linked.png", tmp_path)


def test_edits_sync_conflicts_settle_and_publish_rolls_back(qtbot, cloud: LiveCloud, window_on, tmp_path: Path):
    laptop, desktop = tmp_path / "laptop", tmp_path / "desktop"
    cloud.link(laptop, "Laptop")
    cloud.link(desktop, "Desktop")
    other = open_store(DataDir(desktop), "demo")
    other_sync = Syncer(other)
    try:
        other_sync.publish("Baseline")                     # release 1: the demo as seeded

        window = window_on(laptop)
        _wait_state(qtbot, window, "synced")
        assert window.sync._poke is not None
        qtbot.waitUntil(lambda: window.sync._poke.connected, timeout=10_000)
        states: list[str] = []
        window.sync.status_changed.connect(lambda state, _text: states.append(state))

        # An edit in the window is pending at once, then synced in the background.
        _edit_heading(window.session, "Fresh from the studio")
        assert window.sync.state == "pending" and window.sync.text == "1 pending"
        save_screenshot(window.sync_status.parentWidget(), "sync-toolbar-pending.png", tmp_path)
        _wait_state(qtbot, window, "synced")
        assert "syncing" in states
        other_sync.sync()
        assert _hero(other.db).settings["heading"] == "Fresh from the studio"

        # Both devices change the hero's code before syncing: the desktop's arrives second, the poke
        # makes the laptop pull at once, and the laptop shows the conflict.
        _edit_code_db(other.db, "desktop version")
        _edit_code(window.session, "laptop version")
        _wait_state(qtbot, window, "synced")
        other_sync.sync()
        _wait_state(qtbot, window, "conflicts", timeout=15_000)
        assert window.sync.text == "1 conflict"
        save_screenshot(window.sync_status.parentWidget(), "sync-toolbar-conflicts.png", tmp_path)
        [conflict] = device.open_conflicts(window.session.db)
        dialog = window.open_conflicts()
        qtbot.waitExposed(dialog)
        assert dialog.list.count() == 1
        assert dialog.current_view.toPlainText() == conflict.current == pages.block_source(_hero(window.session.db))
        assert dialog.theirs_view.toPlainText() == conflict.value
        diff = dialog.diff_view.toPlainText()
        assert "-  // desktop version" in diff and "+  // laptop version" in diff
        save_screenshot(dialog, "sync-conflicts-dialog.png", tmp_path)
        dialog.keep_theirs.click()
        qtbot.waitUntil(lambda: not device.open_conflicts(window.session.db), timeout=15_000)
        _wait_state(qtbot, window, "synced")
        assert pages.block_source(_hero(window.session.db)) == conflict.value
        assert dialog.list.count() == 0 and not dialog.keep_theirs.isEnabled()
        other_sync.sync()
        assert pages.block_source(_hero(other.db)) == conflict.value
        dialog.close()

        # Publish through the dialog: shoppers get the new heading; rolling back takes it away.
        publish = window.open_publish()
        qtbot.waitExposed(publish)
        qtbot.waitUntil(lambda: publish.release_list.topLevelItemCount() == 1, timeout=10_000)
        assert "Live now: release 1" in publish.live_summary.text()
        changes = lambda: [publish.changes.item(i).text() for i in range(publish.changes.count())]  # noqa: E731
        assert any("Block “hero: Fresh from the studio” changed" in line for line in changes()), changes()
        assert not publish.pending.isVisible()
        save_screenshot(publish, "sync-publish-preview.png", tmp_path)
        publish.note.setText("New hero")
        publish.publish_button.click()
        assert publish.progress.maximum() == 0 and not publish.publish_button.isEnabled()   # indeterminate
        qtbot.waitUntil(lambda: "Release 2 is live" in publish.message.text(), timeout=20_000)
        assert publish.progress.maximum() == publish.progress.value() == 1
        _wait_shopper(qtbot, cloud, "Fresh from the studio")
        qtbot.waitUntil(lambda: publish.release_list.topLevelItemCount() == 2, timeout=10_000)
        assert changes() == ["No changes since the live release."]
        assert "would change nothing" in publish.live_summary.text()
        save_screenshot(publish, "sync-publish-dialog.png", tmp_path)
        first = next(publish.release_list.topLevelItem(i) for i in range(2)
                     if publish.release_list.topLevelItem(i).text(0) == "#1")
        publish.release_list.itemWidget(first, 4).findChild(QPushButton).click()
        box = publish.confirmation
        qtbot.waitExposed(box)
        save_screenshot(box, "sync-rollback-confirm.png", tmp_path)
        next(b for b in box.buttons() if b.text() == "Roll back to 1").click()
        qtbot.waitUntil(lambda: "Release 1 is live again (as release 3)" in publish.message.text(), timeout=20_000)
        _wait_shopper(qtbot, cloud, "Everyday goods, made to last", absent="Fresh from the studio")
        qtbot.waitUntil(lambda: publish.release_list.topLevelItemCount() == 3, timeout=10_000)
    finally:
        other_sync.close()
        other.close()


def _edit_code_db(db, marker: str) -> None:
    hero = _hero(db)
    code = pages.block_source(hero).replace("function render(ctx, h) {", f"function render(ctx, h) {{\n  // {marker}", 1)
    pages.save_block_code(db, block_id=hero.id, code=code)


def test_publish_is_refused_while_conflicts_are_open_and_a_merge_settles_them(qtbot, cloud: LiveCloud, window_on,
                                                                             tmp_path: Path):
    laptop, desktop = tmp_path / "laptop", tmp_path / "desktop"
    cloud.link(laptop, "Laptop")
    cloud.link(desktop, "Desktop")
    other = open_store(DataDir(desktop), "demo")
    other_sync = Syncer(other)
    try:
        window = window_on(laptop)
        _wait_state(qtbot, window, "synced")
        _edit_code_db(other.db, "desktop version")
        _edit_code(window.session, "laptop version")
        _wait_state(qtbot, window, "synced")
        other_sync.sync()
        _wait_state(qtbot, window, "conflicts", timeout=15_000)

        publish = window.open_publish()
        assert any("In conflict" in publish.pending.item(i).text() for i in range(publish.pending.count()))
        publish.publish_button.click()
        qtbot.waitUntil(lambda: "Review the conflicts first" in publish.message.text(), timeout=20_000)
        assert publish.message.objectName() == "errorText"
        publish.close()

        dialog = window.open_conflicts()
        [conflict] = dialog.conflicts
        dialog.open_merge()
        merge = dialog.merge_dialog
        qtbot.waitExposed(merge)
        merged = conflict.current.replace("function render(ctx, h) {",
                                          "function render(ctx, h) {\n  // laptop version, merged", 1)
        merge.editor.setPlainText(merged)
        save_screenshot(merge, "sync-merge-dialog.png", tmp_path)
        merge.accept()
        assert window.session.undo_stack.undoText() == "Merge a conflict"
        qtbot.waitUntil(lambda: not device.open_conflicts(window.session.db), timeout=15_000)
        _wait_state(qtbot, window, "synced")
        other_sync.sync()
        assert pages.block_source(_hero(other.db)) == merged == pages.block_source(_hero(window.session.db))
        assert not device.open_conflicts(other.db)
    finally:
        other_sync.close()
        other.close()


def test_offline_backs_off_and_comes_back(qtbot, cloud: LiveCloud, window_on, tmp_path: Path):
    folder = tmp_path / "laptop"
    cloud.link(folder, "Laptop")
    window = window_on(folder)
    _wait_state(qtbot, window, "synced")

    cloud.stop()
    window.sync.sync_now()
    _wait_state(qtbot, window, "offline", timeout=15_000)
    assert window.sync.failures == 1 and 0.8 <= window.sync.retry_in <= 1.2
    qtbot.waitUntil(lambda: window.sync.failures >= 2, timeout=10_000)
    assert 1.6 <= window.sync.retry_in <= 2.4                      # doubled, with jitter
    _edit_heading(window.session, "Written while offline")
    qtbot.waitUntil(lambda: window.sync.failures >= 3, timeout=15_000)
    assert window.sync.state == "offline" and "1 change waiting" in window.sync.text
    save_screenshot(window.sync_status.parentWidget(), "sync-toolbar-offline.png", tmp_path)

    cloud.start()
    _wait_state(qtbot, window, "synced", timeout=30_000)
    assert window.sync.failures == 0 and not device.has_unsynced(window.session.db)
    other = tmp_path / "desktop"
    cloud.link(other, "Desktop")
    store = open_store(DataDir(other), "demo")
    try:
        assert _hero(store.db).settings["heading"] == "Written while offline"
    finally:
        store.close()


def test_linking_from_the_first_run_dialog(qtbot, cloud: LiveCloud, tmp_path: Path):
    from studio.first_run import FirstRunDialog
    from studio.publish.link_dialog import LinkDialog

    data_dir = DataDir(tmp_path / "new-laptop")
    # A wrong code is refused in words, and nothing is stored.
    wrong = LinkDialog(data_dir, remote=cloud.url)
    qtbot.addWidget(wrong)
    wrong.show()
    wrong.code.setText("ABCDEFGHJK")
    wrong.link_button.click()
    qtbot.waitUntil(lambda: wrong.error.isVisible(), timeout=15_000)
    assert "unknown, already used or expired" in wrong.error.text()
    save_screenshot(wrong, "sync-link-dialog-refused.png", tmp_path)
    wrong.close()

    first_run = FirstRunDialog(data_dir)
    qtbot.addWidget(first_run)
    first_run.show()
    code = cloud.pairing_code()
    shots: list[Path] = []

    def fill() -> None:                      # runs inside the link dialog's exec()
        dialog = first_run.link_dialog
        qtbot.waitUntil(dialog.isVisible)
        dialog.remote.setText(cloud.url)
        dialog.code.setText(code)
        dialog.device_name.setText("New laptop")
        settle(qtbot, dialog)
        shots.append(save_screenshot(dialog, "sync-link-dialog.png", tmp_path))
        dialog.link_button.click()

    QTimer.singleShot(0, fill)
    first_run.link_cloud()
    assert shots and first_run.result() == QDialog.DialogCode.Accepted and first_run.created_slug == "demo"
    store = open_store(data_dir, "demo")
    try:
        assert device.link_state(store.db).remote == cloud.url
        assert _hero(store.db).settings["heading"] == "Everyday goods, made to last"
    finally:
        store.close()


def test_an_edit_the_rules_refuse_is_kept_and_shown_as_refused(qtbot, cloud: LiveCloud, window_on, tmp_path: Path):
    """A page address edited into the store's file by hand: the studio does not send it, says so in
    the status pill and the Publish view, and keeps the edit."""
    import sqlite3

    laptop = tmp_path / "laptop"
    cloud.link(laptop, "Laptop")
    window = window_on(laptop)
    _wait_state(qtbot, window, "synced")
    with sqlite3.connect(window.session.db.url) as conn:
        conn.execute("UPDATE pages SET slug = '../../../../tmp/x' WHERE slug = 'about'")
    window.sync.sync_now()
    _wait_state(qtbot, window, "refused")
    assert window.sync_status.pill.text().endswith("1 refused")
    assert "slug" in window.sync.detail and "kept on this device" in window.sync.detail
    publish = window.open_publish()
    qtbot.waitUntil(lambda: publish.pending.count() > 0, timeout=20_000)
    lines = [publish.pending.item(i).text() for i in range(publish.pending.count())]
    assert any("refused (slug" in line for line in lines), lines
    publish.close()
    with sqlite3.connect(window.session.db.url) as conn:
        assert conn.execute("SELECT count(*) FROM pages WHERE slug = '../../../../tmp/x'").fetchone() == (1,)
