"""The Orders section against a flaky cloud (hostile_cloud.py): Ready for pickup and Picked up on an order
the POS changed meanwhile (409 illegal_transition / stale_version) show the cloud's reason and the order
as it is now; a 500 or a web page in answer is said in words, never as a bug; the live stream answering a
web page is not taken for a stream, a stream that hangs up at once is retried later and later, and the
stream comes back with the cloud."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from hostile_cloud import HostileCloud, sample_order, shot
from studio.orders.live import OrdersListener
from studio.orders.section import OrdersSection


@pytest.fixture
def section(hostile_cloud: HostileCloud, linked_session, qtbot, tmp_path: Path, short_timeout) -> OrdersSection:
    hostile_cloud.orders = {"order-1002": sample_order(1002)}
    _session, sync = linked_session(hostile_cloud.url)
    section = OrdersSection(sync, tmp_path, "demo")
    qtbot.addWidget(section)
    section.resize(1300, 800)
    section.show()
    qtbot.waitUntil(lambda: section.table.rowCount() == 1, timeout=30_000)
    section.table.selectRow(0)
    qtbot.waitUntil(lambda: (section.model.detail or {}).get("number") == 1002, timeout=30_000)
    yield section
    section.shutdown()


def _problem(section: OrdersSection, qtbot):  # noqa: ANN001, ANN202
    qtbot.waitUntil(lambda: section.last_problem is not None and section.last_problem.isVisible(), timeout=30_000)
    return section.last_problem


def test_ready_for_pickup_on_an_order_the_pos_handed_over_shows_why_and_reloads(section, hostile_cloud,
                                                                               qtbot) -> None:
    assert section.ready_button.isEnabled()
    hostile_cloud.orders["order-1002"].update(pickupStatus="picked_up", fulfillmentStatus="fulfilled")   # the POS
    hostile_cloud.refusals["ready-for-pickup"] = ("illegal_transition", "Order #1002 was already picked up")
    section.ready_button.click()
    box = _problem(section, qtbot)
    assert box.windowTitle() == "Ready for pickup"
    assert box.text() == "The cloud refused this (409): Order #1002 was already picked up"
    shot(box, "orders-ready-409")
    qtbot.waitUntil(lambda: section.model.detail["pickupStatus"] == "picked_up", timeout=30_000)
    assert not section.ready_button.isEnabled() and not section.picked_button.isEnabled()
    box.accept()


def test_picked_up_on_an_order_changed_since_shows_why_and_reloads(section, hostile_cloud, qtbot) -> None:
    hostile_cloud.orders["order-1002"]["pickupStatus"] = "ready"
    section.refresh_button.click()
    qtbot.waitUntil(lambda: section.picked_button.isEnabled(), timeout=30_000)
    hostile_cloud.orders["order-1002"].update(cancelledAt="2026-12-05T10:10:00+00:00", cancelReason="customer")
    hostile_cloud.refusals["picked-up"] = ("stale_version", "The order changed since it was shown: it was cancelled")
    section.picked_button.click()
    box = _problem(section, qtbot)
    assert "it was cancelled" in box.text() and "409" in box.text()
    qtbot.waitUntil(lambda: bool(section.model.detail.get("cancelledAt")), timeout=30_000)
    assert not section.picked_button.isEnabled() and not section.cancel_button.isEnabled()
    box.accept()


@pytest.mark.parametrize("mode, says", [("500", "The cloud is having trouble (it answered 500)"),
                                        ("html", "was not understood"),
                                        ("hang", "did not answer in time")])
def test_an_action_when_the_cloud_misbehaves_is_said_in_words(section, hostile_cloud, qtbot, mode, says) -> None:
    hostile_cloud.mode = mode
    section.ready_button.click()
    box = _problem(section, qtbot)
    assert says in box.text() and "It is not known whether it was done: Refresh to see" in box.text()
    assert "Something went wrong in the studio" not in box.text()
    shot(box, f"orders-ready-{mode}")
    box.accept()
    hostile_cloud.mode = "ok"
    section.refresh_button.click()
    qtbot.waitUntil(lambda: section.model.online and not section.banner.isVisible(), timeout=30_000)
    section.ready_button.click()
    qtbot.waitUntil(lambda: hostile_cloud.orders["order-1002"]["pickupStatus"] == "ready", timeout=30_000)


def test_opening_an_order_answered_by_a_web_page_says_so(section, hostile_cloud, qtbot) -> None:
    hostile_cloud.mode = "html"
    section.refresh_button.click()
    qtbot.waitUntil(lambda: section.banner.isVisible(), timeout=30_000)
    assert "was not understood" in section.banner.text()
    shot(section, "orders-list-html")
    section.open_order("order-1002")
    box = _problem(section, qtbot)
    assert "was not understood" in box.text() and "Something went wrong in the studio" not in box.text()
    box.accept()


def _listener(cloud: HostileCloud, seen: dict[str, list]) -> OrdersListener:
    return OrdersListener(f"{cloud.url}/api/admin/orders/stream", {"Authorization": "Bearer device-token"},
                          on_order=seen["orders"].append, on_connected=lambda: seen["connected"].append(1),
                          backoff=(0.01, 0.05))


def _stream_requests(cloud: HostileCloud) -> int:
    return cloud.requests.count(("GET", "/api/admin/orders/stream"))


def test_a_stream_answered_by_a_web_page_is_not_a_stream(hostile_cloud, qtbot) -> None:
    hostile_cloud.stream_mode = "html"
    seen: dict[str, list] = {"orders": [], "connected": []}
    listener = _listener(hostile_cloud, seen)
    listener.start()
    try:
        qtbot.waitUntil(lambda: _stream_requests(hostile_cloud) >= 4, timeout=30_000)
        assert seen["connected"] == [] and not listener.connected      # it reloaded the list at each try
        hostile_cloud.stream_mode = "sse"
        hostile_cloud.streamed = [{"id": "order-1003", "number": 1003}]
        qtbot.waitUntil(lambda: bool(seen["orders"]) and listener.connected, timeout=30_000)
        assert seen["orders"][0]["number"] == 1003 and seen["connected"]

        hostile_cloud.stop()                                           # the cloud goes away and comes back
        qtbot.waitUntil(lambda: not listener.connected, timeout=30_000)
        hostile_cloud.streamed = [{"id": "order-1004", "number": 1004}]
        hostile_cloud.start()
        qtbot.waitUntil(lambda: any(o["number"] == 1004 for o in seen["orders"]) and listener.connected,
                        timeout=30_000)
    finally:
        listener.stop()


def test_a_stream_that_hangs_up_before_a_word_counts_as_a_failure(hostile_cloud) -> None:
    listener = _listener(hostile_cloud, {"orders": [], "connected": []})
    with httpx.Client(timeout=10) as http:
        hostile_cloud.stream_mode = "drop"
        assert listener._listen(http, 3) == 3          # noqa: SLF001 - the backoff keeps growing
        hostile_cloud.stream_mode = "html"
        assert listener._listen(http, 3) == 3          # noqa: SLF001
    listener.stop()
