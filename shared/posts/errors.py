"""Error codes of the posts domain."""

from __future__ import annotations

from enum import StrEnum

from shared.errors import VibeshopError


class PostErrorCode(StrEnum):
    """Why a post operation was refused."""

    NOT_FOUND = "not_found"
    INVALID = "invalid"
    DUPLICATE_SLUG = "duplicate_slug"
    TOO_LARGE = "too_large"


class PostError(VibeshopError):
    """A refused post operation; nothing was stored. `field` names the offending input."""

    def __init__(self, code: PostErrorCode, message: str, *, field: str | None = None):
        super().__init__(code, message)
        self.field = field
