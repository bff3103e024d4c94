"""Whole-database copies (VACUUM INTO): a consistent snapshot of a database in a new file."""

from __future__ import annotations

from pathlib import Path

from shared.db import Connection


def vacuum_into(conn: Connection, target: Path) -> None:
    """Write a compacted, consistent copy of the database to `target` (which must not exist)."""
    conn.execute("VACUUM INTO ?", (str(target),))


# Shoppers' data, children first: customers, their carts and orders, and the outbox (e-mails carry
# addresses and whole orders). No device needs it to author.
_SHOPPER_TABLES = ("outbox", "order_lines", "orders", "cart_lines", "carts", "customers")


def remove_shopper_data(conn: Connection) -> None:
    """Delete every customer, cart, order and outbox row from this (copied) database, their bytes overwritten
    with zeros (secure_delete), so that a file made for a device does not carry them."""
    conn.execute("PRAGMA secure_delete = ON")
    for table in _SHOPPER_TABLES:
        conn.execute(f"DELETE FROM {table}")
