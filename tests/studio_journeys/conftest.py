"""Fixtures of the journeys folder: the checkout's shop (localstripe; tests/conftest.py gives the process)
for the service-level tests, and Qt offscreen set up for the studio journey as every studio folder does it
(tests/support_linked_studio.py: the preview's URL scheme registered before the QApplication exists)."""

from __future__ import annotations

from support_linked_studio import prepare_qt

prepare_qt()

from support_checkout import shop  # noqa: E402,F401 - a fixture for this folder
