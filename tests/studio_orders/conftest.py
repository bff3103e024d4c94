"""Fixtures of the studio Orders/Customers tests: Qt offscreen with the preview's URL scheme registered
before the QApplication exists (the main window has a preview), the studio's own look, a real cloud and
main windows (tests/support_linked_studio.py), and a studio session whose store is linked to a given
cloud address."""

from __future__ import annotations

from support_linked_studio import prepare_qt

prepare_qt()

from support_linked_studio import linked_session, live_cloud, studio_look, window_on  # noqa: E402,F401 - fixtures
