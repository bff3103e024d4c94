"""Run by test_crash_safety.py as its own process: open the real studio window on a data folder, make
edits the way a merchant does (keystrokes), print READY and wait to be killed (kill -9)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path


def main(data: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QInputDialog, QLineEdit

    from shared.storefront.service import DataDir, open_store
    from studio.app import _prepare_environment, create_application
    from studio.editor.block_gallery import gallery_entries
    from studio.main_window import MainWindow
    from studio.session import StudioSession

    _prepare_environment(True)
    app = create_application()
    session = StudioSession(DataDir(data), open_store(DataDir(data), "demo"))
    window = MainWindow(session)
    window.show()

    def wait_until(condition, what: str, timeout: float = 60) -> None:  # noqa: ANN001
        """Handle the window's events until `condition()` holds (the bound only catches a hang)."""
        deadline = time.monotonic() + timeout
        app.processEvents()
        while not condition():
            if time.monotonic() > deadline:
                raise SystemExit(f"waited {timeout:g} s for {what}")
            time.sleep(0.01)
            app.processEvents()

    QInputDialog.getText = staticmethod(lambda *a, **k: ("Killed mid-edit", True))
    window.page_tree.new_page()
    added = window.block_list.add_entry(next(e for e in gallery_entries() if e.key == "starter-callout"))
    assert added is not None
    wait_until(lambda: window.inspector.block is not None and window.inspector.block.id == added.id
               and "heading" in window.inspector.form.fields, "the inspector to show the added block")
    heading = window.inspector.form.fields["heading"]
    assert isinstance(heading, QLineEdit)
    heading.selectAll()
    QTest.keyClicks(heading, "Typed before the crash")
    editor = window.inspector.code.editor
    cursor = editor.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    editor.setTextCursor(cursor)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QTest.keyClicks(editor, "// half a thought, not valid yet: ${")
    app.processEvents()
    print("READY", window.inspector.block.id, flush=True)
    while True:
        app.processEvents()
        time.sleep(0.05)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
