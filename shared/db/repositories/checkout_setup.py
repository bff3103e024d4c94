"""The checkout setup's synced tables (migrations 0016, 0018): `checkout_settings` (one row), `pickup_locations`
and `discounts`. Rows go in and out in their stored form (dicts; shared/checkout/setup_rows.py turns them
into dataclasses); every write runs the table rules first (check_write)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.db.database import Connection
from shared.db.repositories.checks import check_write

_SETTINGS = ("id", "prices_include_tax", "tax_shipping", "default_rate", "tax_rates", "shipping_zones",
             "local_delivery", "ship_from", "hold_minutes", "updated_at")
_PICKUP = ("id", "enabled", "name", "address", "country", "region", "postal_code", "instructions", "updated_at")
_DISCOUNT = ("id", "method", "kind", "code", "title", "percent", "amount", "min_subtotal", "product_ids",
             "collection_ids", "starts_at", "ends_at", "usage_limit", "once_per_customer", "position",
             "created_at", "updated_at")


def _upsert(conn: Connection, table: str, columns: tuple[str, ...], row: Mapping[str, Any]) -> None:
    """Insert the row, or update the columns it carries (names come from the tuples above only)."""
    names = [c for c in columns if c in row]
    updates = ", ".join(f"{c} = excluded.{c}" for c in names if c != "id")
    conn.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))}) "
                 f"ON CONFLICT (id) DO UPDATE SET {updates}", [row[c] for c in names])


def get_settings(conn: Connection) -> dict[str, Any] | None:
    """The settings row (migration 0016 creates it with the defaults; None only in a hand-edited file)."""
    row = conn.one(f"SELECT {', '.join(_SETTINGS)} FROM checkout_settings WHERE id = 'checkout'")
    return None if row is None else dict(zip(_SETTINGS, row, strict=True))


def put_settings(conn: Connection, fields: Mapping[str, Any]) -> None:
    """Write the given columns of the settings row (creating it). Raises RowRefused."""
    exists = get_settings(conn) is not None
    check_write(conn, "checkout_settings", fields, key="checkout", new=not exists)
    _upsert(conn, "checkout_settings", _SETTINGS, {**fields, "id": "checkout"})


def list_pickup(conn: Connection) -> list[dict[str, Any]]:
    """Every pickup row (enabled or not), by name."""
    return [dict(zip(_PICKUP, r, strict=True))
            for r in conn.all(f"SELECT {', '.join(_PICKUP)} FROM pickup_locations ORDER BY name, id")]


def get_pickup(conn: Connection, location_id: str) -> dict[str, Any] | None:
    """One location's pickup row, or None."""
    row = conn.one(f"SELECT {', '.join(_PICKUP)} FROM pickup_locations WHERE id = ?", (location_id,))
    return None if row is None else dict(zip(_PICKUP, row, strict=True))


def put_pickup(conn: Connection, row: Mapping[str, Any], *, new: bool) -> None:
    """Write a location's pickup row (`new`: insert the whole row). Raises RowRefused."""
    check_write(conn, "pickup_locations", {k: v for k, v in row.items() if k != "id"}, key=row["id"], new=new)
    _upsert(conn, "pickup_locations", _PICKUP, row)


def location_exists(conn: Connection, location_id: str) -> bool:
    """True when the store has a location with this id."""
    return conn.one("SELECT 1 FROM locations WHERE id = ?", (location_id,)) is not None


def list_discounts(conn: Connection) -> list[dict[str, Any]]:
    """Every discount row, in the merchant's order."""
    return [dict(zip(_DISCOUNT, r, strict=True))
            for r in conn.all(f"SELECT {', '.join(_DISCOUNT)} FROM discounts ORDER BY position, created_at, id")]


def get_discount(conn: Connection, discount_id: str) -> dict[str, Any] | None:
    """One discount row, or None."""
    row = conn.one(f"SELECT {', '.join(_DISCOUNT)} FROM discounts WHERE id = ?", (discount_id,))
    return None if row is None else dict(zip(_DISCOUNT, row, strict=True))


def code_owner(conn: Connection, code: str) -> str | None:
    """The id of the discount using `code` (stored in capitals), or None."""
    return conn.scalar("SELECT id FROM discounts WHERE code = ?", (code,))


def next_discount_position(conn: Connection) -> int:
    """One past the last discount's position."""
    return int(conn.scalar("SELECT COALESCE(MAX(position) + 1, 0) FROM discounts"))


def put_discount(conn: Connection, row: Mapping[str, Any], *, new: bool) -> None:
    """Insert a whole discount row (`new`) or update the columns given. Raises RowRefused."""
    check_write(conn, "discounts", {k: v for k, v in row.items() if k != "id"}, key=row["id"], new=new)
    _upsert(conn, "discounts", _DISCOUNT, row)


def delete_discount(conn: Connection, discount_id: str) -> bool:
    """Remove a discount; False when there was none."""
    return bool(conn.execute("DELETE FROM discounts WHERE id = ?", (discount_id,)).rowcount)
