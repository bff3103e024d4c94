"""Helpers for the files tests: the console script, and a fingerprint of everything an import may touch."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from shared.db import Connection, Database
from shared.db.repositories import content
from shared.db.repositories import pages as page_repo
from support import VIBESHOP


def vibeshop(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run the installed console script."""
    return subprocess.run([VIBESHOP, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False)


def fingerprint(db: Database) -> tuple[Any, ...]:
    """Every page, template, block (with updated_at), revision and the theme: equal means nothing changed."""
    def read(conn: Connection) -> tuple[Any, ...]:
        pages = page_repo.list_pages(conn) + page_repo.list_templates(conn)
        blocks = [b for p in pages for b in page_repo.list_blocks(conn, p.id)]
        revisions = [r for b in blocks for r in page_repo.list_revisions(conn, b.id)]
        return tuple(pages), tuple(blocks), tuple(revisions), content.get_active_theme(conn)
    return db.read(read)


def read_json(path: Path) -> dict[str, Any]:
    """A JSON file's value."""
    return json.loads(path.read_text(encoding="utf-8"))


def write_json(path: Path, value: Any) -> None:
    """Write JSON as the export does (two-space indent, trailing newline)."""
    path.write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
