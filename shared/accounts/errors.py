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


class AuthError(VibeshopError):
    """A refused credential or account change."""

    def __init__(self, code: AuthErrorCode, message: str):
        super().__init__(code, message)
