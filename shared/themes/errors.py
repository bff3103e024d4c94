"""Error codes of the themes domain."""

from __future__ import annotations

from enum import StrEnum

from shared.errors import VibeshopError


class ThemeErrorCode(StrEnum):
    """Why a theme change was refused."""

    INVALID = "invalid"
    NOT_FOUND = "not_found"


class ThemeError(VibeshopError):
    """A refused theme change; nothing was stored. `errors` lists (field, message) pairs."""

    def __init__(self, code: ThemeErrorCode, message: str, errors: tuple[tuple[str, str], ...] = ()):
        super().__init__(code, message)
        self.errors = errors
