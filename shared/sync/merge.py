"""The cloud side of sync (docs/sync-protocol.md sections 4-6), applied to a store's working copy.

Every push is one transaction: ledger skip, gap refusal, op checks, then the merge rules per op
(shared/sync/merge_rules.py), with each op's resulting row state appended to `sync_log` (tagged with
the op's id, even when the op changed nothing, so the device that sent it always pulls the row's
authoritative state). Field clocks of the working copy live in `sync_clocks` (one JSON object per
row)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shared.db import Connection, Database
from shared.db.errors import DatabaseError
from shared.db.repositories import sync as repo
from shared.db.stamps import utc_now
from shared.sync import hlc as clock
from shared.sync.errors import SyncError
from shared.sync.merge_rules import Merger, log_state
from shared.sync.ops import Op, parse_op
from shared.sync.tables import ORDER, SPECS, TableSpec

MAX_PULL = 5_000


@dataclass(frozen=True)
class PushResult:
    """The answer to a push: ops applied now, the device's ledger, the newest change-log seq."""

    applied: int
    last_op: int
    cursor: int

    def to_json(self) -> dict[str, int]:
        """The protocol's push answer."""
        return {"applied": self.applied, "last_op": self.last_op, "cursor": self.cursor}


def ensure_device(db: Database, device_id: str, name: str) -> None:
    """Register a device (ledger at 0) or update a known device's name."""
    if not isinstance(device_id, str) or not device_id or ":" in device_id or not clock.is_valid(
            clock.format_hlc(0, 0, device_id)):
        raise SyncError("invalid", "a device id is letters, digits, '-' and '_'")
    db.write(lambda conn: repo.insert_device(conn, device_id, name, utc_now()))


def apply_push(db: Database, device_id: str, ops: Sequence[Mapping[str, Any] | Op]) -> PushResult:
    """Apply a device's ops in ONE transaction: skip retried ops, refuse gaps, merge the rest.

    Raises SyncError: "device" (unknown device), "op" (op_id=..., a malformed op or one for an
    unknown table or field), "gap" (expected=...). Nothing is applied then."""
    def write(conn: Connection) -> PushResult:
        known = repo.get_device(conn, device_id)
        if known is None:
            raise SyncError("device", f"unknown device {device_id!r}")
        last = known[1]
        parsed = [parse_op(conn, op.to_json() if isinstance(op, Op) else op, device_id=device_id) for op in ops]
        new = [op for op in parsed if op.n > last]
        for expected, op in enumerate(new, start=last + 1):
            if op.n != expected:
                raise SyncError("gap", f"expected op {last + 1}", expected=last + 1)
        if not new:
            return PushResult(0, last, repo.newest_seq(conn))
        clock.receive(conn, max(op.hlc for op in new), clock.CLOUD)
        merger = Merger(conn)
        merger.prefetch(new)
        for op in new:
            # No savepoint per op: a failing op fails the whole push, and its transaction with it.
            try:
                merger.apply(op)
            except DatabaseError as exc:
                raise SyncError("op", f"op {op.op_id} could not be applied: {exc}", op_id=op.op_id) from exc
        merger.flush()
        repo.set_device_last_op(conn, device_id, new[-1].n)
        return PushResult(len(new), new[-1].n, repo.newest_seq(conn))

    return db.write(write)


def changes_since(db: Database, cursor: int, limit: int = 1000) -> tuple[list[dict[str, Any]], int, bool]:
    """Change-log entries after `cursor` (at most `limit`, capped at 5,000): (changes, new cursor, more)."""
    limit = max(1, min(int(limit), MAX_PULL))
    entries = db.read(lambda conn: repo.log_since(conn, int(cursor), limit + 1))
    more = len(entries) > limit
    entries = entries[:limit]
    return entries, (entries[-1]["seq"] if entries else int(cursor)), more


def conflicts_since(db: Database, cursor: int) -> list[dict[str, Any]]:
    """Conflict records created after change-log seq `cursor`."""
    return db.read(lambda conn: repo.conflicts_since(conn, int(cursor)))


def unresolved_conflicts(db: Database) -> list[dict[str, Any]]:
    """Conflict records not yet resolved (publishing is refused while any exist)."""
    return db.read(repo.unresolved_conflicts)


def resolve_conflict(db: Database, conflict_id: str, keep: str) -> dict[str, Any]:
    """Resolve a conflict: keep "current" (the winner stays), "theirs" (the losing version becomes the
    value), or any other text (that text becomes the value). A new value is a cloud edit with a new
    HLC, logged like any change. Raises SyncError("not_found") for an unknown conflict, or when the
    row is gone and a value was to be written."""
    def write(conn: Connection) -> dict[str, Any]:
        record = repo.get_conflict(conn, conflict_id)
        if record is None:
            raise SyncError("not_found", f"no conflict {conflict_id!r}")
        if keep != "current":
            spec = SPECS[record["table"]]
            value = record["value"] if keep == "theirs" else keep
            if repo.get_row(conn, spec, record["key"]) is None:
                raise SyncError("not_found", "the row of this conflict no longer exists")
            stamp = clock.now(conn, clock.CLOUD)
            repo.update_fields(conn, spec, record["key"], {record["field"]: value})
            repo.set_clocks(conn, spec.name, record["key"], {record["field"]: stamp})
        # Logged either way: the new position tells every device's next pull that it was settled.
        seq = log_state(conn, SPECS[record["table"]], record["key"], None)
        repo.resolve_conflict(conn, conflict_id, seq)
        return {**record, "resolved": True, "created_seq": seq, "cursor": seq}

    return db.write(write)


def add_cloud_row(db: Database, table: str, row: Mapping[str, Any]) -> int | None:
    """Add a row the cloud made itself (an image uploaded through the admin API) to the working copy,
    as a change every device pulls: every field gets one cloud HLC, and the row is logged with no op
    id. A key the working copy has, or for media an image (hash) it has under another id, is left
    as it is; a tombstone of the key goes (the row is back). Returns the change-log seq of the new
    entry, or None when nothing was added."""
    spec = SPECS[table]
    key = row.get(spec.key)

    def write(conn: Connection) -> int | None:
        if repo.get_row(conn, spec, key) is not None:
            return None
        if spec.name == "media" and repo.keys_with_value(conn, spec, "hash", row.get("hash")):
            return None
        stored = repo.insert_row(conn, spec, row)
        repo.delete_tombstone(conn, spec.name, key)
        return _log_as_cloud_row(conn, spec, stored, clock.now(conn, clock.CLOUD))

    return db.write(write)


def latest_cursor(db: Database) -> int:
    """The newest change-log position (what a poke announces)."""
    return db.read(repo.newest_seq)


def seed_log(db: Database) -> int:
    """Log every row of the synced tables once (a new working copy, section 5.2), parents first, with
    one cloud HLC as every field's clock. Does nothing when the log is not empty; returns rows logged."""
    def write(conn: Connection) -> int:
        if repo.newest_seq(conn):
            return 0
        stamp = clock.now(conn, clock.CLOUD)
        count = 0
        for spec in ORDER:
            for row in repo.all_rows(conn, spec):
                _log_as_cloud_row(conn, spec, row, stamp)
                count += 1
        return count

    return db.write(write)


def _log_as_cloud_row(conn: Connection, spec: TableSpec, row: Mapping[str, Any], stamp: str) -> int:
    """Give every field of a row the cloud's HLC `stamp` and log the row (no op id); its seq."""
    clocks = {name: stamp for name in spec.fields(conn)}
    repo.set_clocks(conn, spec.name, row[spec.key], clocks, replace=True)
    return repo.append_log(conn, spec.name, row[spec.key], row, clocks, None)
