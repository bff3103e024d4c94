"""Fixtures of the e-mail design tests: the store's branding, and the e-mail sandboxes stopped at the end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from shared.mail.designs import close_executors
from shared.mail.views import MailBranding


@pytest.fixture(scope="module", autouse=True)
def _mail_sandboxes() -> Iterator[None]:
    yield
    close_executors()


@pytest.fixture
def branding() -> MailBranding:
    return MailBranding(store_name="Fern & Co", store_url="https://fern.example/", support_email="hello@fern.example",
                        accent="#0b6e4f")


def pytest_configure(config) -> None:  # noqa: ANN001 - pytest's hook
    """The studio test's Qt set-up, before pytest-qt makes the application: offscreen, Chromium's
    sandbox off as root, the preview's URL scheme registered (the main window's preview needs it)."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--no-sandbox" not in os.environ.get(
            "QTWEBENGINE_CHROMIUM_FLAGS", ""):
        os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = (os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
                                                    + " --no-sandbox").strip()
