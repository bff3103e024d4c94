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
