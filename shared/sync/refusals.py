"""Edits the table rules refuse, on a device (docs/sync-protocol.md section 4.3).

A device never sends what the rules (shared/sync/rules.py) refuse, and never loses it either: when
ops are formed, a row whose changed values break a rule is held back (it stays dirty, so a later fix
of it is sent) and recorded as refused. The cloud runs the same rules on every op; an op it refuses
anyway (a device of another version, an outbox written by hand) comes back as a 422 naming it, and
`park` takes that op out of the outbox the same way: the row is dirty again, its shadow and clocks
are what they were before the op, and the ops after it move down one number (the cloud applied none
of them: a push is one transaction, and ops apply in order).

Refusals are kept in sync_state ("refused", a JSON list) until the next time ops are formed, which
checks every held row again; the studio and `vibeshop sync` show them."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from shared.db import Connection, Database
from shared.db.repositories import sync as repo
from shared.sync.tables import NOUNS, TableSpec, spec_for

_STATE_KEY = "refused"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Refusal:
    """One edit the rules refused: its row, the first bad field and why; `op_id` when the cloud
    refused an op (None when this device held the edit back before sending it)."""

    table: str
    key: str
    field: str
    reason: str
    label: str = ""
    op_id: str | None = None

    def line(self) -> str:
        """The refusal in words, for a terminal or a tooltip."""
        what = self.label or f"{NOUNS.get(self.table, self.table).lower()} {self.key}"
        by = f"op {self.op_id} refused by the cloud" if self.op_id else "not sent"
        line = f"{what}: {self.field} {self.reason} ({by}; the edit is kept on this device)"
        # The values being refused may hold anything, terminal escapes too: shown, never obeyed.
        return _CONTROL.sub("?", line)


def refusals(db: Database) -> list[Refusal]:
    """The edits refused since ops were last formed, oldest first."""
    return db.read(read)


def read(conn: Connection) -> list[Refusal]:
    """`refusals` inside the caller's transaction."""
    text = repo.get_state(conn, _STATE_KEY)
    try:
        return [Refusal(**entry) for entry in json.loads(text)] if text else []
    except (TypeError, ValueError):
        return []


def _write(conn: Connection, found: Sequence[Refusal]) -> None:
    repo.set_state(conn, _STATE_KEY, json.dumps([asdict(r) for r in found]))


def hold_back(spec: TableSpec, key: str, fields: Mapping[str, Any], shadow: Mapping[str, Any] | None,
              held: set[tuple[str, str]]) -> Refusal | None:
    """The refusal of an edit that must not be sent, or None. `fields` are the values the op would
    carry, `shadow` the row they are written onto (None: a new row); `held` the rows already held
    back in this forming, so a new row under a held-back new parent waits for its parent."""
    problems = spec.problems({spec.key: key, **fields} if shadow is None else fields, current=shadow)
    if problems:
        return Refusal(spec.name, key, problems[0].field, problems[0].message)
    if spec.parent is not None and shadow is None:
        column, parent = spec.parent
        if (parent, fields.get(column)) in held:
            return Refusal(spec.name, key, column, f"waits for its {NOUNS[parent].lower()}, which was refused")
    return None


Held = tuple[Refusal, tuple[str, str, str]]       # a refusal and the row's dirty mark (table, key, hlc)


def hold_back_all(conn: Connection, upserts: Sequence[Any], shadows: Mapping[str, Mapping[str, Any]],
                  edited: Mapping[tuple[str, str], str],
                  describe: Callable[[Connection, str, str], str]) -> tuple[list[Any], list[Held]]:
    """The upserts being formed (each with .spec, .key, .fields) that the table rules take, and the
    refused ones with their dirty marks. Parents come first, so a new block under a refused new page
    waits for the page; `describe` names a refused row (read only for those)."""
    sendable: list[Any] = []
    held: list[Held] = []
    held_keys: set[tuple[str, str]] = set()
    for change in upserts:
        refusal = hold_back(change.spec, change.key, change.fields, shadows[change.spec.name].get(change.key),
                            held_keys)
        if refusal is None:
            sendable.append(change)
            continue
        held_keys.add((change.spec.name, change.key))
        held.append((replace(refusal, label=describe(conn, change.spec.name, change.key)),
                     (change.spec.name, change.key, edited[(change.spec.name, change.key)])))
    return sendable, held


def record(conn: Connection, found: Sequence[Refusal], held: Sequence[tuple[str, str, str]]) -> None:
    """After forming: the refusals are these, and the held-back rows stay dirty."""
    _write(conn, found)
    repo.mark_dirty(conn, held)


def park(db: Database, details: Mapping[str, Any], label_of: Any) -> Refusal | None:
    """Take an op the cloud refused out of the outbox (see the module's docstring) and record it.

    `details` is the cloud's 422 body (op_id, table, key, field, reason); `label_of(conn, table, key)`
    names the row. Returns the refusal, or None when no op in the outbox has that id (then nothing
    changed, and the caller must not retry blindly)."""
    op_id = details.get("op_id")

    def write(conn: Connection) -> Refusal | None:
        if not isinstance(op_id, str):
            return None
        device_id, _, number = op_id.rpartition(":")
        if device_id != repo.get_state(conn, "device_id") or not number.isdigit():
            return None
        later = repo.outbox_from(conn, int(number))
        if not later or later[0][1].get("op_id") != op_id:
            return None
        (n, op), rest = later[0], later[1:]
        spec = spec_for(op.get("table"))
        if spec is None or op.get("delete"):
            return None
        repo.delete_outbox_from(conn, n)
        repo.add_outbox_many(conn, [(m - 1, {**moved, "op_id": f"{device_id}:{m - 1}"}) for m, moved in rest])
        repo.set_state(conn, "formed_op", str(int(repo.get_state(conn, "formed_op") or n) - 1))
        _undo_forming(conn, spec, op)
        refusal = Refusal(spec.name, op["key"], str(details.get("field") or ""), str(details.get("reason") or "refused"),
                          label_of(conn, spec.name, op["key"]), op_id)
        _write(conn, [r for r in read(conn) if (r.table, r.key) != (spec.name, op["key"])] + [refusal])
        return refusal

    return db.write(write)


def _undo_forming(conn: Connection, spec: TableSpec, op: Mapping[str, Any]) -> None:
    """The row's shadow and clocks as before the op was formed, and its dirty mark back."""
    fields, base = op.get("fields") or {}, op.get("base") or {}
    names = set(spec.fields(conn))
    if set(fields) == names and all(b is None for b in base.values()):
        repo.set_shadow(conn, spec.name, op["key"], None)     # an insert: the cloud never had the row
        repo.set_clocks(conn, spec.name, op["key"], {}, replace=True)
    else:
        shadow = repo.get_shadow(conn, spec.name, op["key"]) or {}
        # Fields missing from the shadow count as changed: the next forming sends them again.
        repo.set_shadow(conn, spec.name, op["key"], {k: v for k, v in shadow.items() if k not in fields})
        clocks = repo.get_clocks(conn, spec.name, op["key"])
        for name in fields:
            clocks.pop(name, None)
            if base.get(name) is not None:
                clocks[name] = base[name]
        repo.set_clocks(conn, spec.name, op["key"], clocks, replace=True)
    repo.mark_dirty(conn, [(spec.name, op["key"], op["hlc"])])
