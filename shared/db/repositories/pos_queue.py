"""The reference POS client's queue file (vibeshop/pos_client/queue.py): its tables and statements, over
the standard library's sqlite3 (the file is local to one till: see that module for why not libsql).
Every function runs inside the caller's transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

SCHEMA = """
CREATE TABLE IF NOT EXISTS changes (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    change_id   TEXT NOT NULL UNIQUE,
    sku         TEXT NOT NULL,
    type        TEXT NOT NULL CHECK (type IN ('adjust', 'count')),
    delta       INTEGER NOT NULL DEFAULT 0,     -- adjust: signed units
    quantity    INTEGER,                        -- count: units counted
    body        TEXT NOT NULL,                  -- the change exactly as it is sent (JSON)
    occurred_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    sent_at     TEXT,                           -- the cloud acknowledged a batch holding it
    rejected    TEXT                            -- the cloud refused it (422): why; never sent again
);
CREATE INDEX IF NOT EXISTS changes_unsent ON changes (seq) WHERE sent_at IS NULL AND rejected IS NULL;
CREATE TABLE IF NOT EXISTS attempts (
    key         TEXT PRIMARY KEY,               -- the Idempotency-Key of the batch
    change_ids  TEXT NOT NULL,                  -- JSON list, in the batch's order
    started_at  TEXT NOT NULL,
    outcome     TEXT,                           -- sent | failed | rejected; NULL: no answer (killed)
    applied     INTEGER,
    duplicates  INTEGER
);
CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""



_UNSENT = "sent_at IS NULL AND rejected IS NULL"


def create_tables(conn: sqlite3.Connection) -> None:
    """The queue's tables, if the file lacks them."""
    conn.executescript(SCHEMA)


def get_state(conn: sqlite3.Connection, name: str) -> str | None:
    """A named value, or None."""
    row = conn.execute("SELECT value FROM state WHERE name = ?", (name,)).fetchone()
    return row[0] if row else None


def set_state(conn: sqlite3.Connection, name: str, value: str) -> None:
    """Keep a named value."""
    conn.execute("INSERT INTO state (name, value) VALUES (?, ?) "
                 "ON CONFLICT (name) DO UPDATE SET value = excluded.value", (name, value))


def delete_state(conn: sqlite3.Connection, name: str) -> None:
    """Forget a named value."""
    conn.execute("DELETE FROM state WHERE name = ?", (name,))


def insert_change(conn: sqlite3.Connection, *, change_id: str, sku: str, type: str, delta: int,
                  quantity: int | None, body: str, occurred_at: str, recorded_at: str) -> int:
    """Keep one change; its row number (oldest first)."""
    cursor = conn.execute(
        "INSERT INTO changes (change_id, sku, type, delta, quantity, body, occurred_at, recorded_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (change_id, sku, type, delta, quantity, body, occurred_at, recorded_at))
    return int(cursor.lastrowid or 0)


def unsent_changes(conn: sqlite3.Connection, *, after_seq: int, limit: int) -> list[tuple[int, str, str, int, str]]:
    """(seq, change_id, sku, delta, body) of the oldest changes neither acknowledged nor refused."""
    return conn.execute(f"SELECT seq, change_id, sku, delta, body FROM changes WHERE {_UNSENT} AND seq > ? "
                        "ORDER BY seq LIMIT ?", (after_seq, limit)).fetchall()


def count_unsent(conn: sqlite3.Connection) -> int:
    """How many changes wait for an upload."""
    return conn.execute(f"SELECT count(*) FROM changes WHERE {_UNSENT}").fetchone()[0]


def adjusted_units(conn: sqlite3.Connection, *, unsent_only: bool) -> dict[str, int]:
    """sku -> the units of the adjustments the cloud did not refuse (only those not yet acknowledged)."""
    where = _UNSENT if unsent_only else "rejected IS NULL"
    return dict(conn.execute(f"SELECT sku, sum(delta) FROM changes WHERE {where} AND type = 'adjust' GROUP BY sku"
                             ).fetchall())


def all_change_ids(conn: sqlite3.Connection) -> list[str]:
    """Every change id ever recorded, oldest first."""
    return [row[0] for row in conn.execute("SELECT change_id FROM changes ORDER BY seq")]


def mark_sent(conn: sqlite3.Connection, change_ids: Sequence[str], *, at: str) -> None:
    """The cloud acknowledged these changes."""
    conn.executemany("UPDATE changes SET sent_at = ? WHERE change_id = ? AND sent_at IS NULL",
                     [(at, change_id) for change_id in change_ids])


def mark_rejected(conn: sqlite3.Connection, change_id: str, reason: str) -> None:
    """The cloud refused this change: kept, never sent again."""
    conn.execute("UPDATE changes SET rejected = ? WHERE change_id = ?", (reason, change_id))


def insert_attempt(conn: sqlite3.Connection, key: str, change_ids_json: str, *, started_at: str) -> None:
    """An upload attempt, before its request leaves."""
    conn.execute("INSERT INTO attempts (key, change_ids, started_at) VALUES (?, ?, ?)",
                 (key, change_ids_json, started_at))


def finish_attempt(conn: sqlite3.Connection, key: str, outcome: str, *, applied: int | None = None,
                   duplicates: int | None = None) -> None:
    """What came of an attempt: sent (with the cloud's counts), failed or rejected."""
    if outcome == "sent":
        conn.execute("UPDATE attempts SET outcome = 'sent', applied = ?, duplicates = ? WHERE key = ?",
                     (applied, duplicates, key))
    else:
        conn.execute("UPDATE attempts SET outcome = ? WHERE key = ?", (outcome, key))


def list_attempts(conn: sqlite3.Connection) -> list[tuple[str, str, str | None, int | None, int | None]]:
    """(key, change ids JSON, outcome, applied, duplicates) of every attempt, in the order they began."""
    return conn.execute("SELECT key, change_ids, outcome, applied, duplicates FROM attempts "
                        "ORDER BY started_at, rowid").fetchall()


def begin(conn: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE on the autocommit connection."""
    conn.execute("BEGIN IMMEDIATE")


def end(conn: sqlite3.Connection, *, commit: bool) -> None:
    """COMMIT or ROLLBACK."""
    conn.execute("COMMIT" if commit else "ROLLBACK")


def open_file(path: str) -> sqlite3.Connection:
    """The queue file in WAL mode with full syncs (an acknowledged change survives a power cut too)."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=10)   # then "database is locked"
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    create_tables(conn)
    return conn
