"""Unsaved editor text: what the studio's code editor holds that is not a saved revision yet (code
that does not validate, or the last keystrokes before the app was killed). Written on every change,
so nothing typed is lost; dropped once the code is saved."""

from __future__ import annotations

from shared.db import Database
from shared.db.repositories import drafts as repo
from shared.db.stamps import utc_now

MAX_DRAFT = 512 * 1024


def _key(block_id: str) -> str:
    return f"block-code:{block_id}"


def keep_code_draft(db: Database, *, block_id: str, code: str) -> None:
    """Remember what is typed in a block's editor (bounded, like block code)."""
    db.write(lambda conn: repo.put_draft(conn, _key(block_id), code[:MAX_DRAFT], utc_now()))


def code_draft(db: Database, *, block_id: str) -> str | None:
    """The unsaved code typed for a block, if any."""
    return db.read(lambda conn: repo.get_draft(conn, _key(block_id)))


def drop_code_draft(db: Database, *, block_id: str) -> None:
    """Forget a block's unsaved code (it was saved, or the merchant threw it away)."""
    db.write(lambda conn: repo.delete_draft(conn, _key(block_id)))
