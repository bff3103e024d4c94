"""Whole-database copies: VACUUM INTO for a file, row by row (many to a statement) where a libSQL
server refuses VACUUM."""

from __future__ import annotations

from pathlib import Path

from shared.db import Connection, Database, DatabaseError
from shared.db.database import REMOTE_SCHEMES


def vacuum_into(conn: Connection, target: Path) -> None:
    """Write a compacted, consistent copy of the database to `target` (which must not exist)."""
    conn.execute("VACUUM INTO ?", (str(target),))


# What no device needs to author, children first: checkouts' stock holds, the outbox (e-mails carry
# addresses and whole orders), orders, carts and customers; and the payments' records: the store's
# sealed Stripe keys, payment attempts, webhook events (cloud-only, never on a device); the outbound
# webhooks (their signing secrets and the orders their deliveries carry); customer accounts.
_SHOPPER_TABLES = ("campaign_recipients", "campaigns", "abandoned_checkouts", "marketing_settings", "customer_sessions", "customer_login_codes", "customer_addresses", "customer_consent_events",
                   "stock_holds", "outbox", "order_events", "order_lines", "order_fulfillments", "order_refunds",
                   "orders", "checkout_attempts", "cart_lines", "carts", "customers", "stripe_credentials",
                   "payment_attempts", "payment_webhook_events", "webhook_attempts", "webhook_deliveries",
                   "webhook_subscriptions")


def remove_shopper_data(conn: Connection) -> None:
    """Delete every stock hold, outbox row, customer, cart and order, and the payment keys and records,
    from this (copied) database, their bytes overwritten with zeros (secure_delete), so that a file
    made for a device does not carry them."""
    conn.execute("PRAGMA secure_delete = ON")
    for table in _SHOPPER_TABLES:
        conn.execute(f"DELETE FROM {table}")


# What a database's own schema makes and a copy must not carry: the migration ledger is the target's
# own (same migrations), and virtual tables are copied through their shadow tables.
_NOT_COPIED = ("schema_migrations",)
ROWS_PER_INSERT = 200          # one statement per 200 rows
_FIRST = "storefront"          # copied first, with no DELETE before it: a target that has one refuses it


def copied_tables(conn: Connection) -> list[str]:
    """The tables whose rows make a copy of this database: every plain table, the shadow tables of FTS
    indexes included (copied as they are, not rebuilt). Vector indexes are not copied: libSQL keeps
    them itself as the indexed rows go in (their shadow tables cannot be emptied and refilled)."""
    rows = conn.all("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name")
    vector_indexes = {name for (name,) in conn.all(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql LIKE '%libsql_vector_idx%'")}
    derived = {"libsql_vector_meta_shadow", *(f"{name}_shadow" for name in vector_indexes)}
    return [name for name, sql in rows if name not in _NOT_COPIED and name not in derived
            and not (sql or "").upper().startswith("CREATE VIRTUAL")]


def copy_statements(source: Connection, target: Connection, *, skip: tuple[str, ...] = ()) -> list[str]:
    """The statements that make `target` (freshly migrated, same schema) hold exactly the rows of
    `source` (read now, inside its read transaction: one consistent snapshot), leaving out the tables
    in `skip`. For databases VACUUM INTO cannot copy (a libSQL server refuses it).

    Values are SQL literals, so that a server can take them all as one batch (sent one by one, DDL
    statements were lost on sqld under contention). The first statement inserts the store's
    settings row, so on a target that already holds a store the whole batch stops before changing
    anything. Triggers are set aside while rows go in, so derived rows (search index, summaries,
    content version) arrive as they are rather than being derived twice."""
    statements = ["PRAGMA defer_foreign_keys = ON"]     # rows go in table by table, not parents first
    tables = copied_tables(target)
    if _FIRST in tables:
        tables.remove(_FIRST)
        statements += _inserts(source, target, _FIRST)
    triggers = target.all("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
    statements += [f'DROP TRIGGER "{name}"' for name, _sql in triggers]
    for table in tables:
        statements.append(f'DELETE FROM "{table}"')         # what the target's migrations seeded
        if table not in skip:
            statements += _inserts(source, target, table)
    statements += [sql for _name, sql in triggers]
    return statements


def copy_into(source: Database, target: Database, *, skip: tuple[str, ...] = ()) -> None:
    """Make `target` (freshly migrated) a copy of `source`. The source is read in one transaction and
    released before anything is written (a server's transaction must not idle while the target
    fills). A file target is written inside one write; a server target gets one batch, whose row
    counts are then checked (a batch does not report a failed statement), so use it on a source no
    one writes meanwhile. Raises DatabaseError."""
    statements = source.read(lambda src: target.read(lambda tgt: copy_statements(src, tgt, skip=skip)))
    if not target.url.startswith(REMOTE_SCHEMES):
        target.write(lambda conn: [conn.execute(statement) for statement in statements])
        return
    target.maintenance(lambda conn: conn.batch_transaction(statements))
    tables = [t for t in target.read(copied_tables) if t not in skip]
    if target.read(lambda conn: row_counts(conn, tables)) != source.read(lambda conn: row_counts(conn, tables)):
        raise DatabaseError("the copy does not hold the rows of its source (a server batch that did not take)")


def row_counts(conn: Connection, tables: list[str]) -> tuple[int, ...]:
    """How many rows each table holds, in one statement."""
    if not tables:
        return ()
    return tuple(conn.one("SELECT " + ", ".join(f'(SELECT count(*) FROM "{t}")' for t in tables)) or ())


def _inserts(source: Connection, target: Connection, table: str) -> list[str]:
    info = target.all(f'PRAGMA table_info("{table}")')
    columns = [row[1] for row in info]
    sql = target.scalar("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)) or ""
    keys = [row for row in info if row[5]]
    rowid_alias = len(keys) == 1 and str(keys[0][2]).upper() == "INTEGER"
    if not rowid_alias and "WITHOUT ROWID" not in " ".join(sql.upper().split()):
        # Row ids are kept: an FTS index names products by theirs, and a table with gaps would not
        # get the same ones again.
        columns = ["rowid", *columns]
    names = ", ".join(f'"{c}"' if c != "rowid" else c for c in columns)
    rows = [("(" + ", ".join(sql_literal(v) for v in row) + ")")
            for row in source.all(f'SELECT {names} FROM "{table}"')]
    return [f'INSERT INTO "{table}" ({names}) VALUES ' + ", ".join(rows[start:start + ROWS_PER_INSERT])
            for start in range(0, len(rows), ROWS_PER_INSERT)]


def sql_literal(value: object) -> str:
    """A value as an SQLite literal that reads back as the same value and type."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return "NULL"                   # SQLite stores NaN as NULL itself
        if value in (float("inf"), float("-inf")):
            return "9e999" if value > 0 else "-9e999"
        return repr(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "X'" + bytes(value).hex() + "'"
    text = str(value)
    if "\x00" in text:                      # a literal would end at the NUL: spell it as bytes
        return "CAST(X'" + text.encode("utf-8").hex() + "' AS TEXT)"
    return "'" + text.replace("'", "''") + "'"


SHOPPER_TABLES = _SHOPPER_TABLES
