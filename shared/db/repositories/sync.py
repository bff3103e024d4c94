"""Sync tables (migration 0007) and THE generic row access to the synced tables: sync (push, pull,
merge) and publishing (snapshots, releases) both read and write the synced tables through here.

Table and column names are formatted into SQL only after `_check` has matched them against the
table spec (shared/sync/tables.py) and the schema's own column list; values are always bound. The
spec also carries the rules a row's values must pass (`TableSpec.check`): callers check before they
write, since the rules look at what changes (an op's fields), not at every column of every row."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import orjson

from shared.db import Connection
from shared.db.errors import DatabaseError
from shared.sync.tables import SPECS, TableSpec

Row = dict[str, Any]
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def _check(spec: TableSpec, columns: Iterable[str] = ()) -> None:
    if SPECS.get(spec.name) is not spec or not _IDENT.match(spec.name):
        raise DatabaseError(f"not a synced table: {spec.name!r}")
    for column in columns:
        if not _IDENT.match(column):
            raise DatabaseError(f"not a column name: {column!r}")


def _checked_columns(conn: Connection, spec: TableSpec, columns: Iterable[str]) -> list[str]:
    names = list(columns)
    known = set(spec.columns(conn))
    unknown = [c for c in names if c not in known]
    if unknown:
        raise DatabaseError(f"{spec.name} has no column {unknown[0]!r}")
    return names


def table_columns(conn: Connection, spec: TableSpec) -> list[str]:
    """The table's column names from the schema, in order."""
    _check(spec)
    names = [row[1] for row in conn.all(f"PRAGMA table_info({spec.name})")]
    _check(spec, names)
    return names


# --- rows of the synced tables -------------------------------------------------------------------

def get_row(conn: Connection, spec: TableSpec, key: str) -> Row | None:
    """One row as {column: value}, or None."""
    cols = spec.columns(conn)
    row = conn.one(f"SELECT {', '.join(cols)} FROM {spec.name} WHERE {spec.key} = ?", (key,))
    return None if row is None else dict(zip(cols, row, strict=True))


def get_rows(conn: Connection, spec: TableSpec, keys: Iterable[str]) -> dict[str, Row]:
    """{key: row} of the rows with these keys (missing keys are left out), a few IN (...) queries."""
    cols = spec.columns(conn)
    found: dict[str, Row] = {}
    for chunk in _chunks(list(dict.fromkeys(keys)), _CHUNK):
        rows = conn.all(f"SELECT {', '.join(cols)} FROM {spec.name} WHERE {spec.key} IN "
                        f"({', '.join('?' * len(chunk))})", chunk)
        found.update({row[0]: dict(zip(cols, row, strict=True)) for row in rows})
    return found


def existing_keys(conn: Connection, spec: TableSpec, keys: Iterable[str]) -> set[str]:
    """The keys among `keys` that have a row."""
    _check(spec, [spec.key])
    found: set[str] = set()
    for chunk in _chunks(list(dict.fromkeys(keys)), _CHUNK):
        found.update(r[0] for r in conn.all(f"SELECT {spec.key} FROM {spec.name} WHERE {spec.key} IN "
                                            f"({', '.join('?' * len(chunk))})", chunk))
    return found


def all_rows(conn: Connection, spec: TableSpec) -> list[Row]:
    """Every row of the table, by key."""
    cols = spec.columns(conn)
    rows = conn.all(f"SELECT {', '.join(cols)} FROM {spec.name} ORDER BY {spec.key}")
    return [dict(zip(cols, row, strict=True)) for row in rows]


def upsert_row(conn: Connection, spec: TableSpec, row: Mapping[str, Any]) -> None:
    """Insert the row, or update the given columns of the row with its key (never a REPLACE, which
    would delete the row first and cascade to its children)."""
    cols = _checked_columns(conn, spec, row)
    if spec.key not in cols:
        raise DatabaseError(f"{spec.name} row without its key")
    updates = [c for c in cols if c != spec.key]
    assignments = ", ".join(f"{c} = excluded.{c}" for c in updates)
    tail = f"DO UPDATE SET {assignments}" if updates else "DO NOTHING"
    conn.execute(f"INSERT INTO {spec.name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
                 f"ON CONFLICT ({spec.key}) {tail}", [row[c] for c in cols])


def insert_row(conn: Connection, spec: TableSpec, row: Mapping[str, Any]) -> Row:
    """Insert a row whose key is known to be free; returns the whole row as stored (after type
    affinity). Cheaper than `upsert_row`: libsql compiles each statement anew, and a plain INSERT
    compiles no DO UPDATE clause and none of the table's UPDATE triggers."""
    (stored,) = insert_rows(conn, spec, [row]).values()
    return stored


def insert_rows(conn: Connection, spec: TableSpec, rows: Sequence[Mapping[str, Any]]) -> dict[Any, Row]:
    """Insert rows with the same columns whose keys are known to be free, in ONE statement (one
    compilation for all of them); returns {key: row as stored}. Raises DatabaseError if any row
    is refused: then none of them is inserted (a statement is atomic)."""
    if not rows:
        return {}
    cols = _checked_columns(conn, spec, rows[0])
    if spec.key not in cols or any(list(row) != cols for row in rows):
        raise DatabaseError(f"{spec.name} rows must have their key and the same columns")
    every = spec.columns(conn)
    one = f"({', '.join('?' * len(cols))})"
    cursor = conn.execute(f"INSERT INTO {spec.name} ({', '.join(cols)}) VALUES {', '.join([one] * len(rows))} "
                          f"RETURNING {', '.join(every)}", [row[c] for row in rows for c in cols])
    try:
        stored = cursor.fetchall()      # with RETURNING, libsql runs the insert (and fails) here
    except ValueError as exc:
        raise DatabaseError(str(exc)) from exc
    # RETURNING gives rows in no promised order: match them by key.
    return {values[0]: dict(zip(every, values, strict=True)) for values in stored}


def max_rows_per_insert(conn: Connection, spec: TableSpec) -> int:
    """How many rows of this table one `insert_rows` call can take (SQLite's bound parameters)."""
    return max(1, min(_CHUNK, 32_000 // len(spec.columns(conn))))


def update_fields(conn: Connection, spec: TableSpec, key: str, fields: Mapping[str, Any]) -> None:
    """Set some columns of one row."""
    cols = _checked_columns(conn, spec, fields)
    if not cols:
        return
    conn.execute(f"UPDATE {spec.name} SET {', '.join(f'{c} = ?' for c in cols)} WHERE {spec.key} = ?",
                 [fields[c] for c in cols] + [key])


def delete_row(conn: Connection, spec: TableSpec, key: str) -> None:
    """Delete one row (the schema's ON DELETE actions follow)."""
    _check(spec)
    conn.execute(f"DELETE FROM {spec.name} WHERE {spec.key} = ?", (key,))


def delete_rows(conn: Connection, spec: TableSpec, keys: Sequence[Any]) -> None:
    """Delete the rows with these keys, a few statements for all of them."""
    _check(spec, [spec.key])
    for chunk in _chunks(list(keys), _CHUNK):
        conn.execute(f"DELETE FROM {spec.name} WHERE {spec.key} IN ({', '.join('?' * len(chunk))})", chunk)


def foreign_keys(conn: Connection, spec: TableSpec) -> list[tuple[str, str, str]]:
    """(column, referenced table, referenced column) for each foreign key of the table."""
    _check(spec)
    return [(row[3], row[2], row[4]) for row in conn.all(f"PRAGMA foreign_key_list({spec.name})")]


def keys_with_value(conn: Connection, spec: TableSpec, column: str, value: Any) -> list[str]:
    """Keys of the rows whose `column` equals value."""
    _checked_columns(conn, spec, [column])
    return [r[0] for r in conn.all(f"SELECT {spec.key} FROM {spec.name} WHERE {column} = ? ORDER BY {spec.key}",
                                   (value,))]


def replace_in_text(conn: Connection, spec: TableSpec, column: str, old: str, new: str) -> list[str]:
    """Replace the text `old` by `new` inside one column of every row holding it; returns their keys."""
    _checked_columns(conn, spec, [column])
    keys = [r[0] for r in conn.all(f"SELECT {spec.key} FROM {spec.name} WHERE instr({column}, ?) > 0", (old,))]
    if keys:
        conn.execute(f"UPDATE {spec.name} SET {column} = replace({column}, ?, ?) WHERE instr({column}, ?) > 0",
                     (old, new, old))
    return keys


def defer_foreign_keys(conn: Connection) -> None:
    """Check foreign keys at commit, not per statement, for the rest of this transaction."""
    conn.execute("PRAGMA defer_foreign_keys = ON")


# --- sync_state ----------------------------------------------------------------------------------

def get_state(conn: Connection, key: str) -> str | None:
    """One sync_state value."""
    return conn.scalar("SELECT value FROM sync_state WHERE key = ?", (key,))


def set_state(conn: Connection, key: str, value: str) -> None:
    """Set one sync_state value."""
    conn.execute("INSERT INTO sync_state (key, value) VALUES (?, ?) "
                 "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))


# --- sync_dirty, sync_clocks, sync_shadow, sync_outbox (device) ----------------------------------

def list_dirty(conn: Connection) -> list[tuple[str, str, str]]:
    """(table, key, edit hlc) of the dirty rows, in the order they first became dirty."""
    return [tuple(r) for r in conn.all("SELECT table_name, key, hlc FROM sync_dirty ORDER BY rowid")]


def clear_dirty(conn: Connection) -> None:
    """Forget every dirty mark."""
    conn.execute("DELETE FROM sync_dirty")


def clear_dirty_row(conn: Connection, table: str, key: str) -> None:
    """Forget one row's dirty mark."""
    conn.execute("DELETE FROM sync_dirty WHERE table_name = ? AND key = ?", (table, key))


def mark_dirty(conn: Connection, entries: Sequence[tuple[str, str, str]]) -> None:
    """Mark rows dirty again: (table, key, edit hlc) each (an edit held back or refused)."""
    for chunk in _chunks(entries, _CHUNK):
        conn.execute(f"INSERT INTO sync_dirty (table_name, key, hlc) VALUES {', '.join('(?, ?, ?)' for _ in chunk)} "
                     "ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc",
                     [v for entry in chunk for v in entry])


# Stored clocks (sync_clocks.clocks, sync_log.clocks) name the HLC shared by every field not listed
# under this key: a row whose fields all carry one HLC (every inserted row) is stored as {"*": hlc},
# a tenth of the bytes of the whole object on each side of a push. Readers always get every field.
_EVERY = "*"


def _encode_clocks(conn: Connection, table: str, clocks: Mapping[str, str]) -> str:
    spec = SPECS.get(table)
    if spec is not None and len(clocks) > 1 and len(set(clocks.values())) == 1:
        fields = spec.fields(conn)
        if len(clocks) == len(fields) and set(clocks) == set(fields):
            return _dumps({_EVERY: next(iter(clocks.values()))})
    return _dumps(clocks)


def _decode_clocks(conn: Connection, table: str, text: str) -> dict[str, str]:
    clocks = json.loads(text)
    every = clocks.pop(_EVERY, None)
    if every is None:
        return clocks
    return {**dict.fromkeys(SPECS[table].fields(conn), every), **clocks}


def get_clocks(conn: Connection, table: str, key: str) -> dict[str, str]:
    """{field: hlc} of one row."""
    text = conn.scalar("SELECT clocks FROM sync_clocks WHERE table_name = ? AND key = ?", (table, key))
    return {} if text is None else _decode_clocks(conn, table, text)


def get_clocks_many(conn: Connection, table: str, keys: Iterable[str]) -> dict[str, dict[str, str]]:
    """{key: {field: hlc}} of the rows of one table with clocks, among these keys (a few queries)."""
    found: dict[str, dict[str, str]] = {}
    for chunk in _chunks(list(dict.fromkeys(keys)), _CHUNK):
        rows = conn.all(f"SELECT key, clocks FROM sync_clocks WHERE table_name = ? AND key IN "
                        f"({', '.join('?' * len(chunk))})", [table, *chunk])
        found.update({key: _decode_clocks(conn, table, text) for key, text in rows})
    return found


def set_clocks(conn: Connection, table: str, key: str, clocks: Mapping[str, str], *, replace: bool = False) -> None:
    """Store field clocks of one row (all of them when `replace`, else merged into the stored ones)."""
    set_clocks_many(conn, [(table, key, clocks)], replace=replace)


def set_clocks_many(conn: Connection, rows: Sequence[tuple[str, str, Mapping[str, str]]], *,
                    replace: bool = False) -> None:
    """`set_clocks` for many rows, a few statements for all of them (every statement is compiled
    anew: libsql 0.1.11 keeps no prepared statements). A row's clocks are one JSON object; merging
    is SQLite's json_patch (clocks are never null, so no field is removed by a merge), except that
    clocks naming every field (stored as {"*": hlc}) replace what was stored."""
    if replace:
        gone = [(table, key) for table, key, clocks in rows if not clocks]
        for chunk in _chunks(gone, _CHUNK):
            conn.execute("DELETE FROM sync_clocks WHERE (table_name, key) IN "
                         f"(VALUES {', '.join('(?, ?)' for _ in chunk)})", [v for pair in chunk for v in pair])
    kept = [(table, key, _encode_clocks(conn, table, clocks)) for table, key, clocks in rows if clocks]
    update = "excluded.clocks" if replace else (
        f"CASE WHEN json_type(excluded.clocks, '$.\"{_EVERY}\"') IS NULL "
        "THEN json_patch(sync_clocks.clocks, excluded.clocks) ELSE excluded.clocks END")
    for chunk in _chunks(kept, _CHUNK):
        conn.execute(f"INSERT INTO sync_clocks (table_name, key, clocks) VALUES {', '.join('(?, ?, ?)' for _ in chunk)} "
                     f"ON CONFLICT (table_name, key) DO UPDATE SET clocks = {update}",
                     [v for value in chunk for v in value])


def get_shadows(conn: Connection, table: str, keys: Iterable[str]) -> dict[str, Row]:
    """{key: shadow} of the rows of one table with a shadow, among these keys."""
    found: dict[str, Row] = {}
    for chunk in _chunks(list(dict.fromkeys(keys)), _CHUNK):
        rows = conn.all(f"SELECT key, row FROM sync_shadow WHERE table_name = ? AND key IN "
                        f"({', '.join('?' * len(chunk))})", [table, *chunk])
        found.update({key: json.loads(text) for key, text in rows})
    return found


def set_shadows(conn: Connection, rows: Sequence[tuple[str, str, Mapping[str, Any] | None]]) -> None:
    """`set_shadow` for many rows (None forgets one), in a few statements."""
    gone = [(table, key) for table, key, row in rows if row is None]
    kept = [(table, key, _dumps(row)) for table, key, row in rows if row is not None]
    for chunk in _chunks(gone, _CHUNK):
        conn.execute("DELETE FROM sync_shadow WHERE (table_name, key) IN "
                     f"(VALUES {', '.join('(?, ?)' for _ in chunk)})", [v for pair in chunk for v in pair])
    for chunk in _chunks(kept, _CHUNK):
        conn.execute(f"INSERT INTO sync_shadow (table_name, key, row) VALUES {', '.join('(?, ?, ?)' for _ in chunk)} "
                     "ON CONFLICT (table_name, key) DO UPDATE SET row = excluded.row",
                     [v for value in chunk for v in value])


def get_shadow(conn: Connection, table: str, key: str) -> Row | None:
    """The row as last pulled (or formed), or None."""
    text = conn.scalar("SELECT row FROM sync_shadow WHERE table_name = ? AND key = ?", (table, key))
    return None if text is None else json.loads(text)


def set_shadow(conn: Connection, table: str, key: str, row: Mapping[str, Any] | None) -> None:
    """Store (or with None, forget) a row's shadow."""
    if row is None:
        conn.execute("DELETE FROM sync_shadow WHERE table_name = ? AND key = ?", (table, key))
        return
    conn.execute("INSERT INTO sync_shadow (table_name, key, row) VALUES (?, ?, ?) "
                 "ON CONFLICT (table_name, key) DO UPDATE SET row = excluded.row", (table, key, _dumps(row)))


def add_outbox(conn: Connection, n: int, op: Mapping[str, Any]) -> None:
    """Store a formed op."""
    conn.execute("INSERT INTO sync_outbox (n, op) VALUES (?, ?)", (n, _dumps(op)))


def add_outbox_many(conn: Connection, ops: Sequence[tuple[int, Mapping[str, Any]]]) -> None:
    """Store formed ops, a few statements for all of them."""
    for chunk in _chunks(ops, _CHUNK):
        conn.execute(f"INSERT INTO sync_outbox (n, op) VALUES {', '.join('(?, ?)' for _ in chunk)}",
                     [v for n, op in chunk for v in (n, _dumps(op))])


def list_outbox(conn: Connection) -> list[dict[str, Any]]:
    """The ops not yet acknowledged, in order."""
    return [json.loads(text) for text in outbox_texts(conn)]


def outbox_texts(conn: Connection) -> list[str]:
    """The ops not yet acknowledged, in order, as their stored JSON text."""
    return [r[0] for r in conn.all("SELECT op FROM sync_outbox ORDER BY n")]


def outbox_from(conn: Connection, n: int) -> list[tuple[int, dict[str, Any]]]:
    """(number, op) of the ops numbered n and after, in order."""
    return [(int(m), json.loads(text)) for m, text in conn.all("SELECT n, op FROM sync_outbox WHERE n >= ? ORDER BY n",
                                                              (n,))]


def delete_outbox_from(conn: Connection, n: int) -> None:
    """Forget the ops numbered n and after."""
    conn.execute("DELETE FROM sync_outbox WHERE n >= ?", (n,))


def delete_outbox_through(conn: Connection, n: int) -> None:
    """Forget the ops numbered up to n (acknowledged)."""
    conn.execute("DELETE FROM sync_outbox WHERE n <= ?", (n,))


# --- sync_log, sync_devices (cloud) --------------------------------------------------------------

def append_log(conn: Connection, table: str, key: str, row: Mapping[str, Any] | None,
               clocks: Mapping[str, str], op_id: str | None) -> int:
    """Append one row state to the change log; returns its seq."""
    cursor = conn.execute("INSERT INTO sync_log (table_name, key, row, clocks, op_id) VALUES (?, ?, ?, ?, ?)",
                          (table, key, None if row is None else _dumps(row), _encode_clocks(conn, table, clocks),
                           op_id))
    return int(cursor.lastrowid)


def append_logs(conn: Connection, entries: Sequence[tuple[str, str, Mapping[str, Any] | None, Mapping[str, str],
                                                  str | None]]) -> None:
    """`append_log` for many (table, key, row, clocks, op_id) entries, in order, a few statements."""
    for chunk in _chunks(entries, _CHUNK):
        conn.execute(f"INSERT INTO sync_log (table_name, key, row, clocks, op_id) VALUES "
                     f"{', '.join('(?, ?, ?, ?, ?)' for _ in chunk)}",
                     [v for table, key, row, clocks, op_id in chunk
                      for v in (table, key, None if row is None else _dumps(row),
                                _encode_clocks(conn, table, clocks), op_id)])


def log_since(conn: Connection, cursor: int, limit: int) -> list[dict[str, Any]]:
    """Change-log entries with seq > cursor, in order, at most `limit`."""
    rows = conn.all("SELECT seq, table_name, key, row, clocks, op_id FROM sync_log WHERE seq > ? ORDER BY seq LIMIT ?",
                    (cursor, limit))
    return [{"seq": seq, "table": table, "key": key, "row": None if row is None else json.loads(row),
             "clocks": _decode_clocks(conn, table, clocks), "op_id": op_id}
            for seq, table, key, row, clocks, op_id in rows]


def newest_seq(conn: Connection) -> int:
    """The newest change-log seq (0 when empty)."""
    return int(conn.scalar("SELECT coalesce(max(seq), 0) FROM sync_log"))


def get_device(conn: Connection, device_id: str) -> tuple[str, int] | None:
    """(name, last_op) of a device, or None."""
    row = conn.one("SELECT name, last_op FROM sync_devices WHERE device_id = ?", (device_id,))
    return None if row is None else (row[0], int(row[1]))


def insert_device(conn: Connection, device_id: str, name: str, created_at: str) -> None:
    """Register a device (its ledger starts at 0); a known device only gets its name updated."""
    conn.execute("INSERT INTO sync_devices (device_id, name, last_op, created_at) VALUES (?, ?, 0, ?) "
                 "ON CONFLICT (device_id) DO UPDATE SET name = excluded.name", (device_id, name, created_at))


def set_device_last_op(conn: Connection, device_id: str, last_op: int) -> None:
    """Move a device's ledger."""
    conn.execute("UPDATE sync_devices SET last_op = ? WHERE device_id = ?", (last_op, device_id))


# --- sync_conflicts ------------------------------------------------------------------------------

_CONFLICT_COLS = "id, table_name, key, field, value, hlc, device_id, winner_hlc, created_seq, resolved, device_name"


def _conflict(row: Sequence[Any]) -> dict[str, Any]:
    names = ("id", "table", "key", "field", "value", "hlc", "device_id", "winner_hlc", "created_seq", "resolved",
             "device_name")
    record = dict(zip(names, row, strict=True))
    record["resolved"] = bool(record["resolved"])
    return record


def _conflict_values(record: Mapping[str, Any]) -> tuple[Any, ...]:
    name = record.get("device_name")
    return (record["id"], record["table"], record["key"], record["field"], record["value"], record["hlc"],
            record["device_id"], record["winner_hlc"], record["created_seq"], int(bool(record["resolved"])),
            name[:80] if isinstance(name, str) else "")


def insert_conflict(conn: Connection, record: Mapping[str, Any]) -> None:
    """Store a conflict record (see sync_conflicts); a known id is left alone."""
    conn.execute(f"INSERT OR IGNORE INTO sync_conflicts ({_CONFLICT_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 _conflict_values(record))


def conflicts_since(conn: Connection, cursor: int, limit: int = 5_000) -> list[dict[str, Any]]:
    """Conflict records with created_seq > cursor, oldest first, at most `limit`."""
    return conflicts_between(conn, cursor, 2**62, limit)


def conflicts_between(conn: Connection, cursor: int, end: int, limit: int) -> list[dict[str, Any]]:
    """Conflict records with cursor < created_seq <= end, oldest first, at most `limit`."""
    return [_conflict(r) for r in conn.all(
        f"SELECT {_CONFLICT_COLS} FROM sync_conflicts WHERE created_seq > ? AND created_seq <= ? "
        "ORDER BY created_seq, id LIMIT ?", (cursor, end, limit))]


def conflicts_for(conn: Connection, table: str, key: str) -> list[dict[str, Any]]:
    """Every conflict record of one row, oldest first."""
    return [_conflict(r) for r in conn.all(
        f"SELECT {_CONFLICT_COLS} FROM sync_conflicts WHERE table_name = ? AND key = ? ORDER BY created_seq, id",
        (table, key))]


def get_conflict(conn: Connection, conflict_id: str) -> dict[str, Any] | None:
    """One conflict record."""
    row = conn.one(f"SELECT {_CONFLICT_COLS} FROM sync_conflicts WHERE id = ?", (conflict_id,))
    return None if row is None else _conflict(row)


def unresolved_conflicts(conn: Connection) -> list[dict[str, Any]]:
    """Conflict records not yet resolved, oldest first."""
    return [_conflict(r) for r in conn.all(
        f"SELECT {_CONFLICT_COLS} FROM sync_conflicts WHERE resolved = 0 ORDER BY created_seq, id")]


def resolve_conflict(conn: Connection, conflict_id: str, seq: int) -> None:
    """Mark a conflict record resolved at change-log position `seq` (so devices pull the news)."""
    conn.execute("UPDATE sync_conflicts SET resolved = 1, created_seq = ? WHERE id = ?", (seq, conflict_id))


def store_conflict(conn: Connection, record: Mapping[str, Any]) -> None:
    """Keep a pulled conflict record on a device, replacing an older copy of it (e.g. now resolved)."""
    conn.execute(f"INSERT OR REPLACE INTO sync_conflicts ({_CONFLICT_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 _conflict_values(record))


def insert_block_revision(conn: Connection, revision_id: str, block_id: str, code: str, author: str,
                          message: str, created_at: str) -> None:
    """Add a block revision unless one with that id exists (a conflict's losing code)."""
    conn.execute("INSERT OR IGNORE INTO block_revisions (id, block_id, code, author, message, created_at) "
                 "VALUES (?, ?, ?, ?, ?, ?)", (revision_id, block_id, code, author, message, created_at))


# --- sync_tombstones -----------------------------------------------------------------------------

_TOMB_COLS = "table_name, key, hlc, row, clocks, reason, parent_key, alias_of"


def _tombstone(row: Sequence[Any]) -> dict[str, Any]:
    table, key, hlc, data, clocks, reason, parent_key, alias_of = row
    return {"table": table, "key": key, "hlc": hlc, "row": None if data is None else json.loads(data),
            "clocks": json.loads(clocks), "reason": reason, "parent_key": parent_key, "alias_of": alias_of}


def get_tombstone(conn: Connection, table: str, key: str) -> dict[str, Any] | None:
    """The tombstone of a deleted row, or None."""
    row = conn.one(f"SELECT {_TOMB_COLS} FROM sync_tombstones WHERE table_name = ? AND key = ?", (table, key))
    return None if row is None else _tombstone(row)


def put_tombstone(conn: Connection, table: str, key: str, *, hlc: str, row: Mapping[str, Any] | None,
                  clocks: Mapping[str, str], reason: str, parent_key: str | None = None,
                  alias_of: str | None = None) -> None:
    """Store (or replace) the tombstone of a row."""
    conn.execute(f"INSERT INTO sync_tombstones ({_TOMB_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                 "ON CONFLICT (table_name, key) DO UPDATE SET hlc = excluded.hlc, row = excluded.row, "
                 "clocks = excluded.clocks, reason = excluded.reason, parent_key = excluded.parent_key, "
                 "alias_of = excluded.alias_of",
                 (table, key, hlc, None if row is None else _dumps(row), _dumps(clocks), reason, parent_key, alias_of))


def delete_tombstone(conn: Connection, table: str, key: str) -> None:
    """Forget a tombstone (the row is back)."""
    conn.execute("DELETE FROM sync_tombstones WHERE table_name = ? AND key = ?", (table, key))


def tombstones_under(conn: Connection, table: str, parent_key: str, reason: str) -> list[dict[str, Any]]:
    """Tombstones of `table` rows kept because their parent went, for one parent."""
    return [_tombstone(r) for r in conn.all(
        f"SELECT {_TOMB_COLS} FROM sync_tombstones WHERE table_name = ? AND parent_key = ? AND reason = ? "
        "ORDER BY key", (table, parent_key, reason))]


def aliases(conn: Connection, table: str) -> dict[str, str]:
    """{merged key: key it was merged into} of one table."""
    return dict(conn.all("SELECT key, alias_of FROM sync_tombstones WHERE table_name = ? AND reason = 'alias'",
                         (table,)))


def keys_with_tombstones(conn: Connection, table: str, keys: Iterable[str]) -> set[str]:
    """The keys among `keys` of one table that have a tombstone."""
    found: set[str] = set()
    for chunk in _chunks(list(dict.fromkeys(keys)), _CHUNK):
        found.update(r[0] for r in conn.all(f"SELECT key FROM sync_tombstones WHERE table_name = ? AND key IN "
                                            f"({', '.join('?' * len(chunk))})", [table, *chunk]))
    return found


def keys_with_clocks(conn: Connection, table: str, keys: Iterable[str]) -> set[str]:
    """The keys among `keys` of one table that have any field clock."""
    found: set[str] = set()
    for chunk in _chunks(list(dict.fromkeys(keys)), _CHUNK):
        found.update(r[0] for r in conn.all(f"SELECT key FROM sync_clocks WHERE table_name = ? AND key IN "
                                            f"({', '.join('?' * len(chunk))})", [table, *chunk]))
    return found


# Rows per batched statement: every statement is compiled anew (libsql 0.1.11 keeps no prepared
# statements), so 10,000 rows cost a few statements, not 10,000; 500 rows of up to 4 values stay far
# below SQLite's 32,766 bound parameters.
_CHUNK = 500


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _dumps(value: Any) -> str:
    """Canonical JSON text (compact, keys sorted, UTF-8 as is) of values the sync core checked (valid
    Unicode text, 64-bit integers, finite reals, null), the same text `json.dumps` with those options
    writes but for the spelling of some reals (1e-7 for 1e-07), encoded by orjson: a push of 10,000
    ops writes about 40,000 such texts on each side, 13 times faster."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
