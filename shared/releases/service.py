"""Publishing and rolling back releases (docs/sync-protocol.md section 7).

The working copy (`stores/<id>.work.db`) is where devices' edits meet; the live database
(`stores/<id>.db`) is what shoppers are served from. Publishing copies every row of the synced tables
from the first into the second in ONE live transaction and records it as a release, so a shopper's
read sees the old release or the new one. Rows that did not change are not touched: block revisions
and the content version only move where something did.

A publish with nothing to change is allowed: it records a release whose summary says "no changes"
(the merchant asked for the working copy to be live, and now it provably is), and the content version
does not move."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.db import Connection, Database, DatabaseError
from shared.db.repositories import releases as repo
from shared.db.repositories import sync as rows_repo
from shared.db.stamps import utc_now
from shared.releases.errors import ReleaseError, ReleaseErrorCode
from shared.releases.snapshot import (Snapshot, TableChanges, check_rules, check_snapshot, decode, diff, encode,
                                      read_snapshot, summarize)
from shared.sync.tables import ORDER

MAX_NOTE = 1000
MAX_DEVICE_ID = 100


@dataclass(frozen=True)
class Release:
    """One publish or rollback: what it made live is in its snapshot (`release_snapshot`)."""

    number: int
    created_at: str
    device_id: str
    note: str
    summary: dict[str, Any]
    restored_from: int | None = None


def _release(row: tuple[Any, ...]) -> Release:
    number, created_at, device_id, note, summary, restored_from = row
    return Release(number, created_at, device_id, note, json.loads(summary), restored_from)


def _check_input(device_id: Any, note: Any) -> None:
    if not isinstance(device_id, str) or not device_id.strip() or len(device_id) > MAX_DEVICE_ID:
        raise ReleaseError(ReleaseErrorCode.INVALID, f"device_id must be 1 to {MAX_DEVICE_ID} characters")
    if not isinstance(note, str) or len(note) > MAX_NOTE:
        raise ReleaseError(ReleaseErrorCode.INVALID, f"note must be text of at most {MAX_NOTE} characters")


def snapshot(work_db: Database) -> Snapshot:
    """Every row of the synced tables of a database, in a deterministic order.

    Read inside one transaction (the write path, writing nothing) so that a push being merged into the
    working copy at the same moment is in it entirely or not at all."""
    return work_db.write(read_snapshot)


def publish(work_db: Database, live_db: Database, *, device_id: str, note: str = "") -> Release:
    """Make the working copy's synced rows live in one transaction and record them as a new release.

    Guarantees: the live synced tables then hold exactly the snapshot's rows (except media the live
    catalogue still uses, which stay, listed as `kept`); products, stock, orders and customers are not
    touched. Raises ReleaseError: INVALID (input), BROKEN_SNAPSHOT (rows that do not hold together, or
    values the table rules refuse),
    SCHEMA_MISMATCH, REFUSED (a constraint of the live database); the live database is then unchanged.
    Unresolved sync conflicts are the caller's to refuse first (the cloud's publish endpoint).

    The working copy's write transaction is held until the live one ends: an edit the cloud makes to
    both databases (cloud/sync/cloud_edits.py, the same lock order) lands wholly before the snapshot
    is read or wholly after it is live, never in between, where the publish would write the older
    value over its live half. Pushes wait for the publish meanwhile."""
    _check_input(device_id, note)

    def within_working_copy(work: Connection) -> Release:
        rows = read_snapshot(work)
        encoded = encode(rows)   # before the live transaction: keeps it short, and refuses unstorable values
        return live_db.write(lambda conn: _make_live(conn, rows, encoded, device_id=device_id, note=note,
                                                     restored_from=None))

    return work_db.write(within_working_copy)


def changes_to_publish(work_db: Database, live_db: Database) -> dict[str, Any]:
    """What publishing the working copy now would change for shoppers, as a release summary
    (`summarize`: added/changed/removed rows per table with their titles and changed fields).
    Writes nothing; a publish right after it makes exactly these changes, unless an edit lands
    between the two."""
    rows = snapshot(work_db)
    return live_db.read(lambda conn: summarize(_changes_from_live(conn, rows)))


def rollback(live_db: Database, *, number: int, device_id: str, note: str | None = None) -> Release:
    """Make release `number`'s snapshot live again, the same way as a publish, as a new release.

    The new release's `restored_from` is `number`. Raises ReleaseError(NOT_FOUND) for an unknown
    release, and the errors `publish` raises; the live database is then unchanged."""
    note = f"Rollback to release {number}" if note is None else note
    _check_input(device_id, note)
    if isinstance(number, bool) or not isinstance(number, int):
        raise ReleaseError(ReleaseErrorCode.INVALID, "release must be a whole number")

    def write(conn: Connection) -> Release:
        stored = repo.get_release_snapshot(conn, number)
        if stored is None:
            raise ReleaseError(ReleaseErrorCode.NOT_FOUND, f"there is no release {number}")
        rows = decode(*stored)
        return _make_live(conn, rows, encode(rows), device_id=device_id, note=note, restored_from=number)

    return live_db.write(write)


def list_releases(live_db: Database, *, limit: int = 100, before: int | None = None) -> list[Release]:
    """Releases, newest first (at most `limit`, numbered below `before` when given)."""
    return [_release(row) for row in live_db.read(lambda conn: repo.list_releases(conn, limit=limit, before=before))]


def live_release(live_db: Database) -> Release | None:
    """The release shoppers see (None before the first publish)."""
    def read(conn: Connection) -> Release | None:
        number = repo.get_live_release(conn)
        row = repo.get_release(conn, number) if number is not None else None
        return None if row is None else _release(row)

    return live_db.read(read)


def release_snapshot(live_db: Database, *, number: int) -> Snapshot:
    """The rows release `number` made live. Raises ReleaseError(NOT_FOUND) or ReleaseError(CORRUPT)."""
    stored = live_db.read(lambda conn: repo.get_release_snapshot(conn, number))
    if stored is None:
        raise ReleaseError(ReleaseErrorCode.NOT_FOUND, f"there is no release {number}")
    return decode(*stored)


def _make_live(conn: Connection, rows: Snapshot, encoded: tuple[bytes, str, int], *, device_id: str, note: str,
               restored_from: int | None) -> Release:
    """Inside the live write: check, apply, and record the release (the whole publish or nothing)."""
    check_snapshot(conn, rows)
    changes = _changes_from_live(conn, rows)
    check_rules(changes)
    try:
        _apply(conn, rows, changes)
    except DatabaseError as exc:
        raise ReleaseError(ReleaseErrorCode.REFUSED, f"the live database refused the release: {exc}") from exc
    summary = summarize(changes)
    number = repo.next_release_number(conn)
    created_at = utc_now()
    blob, sha256, size = encoded
    repo.insert_release(conn, number=number, created_at=created_at, device_id=device_id, note=note,
                        summary=json.dumps(summary, ensure_ascii=False), snapshot=blob, snapshot_sha256=sha256,
                        snapshot_bytes=size, restored_from=restored_from)
    repo.set_live_release(conn, number)
    return Release(number, created_at, device_id, note, summary, restored_from)


def _changes_from_live(conn: Connection, rows: Snapshot) -> dict[str, TableChanges]:
    """What making `rows` live changes in the live database at conn (media the catalogue uses stay)."""
    return diff(read_snapshot(conn), rows, keep={"media": repo.catalogue_media_ids(conn)})


def _apply(conn: Connection, rows: Snapshot, changes: Mapping[str, TableChanges]) -> None:
    """Write the changes: park unique values that move, upsert parents first, delete children first.

    Deleting last means no kept row is ever cascaded away (a block moving off a page that goes), and
    parking first means two rows can swap a slug. Only removed blocks lose their revisions in the live
    database; the working copy keeps the history."""
    for spec in ORDER:
        change = changes[spec.name]
        if not spec.park:
            continue
        moving = [old for old, new in change.changed if any(old.get(c) != new.get(c) for c in spec.park)]
        for row in [*moving, *change.removed]:
            key = row[spec.key]
            rows_repo.update_fields(conn, spec, key, {c: park(key) for c, park in spec.park.items()})
    for spec in ORDER:
        change = changes[spec.name]
        columns = rows["tables"][spec.name]["columns"]
        for new in change.added:
            rows_repo.insert_row(conn, spec, {c: new[c] for c in columns})
        for old, new in change.changed:
            moved = {c: new[c] for c in columns if c != spec.key and old.get(c) != new[c]}
            moved.update({c: new[c] for c in spec.park if c in new})   # parked above, or unchanged
            rows_repo.update_fields(conn, spec, new[spec.key], moved)
    for spec in reversed(ORDER):
        removed = [row[spec.key] for row in changes[spec.name].removed]
        if removed:
            rows_repo.delete_rows(conn, spec, removed)
