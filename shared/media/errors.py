"""Error codes of the media domain."""

from __future__ import annotations

from enum import StrEnum

from shared.errors import VibeshopError


class MediaErrorCode(StrEnum):
    """Why an image was refused."""

    TOO_LARGE = "too_large"
    UNSUPPORTED = "unsupported"
    NOT_FOUND = "not_found"
    INVALID = "invalid"


class MediaError(VibeshopError):
    """A refused image; nothing was stored."""

    def __init__(self, code: MediaErrorCode, message: str):
        super().__init__(code, message)
