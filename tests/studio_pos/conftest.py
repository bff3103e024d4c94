"""Fixtures of the studio Point of sale and live Orders tests: Qt offscreen with the preview's URL scheme
registered before the QApplication exists (the main window has a preview), and the studio's own look."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if hasattr(os, "geteuid") and os.geteuid() == 0 and "--no-sandbox" not in os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", ""):
    os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "") + " --no-sandbox").strip()

from studio.none_refcount import guard_none_refcount  # noqa: E402 - after the environment above
from studio.preview.scheme import register_scheme  # noqa: E402

guard_none_refcount()
register_scheme()


@pytest.fixture
def studio_look(qapp) -> Iterator[None]:
    """The studio's own style, so the screenshots show what the merchant sees."""
    from studio.style import apply_style

    before = (qapp.style().name(), qapp.palette(), qapp.font(), qapp.styleSheet())
    apply_style(qapp)
    yield
    qapp.setStyle(before[0])
    qapp.setPalette(before[1])
    qapp.setFont(before[2])
    qapp.setStyleSheet(before[3])
