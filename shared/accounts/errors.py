"""Error codes of the accounts domain."""

from __future__ import annotations

from enum import StrEnum

from shared.errors import VibeshopError


class AuthErrorCode(StrEnum):
    """Why a credential was refused."""

    INVALID = "invalid"            # malformed input
    UNAUTHORIZED = "unauthorized"  # unknown, wrong or revoked credential
    FORBIDDEN = "forbidden"        # a valid credential without the scope or the store
    DUPLICATE = "duplicate"
    NOT_FOUND = "not_found"        # no such token (of this store, of this kind)
    ALREADY_REVOKED = "already_revoked"


class AuthError(VibeshopError):
    """A refused credential or account change."""

    def __init__(self, code: AuthErrorCode, message: str, *, field: str | None = None):
        super().__init__(code, message)
        self.field = field             # the input it is about (a POS device's `location`, `name`)
