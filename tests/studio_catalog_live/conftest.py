"""Fixtures of the live catalogue tests: Qt offscreen (the preview's URL scheme registered before the
QApplication exists, as the studio does), the studio's own look (tests/support_linked_studio.py), and the
cloud fixtures of catalog_live_support.py."""

from __future__ import annotations

from support_linked_studio import prepare_qt

prepare_qt()

from catalog_live_support import catalog_setup, feed_client  # noqa: E402,F401 - fixtures found by pytest here
from support_linked_studio import studio_look  # noqa: E402,F401
