"""Change ops (docs/sync-protocol.md section 4): what a device pushes, and how one is checked."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shared.db import Connection
from shared.sync import hlc as clock
from shared.sync.errors import SyncError
from shared.sync.tables import check_value, is_text, spec_for

# n from 1, ASCII digits, no leading zero, within SQLite's integers (str.isdigit() admits '²', which
# int() refuses, and int() refuses numbers of more than 4,300 digits).
_NUMBER = re.compile(r"[1-9][0-9]{0,17}")


@dataclass(frozen=True)
class Op:
    """One change to one row: new field values (every field for an insert), their bases, or a delete."""

    op_id: str
    hlc: str
    table: str
    key: str
    fields: Mapping[str, Any] = field(default_factory=dict)
    base: Mapping[str, str | None] = field(default_factory=dict)
    delete: bool = False

    @property
    def device_id(self) -> str:
        """The device that made the op."""
        return self.op_id.rpartition(":")[0]

    @property
    def n(self) -> int:
        """The op's number on its device (1, 2, ...)."""
        return int(self.op_id.rpartition(":")[2])

    def to_json(self) -> dict[str, Any]:
        """The op as the push message carries it."""
        return {"op_id": self.op_id, "hlc": self.hlc, "table": self.table, "key": self.key,
                "fields": dict(self.fields), "base": dict(self.base), "delete": self.delete}


def parse_op(conn: Connection, raw: Any, *, device_id: str) -> Op:
    """An op from its JSON form, checked against the synced tables' specs and schema.

    Raises SyncError("op", op_id=...) for anything that is not a well-formed op of this device."""
    op_id = raw.get("op_id") if isinstance(raw, Mapping) else None

    def refuse(why: str) -> SyncError:
        shown = op_id[:100] if isinstance(op_id, str) else op_id     # a hostile id is not echoed whole
        return SyncError("op", f"op {shown!r} refused: {why}", op_id=shown)

    if not isinstance(raw, Mapping) or not isinstance(op_id, str):
        raise refuse("not an op")
    device, _, number = op_id.rpartition(":")
    if device != device_id or not _NUMBER.fullmatch(number):
        raise refuse("op_id must be '<device_id>:<n>' with n from 1")
    hlc = raw.get("hlc")
    if not clock.is_valid(hlc) or clock.node_of(hlc) != device_id:
        raise refuse("hlc must be an HLC issued by this device")
    spec = spec_for(raw.get("table"))
    if spec is None:
        raise refuse(f"{raw.get('table')!r} is not a synced table")
    key, fields, base, delete = raw.get("key"), raw.get("fields", {}), raw.get("base", {}), raw.get("delete", False)
    if not is_text(key) or not key or len(key) > 200:
        raise refuse("key must be non-empty text")
    if not isinstance(fields, Mapping) or not isinstance(base, Mapping) or not isinstance(delete, bool):
        raise refuse("fields and base must be objects, delete a boolean")
    known = spec.field_set(conn)
    if not (known.issuperset(fields) and known.issuperset(base)):
        unknown = next(name for name in (*fields, *base) if name not in known)
        raise refuse(f"{spec.name} has no field {unknown!r}")
    if delete and fields:
        raise refuse("a delete carries no fields")
    if not all(check_value(v) for v in fields.values()):
        raise refuse("field values must be text, numbers or null")
    if not all(b is None or clock.is_valid(b) for b in base.values()):
        raise refuse("base values must be HLCs or null")
    return Op(op_id, hlc, spec.name, key, dict(fields), dict(base), delete)
