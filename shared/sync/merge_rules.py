"""The merge rules (docs/sync-protocol.md section 6) for the ops of one push, inside its transaction.
`merge.apply_push` applies a push to the cloud's working copy with them.

- small fields: last writer wins per field, by HLC;
- large text fields (tables.py): an op whose base is not the stored clock is concurrent; the greater
  HLC wins and the other version becomes a conflict record (and, for blocks.code, a block revision
  "Conflict: version from <device name>");
- inserts; a unique slug clash gives the newer row (greater HLC) `-2`, `-3`, ...; an "exclusive"
  value (themes.is_active, pages.template) stays with the newer row, the older gives it up;
- deletes leave tombstones; a delete older than a field edit of the row does not apply; an edit for
  a tombstoned row brings it back (with its blocks, for a page) unless its parent page is gone: then
  it stays a recoverable tombstone ('orphan') and its large fields become conflict records;
- media.hash stays UNIQUE (a table rebuild inside the migration transaction, with foreign keys on,
  would cascade through product_media): a media insert whose image another row already holds is
  merged into that row. The op's key becomes an alias (a tombstone with reason 'alias'), later ops
  for it apply to the kept row, and media ids in ops (pages.social_image_id, posts.image_id, and the
  JSON text of settings/items) are rewritten to the kept id. Devices do the same when they pull
  (device.py), so the media library still deduplicates by hash everywhere.
- a media id that no longer exists in an op's media field becomes NULL (ON DELETE SET NULL)."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from shared.db import Connection
from shared.db.errors import DatabaseError
from shared.db.repositories import sync as repo
from shared.db.stamps import new_id, utc_now
from shared.sync import hlc as clock
from shared.sync.ops import Op
from shared.sync.tables import EXCLUSIVE, SPECS, SUFFIX, TableSpec, children_of, referrers_of_media, suffixed

log = logging.getLogger(__name__)
_MISSING = object()


def log_state(conn: Connection, spec: TableSpec, key: str, op_id: str | None) -> int:
    """Append a row's current state (or its deletion) to the change log."""
    return repo.append_log(conn, spec.name, key, repo.get_row(conn, spec, key), repo.get_clocks(conn, spec.name, key),
                           op_id)


@dataclass
class _BufferedInsert:
    """A plain insert waiting for its batch (see `Merger.flush`): written, or refused and kept."""

    spec: TableSpec
    key: str
    row: dict[str, Any]
    stamps: dict[str, str]
    op: Op
    stored: dict[str, Any] | None = None


class Merger:
    """The merge rules for the ops of one push, inside its transaction."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.media_aliases = repo.aliases(conn, "media")
        self.conflicts: list[dict[str, Any]] = []
        self.op: Op | None = None
        # What is known of the batch's rows without asking per op (each statement is compiled anew,
        # see docs/benchmarks.md): keys with no row, and keys with neither a tombstone nor field
        # clocks, as of the start of the push; a key leaves these sets when anything writes it.
        self.absent: set[tuple[str, str]] = set()
        self.clean: set[tuple[str, str]] = set()
        self.parents: set[tuple[str, Any]] = set()        # parent rows seen to exist since the last delete
        self.written: tuple[dict[str, Any], dict[str, str]] | _BufferedInsert | None = None
        # Plain inserts of tables whose inserts read nothing back (no unique values to settle, no
        # image merge), and the field clocks and log entries of plain inserts: written a few hundred
        # rows per statement by flush(), before anything reads rows, clocks or the log, so the log's
        # order is the ops' order.
        self.pending_rows: list[_BufferedInsert] = []
        self.pending_clocks: list[tuple[str, str, dict[str, str]]] = []
        self.pending_log: list[tuple[str, str, dict[str, Any], dict[str, str], str] | _BufferedInsert] = []

    def flush(self) -> None:
        """Write the buffered inserts, field clocks and change-log entries."""
        self._flush_rows()
        if self.pending_clocks:
            repo.set_clocks_many(self.conn, self.pending_clocks)
            self.pending_clocks = []
        entries, self.pending_log = self.pending_log, []
        run: list[tuple[str, str, dict[str, Any], dict[str, str], str]] = []
        for entry in entries:
            if not isinstance(entry, _BufferedInsert):
                run.append(entry)
            elif entry.stored is not None:
                run.append((entry.spec.name, entry.key, entry.stored, entry.stamps, entry.op.op_id))
            else:       # refused in its batch and alone: kept as the unbuffered path keeps it
                repo.append_logs(self.conn, run)
                run = []
                self._keep_refused(entry)
        repo.append_logs(self.conn, run)

    def _flush_rows(self) -> None:
        """Insert the buffered rows, a batch per statement (consecutive rows of one table with the
        same columns, in op order, so parents stay before children). A batch that fails is rolled
        back and its rows inserted one by one: only a refused row is kept aside."""
        rows, self.pending_rows = self.pending_rows, []
        start = 0
        while start < len(rows):
            first = rows[start]
            size = repo.max_rows_per_insert(self.conn, first.spec)
            end = start + 1
            while end < len(rows) and end - start < size and rows[end].spec is first.spec \
                    and list(rows[end].row) == list(first.row):
                end += 1
            batch, start = rows[start:end], end
            try:
                with self.conn.savepoint("sync_inserts"):
                    stored = repo.insert_rows(self.conn, first.spec, [item.row for item in batch])
            except DatabaseError:
                stored = {}
                for item in batch:
                    with contextlib.suppress(DatabaseError), self.conn.savepoint("sync_insert"):
                        stored[item.key] = repo.insert_row(self.conn, item.spec, item.row)
            for item in batch:
                item.stored = stored.get(item.key)
                if item.stored is not None:
                    self.pending_clocks.append((item.spec.name, item.key, item.stamps))

    def _keep_refused(self, item: _BufferedInsert) -> None:
        """A buffered insert its table refused (not a whole row): a recoverable tombstone, logged.
        Runs inside a flush, maybe in the middle of another op: that op's state is put back."""
        current = self.op, self.conflicts
        self.op, self.conflicts = item.op, []
        try:
            self._keep_orphan(item.spec, item.key, item.row, item.stamps, "the row was unknown")
            seq = log_state(self.conn, item.spec, item.key, item.op.op_id)
            for record in self.conflicts:
                self._record_conflict(record, seq)
        finally:
            self.op, self.conflicts = current

    def prefetch(self, ops: Sequence[Op]) -> None:
        """Learn, in a few queries per table, which of the ops' rows are absent and clean."""
        keys: dict[str, list[str]] = {}
        for op in ops:
            key = self.media_aliases.get(op.key, op.key) if op.table == "media" else op.key
            keys.setdefault(op.table, []).append(key)
        for table, found in keys.items():
            present = repo.existing_keys(self.conn, SPECS[table], found)
            marked = repo.keys_with_tombstones(self.conn, table, found) | repo.keys_with_clocks(self.conn, table, found)
            self.absent.update((table, key) for key in found if key not in present)
            self.clean.update((table, key) for key in found if key not in marked)

    def _put_tombstone(self, table: str, key: str, **kwargs: Any) -> None:
        self.clean.discard((table, key))
        repo.put_tombstone(self.conn, table, key, **kwargs)

    def _set_clocks(self, table: str, key: str, clocks: Mapping[str, str], *, replace: bool = False) -> None:
        self.clean.discard((table, key))
        repo.set_clocks(self.conn, table, key, clocks, replace=replace)

    def _insert_row(self, spec: TableSpec, row: Mapping[str, Any]) -> dict[str, Any]:
        """Insert a row known to be absent (no row with its key in this transaction)."""
        self.absent.discard((spec.name, row.get(spec.key)))
        return repo.insert_row(self.conn, spec, row)

    def _upsert(self, spec: TableSpec, row: Mapping[str, Any]) -> None:
        self.absent.discard((spec.name, row.get(spec.key)))
        repo.upsert_row(self.conn, spec, row)

    def apply(self, op: Op) -> None:
        """Apply one op and log the rows it touched."""
        self.op, self.conflicts = op, []
        spec = SPECS[op.table]
        key = self.media_aliases.get(op.key, op.key) if spec.name == "media" else op.key
        fields = self._rewrite_media(spec, op.fields)
        if spec.cloud_only:
            # Only the cloud writes these (tables.CLOUD_ONLY): a device's value is not applied, and the
            # row logged for this op brings the cloud's value back to the device on its next pull.
            fields = {name: value for name, value in fields.items() if name not in spec.cloud_only}
        clean = (spec.name, key) in self.clean
        if op.delete or not clean or (spec.name, key) not in self.absent:
            self.flush()        # not a plain insert: it may read clocks or log rows itself
        current = None if (spec.name, key) in self.absent else repo.get_row(self.conn, spec, key)
        self.written = None
        if op.delete:
            self._delete(spec, key, current)
        elif current is not None:
            spec.check(fields, key=key, current=current, op_id=op.op_id)
            self._update(spec, key, current, fields)
        else:
            tomb = None if clean else repo.get_tombstone(self.conn, spec.name, key)
            # The table's rules before anything of the op is written (RowRefused fails the push).
            spec.check({spec.key: key, **fields}, key=key, current=tomb["row"] if tomb else None, op_id=op.op_id)
            if tomb is not None and tomb["row"] is not None:
                self._resurrect(spec, key, tomb, fields)
            else:
                self._insert(spec, key, fields, clean=clean)
        self.absent.discard((spec.name, key))
        self.clean.discard((spec.name, key))
        if isinstance(self.written, _BufferedInsert):
            self.pending_log.append(self.written)
            return
        if self.written is not None and not self.conflicts:     # what _insert wrote: no read back
            self.pending_log.append((spec.name, key, *self.written, op.op_id))
            return
        self.flush()
        seq = log_state(self.conn, spec, key, op.op_id)
        for record in self.conflicts:
            self._record_conflict(record, seq)

    # --- field rules --------------------------------------------------------------------------

    def _merge_fields(self, spec: TableSpec, key: str, current: Mapping[str, Any], clocks: Mapping[str, str],
                      fields: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        """The changes an op makes to a row: per-field LWW, large-text conflicts recorded."""
        op = self.op
        changes: dict[str, Any] = {}
        stamps: dict[str, str] = {}
        for name, value in fields.items():
            stored = clocks.get(name)
            newer = op.hlc > (stored or "")
            concurrent = name in spec.large and op.base.get(name, _MISSING) != stored
            if concurrent and value != current.get(name):
                loser = (current.get(name), stored or "", stored) if newer else (value, op.hlc, op.hlc)
                self.conflicts.append({"table": spec.name, "key": key, "field": name, "value": loser[0],
                                       "hlc": loser[1], "device_id": clock.node_of(loser[2]) if loser[2] else "",
                                       "winner_hlc": op.hlc if newer else (stored or "")})
            if newer:
                changes[name] = value
                stamps[name] = op.hlc
        return changes, stamps

    def _rewrite_media(self, spec: TableSpec, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Media ids in an op: aliases become the kept row's id, a missing image becomes NULL."""
        out = dict(fields)
        for old, new in self.media_aliases.items():
            for name in spec.json_text:
                if isinstance(out.get(name), str) and old in out[name]:
                    out[name] = out[name].replace(old, new)
        for name in spec.media_refs:
            value = out.get(name)
            if value is not None:
                value = self.media_aliases.get(value, value)
                out[name] = value if repo.get_row(self.conn, SPECS["media"], value) is not None else None
        return out

    # --- inserts, updates, deletes ------------------------------------------------------------

    def _update(self, spec: TableSpec, key: str, current: dict[str, Any], fields: Mapping[str, Any]) -> None:
        clocks = repo.get_clocks(self.conn, spec.name, key)
        changes, stamps = self._merge_fields(spec, key, current, clocks, fields)
        if spec.parent and spec.parent[0] in changes and self._parent_gone(spec, changes[spec.parent[0]]):
            changes.pop(spec.parent[0])
            stamps.pop(spec.parent[0])
        self._settle_unique(spec, key, {**current, **changes}, changes, stamps)
        repo.update_fields(self.conn, spec, key, changes)
        self._set_clocks(spec.name, key, stamps)

    def _insert(self, spec: TableSpec, key: str, fields: Mapping[str, Any], *, clean: bool = False) -> None:
        """Insert a row; `clean`: the key has no tombstone and no clocks to clear."""
        op = self.op
        row = {spec.key: key, **fields}
        if spec.name == "media" and self._merge_duplicate_media(key, row):
            return
        if spec.parent and self._parent_gone(spec, row.get(spec.parent[0])):
            self._keep_orphan(spec, key, row, {name: op.hlc for name in fields}, "the page was deleted")
            return
        stamps = {name: op.hlc for name in fields}
        if clean and not spec.unique and spec.name != "media":
            self.written = _BufferedInsert(spec, key, row, stamps, op)
            self.pending_rows.append(self.written)
            return
        self._settle_unique(spec, key, row, row, stamps)
        try:
            with self.conn.savepoint("sync_insert"):
                stored = self._insert_row(spec, row)
        except DatabaseError:
            # Not a whole row (an edit of a row this copy never had): keep it, never stall the device.
            self._keep_orphan(spec, key, row, stamps, "the row was unknown")
            return
        if clean:
            self.pending_clocks.append((spec.name, key, dict(stamps)))
        else:
            self._set_clocks(spec.name, key, stamps, replace=True)
            repo.delete_tombstone(self.conn, spec.name, key)
        self.written = (stored, dict(stamps))

    def _resurrect(self, spec: TableSpec, key: str, tomb: dict[str, Any], fields: Mapping[str, Any]) -> None:
        """An edit for a deleted row brings it back with the edit, unless its parent is gone."""
        op = self.op
        changes, stamps = self._merge_fields(spec, key, tomb["row"], tomb["clocks"], fields)
        row = {**tomb["row"], **changes}
        clocks = {**tomb["clocks"], **stamps}
        if spec.parent and self._parent_gone(spec, row.get(spec.parent[0])):
            self._keep_orphan(spec, key, row, clocks, "the page was deleted", reason=tomb["reason"])
            return
        self._settle_unique(spec, key, row, row, clocks)
        self._upsert(spec, row)
        self._set_clocks(spec.name, key, clocks, replace=True)
        repo.delete_tombstone(self.conn, spec.name, key)
        self._restore_revisions(spec, key)
        children = [(child, repo.tombstones_under(self.conn, child.name, key, "parent")) for child in children_of(spec.name)]
        if any(kept for _child, kept in children):
            log_state(self.conn, spec, key, op.op_id)      # the page before its blocks, for pulls
        for child, tombs in children:               # a restored page brings back its blocks
            for kept in tombs:
                self._upsert(child, kept["row"])
                self._set_clocks(child.name, kept["key"], kept["clocks"], replace=True)
                repo.delete_tombstone(self.conn, child.name, kept["key"])
                self._restore_revisions(child, kept["key"])
                log_state(self.conn, child, kept["key"], op.op_id)

    def _delete(self, spec: TableSpec, key: str, current: dict[str, Any] | None) -> None:
        op = self.op
        self.parents.clear()            # a delete may take a parent row with it
        if current is None:
            if repo.get_tombstone(self.conn, spec.name, key) is None:
                self._put_tombstone(spec.name, key, hlc=op.hlc, row=None, clocks={}, reason="deleted")
            return
        clocks = repo.get_clocks(self.conn, spec.name, key)
        if any(stamp > op.hlc for stamp in clocks.values()):
            # An edit newer than the delete wins: the row stays. The deleting device lost the row's
            # children with it (ON DELETE CASCADE), so they are logged again after the row.
            children = [(child, repo.keys_with_value(self.conn, child, child.parent[0], key))
                        for child in children_of(spec.name)]
            if any(keys for _child, keys in children):
                log_state(self.conn, spec, key, op.op_id)
            for child, keys in children:
                for child_key in keys:
                    log_state(self.conn, child, child_key, op.op_id)
            return
        for child in children_of(spec.name):
            for child_key in repo.keys_with_value(self.conn, child, child.parent[0], key):
                self._put_tombstone(child.name, child_key, hlc=op.hlc,
                                   row=repo.get_row(self.conn, child, child_key),
                                   clocks=repo.get_clocks(self.conn, child.name, child_key),
                                   reason="parent", parent_key=key)
                repo.delete_row(self.conn, child, child_key)
                self._set_clocks(child.name, child_key, {}, replace=True)
                log_state(self.conn, child, child_key, op.op_id)
        if spec.name == "media":
            for referrer in referrers_of_media():
                for column in referrer.media_refs:
                    for ref_key in repo.keys_with_value(self.conn, referrer, column, key):
                        repo.update_fields(self.conn, referrer, ref_key, {column: None})
                        self._set_clocks(referrer.name, ref_key, {column: op.hlc})
                        log_state(self.conn, referrer, ref_key, op.op_id)
        self._put_tombstone(spec.name, key, hlc=op.hlc, row=current, clocks=clocks, reason="deleted",
                           parent_key=current.get(spec.parent[0]) if spec.parent else None)
        repo.delete_row(self.conn, spec, key)
        self._set_clocks(spec.name, key, {}, replace=True)

    # --- helpers ------------------------------------------------------------------------------

    def _parent_gone(self, spec: TableSpec, parent_key: Any) -> bool:
        column, parent_table = spec.parent
        if parent_key is None:
            return True
        if (parent_table, parent_key) in self.parents:
            return False
        if repo.get_row(self.conn, SPECS[parent_table], parent_key) is None:
            return True
        self.parents.add((parent_table, parent_key))
        return False

    def _keep_orphan(self, spec: TableSpec, key: str, row: dict[str, Any], clocks: dict[str, str], why: str,
                     *, reason: str = "orphan") -> None:
        """Keep an edit that cannot be applied as a recoverable tombstone; its large fields as conflicts."""
        op = self.op
        parent_key = row.get(spec.parent[0]) if spec.parent else None
        parent_tomb = repo.get_tombstone(self.conn, spec.parent[1], parent_key) if spec.parent and parent_key else None
        self._put_tombstone(spec.name, key, hlc=op.hlc, row=row, clocks=clocks,
                           reason=reason if reason in ("parent", "orphan") else "orphan", parent_key=parent_key)
        for name in sorted(spec.large & set(op.fields)):
            if op.fields[name] is not None:
                self.conflicts.append({"table": spec.name, "key": key, "field": name, "value": op.fields[name],
                                       "hlc": op.hlc, "device_id": op.device_id,
                                       "winner_hlc": parent_tomb["hlc"] if parent_tomb else ""})
        log.info("sync: %s %s kept as a tombstone (%s)", spec.name, key, why)

    def _merge_duplicate_media(self, key: str, row: Mapping[str, Any]) -> bool:
        """A media insert for an image another row holds: alias the key to that row."""
        kept = [k for k in repo.keys_with_value(self.conn, SPECS["media"], "hash", row.get("hash")) if k != key]
        if not kept:
            return False
        self._put_tombstone("media", key, hlc=self.op.hlc, row=dict(row), clocks={}, reason="alias",
                           alias_of=kept[0])
        self.media_aliases[key] = kept[0]
        log.info("sync: media %s merged into %s (same image)", key, kept[0])
        return True

    def _settle_unique(self, spec: TableSpec, key: str, row: Mapping[str, Any], changes: dict[str, Any],
                       stamps: dict[str, str]) -> None:
        """Resolve unique-value clashes of the values this op writes (section 6, Inserts)."""
        op = self.op
        for column, (rule, reset) in spec.unique.items():
            value = changes.get(column)
            if value is None or value == reset:
                continue
            for other in repo.keys_with_value(self.conn, spec, column, value):
                if other == key:
                    continue
                self.flush()            # the other row's clocks may still be buffered
                other_stamp = repo.get_clocks(self.conn, spec.name, other).get(column, "")
                op_newer = op.hlc > other_stamp
                if rule == SUFFIX and op_newer:
                    changes[column] = self._free_value(spec, column, value)
                    stamps.setdefault(column, op.hlc)
                    log.info("sync: %s %s gets %s %r (clash)", spec.name, key, column, changes[column])
                elif rule == EXCLUSIVE and not op_newer:
                    changes[column] = reset
                    stamps.setdefault(column, op.hlc)
                else:   # the other row gives the value up
                    given = self._free_value(spec, column, value) if rule == SUFFIX else reset
                    repo.update_fields(self.conn, spec, other, {column: given})
                    self._set_clocks(spec.name, other, {column: clock.now(self.conn, clock.CLOUD)})
                    log_state(self.conn, spec, other, None)
                    log.info("sync: %s %s gets %s %r (clash)", spec.name, other, column, given)

    def _free_value(self, spec: TableSpec, column: str, value: str) -> str:
        n = 2
        while repo.keys_with_value(self.conn, spec, column, suffixed(value, str(n))):
            n += 1
        return suffixed(value, str(n))

    def _record_conflict(self, record: dict[str, Any], seq: int) -> None:
        record = {"id": new_id(), **record, "created_seq": seq, "resolved": False,
                  "device_name": self._device_name(record["device_id"])}
        repo.insert_conflict(self.conn, record)
        self._conflict_revision(record)

    def _restore_revisions(self, spec: TableSpec, key: str) -> None:
        """A block back from a tombstone gets its conflict revisions back (they went with the row)."""
        if spec.name == "blocks":
            for record in repo.conflicts_for(self.conn, "blocks", key):
                self._conflict_revision(record)

    def _device_name(self, device_id: str) -> str:
        """The name a device was paired with ('' when unknown), or 'the cloud' for the cloud's own edits."""
        if device_id == clock.CLOUD:
            return "the cloud"
        known = repo.get_device(self.conn, device_id) if device_id else None
        return known[0] if known and known[0] else ""

    def _conflict_revision(self, record: Mapping[str, Any]) -> None:
        """A block code conflict's losing version as a block revision (while the block exists)."""
        if record["table"] == "blocks" and record["field"] == "code" and record["value"] is not None \
                and repo.get_row(self.conn, SPECS["blocks"], record["key"]) is not None:
            name = record.get("device_name") or self._device_name(record["device_id"]) or "another device"
            repo.insert_block_revision(self.conn, record["id"], record["key"], record["value"], name,
                                       f"Conflict: version from {name}", utc_now())
