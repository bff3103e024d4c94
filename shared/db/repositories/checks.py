"""The table rules (shared/sync/rules.py) as the repositories call them before writing a synced table.

The rules gather checks from the domains (pages, posts, themes, blocks through V8), and those import
repositories: the rules are imported at the first write, not when a repository is."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.db.database import Connection


def check_write(conn: Connection, table: str, fields: Mapping[str, Any], *, key: Any, new: bool = False) -> None:
    """Raise RowRefused (code "refused") unless the table rules take `fields` (stored form) written
    into row `key` (`new`: an insert of the whole row). See shared.sync.rules.check_write."""
    from shared.sync.rules import check_write as check

    check(conn, table, fields, key=key, new=new)
