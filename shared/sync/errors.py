"""Errors of the sync core, each with a code the HTTP layer maps to an answer (docs/sync-protocol.md)."""

from __future__ import annotations

from typing import Any

from shared.errors import VibeshopError

# Codes: "gap" (409, details: expected), "op" (400, details: op_id), "device" (unknown or wrong
# device), "not_found" (a conflict or row that does not exist), "invalid" (bad arguments).


class SyncError(VibeshopError):
    """A sync request or step refused; nothing it would have written was written."""

    def __init__(self, code: str, message: str, **details: Any):
        super().__init__(code, message)
        self.message = message
        self.details = details

    def to_json(self) -> dict[str, Any]:
        """The protocol's error body: {"error": code, "message": text, ...details}."""
        return {"error": self.code, "message": self.message, **self.details}
