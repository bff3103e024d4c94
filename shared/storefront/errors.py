"""Error codes of the storefront domain."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.errors import VibeshopError


class StoreErrorCode(StrEnum):
    """Why a storefront operation was refused."""

    INVALID = "invalid"
    DUPLICATE = "duplicate"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class FieldError:
    """One problem with one field, named as the caller named it."""

    field: str
    message: str


class StoreError(VibeshopError):
    """A refused storefront operation; `errors` lists every bad field (one entry per field)."""

    def __init__(self, code: StoreErrorCode, message: str, errors: tuple[FieldError, ...] = ()):
        super().__init__(code, message)
        self.errors = errors
