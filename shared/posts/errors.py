"""Error codes of the posts domain."""

from __future__ import annotations

from enum import StrEnum


class PostErrorCode(StrEnum):
    """Why a post operation was refused."""

    NOT_FOUND = "not_found"
    INVALID = "invalid"
    DUPLICATE_SLUG = "duplicate_slug"
    TOO_LARGE = "too_large"


# A ValueError so that every caller that already treats ValueError as "refused input" (the studio
# session's REFUSALS among them) reports it to the merchant instead of crashing.
class PostError(ValueError):
    """A refused post operation; nothing was stored. `field` names the offending input."""

    def __init__(self, code: PostErrorCode, message: str, *, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.field = field
