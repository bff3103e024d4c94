"""Whole-database copies: VACUUM INTO for a file, row by row (many to a statement) where a libSQL
server refuses VACUUM."""

from __future__ import annotations

from pathlib import Path

from shared.db import Connection


def vacuum_into(conn: Connection, target: Path) -> None:
    """Write a compacted, consistent copy of the database to `target` (which must not exist)."""
    conn.execute("VACUUM INTO ?", (str(target),))


# Shoppers' data, children first: customers, their carts and orders. No device needs it to author.
_SHOPPER_TABLES = ("order_lines", "orders", "cart_lines", "carts", "customers")


def remove_shopper_data(conn: Connection) -> None:
    """Delete every customer, cart and order from this (copied) database, their bytes overwritten
    with zeros (secure_delete), so that a file made for a device does not carry them."""
    conn.execute("PRAGMA secure_delete = ON")
    for table in _SHOPPER_TABLES:
        conn.execute(f"DELETE FROM {table}")


# What a database's own schema makes and a copy must not carry: the migration ledger is the target's
# own (same migrations), and virtual tables are copied through their shadow tables.
_NOT_COPIED = ("schema_migrations",)
ROWS_PER_INSERT = 200          # one statement per 200 rows: a server round trip costs about 1 ms


def copied_tables(conn: Connection) -> list[str]:
    """The tables whose rows make a copy of this database: every plain table (the shadow tables of
    FTS and vector indexes included, so indexes are copied as they are, not rebuilt)."""
    rows = conn.all("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")
    return [name for name, sql in rows
            if name not in _NOT_COPIED and not (sql or "").upper().startswith("CREATE VIRTUAL")]


def copy_rows(source: Connection, target: Connection, *, skip: tuple[str, ...] = ()) -> int:
    """Make `target` (a freshly migrated database with the same schema, inside its write transaction)
    hold exactly the rows `source` holds (inside its read transaction, so one consistent snapshot),
    leaving out the tables in `skip`. For databases VACUUM INTO cannot copy (a libSQL server refuses
    it). Triggers are set aside while rows go in, so derived rows (search index, summaries, content
    version) arrive as they are rather than being derived twice. Returns the rows copied."""
    target.execute("PRAGMA defer_foreign_keys = ON")   # rows go in table by table, not parents first
    triggers = target.all("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    for name, _sql in triggers:
        target.execute(f'DROP TRIGGER "{name}"')
    copied = 0
    for table in copied_tables(target):
        target.execute(f'DELETE FROM "{table}"')       # what the target's migrations seeded
        if table in skip:
            continue
        columns = [row[1] for row in target.all(f'PRAGMA table_info("{table}")')]
        names = ", ".join(f'"{c}"' for c in columns)
        rows = source.all(f'SELECT {names} FROM "{table}"')
        copied += insert_rows(target, table, columns, rows)
    for _name, sql in triggers:
        target.execute(sql)
    return copied


def insert_rows(conn: Connection, table: str, columns: list[str], rows: list[tuple]) -> int:
    """Insert rows, many to a statement; returns how many."""
    if not rows:
        return 0
    names = ", ".join(f'"{c}"' for c in columns)
    one = "(" + ", ".join("?" * len(columns)) + ")"
    per = max(1, min(ROWS_PER_INSERT, 30000 // max(1, len(columns))))
    for start in range(0, len(rows), per):
        chunk = rows[start:start + per]
        conn.execute(f'INSERT INTO "{table}" ({names}) VALUES ' + ", ".join([one] * len(chunk)),
                     [value for row in chunk for value in row])
    return len(rows)


SHOPPER_TABLES = _SHOPPER_TABLES
