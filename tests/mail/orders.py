"""Sample orders for the mail tests (a module, not fixtures: the crash script imports it too)."""

from __future__ import annotations

from shared.mail import (Discount, MailAddress, MailBranding, OrderLine, OrderSummary, OutgoingEmail,
                         PickupLocation)
from shared.models.money import Money


def usd(cents: int) -> Money:
    """US dollars in cents."""
    return Money(cents, "USD")


def shipped_order(**changes) -> OrderSummary:  # noqa: ANN003
    """A shipped order with two lines, a discount, shipping and tax."""
    fields = dict(
        number="#1001", contact_email="jane@example.com", customer_name="Jane Rivera",
        lines=(OrderLine(title="Harbor Tee", variant="Large / Navy", quantity=2, unit_price=usd(2400),
                         line_total=usd(4800), sku="TEE-L-NAVY"),
               OrderLine(title="Canvas Tote", quantity=1, unit_price=usd(1800), line_total=usd(1800))),
        subtotal=usd(6600), discounts=(Discount(label="WELCOME10", amount=usd(660)),), shipping=usd(500),
        shipping_label="Standard (3-5 business days)", tax=usd(475), total=usd(6915),
        delivery_method="shipping", status_url="https://north-goods.example/orders/tok_abc123",
        shipping_address=MailAddress(name="Jane Rivera", line1="12 Pine Street", city="Portland", region="OR",
                                     postal_code="97205", country="United States"),
        payment_label="Visa ending in 4242", placed_at="5 December 2026, 14:32")
    fields.update(changes)
    return OrderSummary(**fields)


def pickup_order() -> OrderSummary:
    """A pay-in-store pickup order at the Pine Street shop."""
    return shipped_order(delivery_method="pickup", shipping=None, shipping_label="", shipping_address=None,
                         discounts=(), total=usd(7075), payment_label="Pay in store at pickup",
                         pickup=PickupLocation(name="Pine Street shop",
                                               address=MailAddress(line1="200 Pine Street", city="Portland",
                                                                   region="OR", postal_code="97204"),
                                               instructions="Usually ready in 2 hours. Bring your order number."))


def branding() -> MailBranding:
    """North Goods' branding (the harbor theme's colours)."""
    return MailBranding(store_name="North Goods", store_url="https://north-goods.example",
                        support_email="hello@north-goods.example")


def simple_email(n: int = 1) -> OutgoingEmail:
    """A small e-mail."""
    return OutgoingEmail(to=f"shopper{n}@example.com", subject=f"Test {n}", text=f"Hello {n}",
                         html=f"<p>Hello {n}</p>", from_name="North Goods")
