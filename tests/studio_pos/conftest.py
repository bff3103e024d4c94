"""Fixtures of the studio Point of sale and live Orders tests: Qt offscreen with the preview's URL scheme
registered before the QApplication exists (the main window has a preview), the studio's own look, a real
cloud a studio folder is linked to, and main windows (tests/support_linked_studio.py)."""

from __future__ import annotations

from support_linked_studio import prepare_qt

prepare_qt()

from support_linked_studio import live_cloud, studio_look, window_on  # noqa: E402,F401 - fixtures for this folder
