"""Fixtures of the live catalogue tests: Qt offscreen (the preview's URL scheme registered before the
QApplication exists, as the studio does), and the cloud fixtures of catalog_live_support.py."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if hasattr(os, "geteuid") and os.geteuid() == 0 and "--no-sandbox" not in os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", ""):
    os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "") + " --no-sandbox").strip()

from studio.none_refcount import guard_none_refcount  # noqa: E402 - after the environment above
from studio.preview.scheme import register_scheme  # noqa: E402

guard_none_refcount()
register_scheme()

from catalog_live_support import catalog_setup, feed_client  # noqa: E402,F401 - fixtures found by pytest here


import pytest  # noqa: E402


@pytest.fixture
def studio_look(qapp):
    """The studio's own style, so the screenshot shows what the merchant sees."""
    from studio.style import apply_style

    before = (qapp.style().name(), qapp.palette(), qapp.font(), qapp.styleSheet())
    apply_style(qapp)
    yield
    qapp.setStyle(before[0])
    qapp.setPalette(before[1])
    qapp.setFont(before[2])
    qapp.setStyleSheet(before[3])
