"""`vibeshop studio`: start Qt, open (or create) a store in the data folder, show the main window.

With `--screenshot FILE.png` the window opens on the home page, waits for the preview to be on
screen, saves a PNG of the whole window and exits; with no display it runs offscreen."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

from shared.storefront.errors import StoreError
from shared.storefront.service import DataDir, list_stores, open_store

SCREENSHOT_SETTLE_MS = 700      # after the preview reports it is loaded: lazy images and fonts paint
SCREENSHOT_TIMEOUT_MS = 30_000
log = logging.getLogger("studio")


def log_uncaught(kind: type[BaseException], error: BaseException, trace) -> None:
    """sys.excepthook of the studio: a bug raised in a Qt slot (domain errors are shown as dialogs where they
    happen; nothing else is) is logged with its traceback instead of being turned into a message."""
    log.critical("a bug in the studio", exc_info=(kind, error, trace))


def _prepare_environment(screenshot: bool) -> None:
    """Qt settings that must exist before QApplication: offscreen without a display (screenshots,
    CI) and Chromium's sandbox off when running as root (it refuses to start otherwise)."""
    if screenshot and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
        if "--no-sandbox" not in flags:
            os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{flags} --no-sandbox".strip()


def create_application():
    """The QApplication with the preview's URL scheme registered and the studio's look."""
    from PySide6.QtWidgets import QApplication

    from studio.none_refcount import guard_none_refcount
    from studio.preview.scheme import register_scheme
    from studio.style import apply_style

    guard_none_refcount()
    register_scheme()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Vibeshop Studio")
    app.setOrganizationName("Vibeshop")
    apply_style(app)
    return app


def run_studio(data: Path, *, store_slug: str | None = None, screenshot: Path | None = None,
               section: str | None = None) -> int:
    """Open the studio (on `section`: "checkout" or "checkout/discounts"); returns the exit status."""
    _prepare_environment(screenshot is not None)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sys.excepthook = log_uncaught
    app = create_application()
    from studio.first_run import FirstRunDialog
    from studio.main_window import MainWindow
    from studio.session import StudioSession

    data_dir = DataDir(data)
    if not list_stores(data_dir) and screenshot is None:
        if FirstRunDialog.create_or_demo(data_dir) is None:
            return 0
    try:
        store = open_store(data_dir, store_slug)
    except StoreError as exc:
        print(f"vibeshop studio: {exc}", file=sys.stderr)
        return 2
    session = StudioSession(data_dir, store)
    window = MainWindow(session)
    window.show()
    if section:
        name, _, page = section.partition("/")
        window.show_section(name)
        if page and name.lower() == "checkout":
            window.checkout.show_page(page)
    status = _screenshot(app, window, screenshot) if screenshot is not None else app.exec()
    window.close()
    session.close()
    return status


def _screenshot(app, window, target: Path) -> int:
    """Wait for the preview, save the whole window, return 0 (or 1 when the preview never loaded)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    loaded = []
    window.preview.loaded.connect(lambda: (loaded.append(True), QTimer.singleShot(SCREENSHOT_SETTLE_MS, loop.quit)))
    QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, loop.quit)
    if window.preview.document is None:
        loop.exec()
    else:
        QTimer.singleShot(SCREENSHOT_SETTLE_MS, loop.quit)
        loop.exec()
    app.processEvents()
    target.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(target), "PNG"):
        print(f"vibeshop studio: could not write {target}", file=sys.stderr)
        return 2
    if not loaded and window.preview.document is None:
        print("vibeshop studio: the preview did not load in time; the screenshot shows the window without it",
              file=sys.stderr)
        return 1
    print(target)
    return 0
