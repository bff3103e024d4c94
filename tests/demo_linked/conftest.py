"""Fixtures of the demo's linked studio tests: Qt offscreen with the preview's URL scheme registered before
the QApplication exists (the main window has a preview), the studio's own look and main windows, and a
real cloud on loopback (tests/support_linked_studio.py)."""

from __future__ import annotations

from support_linked_studio import prepare_qt

prepare_qt()

from support_linked_studio import studio_look, window_on  # noqa: E402,F401 - fixtures for this folder
