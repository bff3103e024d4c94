"""Fixtures of the journeys folder: the checkout's shop (localstripe; tests/conftest.py gives the process)
for the service-level tests, and Qt offscreen set up as tests/studio_orders/conftest.py does for the
studio journey (the preview's URL scheme registered before the QApplication exists)."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if hasattr(os, "geteuid") and os.geteuid() == 0 and "--no-sandbox" not in os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", ""):
    os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "") + " --no-sandbox").strip()

from studio.none_refcount import guard_none_refcount  # noqa: E402 - after the environment above
from studio.preview.scheme import register_scheme  # noqa: E402
from support_checkout import shop  # noqa: E402,F401 - a fixture for this folder

guard_none_refcount()
register_scheme()
