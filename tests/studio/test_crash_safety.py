"""Nothing typed is lost if the studio is killed: a real studio process makes edits by keystrokes and
is killed with SIGKILL; reopening the store shows every edit, including code that never validated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from shared.db.repositories import pages as page_repo
from shared.storefront.service import DataDir, open_store

HERE = Path(__file__).parent


def test_edits_survive_a_kill_and_come_back_in_the_studio(demo_dir: Path, qtbot):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen([sys.executable, str(HERE / "studio_edit_then_wait.py"), str(demo_dir)],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        line = ""
        while not line.startswith("READY"):
            line = process.stdout.readline()
            assert line or process.poll() is None, "the studio process ended before its edits"
        block_id = line.split()[1]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()

    store = open_store(DataDir(demo_dir), "demo")
    try:
        page = store.db.read(lambda conn: page_repo.get_page_by_slug(conn, "killed-mid-edit"))
        assert page is not None and page.title == "Killed mid-edit"
        block = store.db.read(lambda conn: page_repo.get_block(conn, block_id))
        assert block.page_id == page.id
        assert block.settings["heading"] == "Typed before the crash"
    finally:
        store.close()

    # Reopened in the studio, the block's editor holds the unsaved code, and says so.
    from studio.main_window import MainWindow
    from studio.session import StudioSession

    session = StudioSession(DataDir(demo_dir), open_store(DataDir(demo_dir), "demo"))
    window = MainWindow(session)
    qtbot.addWidget(window)
    try:
        window.page_tree.select_slug("killed-mid-edit")
        window.block_list.select_block(block_id)
        assert window.inspector.code.code().endswith("// half a thought, not valid yet: ${")
        assert "Unsaved code" in window.inspector.subheading.text()
    finally:
        window.close()
        session.close()


def test_a_refusal_is_a_dialog_and_a_bug_is_not(session) -> None:
    """Domain errors are shown to the merchant; a bug (here a plain ValueError, as libsql raises) is
    not turned into a message: it propagates, to the studio's excepthook, which logs its traceback."""
    import logging

    from shared.pages.errors import PageError, PageErrorCode
    from studio.app import log_uncaught

    shown: list[tuple[str, str]] = []
    session.problem.connect(lambda title, message: shown.append((title, message)))

    def refused():
        raise PageError(PageErrorCode.INVALID, "That address is taken")

    assert session.attempt("Rename", refused) is None
    assert shown == [("Rename", "That address is taken")]

    def bug():
        raise ValueError("no such column: titel")

    with pytest.raises(ValueError):
        session.attempt("Rename", bug)
    assert len(shown) == 1

    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logging.getLogger("studio").addHandler(handler)
    try:
        try:
            bug()
        except ValueError as exc:
            log_uncaught(type(exc), exc, exc.__traceback__)
    finally:
        logging.getLogger("studio").removeHandler(handler)
    assert records and records[0].exc_info[1].args == ("no such column: titel",)


def test_a_failed_background_job_names_a_refusal_but_not_a_bug() -> None:
    from shared.sync.client import RemoteError
    from studio.publish.tasks import BUG_TEXT, problem_text

    assert problem_text(RemoteError("gap", "The cloud is ahead of this device")) == "The cloud is ahead of this device"
    assert problem_text(KeyError("device_id")) == BUG_TEXT


def test_a_background_jobs_bug_is_logged_with_its_traceback(qtbot, caplog: pytest.LogCaptureFixture) -> None:
    from shared.sync.client import RemoteError
    from studio.publish.tasks import BackgroundTasks

    tasks = BackgroundTasks()
    delivered: list[Exception | None] = []

    def bug() -> None:
        raise KeyError("device_id")

    def refused() -> None:
        raise RemoteError("gap", "The cloud is ahead of this device")

    try:
        for work in (bug, refused):
            tasks.submit(work, lambda _value, error: delivered.append(error))
        qtbot.waitUntil(lambda: len(delivered) == 2, timeout=30_000)
    finally:
        tasks.stop()
    assert [type(e) for e in delivered] == [KeyError, RemoteError]     # the UI still learns the job ended
    logged = [r for r in caplog.records if r.exc_info]
    assert len(logged) == 1 and isinstance(logged[0].exc_info[1], KeyError)   # only the bug, with its traceback
