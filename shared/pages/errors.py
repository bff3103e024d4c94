"""Error codes of the pages domain."""

from __future__ import annotations

from enum import StrEnum

from shared.errors import VibeshopError
from shared.vibe.errors import Diagnostic


class PageErrorCode(StrEnum):
    """Why a page or block operation was refused."""

    NOT_FOUND = "not_found"
    INVALID = "invalid"
    DUPLICATE_SLUG = "duplicate_slug"
    INVALID_CODE = "invalid_code"
    PROTECTED = "protected"


class PageError(VibeshopError):
    """A refused page/block operation; nothing was stored. `field` names the offending input."""

    def __init__(self, code: PageErrorCode, message: str, *, field: str | None = None,
                 diagnostics: tuple[Diagnostic, ...] = ()):
        super().__init__(code, message)
        self.field = field
        self.diagnostics = diagnostics
