"""libSQL access: one `Database` per database file or URL, one write path, migrations at open.

`libsql` 0.1.11 holds the GIL while it waits for a lock, so two threads writing one file stall each
other for seconds: every statement on a `Database` goes through one connection behind one lock
(writes are serialised in-process; several processes on one file are fine thanks to WAL).
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import libsql

from shared.db.errors import DatabaseError

log = logging.getLogger(__name__)
T = TypeVar("T")
Row = tuple[Any, ...]
REMOTE_SCHEMES = ("libsql://", "http://", "https://", "ws://", "wss://")


class Connection:
    """The statement API handed to repositories: `?` parameters only, rows are tuples."""

    def __init__(self, raw: Any, database_key: str = ""):
        self._raw = raw
        self.database_key = database_key    # which database this is (the URL), for caches keyed by it

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run one statement with bound parameters; returns the cursor."""
        try:
            return self._raw.execute(sql, tuple(params))
        except ValueError as exc:  # libsql reports every error as a plain ValueError
            raise DatabaseError(str(exc)) from exc

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement for each parameter row."""
        for row in rows:
            self.execute(sql, row)

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row, or None."""
        return self.execute(sql, params).fetchone()

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Every row."""
        return self.execute(sql, params).fetchall()

    def scalar(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """The first column of the first row, or None."""
        row = self.one(sql, params)
        return None if row is None else row[0]

    def script(self, sql: str) -> None:
        """Several statements (migrations only), one at a time so the first failure raises.

        libsql 0.1.11's executescript ignores a failing statement and carries on, so a broken
        migration would be recorded as applied."""
        for statement in split_statements(sql):
            self.execute(statement)

    def batch_transaction(self, statements: Sequence[str]) -> None:
        """Run statements as one transaction, outside `Database.write` (on a libSQL server: migrations,
        the copy that fills a working copy).

        A server gets them in one round trip: sent one by one, DDL then a statement using it failed
        on sqld about one time in two. Its batch does not say whether a statement failed, so the
        caller checks the outcome (a migration: its ledger row; a copy: its rows)."""
        run_batch = getattr(self._raw, "run_batch", None)
        if run_batch is not None:
            run_batch(["BEGIN IMMEDIATE", *statements, "COMMIT"])
            return
        self.execute("BEGIN IMMEDIATE")
        try:
            for statement in statements:
                self.execute(statement)
        except BaseException:
            self._raw.execute("ROLLBACK")
            raise
        self.execute("COMMIT")

    @contextmanager
    def savepoint(self, name: str = "nested") -> Iterator[None]:
        """A nested unit inside `Database.write`: rolled back alone if its body raises."""
        self.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self.execute(f"ROLLBACK TO {name}")
            self.execute(f"RELEASE {name}")
            raise
        self.execute(f"RELEASE {name}")


_SQL_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.S)


def split_statements(sql: str) -> list[str]:
    """The statements of a script, trigger bodies kept whole; comment-only text is dropped."""
    statements: list[str] = []
    pending = ""
    pieces = sql.split(";")
    for index, piece in enumerate(pieces):
        pending += piece
        if index < len(pieces) - 1:
            pending += ";"
            # sqlite3's tokenizer knows a ';' inside a string, a comment or a trigger body.
            if not sqlite3.complete_statement(pending):
                continue
        if _SQL_COMMENT.sub("", pending).strip(" \t\r\n;"):
            statements.append(pending.strip())
        pending = ""
    return statements


class Database:
    """A libSQL database: an embedded file (path) or a libSQL server / Turso database (URL)."""

    def __init__(self, url: str, *, migrations: str = "store"):
        self.url = url
        self._lock = threading.RLock()
        self._raw = _open(url)
        self._conn = Connection(self._raw, url)
        self._after_commit: list[Callable[[], None]] = []
        from shared.db.migrate import apply_migrations  # local import: migrate uses Database

        apply_migrations(self, migrations)

    def write(self, fn: Callable[[Connection], T]) -> T:
        """Run fn(conn) in one BEGIN IMMEDIATE transaction; commit, or roll back if it raises.

        Callbacks queued with `on_commit` inside fn run after the commit, never after a rollback.
        """
        with self._lock:
            if self._raw.in_transaction:
                raise DatabaseError("write() cannot nest: use conn.savepoint() for a nested unit")
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                result = fn(self._conn)
            except BaseException:
                self._raw.execute("ROLLBACK")
                self._after_commit.clear()
                raise
            self._conn.execute("COMMIT")
            callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            try:
                callback()
            except Exception:  # noqa: BLE001 - a failed side effect must not undo a committed write
                log.exception("after-commit callback failed")
        return result

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Run callback after the current write commits (e-mails, cache purges, sync pokes).

        Only valid inside `write(fn)`: a callback queued elsewhere would wait for some later commit."""
        if not self._raw.in_transaction:
            raise DatabaseError("on_commit() is only valid inside write()")
        self._after_commit.append(callback)

    def read(self, fn: Callable[[Connection], T]) -> T:
        """Run fn(conn) for reading, in one read transaction: every statement of fn sees the same
        snapshot, even while another connection (another worker, a publish) commits. Inside a
        write, fn simply joins it."""
        with self._lock:
            if self._raw.in_transaction:
                return fn(self._conn)
            self._raw.execute("BEGIN")
            try:
                return fn(self._conn)
            finally:
                self._raw.execute("COMMIT" if self._raw.in_transaction else "SELECT 1")

    def maintenance(self, fn: Callable[[Connection], T]) -> T:
        """Run fn(conn) outside any transaction (VACUUM INTO, some PRAGMAs refuse to run inside one)."""
        with self._lock:
            if self._raw.in_transaction:
                raise DatabaseError("maintenance() cannot run inside a read or write")
            return fn(self._conn)

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._raw.close()


def _open(url: str) -> Any:
    if url.startswith(REMOTE_SCHEMES):
        from shared.db.remote import RemoteConnection  # the server path: dead streams, connect after fork

        parts = urlsplit(url)
        token = os.environ.get("VIBESHOP_DB_TOKEN") or os.environ.get("LIBSQL_AUTH_TOKEN", "")
        token = parse_qs(parts.query).get("authToken", [token])[0]
        return RemoteConnection(parts._replace(query="").geturl(), token)
    path = Path(url.removeprefix("file:"))
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = libsql.connect(str(path), isolation_level=None, _check_same_thread=False, timeout=10.0)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("PRAGMA foreign_keys = ON")
    raw.execute("PRAGMA busy_timeout = 10000")
    raw.execute("PRAGMA synchronous = NORMAL")
    return raw


def connect(url: str | os.PathLike[str], *, migrations: str = "store") -> Database:
    """Open (creating if needed) and migrate a database: a file path, or a libsql:// / http(s):// URL."""
    url = os.fspath(url)
    if url.startswith(REMOTE_SCHEMES):
        from shared.db.remote import ServerDatabase  # the server's write rules (shared/db/remote.py)

        return ServerDatabase(url, migrations=migrations)
    return Database(url, migrations=migrations)
