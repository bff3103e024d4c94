"""A database locked by another process: waiting never holds the GIL or the event loop, a write
waits a bounded time and then says so (DatabaseBusyError), and a failed COMMIT leaves nothing open."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from shared.db import Connection, DatabaseBusyError, DatabaseError, connect
from support import write_lock_held


def _insert(conn: Connection, value: str) -> None:
    conn.execute("INSERT INTO notes (body) VALUES (?)", (value,))


def _notes(conn: Connection) -> list[str]:
    return [r[0] for r in conn.all("SELECT body FROM notes ORDER BY rowid")]


@pytest.fixture
def notes_db(tmp_path: Path):
    db = connect(tmp_path / "a.db")
    db.write(lambda conn: conn.execute("CREATE TABLE notes (body TEXT NOT NULL)"))
    yield db
    db.close()


def test_a_failed_commit_rolls_back_and_later_writes_work(notes_db):
    def broken(conn: Connection) -> None:
        conn.execute("CREATE TABLE parent (id TEXT PRIMARY KEY)")
        conn.execute("CREATE TABLE child (parent_id TEXT REFERENCES parent(id))")
        conn.execute("PRAGMA defer_foreign_keys = ON")     # the violation is found only at COMMIT
        conn.execute("INSERT INTO child VALUES ('missing')")

    with pytest.raises(DatabaseError, match="FOREIGN KEY"):
        notes_db.write(broken)
    notes_db.write(lambda conn: _insert(conn, "after"))
    assert notes_db.read(_notes) == ["after"]
    assert notes_db.read(lambda conn: conn.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'child'")) == 0


def test_a_write_gives_up_with_a_typed_error_while_another_process_holds_the_lock(tmp_path, notes_db):
    notes_db.busy_wait = 0.05
    with write_lock_held(tmp_path / "a.db"):
        with pytest.raises(DatabaseBusyError) as raised:
            notes_db.write(lambda conn: _insert(conn, "refused"))
        assert raised.value.retry_after >= 1
        assert notes_db.read(_notes) == []             # reads go on (WAL) while the lock is held
    notes_db.write(lambda conn: _insert(conn, "later"))
    assert notes_db.read(_notes) == ["later"]


def test_a_waiting_write_frees_the_gil_and_completes_once_the_lock_is_released(tmp_path, notes_db, busy_waits):
    """While the write waits for the other process, this thread runs Python and uses another
    database: possible only because the wait is a sleep in Python, not libsql's busy handler."""
    waiting = busy_waits
    notes_db.busy_wait = 600
    other = connect(tmp_path / "b.db")
    try:
        with write_lock_held(tmp_path / "a.db"):
            done: list[object] = []
            writer = threading.Thread(target=lambda: done.append(notes_db.write(lambda c: _insert(c, "waited"))))
            writer.start()
            assert waiting.wait(60)
            # Still locked, the write still waiting: the GIL and the other database are free.
            other.write(lambda conn: conn.execute("CREATE TABLE t (x)"))
            assert sum(range(100_000)) == 4_999_950_000
            assert writer.is_alive() and not done
        writer.join(60)
        assert notes_db.read(_notes) == ["waited"]
    finally:
        other.close()


def test_the_async_api_runs_on_the_databases_own_threads(notes_db):
    async def main() -> tuple[str, str, list[str]]:
        where_write = await notes_db.run_write(lambda conn: (_insert(conn, "x"), threading.current_thread().name)[1])
        where_read = await notes_db.call_read(lambda: threading.current_thread().name)
        return where_write, where_read, await notes_db.run_read(_notes)

    where_write, where_read, rows = asyncio.run(main())
    assert where_write.startswith("db-write") and where_read.startswith("db-read") and rows == ["x"]
