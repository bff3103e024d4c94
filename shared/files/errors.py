"""Error codes of the files domain: problems found in an authoring folder, each at a file position."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from shared.errors import VibeshopError


class FilesErrorCode(StrEnum):
    """Why an export or import was refused."""

    INVALID = "invalid"            # the folder has problems; nothing was stored
    NOT_A_FOLDER = "not_a_folder"  # the path is missing or not a directory
    NOT_EMPTY = "not_empty"        # export into a folder that holds something other than an export


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one file; `path` is relative to the folder, line and column are 1-based."""

    path: str
    line: int
    column: int
    message: str

    def format(self) -> str:
        """`path:line:col: message`, the form editors and code assistants jump to."""
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class FilesError(VibeshopError):
    """A refused export or import. `problems` lists every problem found (for an import, all of them)."""

    def __init__(self, code: FilesErrorCode, message: str, problems: tuple[Problem, ...] = ()):
        super().__init__(code, message)
        self.problems = problems
