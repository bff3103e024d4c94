"""The device side of sync (docs/sync-protocol.md sections 5.1 and 8), in a device's store database.

Triggers (migration 0007) mark changed rows in `sync_dirty` while capture is on. `form_ops` diffs
each dirty row against its shadow (the row as last pulled, with this device's own formed ops laid
over it) and stores the ops in `sync_outbox`, numbered per device without gaps; after forming, a
field's clock in `sync_clocks` is the op's HLC, so the next edit of it is based on this version.
`apply_pull` writes pulled rows with capture off, then rebases: fields changed locally (dirty rows,
or ops not yet applied by the cloud) are written back over the pulled values. A change-log entry
tagged with one of this device's op ids proves the cloud applied that op and every earlier one
(a push whose answer was lost), so those ops count as acknowledged and are not rebased."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from shared.db import Connection, Database
from shared.db.repositories import sync as repo
from shared.db.stamps import utc_now
from shared.sync import hlc as clock
from shared.sync import refusals
from shared.sync.errors import SyncError
from shared.sync.ops import Op
from shared.sync.tables import NOUNS, ORDER, SPECS, SUFFIX, TableSpec, spec_for, suffixed

_MISSING = object()
log = logging.getLogger(__name__)
# Half the cloud's body limit (docs/sync-protocol.md section 2: 16 MiB): a large outbox goes in
# several pushes, in order, each applied and acknowledged on its own.
MAX_PUSH_BYTES = 8 * 1024 * 1024


def enable_capture(db: Database, device_id: str) -> None:
    """Link this database as device `device_id`: from now on every change to a synced table is captured."""
    if not isinstance(device_id, str) or not clock.is_valid(clock.format_hlc(0, 0, device_id)):
        raise SyncError("invalid", "a device id is letters, digits, '-' and '_'")

    def write(conn: Connection) -> None:
        repo.set_state(conn, "device_id", device_id)
        for key in ("cursor", "last_op", "formed_op"):
            if repo.get_state(conn, key) is None:
                repo.set_state(conn, key, "0")
        repo.set_state(conn, "capture", "1")

    db.write(write)


@dataclass(frozen=True)
class LinkState:
    """Where a linked device syncs to."""

    device_id: str
    remote: str
    token: str


def link_device(db: Database, *, device_id: str, remote: str, token: str) -> None:
    """Remember the cloud and the device token, and start capturing edits."""
    def write(conn: Connection) -> None:
        repo.set_state(conn, "remote", remote)
        repo.set_state(conn, "token", token)

    db.write(write)
    enable_capture(db, device_id)


def link_state(db: Database) -> LinkState | None:
    """The cloud this store syncs with, or None when it is not linked."""
    def read(conn: Connection) -> LinkState | None:
        values = [repo.get_state(conn, key) for key in ("device_id", "remote", "token")]
        return LinkState(*values) if all(values) else None

    return db.read(read)


@dataclass(frozen=True)
class OpenConflict:
    """An unresolved conflict as a merchant reads it."""

    id: str
    table: str
    key: str
    field: str
    label: str
    device_id: str
    value: str
    current: str
    device_name: str = ""

    @property
    def source(self) -> str:
        """Where the other version came from, in words: the device's name, else its id."""
        return self.device_name or (f"device {self.device_id}" if self.device_id else "another device")


def open_conflicts(db: Database) -> list[OpenConflict]:
    """Unresolved conflicts this device knows of (pulled from the cloud), oldest first."""
    def read(conn: Connection) -> list[OpenConflict]:
        found = []
        for record in repo.unresolved_conflicts(conn):
            spec = SPECS[record["table"]]
            row = repo.get_row(conn, spec, record["key"])
            current = row.get(record["field"]) if row is not None else None
            found.append(OpenConflict(record["id"], record["table"], record["key"], record["field"],
                                      describe(conn, record["table"], record["key"]), record["device_id"] or "",
                                      str(record["value"] or ""), "" if current is None else str(current),
                                      record.get("device_name") or ""))
        return found

    return db.read(read)


def cursor(db: Database) -> int:
    """The change-log seq this device has pulled up to."""
    return int(db.read(lambda conn: repo.get_state(conn, "cursor")) or 0)


def _device_id(conn: Connection) -> str:
    device_id = repo.get_state(conn, "device_id")
    if not device_id:
        raise SyncError("device", "this database is not linked to a store")
    return device_id


# --- forming ops ---------------------------------------------------------------------------------

@dataclass
class _Change:
    spec: TableSpec
    key: str
    local: dict[str, Any] | None
    fields: dict[str, Any] = field(default_factory=dict)
    base: dict[str, str | None] = field(default_factory=dict)


def form_ops(db: Database) -> list[Op]:
    """Turn dirty rows into ops in the outbox, in one transaction (dirty marks cleared with it).

    Deletes come first (children first, so a slug freed by a delete is free before an insert takes
    it), then inserts and updates (parents first, then in the order rows became dirty). A block
    deleted with its page is left to the page's delete: the cloud keeps it with the page. A row whose
    values the table's rules refuse is held back: it stays dirty and is recorded as refused
    (shared/sync/refusals.py); the other rows' ops are formed as usual."""
    def write(conn: Connection) -> list[Op]:
        device_id = _device_id(conn)
        dirty = repo.list_dirty(conn)
        if not dirty:
            refusals.record(conn, [], [])
            return []
        edit_times = [h for _t, _k, h in dirty if clock.is_valid(h)]
        if edit_times:
            clock.receive(conn, max(edit_times), device_id)   # an op is never older than its edit
        deletes, upserts, held = _dirty_changes(conn, dirty)
        n = int(repo.get_state(conn, "formed_op") or repo.get_state(conn, "last_op") or 0)
        changes = deletes + upserts
        ops = [Op(f"{device_id}:{n + i}", stamp, change.spec.name, change.key, change.fields, change.base,
                  change.local is None)
               for i, (change, stamp) in enumerate(zip(changes, clock.now_many(conn, device_id, len(changes))), 1)]
        n += len(ops)
        # Written in a few statements for all ops (each op's rows are its own: dirty keys are unique).
        repo.add_outbox_many(conn, [(op.n, op.to_json()) for op in ops])
        repo.set_shadows(conn, [(op.table, op.key, change.local) for op, change in zip(ops, changes)])
        repo.set_clocks_many(conn, [(op.table, op.key, {}) for op in ops if op.delete], replace=True)
        repo.set_clocks_many(conn, [(op.table, op.key, {name: op.hlc for name in op.fields})
                                    for op in ops if not op.delete])
        repo.set_state(conn, "formed_op", str(n))
        repo.clear_dirty(conn)
        refusals.record(conn, [refusal for refusal, _entry in held], [entry for _refusal, entry in held])
        return ops

    return db.write(write)


def _dirty_changes(conn: Connection, dirty: Sequence[tuple[str, str, str]]
                   ) -> tuple[list[_Change], list[_Change], list[refusals.Held]]:
    deletes: list[_Change] = []
    upserts: list[_Change] = []
    updates: list[_Change] = []
    rows, shadows = _read_dirty(conn, dirty)
    for table, key, _hlc in dirty:
        spec = spec_for(table)
        if spec is None:
            continue
        local, shadow = rows[table].get(key), shadows[table].get(key)
        if local is None:
            if shadow is not None:
                deletes.append(_Change(spec, key, None, base={}))
            continue
        names = spec.fields(conn)
        if shadow is None:
            upserts.append(_Change(spec, key, local, {n: local[n] for n in names}, {n: None for n in names}))
            continue
        changed = {n: local[n] for n in names if shadow.get(n, _MISSING) != local[n]}
        if changed:
            upserts.append(_Change(spec, key, local, changed))
            updates.append(upserts[-1])
    # An update's base is the clock of each field it changes: read in a few queries for all of them.
    clocks = _clocks_of(conn, updates)
    for change in updates:
        stored = clocks[change.spec.name].get(change.key, {})
        change.base = {n: stored.get(n) for n in change.fields}
    gone = {(c.spec.name, c.key) for c in deletes}
    kept = []
    for change in deletes:
        if change.spec.parent:
            column, parent = change.spec.parent
            shadow = repo.get_shadow(conn, change.spec.name, change.key) or {}
            if (parent, shadow.get(column)) in gone:
                repo.set_shadow(conn, change.spec.name, change.key, None)
                repo.set_clocks(conn, change.spec.name, change.key, {}, replace=True)
                continue
        kept.append(change)
    kept.sort(key=lambda c: -c.spec.rank)
    upserts.sort(key=lambda c: c.spec.rank)
    sendable, held = refusals.hold_back_all(conn, upserts, shadows, {(t, k): h for t, k, h in dirty}, describe)
    return kept, sendable, held


def _clocks_of(conn: Connection, changes: Sequence[_Change]) -> dict[str, dict[str, dict[str, str]]]:
    """{table: {key: clocks}} of the changed rows."""
    keys: dict[str, list[str]] = {}
    for change in changes:
        keys.setdefault(change.spec.name, []).append(change.key)
    return {table: repo.get_clocks_many(conn, table, found) for table, found in keys.items()}


def _read_dirty(conn: Connection, dirty: Sequence[tuple[str, str, str]]
                ) -> tuple[dict[str, dict[str, dict[str, Any]]], dict[str, dict[str, dict[str, Any]]]]:
    """The dirty rows and their shadows, {table: {key: row}}, a few IN (...) queries per table."""
    keys: dict[str, list[str]] = {}
    for table, key, _hlc in dirty:
        if spec_for(table) is not None:
            keys.setdefault(table, []).append(key)
    rows = {table: repo.get_rows(conn, SPECS[table], found) for table, found in keys.items()}
    shadows = {table: repo.get_shadows(conn, table, found) for table, found in keys.items()}
    return rows, shadows


def pending_ops(db: Database) -> list[Op]:
    """Ops formed and not yet acknowledged, in order (a retry sends exactly these)."""
    return db.read(lambda conn: [_op(raw) for raw in repo.list_outbox(conn)])


def push_bodies(db: Database, *, max_bytes: int | None = None) -> list[bytes]:
    """The push messages (section 4) for every op in the outbox, to send in order: consecutive ops,
    each message at most `max_bytes` (an op larger than that alone goes in a message of its own).
    Built from the ops' stored JSON text: 10,000 ops are megabytes that need no decoding and
    encoding again. Empty when the outbox is."""
    max_bytes = MAX_PUSH_BYTES if max_bytes is None else max_bytes

    def read(conn: Connection) -> list[bytes]:
        texts = repo.outbox_texts(conn)
        if not texts:
            return []
        head = json.dumps({"device_id": _device_id(conn)})[:-1].encode() + b', "ops": ['
        bodies, batch, size = [], [], len(head) + 2
        for text in (t.encode() for t in texts):
            if batch and size + len(text) + 2 > max_bytes:
                bodies.append(head + b", ".join(batch) + b"]}")
                batch, size = [], len(head) + 2
            batch.append(text)
            size += len(text) + 2
        bodies.append(head + b", ".join(batch) + b"]}")
        return bodies

    return db.read(read)


def _op(raw: Mapping[str, Any]) -> Op:
    return Op(raw["op_id"], raw["hlc"], raw["table"], raw["key"], raw["fields"], raw["base"], raw["delete"])


def acknowledge(db: Database, last_op: int) -> None:
    """The cloud has applied ops up to `last_op`: drop them from the outbox."""
    db.write(lambda conn: _acknowledge(conn, int(last_op)))


def _acknowledge(conn: Connection, last_op: int) -> None:
    repo.delete_outbox_through(conn, last_op)
    if last_op > int(repo.get_state(conn, "last_op") or 0):
        repo.set_state(conn, "last_op", str(last_op))


def has_unsynced(db: Database) -> list[str]:
    """What has not reached the cloud yet, in words (publishing is refused while this is not empty)."""
    def read(conn: Connection) -> list[str]:
        found = []
        refused = {(r.table, r.key): r for r in refusals.read(conn)}
        for table, key, _hlc in repo.list_dirty(conn):
            refusal = refused.get((table, key))
            why = f"refused ({refusal.field} {refusal.reason})" if refusal else "changed since the last sync"
            found.append(f"{describe(conn, table, key)}: {why}")
        for raw in repo.list_outbox(conn):
            found.append(f"{describe(conn, raw['table'], raw['key'])}: "
                         f"{'deleted' if raw['delete'] else 'changed'}, not yet accepted by the cloud "
                         f"(op {raw['op_id'].rpartition(':')[2]})")
        return found

    return db.read(read)


def describe(conn: Connection, table: str, key: str) -> str:
    """A row in a merchant's words: "page 'About' (id)"."""
    spec = spec_for(table)
    row = repo.get_row(conn, spec, key) if spec else None
    label = next((str(row[n]) for n in ("title", "name", "filename", "slug", "kind") if row and row.get(n)), "")
    noun = NOUNS.get(table, table).lower()
    return f"{noun} '{label}' ({key})" if label else f"{noun} {key}"


# --- applying a pull -----------------------------------------------------------------------------

@dataclass
class _Local:
    """What this device changed in one row and the cloud has not applied yet."""

    row: dict[str, Any] | None
    changed: set[str]
    pending: dict[str, Any] = field(default_factory=dict)      # field -> value of the newest pending op
    pending_hlc: dict[str, str] = field(default_factory=dict)
    pending_delete: bool = False
    clocks: dict[str, str] = field(default_factory=dict)      # field clocks before the pull: edits' bases

    @property
    def deleted(self) -> bool:
        """Whether this device deleted the row."""
        return self.row is None


def apply_pull(db: Database, changes: Sequence[Mapping[str, Any]], cursor: int, *,
               conflicts: Iterable[Mapping[str, Any]] = ()) -> None:
    """Apply pulled changes in ONE transaction with capture off, store the cursor, then rebase rows
    this device changed. Conflict records for block code become local block revisions.

    Raises SyncError("invalid") for a change of an unknown table or column; then nothing changed."""
    def write(conn: Connection) -> None:
        capture = repo.get_state(conn, "capture") or "0"
        repo.set_state(conn, "capture", "0")
        repo.defer_foreign_keys(conn)           # parents and children may come in any order
        device_id = repo.get_state(conn, "device_id") or ""
        own = [int(c["op_id"].rpartition(":")[2]) for c in changes
               if device_id and isinstance(c.get("op_id"), str) and c["op_id"].rpartition(":")[0] == device_id]
        if own:
            _acknowledge(conn, max(own))
        local = _local_changes(conn, {(c["table"], c["key"]) for c in changes})
        unchanged = _already_here(conn, changes)
        newest, writing = "", False
        for index, change in enumerate(changes):
            newest = max([newest, *change.get("clocks", {}).values()])
            # Until the first write, what was read up front still holds: a change this database
            # already has (the echo of this device's own push) needs no write at all.
            if writing or index not in unchanged:
                writing = True
                _write_pulled(conn, change)
        touched = {(c["table"], c["key"]) for c in changes}
        for (table, key), mine in sorted(local.items(), key=lambda item: SPECS[item[0][0]].rank):
            if (table, key) in touched or repo.get_row(conn, SPECS[table], key) is None:
                _rebase(conn, SPECS[table], key, mine)
        _conflict_revisions(conn, conflicts)
        if device_id and clock.is_valid(newest):
            clock.receive(conn, newest, device_id)
        repo.set_state(conn, "cursor", str(int(cursor)))
        repo.set_state(conn, "capture", capture)

    db.write(write)


def _already_here(conn: Connection, changes: Sequence[Mapping[str, Any]]) -> set[int]:
    """The positions of pulled rows this database holds already, exactly: the same row, the same
    field clocks and the same shadow (read in a few queries per table). Pulling back the changes of
    a large push of this device's own is then a few reads, not a write per row."""
    wanted: dict[str, list[tuple[int, str]]] = {}
    for index, change in enumerate(changes):
        spec, key, row = spec_for(change.get("table")), change.get("key"), change.get("row")
        if spec is not None and isinstance(key, str) and isinstance(row, Mapping):
            wanted.setdefault(spec.name, []).append((index, key))
    found: set[int] = set()
    for table, entries in wanted.items():
        keys = [key for _index, key in entries]
        rows = repo.get_rows(conn, SPECS[table], keys)
        clocks = repo.get_clocks_many(conn, table, keys)
        shadows = repo.get_shadows(conn, table, keys)
        for index, key in entries:
            change = changes[index]
            if rows.get(key) == change["row"] == shadows.get(key) and clocks.get(key, {}) == change.get("clocks"):
                found.add(index)
    return found


def _local_changes(conn: Connection, touched: set[tuple[str, str]]) -> dict[tuple[str, str], _Local]:
    """Local edits of the touched rows: dirty fields (row vs shadow) and fields of pending ops."""
    found: dict[tuple[str, str], _Local] = {}
    for table, key, _hlc in repo.list_dirty(conn):
        spec = spec_for(table)
        if spec is None or ((table, key) not in touched and spec.parent is None):
            continue        # a dirty child is kept in view: the pull may delete its parent
        row, shadow = repo.get_row(conn, spec, key), repo.get_shadow(conn, table, key)
        changed = set() if row is None else {n for n in spec.fields(conn) if shadow is None
                                             or shadow.get(n, _MISSING) != row[n]}
        found[(table, key)] = _Local(row, changed, clocks=repo.get_clocks(conn, table, key))
    for raw in repo.list_outbox(conn):
        tk = (raw["table"], raw["key"])
        if tk not in touched:
            continue
        spec = SPECS[raw["table"]]
        mine = found.setdefault(tk, _Local(repo.get_row(conn, spec, raw["key"]), set(),
                                           clocks=repo.get_clocks(conn, raw["table"], raw["key"])))
        mine.pending_delete = raw["delete"]
        mine.changed |= set(raw["fields"])
        mine.pending.update(raw["fields"])
        mine.pending_hlc.update({n: raw["hlc"] for n in raw["fields"]})
    return found


def _write_pulled(conn: Connection, change: Mapping[str, Any]) -> None:
    spec = spec_for(change.get("table"))
    if spec is None or not isinstance(change.get("key"), str):
        raise SyncError("invalid", f"a pulled change for an unknown table {change.get('table')!r}")
    key, row = change["key"], change.get("row")
    if row is None:
        repo.delete_row(conn, spec, key)
        repo.set_shadow(conn, spec.name, key, None)
        repo.set_clocks(conn, spec.name, key, {}, replace=True)
        return
    columns = set(spec.columns(conn))
    if not isinstance(row, Mapping) or set(row) - columns or row.get(spec.key) != key:
        raise SyncError("invalid", f"a pulled {spec.name} row does not match the schema")
    problems = spec.problems(row)
    if problems:
        # The same rules as every other writer: a value no writer may store is not stored from a
        # pull either (a cloud holding it from before the rules, or one that is not ours). The
        # device keeps its own version of the row; a later change of it from the cloud is pulled.
        log.warning("sync: pulled %s %s not stored: %s %s", spec.name, key, problems[0].field, problems[0].message)
        return
    if spec.name == "media":
        _merge_local_duplicates(conn, row)
    if spec.parent and repo.get_row(conn, SPECS[spec.parent[1]], row.get(spec.parent[0])) is None:
        # This device already deleted the parent (an op the cloud applies after this entry, so a
        # later entry deletes the row too): a row under it would break the foreign key.
        repo.delete_row(conn, spec, key)
        repo.set_shadow(conn, spec.name, key, None)
        repo.set_clocks(conn, spec.name, key, {}, replace=True)
        return
    row = {**row, **{c: None for c in spec.media_refs
                     if row.get(c) is not None and repo.get_row(conn, SPECS["media"], row[c]) is None}}
    _displace(conn, spec, key, row)
    repo.upsert_row(conn, spec, row)
    repo.set_clocks(conn, spec.name, key, dict(change.get("clocks") or {}), replace=True)
    repo.set_shadow(conn, spec.name, key, dict(row))


def _displace(conn: Connection, spec: TableSpec, key: str, row: Mapping[str, Any]) -> None:
    """Move local rows out of the way of a unique value the cloud gave `key` (the cloud renames them
    when their ops arrive, and a later pulled entry names them)."""
    for column, (rule, reset) in spec.unique.items():
        value = row.get(column)
        if value is None or value == reset:
            continue
        for other in repo.keys_with_value(conn, spec, column, value):
            if other != key:
                repo.update_fields(conn, spec, other, {column: suffixed(value, other[:8]) if rule == SUFFIX else reset})


def _merge_local_duplicates(conn: Connection, row: Mapping[str, Any]) -> None:
    """A pulled image this device also imported under another id: point every local use at the
    pulled row and drop the local one (the cloud merges that id into the same row)."""
    media = SPECS["media"]
    for other in repo.keys_with_value(conn, media, "hash", row.get("hash")):
        if other == row["id"]:
            continue
        for spec in ORDER:
            for column in spec.media_refs:
                for ref in repo.keys_with_value(conn, spec, column, other):
                    repo.update_fields(conn, spec, ref, {column: row["id"]})
            for column in sorted(spec.json_text):
                repo.replace_in_text(conn, spec, column, other, row["id"])
        repo.put_tombstone(conn, "media", other, hlc=clock.format_hlc(0, 0, clock.CLOUD), row=None, clocks={},
                           reason="alias", alias_of=row["id"])
        repo.delete_row(conn, media, other)


def _rebase(conn: Connection, spec: TableSpec, key: str, mine: _Local) -> None:
    """Write this device's unapplied changes of one row back over the pulled state."""
    current = repo.get_row(conn, spec, key)
    if mine.deleted:
        if current is not None:
            repo.delete_row(conn, spec, key)
        if mine.pending_delete:     # the op is formed: no second delete from the pulled shadow
            repo.set_shadow(conn, spec.name, key, None)
            repo.set_clocks(conn, spec.name, key, {}, replace=True)
        return
    aliases = repo.aliases(conn, "media")
    if spec.name == "media" and key in aliases:
        return
    names = mine.changed if current is not None else set(spec.fields(conn))
    values = {n: _unalias(mine.row[n], aliases) for n in names}
    if spec.parent and current is None:
        column, parent = spec.parent
        if repo.get_row(conn, SPECS[parent], values[column]) is None:
            _strand(conn, spec, key, mine)      # its page is gone: the cloud keeps it recoverable
            return
    for column in spec.media_refs:
        if values.get(column) is not None and repo.get_row(conn, SPECS["media"], values[column]) is None:
            values[column] = None
    shadow = repo.get_shadow(conn, spec.name, key)
    taken = _own_clashes(conn, spec, key, values)
    if current is None:
        repo.upsert_row(conn, spec, {spec.key: key, **values})
    else:
        repo.update_fields(conn, spec, key, values)
    if mine.pending and shadow is not None:
        pending = {n: _unalias(v, aliases) for n, v in mine.pending.items()}
        pending.update({n: values[n] for n in taken if n in pending})
        repo.set_shadow(conn, spec.name, key, {**shadow, **pending})
    # A rebased edit keeps the base it was made from: the clock before this pull (dirty fields) or
    # its op's HLC (pending fields), so the cloud still sees a concurrent edit as one.
    clocks = repo.get_clocks(conn, spec.name, key)
    for name in mine.changed - set(mine.pending):
        clocks.pop(name, None)
        if name in mine.clocks:
            clocks[name] = mine.clocks[name]
    repo.set_clocks(conn, spec.name, key, {**clocks, **mine.pending_hlc}, replace=True)


def _strand(conn: Connection, spec: TableSpec, key: str, mine: _Local) -> None:
    """A row whose parent the pull deleted (here, by cascade) while this device had edits of it not
    yet formed: send those edits as an op anyway, so the cloud keeps them recoverable (a tombstone,
    and a conflict record for large text) instead of losing them with the row."""
    edits = mine.changed - set(mine.pending)
    if not edits or mine.row is None:
        return
    device_id = _device_id(conn)
    shadowless = not mine.clocks and not mine.pending
    names = spec.fields(conn) if shadowless else sorted(edits)
    n = int(repo.get_state(conn, "formed_op") or 0) + 1
    op = Op(f"{device_id}:{n}", clock.now(conn, device_id), spec.name, key, {f: mine.row[f] for f in names},
            {f: None if shadowless else mine.clocks.get(f) for f in names})
    repo.add_outbox(conn, n, op.to_json())
    repo.set_state(conn, "formed_op", str(n))
    repo.clear_dirty_row(conn, spec.name, key)


def _own_clashes(conn: Connection, spec: TableSpec, key: str, values: dict[str, Any]) -> set[str]:
    """Give up unique values another (pulled) row holds: ours get a local suffix until the cloud
    names them; returns the columns changed."""
    taken = set()
    for column, (rule, reset) in spec.unique.items():
        value = values.get(column)
        if value is None or value == reset:
            continue
        if any(other != key for other in repo.keys_with_value(conn, spec, column, value)):
            values[column] = suffixed(value, key[:8]) if rule == SUFFIX else reset
            taken.add(column)
    return taken


def _unalias(value: Any, aliases: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        for old, new in aliases.items():
            if old in value:
                value = value.replace(old, new)
    return value


def _conflict_revisions(conn: Connection, conflicts: Iterable[Mapping[str, Any]]) -> None:
    """The cloud's conflict records, kept locally (for `vibeshop conflicts` and the studio), and
    losing block code as local block revisions."""
    blocks = SPECS["blocks"]
    for record in conflicts:
        if isinstance(record.get("id"), str) and spec_for(record.get("table")) is not None:
            repo.store_conflict(conn, record)
        if record.get("resolved"):
            continue
        if record.get("table") == "blocks" and record.get("field") == "code" and isinstance(record.get("value"), str) \
                and repo.get_row(conn, blocks, record["key"]) is not None:
            source = record.get("device_name") or record.get("device_id") or "another device"
            repo.insert_block_revision(conn, record["id"], record["key"], record["value"], source,
                                       f"Conflict: version from {source}", utc_now())
