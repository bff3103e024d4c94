"""Error codes of the e-mail designs."""

from __future__ import annotations

from enum import StrEnum

from shared.errors import VibeshopError


class DesignErrorCode(StrEnum):
    """Why a design could not be stored or rendered."""

    UNKNOWN_KIND = "unknown_kind"      # not a message kind (KINDS)
    INVALID = "invalid"                # a block list, block or setting the rules refuse
    BLOCK_FAILED = "block_failed"      # a block threw, ran too long, used too much memory or output


class DesignError(VibeshopError):
    """A design refused or failed, with its code; `failures` lists each failed block as
    (position, block kind, sandbox error code, message)."""

    def __init__(self, code: DesignErrorCode, message: str,
                 failures: tuple[tuple[int, str, str, str], ...] = ()):
        super().__init__(code, message)
        self.failures = failures
