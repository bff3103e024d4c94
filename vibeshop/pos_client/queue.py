"""The reference POS client's local queue: one SQLite file holding every stock change the till made,
the upload attempts, and where the order feed was read up to.

A change is written here, with its change_id and occurred_at, BEFORE any upload; an acknowledged
batch marks its changes sent in one transaction. So a till killed at any instant loses nothing (the
change is on disk before it leaves) and duplicates nothing (a change re-sent after a lost answer
carries the same change_id, which the cloud records once).

Why the standard library's sqlite3 and not the project's libsql binding: this file is local to one
process (no server, no replication) and sqlite3's transactions are all it needs. Its tables and
statements are in shared/db/repositories/pos_queue.py. The file is an ordinary SQLite (= libSQL)
database, so `sqlite3 FILE 'SELECT * FROM changes'` shows the backlog.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from shared.db.repositories import pos_queue as repo

try:
    import fcntl
except ImportError:         # Windows has no flock: there a second sender on one file is not refused
    fcntl = None  # type: ignore[assignment]

class QueueError(Exception):
    """The queue file cannot be used as asked (it belongs to another device with changes unsent)."""


class QueueUnusable(Exception):
    """The queue file cannot be opened or written (not a queue, corrupt, read-only, in use by another
    `vibeshop pos` that sends changes)."""


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
    """The till's durable backlog. Every method is one transaction.

    `exclusive` (the commands that send changes) holds FILE.lock for the queue's life: two senders on
    one file would send the same changes at once (the cloud keeps each once, but each would report the
    other's work) and two simulators would sell the same shelf twice. The lock is the kernel's (flock),
    so a killed till leaves none behind."""

    def __init__(self, path: Path, *, device: str, exclusive: bool = False):
        self.path = path
        self._lock: int | None = None
        self._conn: sqlite3.Connection | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if exclusive and fcntl is not None:
                self._lock = _take_lock(path)
            self._conn = repo.open_file(str(path))
            self._bind(device)
        except (OSError, sqlite3.Error) as exc:
            self.close()
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise QueueUnusable(f"cannot use {path} as the queue file: {reason}; give another --queue") from None
        except QueueError:
            self.close()
            raise

    def close(self) -> None:
        """Close the file (everything is committed already) and let another process take it."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        if self._lock is not None:
            os.close(self._lock)
            self._lock = None

    def _bind(self, device: str) -> None:
        """The queue belongs to one device: another device may take it over only once it is drained."""
        with self._write() as conn:
            bound = repo.get_state(conn, "device")
            if bound is not None and bound != device:
                unsent = repo.count_unsent(conn)
                if unsent:
                    raise QueueError(f"{self.path} holds {unsent} unsent changes of another device (token); "
                                     "send them with that device first, or use another --queue")
                repo.delete_state(conn, "feed_after")           # another location's feed
            repo.set_state(conn, "device", device)

    def _write(self) -> _Transaction:
        return _Transaction(self._db)

    @property
    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            raise QueueUnusable(f"{self.path} is closed")
        return self._conn

    # --- changes ---------------------------------------------------------------------------------

    def record(self, change: dict) -> QueuedChange:
        """Keep a change (with its change_id and occurred_at) before it is ever sent."""
        body = json.dumps(change, separators=(",", ":"))
        with self._write() as conn:
            seq = repo.insert_change(conn, change_id=change["change_id"], sku=change.get("sku", ""),
                                     type=change["type"], delta=change.get("delta", 0),
                                     quantity=change.get("quantity"), body=body, occurred_at=change["occurred_at"],
                                     recorded_at=now_text())
        return QueuedChange(seq, change["change_id"], change.get("sku", ""), change.get("delta", 0), change)

    def unsent(self, *, limit: int, after_seq: int = 0) -> list[QueuedChange]:
        """The oldest changes not yet acknowledged nor refused (after row `after_seq`), at most `limit`."""
        rows = repo.unsent_changes(self._db, after_seq=after_seq, limit=limit)
        return [QueuedChange(seq, cid, sku, delta, self._body(seq, body)) for seq, cid, sku, delta, body in rows]

    def _body(self, seq: int, body: str) -> dict:
        """A queued change's JSON; QueueUnusable naming the row when the file was edited into something else
        (nothing is sent past it: the changes keep their order)."""
        try:
            change = json.loads(body)
        except ValueError:
            change = None
        if not isinstance(change, dict):
            raise QueueUnusable(f"the change at seq {seq} of {self.path} is not a JSON object; see it with "
                                f"`sqlite3 {self.path} \"SELECT * FROM changes WHERE seq = {seq}\"`")
        return change

    def unsent_count(self) -> int:
        """How many changes wait for an upload."""
        return repo.count_unsent(self._db)

    def unsent_deltas(self) -> dict[str, int]:
        """sku -> the units of adjustments not yet acknowledged (what the cloud's stock does not show yet)."""
        return repo.adjusted_units(self._db, unsent_only=True)

    def ledger(self) -> dict[str, int]:
        """sku -> the units of every adjustment this till made and the cloud did not refuse."""
        return repo.adjusted_units(self._db, unsent_only=False)

    def change_ids(self) -> list[str]:
        """Every change id ever recorded (sent or not), oldest first."""
        return repo.all_change_ids(self._db)

    # --- attempts --------------------------------------------------------------------------------

    def begin_attempt(self, key: str, changes: Sequence[QueuedChange]) -> None:
        """Note an upload attempt before its request leaves (its outcome stays NULL if the till dies)."""
        with self._write() as conn:
            repo.insert_attempt(conn, key, json.dumps([c.change_id for c in changes]), started_at=now_text())

    def acknowledge(self, key: str, changes: Iterable[QueuedChange], *, applied: int, duplicates: int) -> None:
        """The cloud recorded this batch: its changes are sent, in the same transaction as the attempt."""
        with self._write() as conn:
            repo.mark_sent(conn, [c.change_id for c in changes], at=now_text())
            repo.finish_attempt(conn, key, "sent", applied=applied, duplicates=duplicates)

    def fail_attempt(self, key: str) -> None:
        """The batch never got an answer (offline): its changes go back to the backlog, re-batched later."""
        with self._write() as conn:
            repo.finish_attempt(conn, key, "failed")

    def reject(self, key: str, change: QueuedChange, reason: str) -> None:
        """The cloud refused one change of the batch (422 naming it): it is kept but never sent again."""
        with self._write() as conn:
            repo.mark_rejected(conn, change.change_id, reason)
            repo.finish_attempt(conn, key, "rejected")

    def attempts(self) -> list[Attempt]:
        """Every upload attempt, in the order they began."""
        return [Attempt(key, tuple(json.loads(ids)), outcome, applied, duplicates)
                for key, ids, outcome, applied, duplicates in repo.list_attempts(self._db)]

    # --- state -----------------------------------------------------------------------------------

    def get_state(self, name: str, default: str = "") -> str:
        """A named value (the order feed's last seq)."""
        found = repo.get_state(self._db, name)
        return default if found is None else found

    def set_state(self, name: str, value: str) -> None:
        """Keep a named value."""
        with self._write() as conn:
            repo.set_state(conn, name, value)


def _take_lock(path: Path) -> int:
    """FILE.lock held with flock, this process's id in it; QueueUnusable naming the holder if taken."""
    lock = path.with_name(path.name + ".lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 32).decode(errors="replace").strip() or "?"
        os.close(fd)
        raise QueueUnusable(f"{path} is in use by another `vibeshop pos` (process {holder}) that sends changes: "
                            "wait for it to end, or give another --queue") from None
    os.ftruncate(fd, 0)
    os.write(fd, str(os.getpid()).encode())
    return fd


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on an exception) on an autocommit connection."""

    def __init__(self, conn: sqlite3.Connection):
        self._conn = conn

    def __enter__(self) -> sqlite3.Connection:
        repo.begin(self._conn)
        return self._conn

    def __exit__(self, kind: object, *_: object) -> None:
        repo.end(self._conn, commit=not kind)
