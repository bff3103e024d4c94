"""libSQL access: one `Database` per database file or URL, one write path, migrations at open.

`libsql` 0.1.11 holds the GIL while it waits for a lock, so two threads writing one file stall each
other for seconds: every statement on a `Database` goes through one connection behind one lock
(writes are serialised in-process; several processes on one file are fine thanks to WAL), and the
connection never waits for another process's lock inside libsql: `Database` retries, sleeping.
Async callers reach a database only through the threads it owns (`run_read`, `run_write`, `call`).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

import libsql

from shared.db.errors import DatabaseBusyError, DatabaseError

log = logging.getLogger(__name__)
T = TypeVar("T")
Row = tuple[Any, ...]
REMOTE_SCHEMES = ("libsql://", "http://", "https://", "ws://", "wss://")
# How long a write waits for another connection's lock (another worker, a publish, a backup), in
# sleeps from _FIRST_PAUSE doubling up to _LAST_PAUSE, before DatabaseBusyError (a 503 for the web).
BUSY_WAIT = 5.0
_FIRST_PAUSE = 0.002
_LAST_PAUSE = 0.1


class Connection:
    """The statement API handed to repositories: `?` parameters only, rows are tuples."""

    def __init__(self, raw: Any, database_key: str = "",
                 on_commit: Callable[[Callable[[], None]], None] | None = None):
        self._raw = raw
        self.database_key = database_key    # which database this is (the URL), for caches keyed by it
        self._on_commit = on_commit

    def on_commit(self, callback: Callable[[], None]) -> None:
        """`Database.on_commit` for code that only holds the connection (a service called inside
        `write`, such as the outbox's enqueue): callback runs after this write commits, never after a
        rollback. Raises DatabaseError outside a write."""
        if self._on_commit is None:
            raise DatabaseError("on_commit() needs a connection opened by a Database")
        self._on_commit(callback)

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
    """A libSQL database: an embedded file (path) or a libSQL server / Turso database (URL).

    The sync methods (`read`, `write`, `maintenance`) run on the calling thread, for the studio, the
    CLI and code already off the event loop. Async code awaits `run_read` / `run_write` / `call` /
    `call_read` instead: they run on threads this database owns (one writer thread, so writes keep
    their order; a few reader threads sharing the one connection), so a database that is slow or
    locked holds up only its own callers, never the event loop or another database's work. The threads
    do not care how the connection was opened: a libSQL server's (a URL) waits for the network on
    them the same way.
    """

    READER_THREADS = 4

    def __init__(self, url: str, *, migrations: str = "store", busy_wait: float | None = None):
        self.url = url
        self.busy_wait = BUSY_WAIT if busy_wait is None else busy_wait
        self._lock = threading.RLock()
        self._raw = _open(url)
        self._conn = Connection(self._raw, url, self.on_commit)
        self._after_commit: list[Callable[[], None]] = []
        self._executors: tuple[ThreadPoolExecutor, ThreadPoolExecutor] | None = None
        self._executors_lock = threading.Lock()
        self._closed = False
        from shared.db.migrate import apply_migrations  # local import: migrate uses Database

        apply_migrations(self, migrations)

    # --- the calling thread's API -------------------------------------------------------------

    def write(self, fn: Callable[[Connection], T]) -> T:
        """Run fn(conn) in one BEGIN IMMEDIATE transaction; commit, or roll back if it raises.

        Callbacks queued with `on_commit` inside fn run after the commit, never after a rollback.
        When another connection holds the write lock, BEGIN is retried with backoff for up to
        `busy_wait` seconds (sleeping, so the GIL is free), then DatabaseBusyError is raised; a
        COMMIT that fails rolls the transaction back and raises DatabaseError.
        """
        def attempt() -> tuple[T, list[Callable[[], None]]]:
            if self._raw.in_transaction:
                raise DatabaseError("write() cannot nest: use conn.savepoint() for a nested unit")
            _busy_means_retry(self._conn.execute, "BEGIN IMMEDIATE")    # nothing started yet
            try:
                result = fn(self._conn)
                self._conn.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise
            callbacks, self._after_commit = self._after_commit, []
            return result, callbacks

        result, callbacks = self._retrying(attempt)
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
        write, fn simply joins it. A read refused as busy (rare with WAL) is retried like a write's
        BEGIN, so fn must only read."""
        def attempt() -> T:
            if self._raw.in_transaction:          # fn of this thread's write: it joins it
                return fn(self._conn)
            self._raw.execute("BEGIN")
            try:
                return _busy_means_retry(fn, self._conn)     # a read can simply be read again
            finally:
                self._raw.execute("COMMIT" if self._raw.in_transaction else "SELECT 1")

        return self._retrying(attempt)

    def maintenance(self, fn: Callable[[Connection], T]) -> T:
        """Run fn(conn) outside any transaction (VACUUM INTO, some PRAGMAs refuse to run inside one)."""
        def attempt() -> T:
            if self._raw.in_transaction:
                raise DatabaseError("maintenance() cannot run inside a read or write")
            return _busy_means_retry(fn, self._conn)      # VACUUM INTO is refused before it starts

        return self._retrying(attempt)

    def _retrying(self, attempt: Callable[[], T]) -> T:
        """attempt() under the connection lock, again after a backoff while the database is busy.

        libsql waits for a lock inside its busy handler while holding the GIL (every thread of the
        process stops), so the connections have none (busy_timeout 0): a busy database answers at
        once, and the wait happens here, in time.sleep, with the lock and the GIL free."""
        deadline = time.monotonic() + self.busy_wait
        pause = _FIRST_PAUSE
        while True:
            with self._lock:
                try:
                    return attempt()
                except _Busy as exc:
                    busy = exc.__cause__
            left = deadline - time.monotonic()
            if left <= 0:
                raise DatabaseBusyError(self.url, self.busy_wait) from busy
            time.sleep(min(pause, left))
            pause = min(pause * 2, _LAST_PAUSE)

    def _rollback(self) -> None:
        self._after_commit.clear()
        if self._raw.in_transaction:
            try:
                self._raw.execute("ROLLBACK")
            except ValueError:          # the connection already ended it; nothing is left open
                log.warning("ROLLBACK failed on %s", self.url, exc_info=True)

    # --- the event loop's API: this database's own threads ------------------------------------

    async def run_read(self, fn: Callable[[Connection], T]) -> T:
        """`read(fn)` on one of this database's reader threads."""
        return await self._submit(self._pools()[1], self.read, fn)

    async def run_write(self, fn: Callable[[Connection], T]) -> T:
        """`write(fn)` on this database's writer thread."""
        return await self._submit(self._pools()[0], self.write, fn)

    async def call(self, service: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """service(*args, **kwargs), a function that writes this database (through `write`), on its
        writer thread: it may read and write it, and read other databases, in its own way."""
        return await self._submit(self._pools()[0], service, *args, **kwargs)

    async def call_read(self, service: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
        """service(*args, **kwargs), a function that only reads this database, on a reader thread."""
        return await self._submit(self._pools()[1], service, *args, **kwargs)

    def submit_write(self, fn: Callable[[Connection], Any]) -> Future:
        """`write(fn)` on the writer thread without waiting for it (bookkeeping nobody waits for);
        a failure is logged."""
        future = self._pools()[0].submit(self.write, fn)
        future.add_done_callback(_log_failure)
        return future

    @staticmethod
    async def _submit(pool: ThreadPoolExecutor, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.wrap_future(pool.submit(functools.partial(fn, *args, **kwargs)))

    def _pools(self) -> tuple[ThreadPoolExecutor, ThreadPoolExecutor]:
        """(writer, readers), started on first use: a process that never awaits this database (the
        studio, the CLI, a parent about to fork workers) starts no threads."""
        pools = self._executors
        if pools is None:
            with self._executors_lock:
                if self._closed:
                    raise DatabaseError(f"{self.url} is closed")
                if self._executors is None:
                    self._executors = (ThreadPoolExecutor(1, thread_name_prefix="db-write"),
                                       ThreadPoolExecutor(self.READER_THREADS, thread_name_prefix="db-read"))
                pools = self._executors
        return pools

    def close(self) -> None:
        """Finish the work already handed to this database's threads, then close the connection."""
        with self._executors_lock:
            self._closed = True
            pools, self._executors = self._executors, None
        for pool in pools or ():
            pool.shutdown(wait=not threading.current_thread().name.startswith("db-"))
        with self._lock:
            self._raw.close()


class _Busy(Exception):
    """An attempt refused as busy before it changed anything: `_retrying` tries it again."""


def _busy_means_retry(fn: Callable[..., T], *args: Any) -> T:
    try:
        return fn(*args)
    except DatabaseError as exc:
        if is_busy(exc):
            raise _Busy() from exc
        raise


def _log_failure(future: Future) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("background write failed: %s", future.exception())


def is_busy(exc: BaseException) -> bool:
    """Whether an error says another connection holds a lock we need (SQLITE_BUSY / SQLITE_LOCKED)."""
    text = str(exc).lower()
    return "database is locked" in text or "database is busy" in text or "database table is locked" in text


def _open(url: str) -> Any:
    if url.startswith(REMOTE_SCHEMES):
        from shared.db.remote import RemoteConnection  # the server path: dead streams, connect after fork

        parts = urlsplit(url)
        token = os.environ.get("VIBESHOP_DB_TOKEN") or os.environ.get("LIBSQL_AUTH_TOKEN", "")
        token = parse_qs(parts.query).get("authToken", [token])[0]
        return RemoteConnection(parts._replace(query="").geturl(), token)
    path = Path(url.removeprefix("file:"))
    path.parent.mkdir(parents=True, exist_ok=True)
    # No busy handler (timeout 0): libsql would wait in it holding the GIL; Database retries instead.
    raw = libsql.connect(str(path), isolation_level=None, _check_same_thread=False, timeout=0)
    raw.execute("PRAGMA busy_timeout = 0")
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("PRAGMA foreign_keys = ON")
    raw.execute("PRAGMA synchronous = NORMAL")
    return raw


def connect(url: str | os.PathLike[str], *, migrations: str = "store") -> Database:
    """Open (creating if needed) and migrate a database: a file path, or a libsql:// / http(s):// URL."""
    url = os.fspath(url)
    if url.startswith(REMOTE_SCHEMES):
        from shared.db.remote import ServerDatabase  # the server's write rules (shared/db/remote.py)

        return ServerDatabase(url, migrations=migrations)
    return Database(url, migrations=migrations)
