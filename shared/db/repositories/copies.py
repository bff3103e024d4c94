"""Whole-database copies (VACUUM INTO): a consistent snapshot of a database in a new file."""

from __future__ import annotations

from pathlib import Path

from shared.db import Connection


def vacuum_into(conn: Connection, target: Path) -> None:
    """Write a compacted, consistent copy of the database to `target` (which must not exist)."""
    conn.execute("VACUUM INTO ?", (str(target),))


# Shoppers' data, children first: customers, their carts and orders. No device needs it to author.
_SHOPPER_TABLES = ("order_lines", "orders", "cart_lines", "carts", "customers")
# Payments: the store's sealed Stripe keys, payment attempts, webhook events. Cloud-only, never on a device.
_PAYMENT_TABLES = ("stripe_credentials", "payment_attempts", "payment_webhook_events")


def remove_shopper_data(conn: Connection) -> None:
    """Delete every customer, cart and order, and the payment keys and records, from this (copied)
    database, their bytes overwritten with zeros (secure_delete), so that a file made for a device
    does not carry them."""
    conn.execute("PRAGMA secure_delete = ON")
    for table in _SHOPPER_TABLES + _PAYMENT_TABLES:
        conn.execute(f"DELETE FROM {table}")
