"""The reference POS client's local queue: one SQLite file holding every stock change the till made,
the upload attempts, and where the order feed was read up to.

A change is written here, with its change_id and occurred_at, BEFORE any upload; an acknowledged
batch marks its changes sent in one transaction. So a till killed at any instant loses nothing (the
change is on disk before it leaves) and duplicates nothing (a change re-sent after a lost answer
carries the same change_id, which the cloud records once).

Why the standard library's sqlite3 and not the project's libsql binding: this file is local to one
process (no server, no replication), sqlite3's transactions are all it needs, and a merchant's
developer can copy this client with httpx as its only dependency. The file is an ordinary SQLite
(= libSQL) database, so `sqlite3 FILE 'SELECT * FROM changes'` shows the backlog.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

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


class QueueError(Exception):
    """The queue file cannot be used as asked (it belongs to another device with changes unsent)."""


@dataclass(frozen=True)
class QueuedChange:
    """One change of the queue: its row number (oldest first) and the JSON object sent to the cloud."""

    seq: int
    change_id: str
    sku: str
    delta: int
    body: dict


@dataclass(frozen=True)
class Attempt:
    """One upload attempt: its Idempotency-Key, its changes and what came of it."""

    key: str
    change_ids: tuple[str, ...]
    outcome: str | None
    applied: int | None
    duplicates: int | None


def now_text() -> str:
    """The current UTC time as RFC 3339 with an offset (what occurred_at needs)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def device_fingerprint(token: str) -> str:
    """Names a device without storing its token (the token is the device: one store, one location; the
    address it is reached at may change)."""
    return hashlib.sha256(token.encode()).hexdigest()[:16]


class Queue:
    """The till's durable backlog. Every method is one transaction."""

    def __init__(self, path: Path, *, device: str):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = FULL")     # an acknowledged change survives a power cut too
        self._conn.executescript(SCHEMA)
        self._bind(device)

    def close(self) -> None:
        """Close the file (everything is committed already)."""
        self._conn.close()

    def _bind(self, device: str) -> None:
        """The queue belongs to one device: another device may take it over only once it is drained."""
        with self._write() as conn:
            row = conn.execute("SELECT value FROM state WHERE name = 'device'").fetchone()
            if row is not None and row[0] != device:
                unsent = conn.execute("SELECT count(*) FROM changes WHERE sent_at IS NULL AND rejected IS NULL"
                                      ).fetchone()[0]
                if unsent:
                    raise QueueError(f"{self.path} holds {unsent} unsent changes of another device (token); "
                                     "send them with that device first, or use another --queue")
                conn.execute("DELETE FROM state WHERE name = 'feed_after'")   # another location's feed
            conn.execute("INSERT INTO state (name, value) VALUES ('device', ?) "
                         "ON CONFLICT (name) DO UPDATE SET value = excluded.value", (device,))

    def _write(self) -> _Transaction:
        return _Transaction(self._conn)

    # --- changes ---------------------------------------------------------------------------------

    def record(self, change: dict) -> QueuedChange:
        """Keep a change (with its change_id and occurred_at) before it is ever sent."""
        body = json.dumps(change, separators=(",", ":"))
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO changes (change_id, sku, type, delta, quantity, body, occurred_at, recorded_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (change["change_id"], change.get("sku", ""), change["type"], change.get("delta", 0),
                 change.get("quantity"), body, change["occurred_at"], now_text()))
        return QueuedChange(int(cursor.lastrowid or 0), change["change_id"], change.get("sku", ""),
                            change.get("delta", 0), change)

    def unsent(self, *, limit: int, after_seq: int = 0) -> list[QueuedChange]:
        """The oldest changes not yet acknowledged nor refused (after row `after_seq`), at most `limit`."""
        rows = self._conn.execute(
            "SELECT seq, change_id, sku, delta, body FROM changes WHERE sent_at IS NULL AND rejected IS NULL "
            "AND seq > ? ORDER BY seq LIMIT ?", (after_seq, limit)).fetchall()
        return [QueuedChange(seq, cid, sku, delta, json.loads(body)) for seq, cid, sku, delta, body in rows]

    def unsent_count(self) -> int:
        """How many changes wait for an upload."""
        return self._conn.execute("SELECT count(*) FROM changes WHERE sent_at IS NULL AND rejected IS NULL"
                                  ).fetchone()[0]

    def unsent_deltas(self) -> dict[str, int]:
        """sku -> the units of adjustments not yet acknowledged (what the cloud's stock does not show yet)."""
        return dict(self._conn.execute(
            "SELECT sku, sum(delta) FROM changes WHERE sent_at IS NULL AND rejected IS NULL AND type = 'adjust' "
            "GROUP BY sku").fetchall())

    def ledger(self) -> dict[str, int]:
        """sku -> the units of every adjustment this till made and the cloud did not refuse."""
        return dict(self._conn.execute(
            "SELECT sku, sum(delta) FROM changes WHERE rejected IS NULL AND type = 'adjust' GROUP BY sku").fetchall())

    def change_ids(self) -> list[str]:
        """Every change id ever recorded (sent or not), oldest first."""
        return [row[0] for row in self._conn.execute("SELECT change_id FROM changes ORDER BY seq")]

    # --- attempts --------------------------------------------------------------------------------

    def begin_attempt(self, key: str, changes: Sequence[QueuedChange]) -> None:
        """Note an upload attempt before its request leaves (its outcome stays NULL if the till dies)."""
        with self._write() as conn:
            conn.execute("INSERT INTO attempts (key, change_ids, started_at) VALUES (?, ?, ?)",
                         (key, json.dumps([c.change_id for c in changes]), now_text()))

    def acknowledge(self, key: str, changes: Iterable[QueuedChange], *, applied: int, duplicates: int) -> None:
        """The cloud recorded this batch: its changes are sent, in the same transaction as the attempt."""
        stamp = now_text()
        with self._write() as conn:
            conn.executemany("UPDATE changes SET sent_at = ? WHERE change_id = ? AND sent_at IS NULL",
                             [(stamp, c.change_id) for c in changes])
            conn.execute("UPDATE attempts SET outcome = 'sent', applied = ?, duplicates = ? WHERE key = ?",
                         (applied, duplicates, key))

    def fail_attempt(self, key: str) -> None:
        """The batch never got an answer (offline): its changes go back to the backlog, re-batched later."""
        with self._write() as conn:
            conn.execute("UPDATE attempts SET outcome = 'failed' WHERE key = ?", (key,))

    def reject(self, key: str, change: QueuedChange, reason: str) -> None:
        """The cloud refused one change of the batch (422 naming it): it is kept but never sent again."""
        with self._write() as conn:
            conn.execute("UPDATE changes SET rejected = ? WHERE change_id = ?", (reason, change.change_id))
            conn.execute("UPDATE attempts SET outcome = 'rejected' WHERE key = ?", (key,))

    def attempts(self) -> list[Attempt]:
        """Every upload attempt, in the order they began."""
        rows = self._conn.execute("SELECT key, change_ids, outcome, applied, duplicates FROM attempts "
                                  "ORDER BY started_at, rowid").fetchall()
        return [Attempt(key, tuple(json.loads(ids)), outcome, applied, duplicates)
                for key, ids, outcome, applied, duplicates in rows]

    # --- state -----------------------------------------------------------------------------------

    def get_state(self, name: str, default: str = "") -> str:
        """A named value (the order feed's last seq)."""
        row = self._conn.execute("SELECT value FROM state WHERE name = ?", (name,)).fetchone()
        return row[0] if row else default

    def set_state(self, name: str, value: str) -> None:
        """Keep a named value."""
        with self._write() as conn:
            conn.execute("INSERT INTO state (name, value) VALUES (?, ?) "
                         "ON CONFLICT (name) DO UPDATE SET value = excluded.value", (name, value))


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on an exception) on an autocommit connection."""

    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self._conn.execute("BEGIN IMMEDIATE")
        return self._conn

    def __exit__(self, kind: object, *_: object) -> None:
        self._conn.execute("ROLLBACK" if kind else "COMMIT")
