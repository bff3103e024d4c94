"""Screenshots of the Orders and Customers sections as a merchant sees them (the studio's own look),
with orders in several states and an order opened; fed by the fake admin cloud (fake_admin_cloud.py),
since the richer order JSON (fulfilments, refunds, e-mails) comes from other branches. Written to
docs/screenshots/ with VIBESHOP_DOCS_SCREENSHOTS=1."""

from __future__ import annotations

from pathlib import Path

from fake_admin_cloud import FakeAdminCloud, sample_customer, sample_order
from orders_support import save_section_screenshot
from studio.customers.section import CustomersSection
from studio.orders.section import OrdersSection


def _shop() -> FakeAdminCloud:
    cloud = FakeAdminCloud().start()
    names = [("Ada Lovelace", "ada@example.com", "ship"), ("Grace Hopper", "grace@example.com", "pickup"),
             ("Alan Turing", "alan@example.com", "ship"), ("Katherine Johnson", "kj@example.com", "local_delivery"),
             ("Edsger Dijkstra", "edsger@example.com", "ship")]
    for offset, (name, email, delivery) in enumerate(names):
        order = sample_order(1001 + offset, delivery=delivery)
        order.update(customerName=name, email=email, createdAt=f"2026-12-0{1 + offset}T1{offset}:20:00+00:00")
        cloud.orders[order["id"]] = order
    first = cloud.orders["order-1001"]
    first["fulfillmentStatus"], first["paymentStatus"] = "partially_fulfilled", "partially_refunded"
    first["lines"][0]["fulfilledQuantity"] = 1
    first["fulfillments"] = [{"id": "f0", "carrier": "UPS", "trackingNumber": "1Z999AA10123456784",
                              "trackingUrl": "https://ups.example/1Z999", "createdAt": "2026-12-02T09:12:00+00:00",
                              "lines": [{"lineId": "order-1001:0", "quantity": 1}]}]
    first["refunds"] = [{"id": "r0", "amount": {"amount": 1500, "currency": "USD"}, "lines": [], "restock": True,
                         "reason": "Cap out of stock", "createdAt": "2026-12-02T09:30:00+00:00", "status": "succeeded"}]
    first["refundable"] = {"amount": 5500, "currency": "USD"}
    first["messages"].append({"kind": "shipping_confirmation", "to": "ada@example.com", "status": "sent",
                              "attempts": 1, "lastError": "", "sentAt": "2026-12-02T09:12:04+00:00"})
    first["events"] += [{"at": "2026-12-02T09:12:00+00:00", "kind": "fulfilled", "message": "1 unit · UPS",
                         "actor": "device:Laptop"},
                        {"at": "2026-12-02T09:30:00+00:00", "kind": "refunded", "message": "$15.00, restocked",
                         "actor": "device:Laptop"}]
    cloud.orders["order-1002"]["pickupStatus"] = "ready"
    cloud.orders["order-1002"]["paymentStatus"] = "unpaid"
    cloud.orders["order-1003"]["fulfillmentStatus"] = "fulfilled"
    second = sample_customer()
    second.update(id="cust-2", email="grace@example.com", name="Grace Hopper", ordersCount=1,
                  totalSpent={"amount": 7000, "currency": "USD"}, marketingConsent=False)
    third = sample_customer()
    third.update(id="cust-3", email="alan@example.com", name="Alan Turing", ordersCount=3,
                 totalSpent={"amount": 21500, "currency": "USD"})
    cloud.customers = {c["id"]: c for c in (sample_customer(), second, third)}
    return cloud


def test_screenshots_of_orders_and_customers(linked_session, qtbot, tmp_path: Path, studio_look) -> None:
    cloud = _shop()
    try:
        _session, sync = linked_session(cloud.url)
        orders = OrdersSection(sync, tmp_path, "demo")
        qtbot.addWidget(orders)
        orders.resize(1400, 860)
        orders.show()
        qtbot.waitUntil(lambda: orders.table.rowCount() == 5, timeout=30_000)
        orders.table.selectRow(4)
        qtbot.waitUntil(lambda: (orders.model.detail or {}).get("number") == 1001, timeout=30_000)
        assert "UPS 1Z999AA10123456784" in orders.detail.toPlainText()
        save_section_screenshot(orders, "studio-orders.png", tmp_path)
        orders.shutdown()

        customers = CustomersSection(sync, tmp_path, "demo")
        qtbot.addWidget(customers)
        customers.resize(1400, 860)
        customers.show()
        qtbot.waitUntil(lambda: customers.table.rowCount() == 3, timeout=30_000)
        customers.table.selectRow(0)
        qtbot.waitUntil(lambda: customers.model.detail is not None, timeout=30_000)
        save_section_screenshot(customers, "studio-customers.png", tmp_path)
    finally:
        cloud.close()
