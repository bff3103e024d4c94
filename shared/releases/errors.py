"""Error codes of the releases domain."""

from __future__ import annotations

from enum import StrEnum

from shared.errors import VibeshopError


class ReleaseErrorCode(StrEnum):
    """Why a publish or rollback was refused."""

    INVALID = "invalid"                    # bad input (device id, note)
    NOT_FOUND = "not_found"                # no release with that number
    BROKEN_SNAPSHOT = "broken_snapshot"    # rows that do not hold together (a block whose page is missing)
    SCHEMA_MISMATCH = "schema_mismatch"    # the snapshot's columns do not fit the live database
    REFUSED = "refused"                    # the live database refused a row (a CHECK or UNIQUE constraint)
    CORRUPT = "corrupt"                    # a stored snapshot that does not match its checksum


class ReleaseError(VibeshopError):
    """A refused publish or rollback; the live database was not changed. `problems` names each bad row."""

    def __init__(self, code: ReleaseErrorCode, message: str, *, problems: tuple[str, ...] = ()):
        super().__init__(code, message)
        self.problems = problems
