"""The catalogue change log (migration 0031) and the rows it points at, for both ends of the catalogue
feed (docs/sync-protocol.md section 5.3.1): the cloud reads the log and the current rows after a
cursor; a device writes pulled rows into its read-only catalogue tables, keeps its feed cursor, and
remembers which low stock it already announced. Table and column names come from CATALOG_TABLES and
the schema (PRAGMA table_info), never from a request."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from shared.db.database import Connection
from shared.db.repositories import sync as sync_repo

# Catalogue tables and their key columns, parents before children.
CATALOG_TABLES: dict[str, tuple[str, ...]] = {
    "locations": ("id",),
    "products": ("id",),
    "product_options": ("id",),
    "variants": ("id",),
    "collections": ("id",),
    "collection_products": ("collection_id", "product_id"),
    "location_stock": ("variant_id", "location_id"),
    "stock_alerts": ("variant_id",),
}
# (column, parent table) per child table: the rows a child needs before it can be written.
PARENTS: dict[str, tuple[tuple[str, str], ...]] = {
    "product_options": (("product_id", "products"),),
    "variants": (("product_id", "products"),),
    "collection_products": (("collection_id", "collections"), ("product_id", "products")),
    "location_stock": (("variant_id", "variants"), ("location_id", "locations")),
    "stock_alerts": (("variant_id", "variants"),),
}
# Unique values a pulled row may take over from a row whose own change is still to come (a handle
# moved from one product to another): (columns that must match, column parked as '~' || id).
_UNIQUE: dict[str, tuple[tuple[str, ...], str]] = {
    "products": (("handle",), "handle"),
    "collections": (("handle",), "handle"),
    "locations": (("name",), "name"),
    "product_options": (("product_id", "name"), "name"),
}
CURSOR_STATE = "catalog_cursor"
_COLUMNS: dict[tuple[str, str], tuple[str, ...]] = {}


def _q(name: str) -> str:
    return f'"{name}"'


def columns(conn: Connection, table: str) -> tuple[str, ...]:
    """The table's columns as this database's schema has them."""
    cache_key = (conn.database_key, table)
    found = _COLUMNS.get(cache_key)
    if found is None:
        if table not in CATALOG_TABLES:
            raise ValueError(f"{table} is not a catalogue table")
        found = _COLUMNS[cache_key] = tuple(r[1] for r in conn.all(f"PRAGMA table_info({table})"))
    return found


def encode_key(table: str, key: Sequence[Any]) -> str:
    """The log's key text: the id, or a JSON array for two-column keys (as the triggers write it)."""
    return str(key[0]) if len(CATALOG_TABLES[table]) == 1 else json.dumps(list(key), separators=(",", ":"))


def decode_key(table: str, text: str) -> tuple[str, ...]:
    """The key columns' values from the log's key text."""
    if len(CATALOG_TABLES[table]) == 1:
        return (text,)
    return tuple(json.loads(text))


# --- the cloud: the log ---------------------------------------------------------------------------

def latest_seq(conn: Connection) -> int:
    """The newest position of the log (0 when empty)."""
    return int(conn.scalar("SELECT coalesce(max(seq), 0) FROM catalog_changes"))


def changes_after(conn: Connection, after: int, limit: int) -> list[tuple[int, str, str]]:
    """(seq, table, key text) of the entries after `after`, in order, at most `limit`."""
    return [(int(r[0]), r[1], r[2]) for r in conn.all(
        "SELECT seq, table_name, key FROM catalog_changes WHERE seq > ? ORDER BY seq LIMIT ?", (after, limit))]


def entry_seq(conn: Connection, table: str, key: Sequence[Any]) -> int | None:
    """The position of a row's entry, or None when it has none."""
    value = conn.scalar("SELECT seq FROM catalog_changes WHERE table_name = ? AND key = ?",
                        (table, encode_key(table, key)))
    return None if value is None else int(value)


def read_row(conn: Connection, table: str, key: Sequence[Any]) -> dict[str, Any] | None:
    """A catalogue row as {column: value}, or None when it does not exist (any more)."""
    cols = columns(conn, table)
    where = " AND ".join(f"{_q(c)} = ?" for c in CATALOG_TABLES[table])
    row = conn.one(f"SELECT {', '.join(map(_q, cols))} FROM {table} WHERE {where}", tuple(key))
    return None if row is None else dict(zip(cols, row, strict=True))


_CHUNK = 400       # bound parameters per statement, well under SQLite's limit


def read_rows(conn: Connection, table: str, keys: Iterable[Sequence[Any]]) -> dict[tuple[Any, ...], dict[str, Any]]:
    """The existing rows of these keys, {key tuple: {column: value}}, one statement per chunk of keys
    (what `read_row` gives one at a time; a key with no row is absent)."""
    cols, key_cols = columns(conn, table), CATALOG_TABLES[table]
    wanted = list(dict.fromkeys(tuple(k) for k in keys))
    per_chunk = max(1, _CHUNK // len(key_cols))
    found: dict[tuple[Any, ...], dict[str, Any]] = {}
    at = [cols.index(c) for c in key_cols]
    for start in range(0, len(wanted), per_chunk):
        chunk = wanted[start:start + per_chunk]
        if len(key_cols) == 1:
            where = f"{_q(key_cols[0])} IN ({', '.join('?' * len(chunk))})"
        else:        # a row value: (a, b) IN (VALUES (?, ?), ...)
            one = f"({', '.join('?' * len(key_cols))})"
            where = f"({', '.join(map(_q, key_cols))}) IN (VALUES {', '.join([one] * len(chunk))})"
        for row in conn.all(f"SELECT {', '.join(map(_q, cols))} FROM {table} WHERE {where}",
                            [v for key in chunk for v in key]):
            found[tuple(row[i] for i in at)] = dict(zip(cols, row, strict=True))
    return found


def entry_seqs(conn: Connection, table: str, keys: Iterable[Sequence[Any]]) -> dict[tuple[Any, ...], int]:
    """{key tuple: position of its entry} for the keys of `table` that have one (`entry_seq` in bulk)."""
    texts = {encode_key(table, k): tuple(k) for k in keys}
    wanted = list(texts)
    found: dict[tuple[Any, ...], int] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start:start + _CHUNK]
        for key_text, seq in conn.all(
                f"SELECT key, seq FROM catalog_changes WHERE table_name = ? AND key IN ({', '.join('?' * len(chunk))})",
                [table, *chunk]):
            found[texts[key_text]] = int(seq)
    return found


def variant_exists(conn: Connection, variant_id: str) -> bool:
    """Whether the variant exists."""
    return conn.one("SELECT 1 FROM variants WHERE id = ?", (variant_id,)) is not None


def set_threshold(conn: Connection, variant_id: str, threshold: int | None, *, now: str) -> None:
    """Set a variant's low-stock threshold (None removes it); the triggers log the change."""
    if threshold is None:
        conn.execute("DELETE FROM stock_alerts WHERE variant_id = ?", (variant_id,))
        return
    conn.execute("INSERT INTO stock_alerts (variant_id, threshold, updated_at) VALUES (?, ?, ?) "
                 "ON CONFLICT (variant_id) DO UPDATE SET threshold = excluded.threshold, updated_at = excluded.updated_at "
                 "WHERE stock_alerts.threshold <> excluded.threshold", (variant_id, threshold, now))


# --- a device: applying pulled rows --------------------------------------------------------------

def get_cursor(conn: Connection) -> int:
    """The device's catalogue feed cursor (0: never pulled)."""
    value = sync_repo.get_state(conn, CURSOR_STATE)
    return int(value) if value and value.isdigit() else 0


def set_cursor(conn: Connection, cursor: int) -> None:
    """Store the device's catalogue feed cursor."""
    sync_repo.set_state(conn, CURSOR_STATE, str(cursor))


def write_row(conn: Connection, table: str, row: Mapping[str, Any]) -> None:
    """Insert or update a pulled row: the columns this schema has (a newer cloud may send more). Never
    a REPLACE, which would delete the row first and cascade to its children (a product's variants)."""
    key_cols = CATALOG_TABLES[table]
    known = columns(conn, table)
    cols = [c for c in known if c in row]
    if any(k not in cols for k in key_cols):
        raise ValueError(f"a {table} row without its key")
    _park_unique(conn, table, row)
    updates = [c for c in cols if c not in key_cols]
    tail = (f"DO UPDATE SET {', '.join(f'{_q(c)} = excluded.{_q(c)}' for c in updates)}" if updates else "DO NOTHING")
    conn.execute(f"INSERT INTO {table} ({', '.join(map(_q, cols))}) VALUES ({', '.join('?' * len(cols))}) "
                 f"ON CONFLICT ({', '.join(map(_q, key_cols))}) {tail}", [row[c] for c in cols])


def _park_unique(conn: Connection, table: str, row: Mapping[str, Any]) -> None:
    unique = _UNIQUE.get(table)
    if unique is None or not all(c in row for c in unique[0]):
        return
    match, parked = unique
    where = " AND ".join(f"{_q(c)} = ?" for c in match)
    conn.execute(f"UPDATE {table} SET {_q(parked)} = '~' || id WHERE {where} AND id <> ?",
                 [row[c] for c in match] + [row["id"]])


def delete_row(conn: Connection, table: str, key: Sequence[Any]) -> None:
    """Delete a row the cloud no longer has (its children go with it)."""
    where = " AND ".join(f"{_q(c)} = ?" for c in CATALOG_TABLES[table])
    conn.execute(f"DELETE FROM {table} WHERE {where}", tuple(key))


# --- a device: low stock -------------------------------------------------------------------------

def watched_stock(conn: Connection, variant_ids: Iterable[str]) -> list[tuple[str, str, int, int | None, bool]]:
    """(variant, location, on hand, threshold or None, already announced) for every stocked location of
    these variants, and for every announced pair of them (which may have lost its threshold)."""
    ids = list(dict.fromkeys(variant_ids))
    found: list[tuple[str, str, int, int | None, bool]] = []
    for start in range(0, len(ids), 400):
        chunk = ids[start:start + 400]
        marks = ", ".join("?" * len(chunk))
        found += [(r[0], r[1], int(r[2]), None if r[3] is None else int(r[3]), bool(r[4])) for r in conn.all(
            f"SELECT s.variant_id, s.location_id, s.on_hand, a.threshold, "
            f"       EXISTS (SELECT 1 FROM stock_alert_state x WHERE x.variant_id = s.variant_id "
            f"               AND x.location_id = s.location_id) "
            f"FROM location_stock s LEFT JOIN stock_alerts a ON a.variant_id = s.variant_id "
            f"WHERE s.variant_id IN ({marks})", chunk)]
    return found


def mark_announced(conn: Connection, variant_id: str, location_id: str, on_hand: int) -> None:
    """Remember that this pair's low stock was announced."""
    conn.execute("INSERT OR REPLACE INTO stock_alert_state (variant_id, location_id, on_hand) VALUES (?, ?, ?)",
                 (variant_id, location_id, on_hand))


def clear_announced(conn: Connection, variant_id: str, location_id: str) -> None:
    """The pair is above its threshold again (or has none): the next crossing is announced."""
    conn.execute("DELETE FROM stock_alert_state WHERE variant_id = ? AND location_id = ?", (variant_id, location_id))


def low_stock_names(conn: Connection, variant_id: str, location_id: str) -> tuple[str, str, str] | None:
    """(product title, variant title, location name) for a notification."""
    row = conn.one("SELECT p.title, v.title, l.name FROM variants v JOIN products p ON p.id = v.product_id, "
                   "locations l WHERE v.id = ? AND l.id = ?", (variant_id, location_id))
    return None if row is None else (row[0], row[1], row[2])


def thresholds(conn: Connection, variant_ids: Iterable[str]) -> dict[str, int]:
    """{variant id: threshold} of these variants (those with one)."""
    ids = list(dict.fromkeys(variant_ids))
    found: dict[str, int] = {}
    for start in range(0, len(ids), 400):
        chunk = ids[start:start + 400]
        found.update({r[0]: int(r[1]) for r in conn.all(
            f"SELECT variant_id, threshold FROM stock_alerts WHERE variant_id IN ({', '.join('?' * len(chunk))})",
            chunk)})
    return found


def low_stock_pairs(conn: Connection) -> set[tuple[str, str]]:
    """(variant, location) pairs whose on hand is at or below the variant's threshold now."""
    return {(r[0], r[1]) for r in conn.all(
        "SELECT s.variant_id, s.location_id FROM location_stock s "
        "JOIN stock_alerts a ON a.variant_id = s.variant_id WHERE s.on_hand <= a.threshold")}
