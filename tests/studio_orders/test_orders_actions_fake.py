"""The Orders and Customers sections' actions against a FAKE admin cloud (fake_admin_cloud.py) that
implements issue 12's contract for the endpoints built on other branches: fulfil with tracking and
line quantities, ready for pickup, picked up, cancel with restock, refund by amount with restock, a
409's reason shown in a dialog, the PDFs, a customer's export and erase; offline, the last view stays
readable under "Offline, as of HH:MM" and every action is disabled."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fake_admin_cloud import FakeAdminCloud, sample_customer, sample_order
from studio.customers.section import CustomersSection
from studio.orders.section import OrdersSection


@pytest.fixture
def fake_cloud():
    cloud = FakeAdminCloud().start()
    cloud.orders = {"order-1001": sample_order(1001), "order-1002": sample_order(1002, delivery="pickup")}
    cloud.customers = {"cust-1": sample_customer()}
    yield cloud
    cloud.close()


@pytest.fixture
def orders_section(fake_cloud, linked_session, qtbot, tmp_path: Path, monkeypatch):
    session, sync = linked_session(fake_cloud.url)
    opened: list[Path] = []
    monkeypatch.setattr(OrdersSection, "open_file", staticmethod(opened.append))
    section = OrdersSection(sync, tmp_path, "demo")
    section.opened = opened
    qtbot.addWidget(section)
    section.resize(1300, 800)
    section.show()
    qtbot.waitUntil(lambda: section.table.rowCount() == 2, timeout=30_000)
    yield section
    section.shutdown()


def _open(section, qtbot, row: int) -> dict:
    section.table.selectRow(row)
    number = int(section.table.item(row, 0).text().lstrip("#"))
    qtbot.waitUntil(lambda: (section.model.detail or {}).get("number") == number, timeout=30_000)
    return section.model.detail


def test_fulfil_some_units_with_tracking(orders_section, fake_cloud, qtbot) -> None:
    section = orders_section
    order = _open(section, qtbot, 1)           # #1001, shipping
    assert "Harbor tee" in section.detail.toPlainText() and "placed" in section.detail.toPlainText().lower()
    assert "order confirmation to ada@example.com: sent" in section.detail.toPlainText()
    assert section.fulfil_button.isEnabled() and not section.ready_button.isEnabled()
    dialog = section.fulfil()
    tee = dialog.lines.spins[0][2]
    assert tee.maximum() == 2 and tee.value() == 2
    tee.setValue(1)
    dialog.lines.spins[1][2].setValue(0)
    dialog.carrier.setText("UPS")
    dialog.tracking_number.setText("1Z999")
    dialog.tracking_url.setText("https://ups.example/1Z999")
    dialog.accept()
    qtbot.waitUntil(lambda: section.model.detail["fulfillmentStatus"] == "partially_fulfilled", timeout=30_000)
    _method, path, body = next(r for r in reversed(fake_cloud.requests) if r[0] == "POST")
    assert path == f"/api/admin/orders/{order['id']}/fulfillments"
    assert body == {"lines": [{"lineId": "order-1001:0", "quantity": 1}], "carrier": "UPS", "trackingNumber": "1Z999",
                    "trackingUrl": "https://ups.example/1Z999", "notify": True}
    assert "UPS 1Z999" in section.detail.toPlainText()
    qtbot.waitUntil(lambda: "Partially fulfilled" in section.table.item(1, 3).text(), timeout=30_000)


def test_a_refused_action_shows_the_cloud_s_reason(orders_section, fake_cloud, qtbot) -> None:
    section = orders_section
    _open(section, qtbot, 1)
    fake_cloud.orders["order-1001"]["fulfillmentStatus"] = "fulfilled"     # another device fulfilled it meanwhile
    assert section.cancel_button.isEnabled()                               # the studio's view is behind
    dialog = section.cancel()
    dialog.reason.setText("customer asked")
    dialog.accept()
    qtbot.waitUntil(lambda: section.last_problem is not None, timeout=30_000)
    text = section.last_problem.text()
    assert "409" in text and "a fulfilled order cannot be cancelled: refund it instead" in text
    assert fake_cloud.orders["order-1001"]["cancelledAt"] is None


def test_refund_by_items_and_by_amount_then_cancel_with_restock(orders_section, fake_cloud, qtbot) -> None:
    section = orders_section
    _open(section, qtbot, 1)
    dialog = section.refund()                       # by items first: one tee, back in stock
    assert dialog.by_lines.isChecked() and dialog.lines.spins[0][1] == 2
    dialog.accept()
    assert dialog.isVisible() and "Choose how many units" in dialog.error.text()
    dialog.lines.spins[0][2].setValue(1)
    dialog.restock.setChecked(True)
    dialog.accept()
    qtbot.waitUntil(lambda: len(section.model.detail["refunds"]) == 1, timeout=30_000)
    body = [r for r in fake_cloud.requests if r[1].endswith("/refunds")][-1][2]
    assert body == {"restock": True, "reason": "", "notify": True, "lines": [{"lineId": "order-1001:0", "quantity": 1}]}

    dialog = section.refund()
    dialog.by_amount.setChecked(True)
    dialog.amount.setText("12.555")                 # more digits than dollars have: refused in the dialog
    dialog.accept()
    assert dialog.isVisible() and "12.50" in dialog.error.text()
    dialog.amount.setText("12.50")
    dialog.restock.setChecked(True)
    dialog.accept()
    qtbot.waitUntil(lambda: len(section.model.detail["refunds"]) == 2, timeout=30_000)
    body = [r for r in fake_cloud.requests if r[1].endswith("/refunds")][-1][2]
    assert body["amount"] == {"amount": 1250, "currency": "USD"} and body["restock"] is True and "lines" not in body
    assert "$12.50" in section.detail.toPlainText()

    dialog = section.cancel()
    assert dialog.restock.isChecked()
    dialog.accept()
    qtbot.waitUntil(lambda: bool(section.model.detail.get("cancelledAt")), timeout=30_000)
    body = [r for r in fake_cloud.requests if r[1].endswith("/cancel")][-1][2]
    assert body == {"reason": "", "restock": True, "notify": True}
    assert not section.cancel_button.isEnabled() and not section.fulfil_button.isEnabled()


def test_pickup_ready_then_picked_up_and_the_pdfs(orders_section, fake_cloud, qtbot) -> None:
    section = orders_section
    _open(section, qtbot, 0)                        # #1002, pickup
    assert section.ready_button.isEnabled() and not section.picked_button.isEnabled()
    section.ready_button.click()
    qtbot.waitUntil(lambda: section.model.detail["pickupStatus"] == "ready", timeout=30_000)
    assert section.picked_button.isEnabled() and not section.ready_button.isEnabled()
    section.picked_button.click()
    qtbot.waitUntil(lambda: section.model.detail["pickupStatus"] == "picked_up", timeout=30_000)
    assert "Picked up" in section.detail.toPlainText()

    section.slip_button.click()
    qtbot.waitUntil(lambda: len(section.opened) == 1, timeout=30_000)
    assert section.opened[0].name == "order-1002-packing-slip.pdf"
    assert section.opened[0].read_bytes().startswith(b"%PDF") and b"packing-slip" in section.opened[0].read_bytes()
    section.invoice_button.click()
    qtbot.waitUntil(lambda: len(section.opened) == 2, timeout=30_000)
    assert section.opened[1].name == "order-1002-invoice.pdf"


def test_search_and_filters_go_to_the_cloud(orders_section, fake_cloud, qtbot) -> None:
    section = orders_section
    section.delivery_filter.setCurrentIndex(2)      # Pickup
    qtbot.waitUntil(lambda: section.table.rowCount() == 1, timeout=30_000)
    assert any("delivery=pickup" in r[1] for r in fake_cloud.requests if r[0] == "GET")
    section.delivery_filter.setCurrentIndex(0)
    section.status_filter.setCurrentIndex(1)        # Unfulfilled
    section.date_filter.setCurrentIndex(2)          # Last 7 days
    section.search.setText("#1001")
    qtbot.waitUntil(lambda: section.table.rowCount() == 1 and section.table.item(0, 0).text() == "#1001",
                    timeout=30_000)
    last = [r[1] for r in fake_cloud.requests if r[0] == "GET"][-1]
    assert "fulfillment_status=unfulfilled" in last and "since=" in last and "q=%231001" in last


def test_offline_keeps_the_last_view_readable_and_allows_no_action(orders_section, fake_cloud, qtbot,
                                                                   linked_session, tmp_path: Path) -> None:
    section = orders_section
    _open(section, qtbot, 1)
    assert section.fulfil_button.isEnabled()
    fake_cloud.stop()
    section.model.refresh()
    qtbot.waitUntil(lambda: section.banner.isVisible(), timeout=30_000)
    assert section.banner.text().startswith("Offline, as of ")
    assert section.table.rowCount() == 2 and "Harbor tee" in section.detail.toPlainText()
    assert not any(button.isEnabled() for button in section.action_buttons)
    assert section.fulfil() is None and section.model.order_action("Ready", "mark_ready_for_pickup") is False

    # A studio started while offline shows what was kept on disk, opened orders included.
    _session, sync = linked_session(fake_cloud.url)
    again = OrdersSection(sync, tmp_path, "demo")
    qtbot.addWidget(again)
    qtbot.waitUntil(lambda: not again.banner.isHidden() and again.table.rowCount() == 2, timeout=30_000)
    assert again.banner.text().startswith("Offline, as of ")
    again.open_order("order-1001")
    qtbot.waitUntil(lambda: "Harbor tee" in again.detail.toPlainText(), timeout=30_000)
    assert not any(button.isEnabled() for button in again.action_buttons)
    again.shutdown()


def test_customers_list_detail_export_and_erase(fake_cloud, linked_session, qtbot, tmp_path: Path) -> None:
    _session, sync = linked_session(fake_cloud.url)
    section = CustomersSection(sync, tmp_path, "demo")
    qtbot.addWidget(section)
    section.show()
    qtbot.waitUntil(lambda: section.table.rowCount() == 1, timeout=30_000)
    assert [section.table.item(0, c).text() for c in (0, 1, 2, 3, 4)] == [
        "Ada Lovelace", "ada@example.com", "2", "$120.00", "Subscribed"]
    section.table.selectRow(0)
    qtbot.waitUntil(lambda: section.model.detail is not None, timeout=30_000)
    text = section.detail.toPlainText()
    assert "1 Market St" in text and "#1001" in text and "subscribed (checkout)" in text

    target = tmp_path / "ada.json"
    assert section.export(target)
    qtbot.waitUntil(lambda: section.exported == target, timeout=30_000)
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert exported["profile"]["email"] == "ada@example.com" and exported["orders"][0]["number"] == 1001

    assert section.erase(confirm=lambda: False) is False
    assert "cust-1" in fake_cloud.customers
    assert section.erase(confirm=lambda: True)
    qtbot.waitUntil(lambda: "was erased" in section.detail.toPlainText(), timeout=30_000)
    assert ("DELETE", "/api/admin/customers/cust-1", None) in fake_cloud.requests
    assert section.cache.get_detail("cust-1") is None      # no copy of an erased customer is kept here
    qtbot.waitUntil(lambda: section.table.rowCount() == 0, timeout=30_000)
    assert not section.erase_button.isEnabled()


def test_a_token_without_the_scope_is_said_in_the_banner_not_a_dialog(fake_cloud, linked_session, qtbot,
                                                                       tmp_path: Path) -> None:
    fake_cloud.forbidden = True          # a studio paired before device tokens had the orders scopes
    _session, sync = linked_session(fake_cloud.url)
    section = OrdersSection(sync, tmp_path, "demo")
    qtbot.addWidget(section)
    qtbot.waitUntil(lambda: not section.banner.isHidden(), timeout=30_000)
    assert "does not have the 'orders:read' scope" in section.banner.text()
    assert section.last_problem is None and section.table.rowCount() == 0
    fake_cloud.forbidden = False
    section.model.refresh()
    qtbot.waitUntil(lambda: section.banner.isHidden() and section.table.rowCount() == 2, timeout=30_000)
    section.shutdown()
