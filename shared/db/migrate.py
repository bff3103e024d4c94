"""Numbered SQL migrations, applied at open, each with its ledger row in one transaction.

Store databases use `migrations/NNNN_name.sql`; the catalog uses `migrations/catalog/NNNN_name.sql`.
An applied migration is never edited: add a new file instead.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from typing import TYPE_CHECKING

from shared.db.database import REMOTE_SCHEMES, split_statements
from shared.db.errors import DatabaseError, MigrationError

if TYPE_CHECKING:
    from shared.db.database import Connection, Database

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_LEDGER = """CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"""


@dataclass(frozen=True)
class Migration:
    """One numbered SQL file."""

    version: int
    name: str
    sql: str


def migrations_for(kind: str) -> list[Migration]:
    """The migrations of a database kind ('store' or 'catalog'), in order."""
    folder = resources.files("shared.db").joinpath("migrations")
    if kind == "catalog":
        folder = folder.joinpath("catalog")
    elif kind != "store":
        raise ValueError(f"unknown database kind {kind!r}")
    found = []
    for entry in folder.iterdir():
        match = _NAME.match(entry.name)
        if match:
            found.append(Migration(int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"duplicate migration numbers in {kind}: {versions}")
    return found


def latest_version(kind: str) -> int:
    """The newest migration number of a database kind (the schema version sync requests carry)."""
    return migrations_for(kind)[-1].version


def applied_versions(conn: Connection) -> set[int]:
    """Versions recorded in the ledger."""
    return {row[0] for row in conn.all("SELECT version FROM schema_migrations")}


def apply_migrations(db: Database, kind: str) -> list[int]:
    """Apply every migration not yet in the ledger; returns the versions applied now."""
    if db.url.startswith(REMOTE_SCHEMES):
        return _apply_on_server(db, kind)
    db.write(lambda conn: conn.execute(_LEDGER))
    done = db.read(applied_versions)
    applied = []
    for migration in migrations_for(kind):
        if migration.version in done:
            continue

        def apply(conn: Connection, m: Migration = migration) -> None:
            if conn.one("SELECT 1 FROM schema_migrations WHERE version = ?", (m.version,)):
                return  # another process applied it between our read and our write
            conn.script(m.sql)
            conn.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                         (m.version, m.name, datetime.now(UTC).isoformat(timespec="seconds")))

        try:
            db.write(apply)
        except DatabaseError as exc:
            raise MigrationError(f"migration {migration.version:04d}_{migration.name} failed: {exc}") from exc
        applied.append(migration.version)
    return applied


SERVER_ATTEMPTS = 6


def _apply_on_server(db: Database, kind: str) -> list[int]:
    """`apply_migrations` on a libSQL server: each migration's statements and its ledger row go as
    one batch (sent one by one, DDL then a statement using it failed on sqld about one time in two).
    The batch does not report a failed statement, so the ledger is read back; a batch that lost
    its transaction to another writer (sqld's TRANSACTION_TIMEOUT, two workers migrating one new
    database) is sent again, a broken migration fails every time and raises MigrationError."""
    has_ledger = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    if not _batch_until(db, [_LEDGER], lambda conn: conn.one(has_ledger) is not None):
        raise MigrationError("the migration ledger could not be made on the libSQL server")
    done = db.read(applied_versions)
    applied = []
    for m in migrations_for(kind):
        if m.version in done:
            continue
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        ledger = ("INSERT INTO schema_migrations (version, name, applied_at) "
                  f"VALUES ({m.version:d}, '{m.name}', '{stamp}')")      # m.name is [a-z0-9_], from _NAME
        recorded = "SELECT 1 FROM schema_migrations WHERE version = ?"
        if not _batch_until(db, [*split_statements(m.sql), ledger],
                            lambda conn, v=m.version: conn.one(recorded, (v,)) is not None):
            raise MigrationError(f"migration {m.version:04d}_{m.name} failed on the libSQL server (its batch "
                                 "answer does not say which statement); nothing of it was kept")
        applied.append(m.version)
    return applied


def _batch_until(db: Database, statements: list[str], check: Callable[[Connection], bool]) -> bool:
    for attempt in range(SERVER_ATTEMPTS):
        if db.read(check):
            return True
        db.maintenance(lambda conn: conn.batch_transaction(statements))
        if db.read(check):
            return True
        time.sleep(0.05 * 2 ** attempt)
    return False
