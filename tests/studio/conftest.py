"""Studio fixtures: real Qt widgets offscreen, a real QtWebEngine preview, the demo store in a private
copy. The preview's URL scheme must be registered before the QApplication exists, so it is done
when this file is imported (pytest-qt creates the application later, in its `qapp` fixture)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from support_linked_studio import prepare_qt

prepare_qt()

from shared.storefront.service import DataDir, open_store  # noqa: E402
from support_linked_studio import live_cloud, open_main_window, studio_look, window_on  # noqa: E402,F401


@pytest.fixture
def session(demo_dir: Path, qapp) -> Iterator[Any]:
    """A studio session on a private copy of the demo store."""
    from studio.session import StudioSession

    data_dir = DataDir(demo_dir)
    studio = StudioSession(data_dir, open_store(data_dir, "demo"))
    yield studio
    studio.close()


@pytest.fixture
def studio_window(qtbot, demo_dir: Path) -> Iterator[Any]:
    """The main window on the demo store, its preview loaded."""
    window, session = open_main_window(qtbot, demo_dir)
    qtbot.waitUntil(lambda: window.preview.document is not None, timeout=30_000)
    PreviewDriver(qtbot, window).after()
    yield window
    window.close()
    session.close()


class PreviewDriver:
    """Waits for the preview and reads its DOM, the way a person would look at it."""

    def __init__(self, qtbot, window):
        self.qtbot, self.window = qtbot, window

    def after(self, action: Callable[[], Any] | None = None, timeout: int = 15_000) -> None:
        """Run `action` (or a refresh) and wait until the preview shows the result.

        A render started before `action` (a click's own refresh) can finish first, so this waits
        for renders until none is pending, not for the first one."""
        pane = self.window.preview
        with self.qtbot.waitSignal(pane.loaded, timeout=timeout):
            if action is not None:
                action()
            else:
                pane.refresh(now=True)
        while not pane.settled:
            with self.qtbot.waitSignal(pane.loaded, timeout=timeout):
                pass

    def js(self, script: str, timeout: int = 10_000) -> Any:
        """Evaluate JavaScript in the preview page's own world and return its result."""
        results: list[Any] = []
        self.window.preview.run_js(script, results.append)
        self.qtbot.waitUntil(lambda: bool(results), timeout=timeout)
        return results[0]

    def wait_js(self, script: str, expected: Any, timeout: int = 10_000) -> None:
        """Evaluate `script` again each time it answers, until it answers `expected` (a resize reaches
        the page's renderer after the render that follows it)."""
        answers: list[Any] = []
        self.window.preview.run_js(script, answers.append)

        def shows() -> bool:
            if answers and answers[-1] != expected:
                answers.clear()
                self.window.preview.run_js(script, answers.append)
            return bool(answers) and answers[-1] == expected
        self.qtbot.waitUntil(shows, timeout=timeout)


@pytest.fixture
def preview(qtbot, studio_window) -> PreviewDriver:
    """Drive and read the main window's preview."""
    return PreviewDriver(qtbot, studio_window)
