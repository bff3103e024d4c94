"""Customers of a store."""

from __future__ import annotations

from shared.db.database import Connection


def subscribe(conn: Connection, *, customer_id: str, email: str, created_at: str) -> bool:
    """Mark the customer with this e-mail as accepting marketing (creating them); True when new."""
    existing = conn.scalar("SELECT id FROM customers WHERE email = ?", (email,))
    if existing is not None:
        conn.execute("UPDATE customers SET accepts_marketing = 1 WHERE id = ?", (existing,))
        return False
    conn.execute("INSERT INTO customers (id, email, accepts_marketing, created_at) VALUES (?, ?, 1, ?)",
                 (customer_id, email, created_at))
    return True
