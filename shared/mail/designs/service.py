"""The studio's verbs on designs: save a design (the whole arrangement, as the editor holds it), start
one from the default arrangement, and go back to the built-in template."""

from __future__ import annotations

from shared.db import Database
from shared.db.repositories import email_designs as repo
from shared.db.stamps import utc_now
from shared.mail.designs.errors import DesignError, DesignErrorCode
from shared.mail.designs.model import Design, default_design, design_from_row
from shared.sync.errors import RowRefused


def save_design(db: Database, design: Design) -> Design:
    """Store `design` for its kind (replacing the one before). Raises DesignError(INVALID) with the
    rule's reason for blocks or settings the table rules refuse (bad code, unknown setting...)."""
    default_design(design.kind)                   # UNKNOWN_KIND for another name
    now = utc_now()

    def write(conn) -> None:                      # noqa: ANN001 - a Connection
        row = {**design.to_row(), "updated_at": now}
        if repo.get_design(conn, design.kind) is None:
            row["created_at"] = now
        repo.put_design(conn, row)
    try:
        db.write(write)
    except RowRefused as exc:
        raise DesignError(DesignErrorCode.INVALID, str(exc)) from exc
    return design


def stored_design(db: Database, kind: str) -> Design | None:
    """The stored design of `kind` (enabled or not), or None."""
    row = db.read(lambda conn: repo.get_design(conn, kind))
    return None if row is None else design_from_row(row)


def customise(db: Database, kind: str) -> Design:
    """The stored design of `kind`, storing the default arrangement first when there is none."""
    return stored_design(db, kind) or save_design(db, default_design(kind))


def reset_design(db: Database, kind: str) -> bool:
    """Forget the design of `kind`: the built-in template is sent again. True when there was one."""
    default_design(kind)
    return db.write(lambda conn: repo.delete_design(conn, kind))
