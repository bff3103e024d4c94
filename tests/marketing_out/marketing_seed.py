"""Shared helpers of the marketing tests: a store database with consenting and non-consenting customers."""

from __future__ import annotations

from datetime import UTC, datetime

from shared.customers import record_consent
from shared.db import Database
from shared.marketing import update_settings
from shared.models.money import Money
from shared.orders import NewOrder, OrderLine, PaymentStatus, create_order

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def seed_customers(db: Database, *, consenting: int, refusing: int = 0) -> None:
    """`consenting` customers sub{i}@example.com who consent, `refusing` no{i}@example.com who withdrew."""
    def write(conn) -> None:  # noqa: ANN001
        for i in range(consenting):
            record_consent(conn, email=f"sub{i}@example.com", consented=True, source="newsletter_form")
        for i in range(refusing):
            record_consent(conn, email=f"no{i}@example.com", consented=True, source="newsletter_form")
            record_consent(conn, email=f"no{i}@example.com", consented=False, source="account")
    db.write(write)


def set_rate(db: Database, rate: int, *, site: str = "http://shop.test") -> None:
    """The store's send rate and site address."""
    db.write(lambda conn: update_settings(conn, {"ratePerSecond": rate, "siteUrl": site}, now=T0))


def make_order(db: Database, *, email_address: str, total: int = 2500) -> None:
    """A paid order with one line placed with `email_address` (stamped with the real time)."""
    money = Money(total, "USD")
    line = OrderLine(title="Harbor Tee", variant_title="Large", sku="TEE-L", unit_price=money, quantity=1,
                     subtotal=money, discount=Money(0, "USD"), tax=Money(0, "USD"), total=money)
    order = NewOrder(email=email_address, currency="USD", lines=(line,), subtotal=total, discount_total=0, shipping=0,
                     tax=0, total=total, payment_status=PaymentStatus.PAID, payment_provider="stripe",
                     delivery={"method": "ship", "name": "Standard"}, customer_name="Ada")
    db.write(lambda conn: create_order(conn, order))
