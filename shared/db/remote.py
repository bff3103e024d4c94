"""A connection to a libSQL server (sqld, Turso) that outlives the server's dead streams.

`libsql` 0.1.11 talks Hrana over HTTP to a server. Facts measured here (docs/data.md):
- a transaction left idle for 10 s expires (`STREAM_EXPIRED`), and then every later statement on that
  connection fails the same way, ROLLBACK included: the connection is dead;
- a process forked after a remote connection existed hangs on its next remote connection (the
  client's runtime does not survive fork).

So this wrapper connects only when a statement is sent, from the process that sends it (a process
forked after a connection existed gets a DatabaseError saying so, not a hang; workers are spawned),
and when the stream dies it throws the connection away: the transaction it carried is gone
on the server too, so ROLLBACK is answered locally and the next statement opens a fresh connection.
Nobody holds a remote transaction across a wait: `Database.write`/`read` run a synchronous function.

sqld also ends a write transaction older than 5 s as soon as another writer has waited 5 s for it
(measured: the waiter commits, the holder's next statement gets TRANSACTION_TIMEOUT and its work is
rolled back). `ServerDatabase.write` therefore runs a write whose transaction another writer took
again, a few times with backoff: the function only touches the connection, and its after-commit
callbacks were discarded with the failed attempt.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import libsql

from shared.db.database import Connection, Database
from shared.db.errors import DatabaseError

log = logging.getLogger(__name__)
T = TypeVar("T")
# Another writer took the transaction's lock: the server rolled it back whole, so it may run again.
# (An expired stream is not among them: only a function that idles inside its transaction gets one,
# and it would idle again.)
_LOST = ("TRANSACTION_TIMEOUT", "SQLITE_INTERRUPT")
WRITE_ATTEMPTS = 5

# Errors after which the server holds nothing of this connection's stream.
_DEAD = ("STREAM_EXPIRED", "STREAM_NOT_FOUND", "stream has expired", "Stream not found", "error sending request",
         "connection closed", "Connection refused", "connection reset", "broken pipe")
# The server answers these without running the statement: sending it again on a new stream is safe.
_UNKNOWN_STREAM = ("STREAM_EXPIRED", "STREAM_NOT_FOUND", "stream has expired")
_used_in_pid: int | None = None            # the process that made this interpreter's first remote connection
_pid_lock = threading.Lock()


def _note_process() -> None:
    global _used_in_pid
    with _pid_lock:
        if _used_in_pid is None:
            _used_in_pid = os.getpid()
        elif _used_in_pid != os.getpid():
            raise DatabaseError("a libSQL server connection cannot be made in a process forked from one that "
                                "already had one (it would hang): start workers with 'spawn', or connect "
                                "only after the fork")


def is_dead_stream(exc: BaseException) -> bool:
    """Whether this error means the connection's server stream is gone."""
    text = str(exc)
    return any(mark.lower() in text.lower() for mark in _DEAD)


class RemoteConnection:
    """The part of a libsql connection that `Database` uses, over a connection remade when it dies."""

    def __init__(self, url: str, auth_token: str):
        self.url = url
        self._token = auth_token
        self._raw: Any = None
        self._pid = 0
        self._dead = False
        self.reconnects = 0                  # how often a dead stream was replaced (tests, monitoring)

    def _connection(self) -> Any:
        if self._raw is None or self._dead or self._pid != os.getpid():
            self._replace()
        return self._raw

    def _replace(self) -> None:
        if self._raw is not None and self._pid == os.getpid():
            self.reconnects += 1
            try:
                self._raw.close()
            except ValueError:
                pass
        _note_process()
        raw = libsql.connect(self.url, auth_token=self._token, isolation_level=None, _check_same_thread=False)
        # Per connection on the server: set again on every new one.
        raw.execute("PRAGMA foreign_keys = ON")
        self._raw, self._pid, self._dead = raw, os.getpid(), False

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open (a dead stream's transaction is gone)."""
        if self._raw is None or self._dead or self._pid != os.getpid():
            return False
        return bool(self._raw.in_transaction)

    def execute(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        """Run one statement. A dead stream raises once (its transaction is lost) and the next statement
        gets a new connection; ROLLBACK of a transaction the server already dropped succeeds."""
        rollback = sql.strip().upper() == "ROLLBACK"
        if self._dead and rollback:
            return self._connection().execute("SELECT 1")
        starts_fresh = not self.in_transaction
        raw = self._connection()
        try:
            return raw.execute(sql, params)
        except ValueError as exc:
            if rollback and "no transaction is active" in str(exc):
                # The server already ended it (an interrupted or timed-out transaction): done.
                return raw.execute("SELECT 1")
            if not is_dead_stream(exc):
                raise
            self._dead = True
            if starts_fresh and any(mark.lower() in str(exc).lower() for mark in _UNKNOWN_STREAM):
                # Nothing was open: the statement never ran, so it is safe to send again, once.
                return self._connection().execute(sql, params)
            raise

    def run_batch(self, statements: list[str]) -> None:
        """Run statements in one round trip (`Connection.batch_transaction`). A failing statement
        stops the batch without an error, so any transaction it left open is rolled back here."""
        raw = self._connection()
        raw.executescript(";\n".join(s.rstrip().rstrip(";") for s in statements) + ";")
        try:
            raw.execute("ROLLBACK")        # refused when the batch committed: then nothing is open
        except ValueError:
            pass

    def close(self) -> None:
        """Close the connection (if one was made in this process)."""
        if self._raw is not None and self._pid == os.getpid():
            try:
                self._raw.close()
            except ValueError:
                pass
        self._raw = None


def is_lost_transaction(exc: BaseException) -> bool:
    """Whether another writer took this error's transaction (rolled back whole: safe to run again)."""
    return any(mark in str(exc) for mark in _LOST)


class ServerDatabase(Database):
    """A `Database` on a libSQL server: a write whose transaction the server dropped is run again."""

    def write(self, fn: Callable[[Connection], T]) -> T:
        """`Database.write`, run again (up to WRITE_ATTEMPTS times, with backoff) when another writer
        took its transaction (TRANSACTION_TIMEOUT, SQLITE_INTERRUPT)."""
        for attempt in range(WRITE_ATTEMPTS):
            try:
                return super().write(fn)
            except DatabaseError as exc:
                if attempt == WRITE_ATTEMPTS - 1 or not is_lost_transaction(exc):
                    raise
                log.info("write on %s lost its transaction (%s); running it again", self.url, exc)
                time.sleep(0.05 * 2 ** attempt)
        raise AssertionError("unreachable")
