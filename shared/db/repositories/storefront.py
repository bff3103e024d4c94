"""The storefront row of a store database (exactly one)."""

from __future__ import annotations

import json

from shared.db.database import Connection
from shared.models import Storefront
from shared.db.repositories.checks import check_write

_COLS = "id, slug, name, status, currency, locale, timezone, settings, created_at, updated_at"


def get_storefront(conn: Connection) -> Storefront | None:
    """The store's own settings row."""
    row = conn.one(f"SELECT {_COLS} FROM storefront LIMIT 1")
    if row is None:
        return None
    values = list(row)
    values[7] = json.loads(values[7])
    return Storefront(*values)


def insert_storefront(conn: Connection, store: Storefront) -> None:
    """Create the storefront row. Raises RowRefused for values the table rules refuse."""
    values = (store.id, store.slug, store.name, store.status, store.currency, store.locale, store.timezone,
              json.dumps(store.settings), store.created_at, store.updated_at)
    check_write(conn, "storefront", dict(zip(_COLS.split(", "), values, strict=True)), key=store.id, new=True)
    conn.execute(f"INSERT INTO storefront ({_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", values)


def update_storefront(conn: Connection, store: Storefront) -> None:
    """Write every editable field of the storefront row. Raises RowRefused (table rules)."""
    check_write(conn, "storefront", {"name": store.name, "status": store.status, "currency": store.currency,
                                     "locale": store.locale, "timezone": store.timezone,
                                     "settings": json.dumps(store.settings), "updated_at": store.updated_at},
                key=store.id)
    conn.execute("UPDATE storefront SET name = ?, status = ?, currency = ?, locale = ?, timezone = ?, "
                 "settings = ?, updated_at = ? WHERE id = ?",
                 (store.name, store.status, store.currency, store.locale, store.timezone,
                  json.dumps(store.settings), store.updated_at, store.id))


def has_storefront(conn: Connection) -> bool:
    """Whether the store's settings row exists (a database that holds a store, not an empty one)."""
    return conn.scalar("SELECT 1 FROM storefront LIMIT 1") is not None
