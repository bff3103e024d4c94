"""The merchant's day in the studio against a REAL cloud (`vibeshop cloud serve` on loopback, card
payments at localstripe, the shop's e-mails written into DATA/mail): an order a shopper pays by card
over HTTP appears live in the Orders section with a badge; fulfilled with carrier and tracking through
the section's dialog, the shipping e-mail arrives naming the tracking number; refunded partly (by
amount, then one line) through the dialog, the refund e-mails arrive and the totals are right in the
detail and at Stripe; what the cloud refuses (more than is refundable, fulfilling a cancelled order) is
shown with its reason. And pickup with capture at pickup: authorized at checkout, ready (e-mail),
picked up (captured at Stripe)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from journeys_support import CardCloud, mail_to
from shared.storefront.service import DataDir, open_store
from support_stripe import LocalStripe


@pytest.fixture
def card_cloud(demo_dir: Path, localstripe: LocalStripe, request) -> Iterator[CardCloud]:
    settings = getattr(request, "param", None)
    cloud = CardCloud(demo_dir, localstripe, settings=settings)
    cloud.start()
    try:
        yield cloud
    finally:
        cloud.stop()


@pytest.fixture
def studio(card_cloud: CardCloud, qtbot, tmp_path: Path) -> Iterator:
    """The main window of a studio folder linked to the cloud, its Orders section online and live."""
    from studio.main_window import MainWindow
    from studio.session import StudioSession

    folder = tmp_path / "laptop"
    card_cloud.link(folder, "Laptop")
    session = StudioSession(DataDir(folder), open_store(DataDir(folder), "demo"))
    window = MainWindow(session)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    orders = window.orders
    qtbot.waitUntil(lambda: orders.listener is not None and orders.listener.connected and orders.model.online,
                    timeout=60_000)
    try:
        yield window
    finally:
        window.close()
        session.close()


def wait_for_mail(qtbot, folder: Path, to: str, subject: str, count: int = 1) -> list:
    """The e-mails to `to` with `subject` once `count` of them are in the folder (the outbox worker
    writes each .eml whole, by a rename): a wait on that condition while Qt runs, never a fixed sleep;
    the timeout is a bound on a hang only."""
    qtbot.waitUntil(lambda: len(mail_to(folder, to, subject)) >= count, timeout=60_000)
    return mail_to(folder, to, subject)


def open_first(qtbot, orders, email: str) -> dict:
    orders.table.selectRow(0)
    qtbot.waitUntil(lambda: (orders.model.detail or {}).get("email") == email, timeout=30_000)
    return orders.model.detail


def settle(qtbot, orders, condition) -> dict:
    """The detail once the action's answer is in and `condition(detail)` holds."""
    qtbot.waitUntil(lambda: not orders.model.busy and orders.model.detail is not None
                    and condition(orders.model.detail), timeout=60_000)
    return orders.model.detail


def test_card_order_live_fulfil_with_tracking_partial_refunds_and_refusals(card_cloud: CardCloud, studio, qtbot,
                                                                           localstripe: LocalStripe,
                                                                           tmp_path: Path) -> None:
    orders = studio.orders
    rail_item = studio.rail.item(6)
    before = orders.table.rowCount()
    shopper = "ada@example.com"

    card_cloud.place_card_order(email_address=shopper, quantity=2)
    qtbot.waitUntil(lambda: orders.table.rowCount() == before + 1, timeout=60_000)
    qtbot.waitUntil(lambda: rail_item.text().endswith("Orders (1)"), timeout=30_000)
    studio.show_section("orders")
    assert rail_item.text().endswith("Orders")
    order = open_first(qtbot, orders, shopper)
    assert order["paymentStatus"] == "paid" and order["deliveryMethod"] == "ship"
    total = order["total"]["amount"]
    wait_for_mail(qtbot, card_cloud.mail, shopper, "")          # the confirmation came first

    # Fulfil everything with carrier and tracking, through the section's dialog.
    assert orders.fulfil_button.isEnabled()
    dialog = orders.fulfil()
    dialog.carrier.setText("UPS")
    dialog.tracking_number.setText("1Z999AA10123456784")
    dialog.tracking_url.setText("https://www.ups.com/track?tracknum=1Z999AA10123456784")
    dialog.accept()
    order = settle(qtbot, orders, lambda o: o["fulfillmentStatus"] == "fulfilled")
    [shipment] = order["fulfillments"]
    assert (shipment["carrier"], shipment["trackingNumber"]) == ("UPS", "1Z999AA10123456784")
    [shipped] = wait_for_mail(qtbot, card_cloud.mail, shopper, "is on the way")
    assert "1Z999AA10123456784" in shipped.text and "UPS" in shipped.text
    assert "1Z999AA10123456784" in orders.detail.toPlainText()

    # A partial refund by amount, then by one line, through the dialog.
    dialog = orders.refund()
    dialog.by_amount.setChecked(True)
    dialog.amount.setText("5.00")
    dialog.reason.setText("Scuffed box")
    dialog.accept()
    order = settle(qtbot, orders, lambda o: len([r for r in o["refunds"] if r["status"] == "succeeded"]) == 1)
    assert order["paymentStatus"] == "partially_refunded"
    assert order["refundable"]["amount"] == total - 500
    wait_for_mail(qtbot, card_cloud.mail, shopper, "Refund for order")

    dialog = orders.refund()
    assert dialog.by_lines.isChecked()
    _key, _most, spin = dialog.lines.spins[0]
    spin.setValue(1)
    dialog.accept()
    order = settle(qtbot, orders, lambda o: len([r for r in o["refunds"] if r["status"] == "succeeded"]) == 2)
    by_line = next(r for r in order["refunds"] if r.get("lines"))["amount"]["amount"]
    line_total = order["lines"][0]["total"]["amount"]
    assert order["lines"][0]["quantity"] == 2 and by_line == line_total // 2      # one of the two units
    assert order["lines"][0]["refundedQuantity"] == 1
    assert order["paymentStatus"] == "partially_refunded"
    assert order["paid"]["amount"] == total
    assert order["refundable"]["amount"] == total - 500 - by_line
    refund_mails = wait_for_mail(qtbot, card_cloud.mail, shopper, "Refund for order", count=2)
    assert any("$5.00" in m.text for m in refund_mails)
    text = orders.detail.toPlainText()
    assert "Partially refunded" in text
    assert f"Paid\t${total / 100:.2f}" in text.replace("\n", "\t")
    assert f"Refunded\t${(500 + by_line) / 100:.2f}" in text.replace("\n", "\t")
    assert f"Refundable\t${(total - 500 - by_line) / 100:.2f}" in text.replace("\n", "\t")
    assert "shipping confirmation to ada@example.com" in text and "refund to ada@example.com" in text

    at_stripe = localstripe.get(f"/v1/refunds?payment_intent={order['paymentIntentId']}")["data"]
    assert sorted(r["amount"] for r in at_stripe) == sorted([500, by_line])
    assert all(r["status"] == "succeeded" for r in at_stripe)

    assert studio.grab().save(str(tmp_path / "orders-after-refunds.png"), "PNG")

    # More than is refundable: refused, the reason shown in a dialog, nothing changed.
    left = order["refundable"]["amount"]
    dialog = orders.refund()
    dialog.by_amount.setChecked(True)
    dialog.amount.setText(f"{(left + 100) / 100:.2f}")
    dialog.accept()
    qtbot.waitUntil(lambda: orders.last_problem is not None and orders.last_problem.isVisible(), timeout=30_000)
    assert "422" in orders.last_problem.text() or "at most" in orders.last_problem.text()
    assert "at most" in orders.last_problem.text()
    orders.last_problem.accept()
    assert len(localstripe.get(f"/v1/refunds?payment_intent={order['paymentIntentId']}")["data"]) == 2


def test_fulfilling_a_cancelled_order_shows_the_409_reason(card_cloud: CardCloud, studio, qtbot,
                                                           localstripe: LocalStripe) -> None:
    orders = studio.orders
    studio.show_section("orders")
    card_cloud.place_card_order(email_address="bo@example.com")
    qtbot.waitUntil(lambda: orders.table.rowCount() == 1, timeout=60_000)       # the demo has no orders before
    order = open_first(qtbot, orders, "bo@example.com")
    dialog = orders.cancel()
    dialog.reason.setText("Customer asked")
    dialog.accept()
    order = settle(qtbot, orders, lambda o: bool(o.get("cancelledAt")) and o["paymentStatus"] == "refunded")
    assert not orders.fulfil_button.isEnabled()                 # the section knows; the cloud checks anyway
    wait_for_mail(qtbot, card_cloud.mail, "bo@example.com", "has been cancelled")

    orders.model.order_action("Fulfil", "fulfil_order", carrier="UPS", tracking_number="1Z1")
    qtbot.waitUntil(lambda: orders.last_problem is not None and orders.last_problem.isVisible(), timeout=30_000)
    message = orders.last_problem.text()
    assert "409" in message and "cancelled" in message
    assert orders.model.detail["fulfillmentStatus"] == "unfulfilled"


@pytest.mark.parametrize("card_cloud", [{"capture_at_pickup": True}], indirect=True)
def test_pickup_with_capture_at_pickup(card_cloud: CardCloud, studio, qtbot, localstripe: LocalStripe) -> None:
    orders = studio.orders
    studio.show_section("orders")
    shopper = "grace@example.com"
    card_cloud.place_card_order(email_address=shopper, pickup=True)
    qtbot.waitUntil(lambda: orders.table.rowCount() == 1, timeout=60_000)
    order = open_first(qtbot, orders, shopper)
    assert order["paymentStatus"] == "authorized" and order["deliveryMethod"] == "pickup"
    intent = localstripe.get(f"/v1/payment_intents/{order['paymentIntentId']}")
    assert intent["status"] == "requires_capture" and intent["capture_method"] == "manual"

    assert orders.ready_button.isEnabled()
    orders.ready_button.click()
    order = settle(qtbot, orders, lambda o: o["pickupStatus"] == "ready")
    [ready] = wait_for_mail(qtbot, card_cloud.mail, shopper, "is ready for pickup")
    assert order["name"] in ready.subject
    assert localstripe.get(f"/v1/payment_intents/{order['paymentIntentId']}")["status"] == "requires_capture"

    orders.picked_button.click()
    order = settle(qtbot, orders, lambda o: o["pickupStatus"] == "picked_up")
    assert order["paymentStatus"] == "paid" and order["fulfillmentStatus"] == "fulfilled"
    intent = localstripe.get(f"/v1/payment_intents/{order['paymentIntentId']}")
    charge = intent["latest_charge"]
    charge = localstripe.get(f"/v1/charges/{charge}") if isinstance(charge, str) else charge
    assert intent["status"] == "succeeded" and charge["captured"] and charge["amount"] == order["total"]["amount"]
    assert any(e["kind"] == "paid" and e["actor"].startswith("device:") for e in order["events"])
