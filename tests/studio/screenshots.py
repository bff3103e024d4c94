"""Screenshots the studio tests take of their widgets.

Each one is written to the test's `tmp_path` and checked there (a PNG of the widget's size), so a
test run leaves the working tree clean. With VIBESHOP_DOCS_SCREENSHOTS=1 it is also copied into
docs/screenshots/, which is how the pictures in the docs are refreshed:
`VIBESHOP_DOCS_SCREENSHOTS=1 make test`.

Imported as `from screenshots import save_screenshot`: tests/studio has no __init__.py, so pytest
puts this folder on sys.path when it imports the test modules beside it.
"""

from __future__ import annotations

import os
import shutil
import struct
from pathlib import Path

from PySide6.QtWidgets import QWidget

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DOCS_SWITCH = "VIBESHOP_DOCS_SCREENSHOTS"
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path: Path) -> tuple[int, int]:
    """The width and height in a PNG file's header (fails on anything that is not a PNG)."""
    data = path.read_bytes()
    assert data.startswith(_PNG_SIGNATURE) and data[12:16] == b"IHDR", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def settle(qtbot, widget: QWidget, *, timeout: int = 20_000) -> None:  # noqa: ANN001
    """Handle events until `widget` renders the same twice running: the layouts, resizes and repaints
    its last change posted have all been applied (what a fixed pause before a grab only hoped for)."""
    last: list[object] = [None]

    def unchanged() -> bool:
        now = widget.grab().toImage()
        same, last[0] = now == last[0], now
        return same
    qtbot.waitUntil(unchanged, timeout=timeout)


def save_screenshot(widget: QWidget, name: str, tmp_path: Path, *,
                    size: tuple[int, int] | None = None) -> Path:
    """Grab `widget` into tmp_path/name and check it is a PNG of `size` (default: the widget's size in
    device pixels); also copy it to docs/screenshots/ when VIBESHOP_DOCS_SCREENSHOTS=1."""
    pixmap = widget.grab()
    path = tmp_path / name
    assert pixmap.save(str(path), "PNG"), f"could not write {path}"
    if size is None:
        ratio = pixmap.devicePixelRatio()
        size = (round(widget.width() * ratio), round(widget.height() * ratio))
    assert path.stat().st_size > 0
    assert png_size(path) == size, f"{name}: {png_size(path)} is not the expected {size}"
    if os.environ.get(DOCS_SWITCH) == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_SCREENSHOTS / name)
    return path
