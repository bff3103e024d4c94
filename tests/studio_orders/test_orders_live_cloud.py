"""The Orders section against a REAL cloud (`vibeshop cloud serve` on loopback) and a linked studio: an
order a shopper places over HTTP appears in the list by itself (the SSE stream), with a badge on the
Orders rail item until the merchant opens the section; its detail reads from the admin API; when the
cloud goes away the list and the opened order stay readable under "Offline, as of HH:MM" and every
action is disabled."""

from __future__ import annotations

from pathlib import Path

import pytest

from orders_support import grant_device_scopes, place_pickup_order
from support_linked_studio import LiveCloud


def test_an_order_placed_over_http_appears_live_with_a_badge_then_offline(live_cloud: LiveCloud, window_on,
                                                                         qtbot, tmp_path: Path) -> None:
    folder = tmp_path / "laptop"
    live_cloud.link(folder, "Laptop")
    grant_device_scopes(live_cloud.data)
    window = window_on(folder)
    orders = window.orders
    rail_item = window.rail.item(6)
    assert rail_item.text().endswith("Orders")
    qtbot.waitUntil(lambda: orders.listener is not None and orders.listener.connected and orders.model.online,
                    timeout=60_000)
    before = orders.table.rowCount()

    place_pickup_order(live_cloud.url, f"demo.localhost:{live_cloud.port}", email="grace@example.com")
    qtbot.waitUntil(lambda: orders.table.rowCount() == before + 1, timeout=60_000)
    qtbot.waitUntil(lambda: rail_item.text().endswith("Orders (1)"), timeout=30_000)
    assert "grace@example.com" in orders.table.item(0, 2).text() and "Pickup" in orders.table.item(0, 4).text()

    window.show_section("orders")
    assert rail_item.text().endswith("Orders") and orders.unseen == 0
    orders.table.selectRow(0)
    qtbot.waitUntil(lambda: (orders.model.detail or {}).get("email") == "grace@example.com", timeout=30_000)
    text = orders.detail.toPlainText()
    assert orders.table.item(0, 0).text() in text and "Pickup" in text and "Harbor" in text
    assert orders.slip_button.isEnabled() and orders.invoice_button.isEnabled()

    live_cloud.stop()
    orders.model.refresh()
    qtbot.waitUntil(lambda: orders.banner.isVisible(), timeout=60_000)
    assert orders.banner.text().startswith("Offline, as of ")
    assert orders.table.rowCount() == before + 1 and "grace@example.com" in orders.detail.toPlainText()
    assert not any(button.isEnabled() for button in orders.action_buttons)


def test_pickup_journey_with_the_real_lifecycle(live_cloud: LiveCloud, window_on, qtbot, tmp_path: Path,
                                                monkeypatch) -> None:
    """Ready for pickup, picked up (pay in store: collected), a partial refund, the packing slip, and a
    transition the cloud refuses, all from the studio against the real admin API. The endpoints come
    with cloud/server/orders_api.py (another branch of issue 12): until it is merged there is nothing
    to run this against."""
    pytest.importorskip("cloud.server.orders_api", reason="the order lifecycle's admin API is not merged yet")
    from studio.orders.section import OrdersSection

    opened: list[Path] = []
    monkeypatch.setattr(OrdersSection, "open_file", staticmethod(opened.append))
    folder = tmp_path / "laptop"
    live_cloud.link(folder, "Laptop")
    grant_device_scopes(live_cloud.data)       # harmless once pairing grants them itself
    place_pickup_order(live_cloud.url, f"demo.localhost:{live_cloud.port}", email="ada@example.com")
    window = window_on(folder)
    window.show_section("orders")
    orders = window.orders
    qtbot.waitUntil(lambda: orders.table.rowCount() >= 1 and orders.model.online, timeout=60_000)
    orders.table.selectRow(0)
    qtbot.waitUntil(lambda: (orders.model.detail or {}).get("email") == "ada@example.com", timeout=30_000)

    orders.ready_button.click()
    qtbot.waitUntil(lambda: orders.model.detail.get("pickupStatus") == "ready", timeout=30_000)
    orders.picked_button.click()
    qtbot.waitUntil(lambda: orders.model.detail.get("pickupStatus") == "picked_up", timeout=30_000)
    assert orders.model.detail["paymentStatus"] == "paid"
    assert any(event.get("actor", "").startswith("device:") for event in orders.model.detail["events"])

    dialog = orders.refund()
    dialog.by_amount.setChecked(True)
    dialog.amount.setText("1.00")
    dialog.accept()
    qtbot.waitUntil(lambda: orders.model.detail.get("paymentStatus") == "partially_refunded", timeout=30_000)

    orders.slip_button.click()
    qtbot.waitUntil(lambda: bool(opened), timeout=30_000)
    assert opened[0].read_bytes().startswith(b"%PDF")

    orders.model.order_action("Ready for pickup", "mark_ready_for_pickup")     # it was picked up already
    qtbot.waitUntil(lambda: orders.last_problem is not None, timeout=30_000)
    assert "409" in orders.last_problem.text()
