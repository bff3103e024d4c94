"""Errors of the sync core, each with a code the HTTP layer maps to an answer (docs/sync-protocol.md)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.errors import VibeshopError

# Codes: "gap" (409, details: expected), "op" (400, details: op_id), "device" (unknown or wrong
# device), "not_found" (a conflict or row that does not exist), "invalid" (bad arguments), "refused"
# (422: values the table's rules refuse, RowRefused).


class SyncError(VibeshopError):
    """A sync request or step refused; nothing it would have written was written."""

    def __init__(self, code: str, message: str, **details: Any):
        super().__init__(code, message)
        self.message = message
        self.details = details

    def to_json(self) -> dict[str, Any]:
        """The protocol's error body: {"error": code, "message": text, ...details}."""
        return {"error": self.code, "message": self.message, **self.details}


class RowRefused(SyncError):
    """Values a synced table does not take (shared/sync/rules.py); nothing of them was stored.

    Code "refused" (HTTP 422). Details: table, key, field and reason of the first problem, every
    problem as errors=[{field, reason}], and op_id when the values came in an op."""

    def __init__(self, table: str, key: Any, errors: Sequence[Any], *, op_id: str | None = None):
        first = errors[0]
        shown = str(key)[:100]
        where = f"op {op_id} ({table} {shown})" if op_id else f"{table} {shown}"
        super().__init__("refused", f"{where} refused: {first.field} {first.message}",
                         **({"op_id": op_id} if op_id else {}), table=table, key=shown, field=first.field,
                         reason=first.message, errors=[{"field": e.field, "reason": e.message} for e in errors])
        self.errors = tuple(errors)
