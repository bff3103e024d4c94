"""The e-mails after the order (shipping confirmation, ready for pickup, cancelled, refunded): from the
store, to the shopper, shopper and merchant text escaped, only http(s) links, a text part that reads."""

from __future__ import annotations

import pytest

from shared.mail import (MailBranding, MailError, render_order_cancelled, render_order_refunded,
                         render_ready_for_pickup, render_shipping_confirmation)
from shared.mail.views import MailAddress, OrderLine, OrderSummary, PickupLocation
from shared.models.money import Money

USD = lambda amount: Money(amount, "USD")  # noqa: E731
LINE = OrderLine(title="Tee <script>alert(1)</script>", quantity=2, unit_price=USD(2500), line_total=USD(5000),
                 variant="M")
BRANDING = MailBranding(store_name="Pine & Co", store_url="https://pine.example/", support_email="help@pine.example")


def summary(**changes) -> OrderSummary:
    fields = dict(number="#1001", contact_email="ada@example.com", lines=(LINE,), subtotal=USD(5000),
                  total=USD(5500), tax=USD(0), delivery_method="shipping", shipping=USD(500),
                  status_url="https://pine.example/orders/abc", customer_name="Ada <b>")
    fields.update(changes)
    return OrderSummary(**fields)


def test_shipping_confirmation_tracks_the_shipment_and_escapes_everything() -> None:
    email = render_shipping_confirmation(summary(), BRANDING, shipped=(LINE,), carrier="UPS <i>",
                                         tracking_number="1Z<999>", tracking_url="https://ups.example/t?n=1Z999&x=1")
    assert email.subject == "Order #1001 is on the way" and email.to == "ada@example.com"
    assert email.from_name == "Pine & Co" and email.reply_to == "help@pine.example"
    assert "<script>" not in email.html and "&lt;script&gt;" in email.html and "UPS &lt;i&gt;" in email.html
    assert 'href="https://ups.example/t?n=1Z999&amp;x=1"' in email.html and "Track your shipment" in email.html
    assert "Tracking number: 1Z<999>" in email.text and "Track your shipment: https://ups.example" in email.text
    partial = render_shipping_confirmation(summary(), BRANDING, shipped=(LINE,), partial=True,
                                           tracking_url="javascript:alert(1)")
    assert partial.subject == "Some items of order #1001 are on the way"
    assert "javascript:" not in partial.html and "Track your shipment" not in partial.html


def test_ready_for_pickup_names_the_location_and_what_to_pay() -> None:
    pickup = summary(delivery_method="pickup", shipping=None,
                     pickup=PickupLocation("Pine Street shop", MailAddress(line1="12 Pine Street", city="Portland")))
    email = render_ready_for_pickup(pickup, BRANDING, unpaid=True)
    assert email.subject == "Order #1001 is ready for pickup"
    assert "Pine Street shop" in email.text and "12 Pine Street" in email.text and "$55.00" in email.text
    assert "Pay at the counter" in email.html
    assert "Pay at the counter" not in render_ready_for_pickup(pickup, BRANDING).text
    with pytest.raises(MailError):
        render_ready_for_pickup(summary(), BRANDING)


def test_cancelled_says_whether_money_comes_back_or_was_never_taken() -> None:
    refunded = render_order_cancelled(summary(), BRANDING, reason="Out of stock", refund=USD(5500))
    assert refunded.subject == "Order #1001 has been cancelled"
    assert "Out of stock" in refunded.text and "A refund of $55.00" in refunded.text
    released = render_order_cancelled(summary(), BRANDING, released=True)
    assert "was not charged" in released.text and "refund of" not in released.text


def test_refunded_lists_the_lines_or_only_the_amount() -> None:
    by_lines = render_order_refunded(summary(), BRANDING, amount=USD(2500), refunded=(LINE,), reason="Torn")
    assert by_lines.subject == "Refund for order #1001" and "$25.00" in by_lines.text and "Torn" in by_lines.text
    assert "REFUNDED ITEMS" in by_lines.text
    by_amount = render_order_refunded(summary(), BRANDING, amount=USD(300), counter=True)
    assert "REFUNDED ITEMS" not in by_amount.text and "at the counter" in by_amount.text
