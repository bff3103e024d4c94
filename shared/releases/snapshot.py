"""Snapshots of the synced tables: reading them, storing them compactly, checking that their rows hold
together and pass the table rules, and what differs between a snapshot and the rows a database has.

A snapshot is plain JSON data, deterministic for the same rows:
    {"format": 1, "tables": {"pages": {"key": "id", "columns": [...], "rows": [[...], ...]}, ...}}
with the tables in `shared.sync.tables.ORDER` and each table's rows ordered by key."""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from shared.db import Connection
from shared.db.repositories import sync as rows_repo
from shared.releases.errors import ReleaseError, ReleaseErrorCode
from shared.sync.tables import ORDER, SPECS

FORMAT = 1
Snapshot = dict[str, Any]


def read_snapshot(conn: Connection) -> Snapshot:
    """Every row of the synced tables, as a snapshot."""
    tables: dict[str, Any] = {}
    for spec in ORDER:
        columns = list(spec.columns(conn))
        rows = rows_repo.all_rows(conn, spec)
        tables[spec.name] = {"key": spec.key, "columns": columns, "rows": [[row[c] for c in columns] for row in rows]}
    return {"format": FORMAT, "tables": tables}


def encode(snapshot: Snapshot) -> tuple[bytes, str, int]:
    """(zlib-compressed canonical JSON, SHA-256 of the JSON, JSON size in bytes)."""
    try:
        text = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:   # a BLOB or NaN where the schema has text and numbers
        raise ReleaseError(ReleaseErrorCode.BROKEN_SNAPSHOT, f"a synced row holds a value JSON cannot: {exc}") from exc
    raw = text.encode("utf-8")
    return zlib.compress(raw, 9), hashlib.sha256(raw).hexdigest(), len(raw)


def decode(blob: bytes, sha256: str) -> Snapshot:
    """A stored snapshot back as data; raises ReleaseError(CORRUPT) if it does not match its checksum."""
    try:
        raw = zlib.decompress(blob)
    except zlib.error as exc:
        raise ReleaseError(ReleaseErrorCode.CORRUPT, f"the stored snapshot cannot be read: {exc}") from exc
    if hashlib.sha256(raw).hexdigest() != sha256:
        raise ReleaseError(ReleaseErrorCode.CORRUPT, "the stored snapshot does not match its checksum")
    return json.loads(raw)


def _rows_by_key(table: Mapping[str, Any]) -> dict[Any, dict[str, Any]]:
    columns, key = table["columns"], table["key"]
    return {row[columns.index(key)]: dict(zip(columns, row, strict=True)) for row in table["rows"]}


def check_snapshot(conn: Connection, snapshot: Snapshot) -> None:
    """Refuse a snapshot that does not fit the database at conn or whose rows do not hold together.

    Raises ReleaseError(SCHEMA_MISMATCH) for an unknown table or column, ReleaseError(BROKEN_SNAPSHOT)
    naming every row whose key is missing or repeated, or that points at a synced row not in it."""
    tables = snapshot.get("tables") if isinstance(snapshot, Mapping) else None
    if not isinstance(tables, Mapping) or snapshot.get("format") != FORMAT or set(tables) != set(SPECS):
        raise ReleaseError(ReleaseErrorCode.SCHEMA_MISMATCH, "not a release snapshot of this version")
    problems: list[str] = []
    keys: dict[str, set[Any]] = {}
    for name, table in tables.items():
        live_columns = set(SPECS[name].columns(conn))
        extra = [c for c in table["columns"] if c not in live_columns]
        if extra or table["key"] != SPECS[name].key or table["key"] not in table["columns"]:
            raise ReleaseError(ReleaseErrorCode.SCHEMA_MISMATCH,
                               f"{name}: columns {extra or [table['key']]} do not fit the live database")
        position = table["columns"].index(table["key"])
        if any(len(row) != len(table["columns"]) for row in table["rows"]):
            raise ReleaseError(ReleaseErrorCode.SCHEMA_MISMATCH, f"{name}: a row does not match its columns")
        seen = [row[position] for row in table["rows"]]
        keys[name] = set(seen)
        if None in keys[name] or len(keys[name]) != len(seen):
            problems.append(f"{name}: a row without a key, or a key used twice")
    for name, table in tables.items():
        for column, parent, parent_column in rows_repo.foreign_keys(conn, SPECS[name]):
            if parent not in SPECS or column not in table["columns"]:
                continue
            if parent_column not in (None, SPECS[parent].key):
                continue  # a reference to a non-key column: the live database checks it
            at = table["columns"].index(column)
            key_at = table["columns"].index(table["key"])
            for row in table["rows"]:
                if row[at] is not None and row[at] not in keys[parent]:
                    problems.append(f"{name} {row[key_at]}: {column} points at {parent} {row[at]}, which is not there")
    if problems:
        raise ReleaseError(ReleaseErrorCode.BROKEN_SNAPSHOT,
                           f"the working copy has {len(problems)} broken row(s): {problems[0]}",
                           problems=tuple(problems))


@dataclass
class TableChanges:
    """What making a snapshot live does to one table."""

    added: list[dict[str, Any]] = field(default_factory=list)      # snapshot rows the table lacks
    changed: list[tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=list)  # (old, new)
    removed: list[dict[str, Any]] = field(default_factory=list)    # rows the snapshot lacks
    kept: list[dict[str, Any]] = field(default_factory=list)       # rows the snapshot lacks but the catalogue uses

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def diff(current: Snapshot, target: Snapshot, *, keep: Mapping[str, set[Any]] | None = None) -> dict[str, TableChanges]:
    """Per synced table, what turns `current` into `target`; compares the target's columns only.

    Rows of `current` that `keep` names are kept even when the target lacks them. A row in both keeps
    `current`'s values of the cloud's own columns (`cloud_only`: a store's status and slug), so that
    neither a publish nor a rollback ever writes them."""
    out: dict[str, TableChanges] = {}
    for table in ORDER:
        old = _rows_by_key(current["tables"][table.name])
        new = _rows_by_key(target["tables"][table.name])
        columns: Sequence[str] = target["tables"][table.name]["columns"]
        changes = TableChanges()
        for key, row in new.items():
            if key in old and table.cloud_only:
                row = {**row, **{c: old[key][c] for c in table.cloud_only if c in old[key] and c in row}}
            if key not in old:
                changes.added.append(row)
            elif any(old[key].get(c) != row[c] for c in columns):
                changes.changed.append((old[key], row))
        for key, row in old.items():
            if key not in new:
                (changes.kept if key in (keep or {}).get(table.name, ()) else changes.removed).append(row)
        out[table.name] = changes
    return out


def check_rules(changes: Mapping[str, TableChanges]) -> None:
    """Refuse rows a publish would write that break the table rules (shared/sync/rules.py): a working
    copy or an old release holding values from before the rules never reaches shoppers.

    Raises ReleaseError(BROKEN_SNAPSHOT) naming every such row, its field and why."""
    problems: list[str] = []
    for name, change in changes.items():
        spec = SPECS[name]
        for row in [*change.added, *(new for _old, new in change.changed)]:
            for error in spec.problems(row):
                problems.append(f"{name} {str(row.get(spec.key))[:100]}: {error.field} {error.message}")
    if problems:
        raise ReleaseError(ReleaseErrorCode.BROKEN_SNAPSHOT,
                           f"{len(problems)} value(s) break the store's rules: {problems[0]}", problems=tuple(problems))


def summarize(changes: Mapping[str, TableChanges]) -> dict[str, Any]:
    """A release summary: added/changed/removed keys per table with titles, and whether anything changed."""
    tables: dict[str, Any] = {}
    counts = {"added": 0, "changed": 0, "removed": 0}
    for name, change in changes.items():
        if not change and not change.kept:
            continue
        table = SPECS[name]

        def entry(row: Mapping[str, Any]) -> dict[str, Any]:
            return {"key": row[table.key], "title": table.title(row)}  # noqa: B023 - used at once

        item: dict[str, Any] = {
            "added": [entry(r) for r in change.added],
            "changed": [{**entry(new), "fields": sorted(c for c in new if old.get(c) != new[c])}
                        for old, new in change.changed],
            "removed": [entry(r) for r in change.removed],
        }
        if change.kept:
            item["kept"] = [entry(r) for r in change.kept]   # see docs/data.md, Releases
        tables[name] = item
        for verb in counts:
            counts[verb] += len(item[verb])
    no_changes = not any(counts.values())
    text = "no changes" if no_changes else ", ".join(f"{n} {verb}" for verb, n in counts.items() if n)
    return {"no_changes": no_changes, "counts": counts, "text": text, "tables": tables}
