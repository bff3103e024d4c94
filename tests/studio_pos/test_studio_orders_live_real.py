"""The Orders section's live updates against the REAL cloud (`vibeshop cloud serve` on loopback): a
shopper's pickup order is open in a linked studio; the counter's POS marks it ready and then picked up
through POST /pos/v1/orders/{id}/fulfilment, and the studio's list and opened order follow by
themselves (`event: order-updated` on /api/admin/orders/stream). Needs the orders feed (FEED's part of
issue 13: order_events, the fulfilment endpoint and the stream's new event)."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx

from studio_orders.orders_support import place_pickup_order
from support_linked_studio import LiveCloud


def _pos(cloud: LiveCloud, token: str, method: str, path: str, body: dict | None = None) -> httpx.Response:
    headers = {"Host": f"demo.localhost:{cloud.port}", "Authorization": f"Bearer {token}"}
    if method == "POST":
        headers["Idempotency-Key"] = str(uuid.uuid4())
    return httpx.request(method, f"{cloud.url}{path}", json=body, headers=headers, timeout=30)


def _act(cloud: LiveCloud, token: str, order_id: str, action: str) -> dict:
    order = _pos(cloud, token, "GET", f"/pos/v1/orders/{order_id}")
    assert order.status_code == 200, order.text
    done = _pos(cloud, token, "POST", f"/pos/v1/orders/{order_id}/fulfilment",
                {"action": action, "version": order.json()["version"]})
    assert done.status_code == 200, done.text
    return done.json()["order"]


def test_the_counter_readies_and_hands_over_an_order_open_in_the_studio(live_cloud: LiveCloud, window_on, qtbot,
                                                                        tmp_path: Path) -> None:
    folder = tmp_path / "laptop"
    live_cloud.link(folder)
    till = live_cloud.add_pos_device("Pine Street shop", "Front till")
    place_pickup_order(live_cloud.url, f"demo.localhost:{live_cloud.port}", email="grace@example.com")

    window = window_on(folder)
    window.show_section("orders")
    orders = window.orders
    qtbot.waitUntil(lambda: orders.listener is not None and orders.listener.connected
                    and orders.table.rowCount() >= 1, timeout=60_000)
    orders.table.selectRow(0)
    qtbot.waitUntil(lambda: (orders.model.detail or {}).get("email") == "grace@example.com", timeout=30_000)
    order_id = str(orders.model.detail["id"])

    _act(live_cloud, till, order_id, "ready")
    qtbot.waitUntil(lambda: orders.model.detail.get("pickupStatus") == "ready", timeout=30_000)
    qtbot.waitUntil(lambda: "Ready for pickup" in orders.table.item(0, 3).text(), timeout=30_000)
    assert orders.picked_button.isEnabled()

    _act(live_cloud, till, order_id, "picked_up")
    qtbot.waitUntil(lambda: orders.model.detail.get("pickupStatus") == "picked_up", timeout=30_000)
    assert "Picked up" in orders.detail.toPlainText() and not orders.picked_button.isEnabled()
    assert orders.listener.last_event_id is not None and "Oversold" not in orders.table.item(0, 3).text()
