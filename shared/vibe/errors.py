"""Error codes and diagnostics of the vibe-block sandbox."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.errors import VibeshopError


class BlockErrorCode(StrEnum):
    """Why a block did not render."""

    INVALID = "invalid"      # refused by the validator (syntax or deny list)
    ERROR = "error"          # threw, or returned something that is not HTML
    TIMEOUT = "timeout"      # the page's time limit ran out while this block ran
    MEMORY = "memory"        # the context's hard memory limit was reached
    OUTPUT = "output"        # the block's (or page's) output was over the size cap


@dataclass(frozen=True)
class Diagnostic:
    """One validator finding, with a 1-based line and column in the block's own source."""

    line: int
    column: int
    message: str

    def format(self, filename: str) -> str:
        """`FILE:LINE:COL: message`, the form editors and CI understand."""
        return f"{filename}:{self.line}:{self.column}: {self.message}"


class BlockError(VibeshopError):
    """A block that cannot be used as given; carries its diagnostics."""

    def __init__(self, code: BlockErrorCode, message: str, diagnostics: tuple[Diagnostic, ...] = ()):
        super().__init__(code, message)
        self.diagnostics = diagnostics
