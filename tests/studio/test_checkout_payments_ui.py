"""Checkout ▸ Payments against a REAL cloud (`vibeshop cloud serve` on loopback): the studio sends the
Stripe keys through the admin API with its device token, shows them back masked, keeps them nowhere on
this computer, shows a refused key next to its field, and says it needs a connection when offline."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.payments.secrets import ENV_VAR
from studio.checkout.payments_page import OFFLINE_TEXT
from support_linked_studio import LiveCloud, running_cloud

SECRET = "sk_test_" + "a1B2" * 6 + "wxyz"
PUBLISHABLE = "pk_test_" + "c3D4" * 6 + "pqrs"


@pytest.fixture
def keyed_cloud(demo_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveCloud]:
    monkeypatch.setenv(ENV_VAR, base64.urlsafe_b64encode(os.urandom(32)).decode())   # the server inherits it
    with running_cloud(demo_dir) as server:
        yield server


def test_keys_go_to_the_cloud_and_come_back_masked(keyed_cloud: LiveCloud, window_on, qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "laptop"
    keyed_cloud.link(folder, "Laptop")
    window = window_on(folder)
    window.show_section("checkout")
    window.checkout.show_page("payments")
    page = window.checkout.payments
    qtbot.waitUntil(lambda: page.status.text().startswith("Not connected: card payments are off"), timeout=30_000)
    assert page.save_button.isEnabled()

    page.secret.setText("sk_nope")
    page.publishable.setText(PUBLISHABLE)
    page.save()
    error = page.router.labels["secretKey"]
    qtbot.waitUntil(lambda: not error.isHidden(), timeout=30_000)
    assert "secret key must look like sk_test_" in error.text() and "sk_nope" not in error.text()

    page.secret.setText(SECRET)
    page.save()
    qtbot.waitUntil(lambda: "sk_test_…wxyz" in page.status.text(), timeout=30_000)
    assert "test mode" in page.status.text() and "pk_test_…pqrs" in page.status.text()
    assert page.secret.text() == "" and error.isHidden()
    for path in folder.rglob("*.db*"):
        assert SECRET.encode() not in path.read_bytes(), path

    keyed_cloud.stop()
    page.refresh()
    qtbot.waitUntil(lambda: page.notice.text() == OFFLINE_TEXT, timeout=30_000)
