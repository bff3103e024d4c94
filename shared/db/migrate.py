"""Numbered SQL migrations, applied at open, each with its ledger row in one transaction.

Store databases use `migrations/NNNN_name.sql`; the catalog uses `migrations/catalog/NNNN_name.sql`.
An applied migration is never edited: add a new file instead.
"""

from __future__ import annotations

import re
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
            if db.url.startswith(REMOTE_SCHEMES):
                _apply_on_server(db, migration)
            else:
                db.write(apply)
        except DatabaseError as exc:
            raise MigrationError(f"migration {migration.version:04d}_{migration.name} failed: {exc}") from exc
        applied.append(migration.version)
    return applied


def _apply_on_server(db: Database, m: Migration) -> None:
    """One migration on a libSQL server: its statements and its ledger row as one batch, then the
    ledger read back (the batch does not report a failed statement; a missing row means one did)."""
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    ledger = ("INSERT INTO schema_migrations (version, name, applied_at) "
              f"VALUES ({m.version:d}, '{m.name}', '{stamp}')")      # m.name is [a-z0-9_], from _NAME
    db.maintenance(lambda conn: conn.batch_transaction([*split_statements(m.sql), ledger]))
    if not db.read(lambda conn: conn.one("SELECT 1 FROM schema_migrations WHERE version = ?", (m.version,))):
        raise DatabaseError("a statement failed on the libSQL server (its batch answer does not say which); "
                            "nothing of the migration was kept")
