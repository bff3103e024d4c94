"""Studio preview latency: from an edit (a block setting changed the way typing in its field does)
to the preview showing it, on the demo home page, in the real main window (offscreen Qt, real
QtWebEngine). Peers measured in the same run: putting the same, already rendered document on screen
again (the browser's floor, no render), and a full page load of it (what a reload-based preview pays).
Target: edit -> on screen p50 under 100 ms."""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

RUNS = 25


def _measure(app, window, action) -> float:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    window.preview.loaded.connect(loop.quit)
    QTimer.singleShot(10_000, loop.quit)
    start = time.perf_counter()
    action()
    loop.exec()
    window.preview.loaded.disconnect(loop.quit)
    return (time.perf_counter() - start) * 1000


def run() -> list[tuple[str, float, str]]:
    """Measure and return the table's rows."""
    from shared.demo.seed import seed_demo
    from shared.storefront.service import DataDir, open_store
    from studio.app import _prepare_environment, create_application

    _prepare_environment(True)
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    app = create_application()
    from studio.main_window import MainWindow
    from studio.preview.pane import _SWAP_JS
    from studio.session import StudioSession

    folder = Path(tempfile.mkdtemp(prefix="vibeshop-bench-studio-"))
    try:
        seed_demo(DataDir(folder)).store.close()
        session = StudioSession(DataDir(folder), open_store(DataDir(folder), "demo"))
        window = MainWindow(session)
        window.resize(1600, 1000)
        window.show()
        _measure(app, window, lambda: None) if window.preview.document is None else None
        hero = next(b for b in window.block_list.blocks() if b.kind == "hero")
        window.block_list.select_block(hero.id)
        edits, floors, loads = [], [], []
        for i in range(RUNS + 3):
            settings = {**window.inspector.block.settings, "heading": f"Everyday goods, take {i}"}
            edits.append(_measure(app, window, lambda s=settings: window.inspector._settings_changed(s)))
            body = window.preview.document.body.decode()
            floors.append(_measure(app, window, lambda b=body: window.preview.page.runJavaScript(
                _SWAP_JS % __import__("json").dumps(b), 1, lambda _r: window.preview._finished())))
            loads.append(_measure(app, window, lambda: window.preview.page.triggerAction(
                window.preview.page.WebAction.Reload)))
        edit, floor, load = (statistics.median(x[3:]) for x in (edits, floors, loads))
        window.close()
        session.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return [("edit -> preview on screen (p50)", edit, f"{edit / floor:.2f}x the floor; target < 100 ms: "
             f"{'met' if edit < 100 else 'NOT met'}"),
            ("floor: same document swapped in again", floor, "no render"),
            ("peer: full page load of the document", load, f"edit is {edit / load:.2f}x a reload")]


def main() -> None:
    """Print the table (run in its own process: Qt owns it)."""
    from bench.timing import table

    print(table("Studio preview (demo home page, offscreen QtWebEngine)", run()))
    print()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
