"""Stores with orders for the order list tests: a few made by `create_order` with chosen e-mails, names,
statuses, delivery methods and times, or thousands made in SQL by the benchmark's seeder."""

from __future__ import annotations

from pathlib import Path

from shared.db import Connection
from shared.models.money import Money
from shared.orders import FulfillmentStatus, NewOrder, OrderLine, PaymentStatus, create_order
from shared.storefront.service import DataDir, Store, create_store


def make_store(data: Path, *, timezone: str = "UTC", slug: str = "pine-and-co") -> Store:
    """A new store (its database migrated, its storefront row in `timezone`)."""
    return create_store(DataDir(data), slug=slug, name="Order list shop", timezone=timezone)


def add_order(conn: Connection, *, email: str, name: str = "", at: str, payment: str = "paid",
              fulfillment: str = "unfulfilled", delivery: str = "ship") -> int:
    """An order through `create_order` (inside a write), created at `at` (UTC); its number."""
    usd = lambda amount: Money(amount, "USD")  # noqa: E731
    line = OrderLine(title="Tee", variant_title="M", sku="TEE-M", unit_price=usd(2500), quantity=1,
                     subtotal=usd(2500), discount=usd(0), tax=usd(0), total=usd(2500))
    order = NewOrder(email=email, currency="USD", lines=(line,), subtotal=2500, discount_total=0, shipping=0, tax=0,
                     total=2500, payment_status=PaymentStatus(payment), payment_provider="stripe",
                     delivery={"method": delivery, "name": delivery}, customer_name=name,
                     fulfillment_status=FulfillmentStatus(fulfillment))
    return create_order(conn, order, now=at).number


# The small store of the filter tests, in America/New_York (UTC-5 in early March 2026): number ->
# (e-mail, name, payment, fulfilment, delivery, created at UTC).
SMALL = {
    1001: ("ada@example.com", "Ada Lovelace", "paid", "unfulfilled", "ship", "2026-03-01T10:00:00.000000+00:00"),
    1002: ("Grace.Hopper@Navy.test", "Grace Brewster Hopper", "unpaid", "unfulfilled", "pickup",
           "2026-03-01T23:30:00.000000+00:00"),
    1003: ("alan@example.com", "Alan Turing", "refunded", "fulfilled", "local_delivery",
           "2026-03-02T04:30:00.000000+00:00"),       # still March 1st in New York
    1004: ("ada@example.com", "Ada Lovelace", "partially_refunded", "fulfilled", "ship",
           "2026-03-02T15:00:00.000000+00:00"),
    1005: ("anna@berg.test", "Anna van der Berg", "paid", "on_hold", "none", "2026-03-03T12:00:00.000000+00:00"),
    1006: ("ADA.L@example.org", "Zoë Müller", "paid", "partially_fulfilled", "ship",
           "2026-03-04T00:00:00.000000+00:00"),
}


def small_store(data: Path) -> Store:
    """A store in New York holding the SMALL orders."""
    store = make_store(data, timezone="America/New_York")

    def write(conn: Connection) -> None:
        for number, (email, name, payment, fulfillment, delivery, at) in SMALL.items():
            made = add_order(conn, email=email, name=name, at=at, payment=payment, fulfillment=fulfillment,
                             delivery=delivery)
            assert made == number

    store.db.write(write)
    return store
