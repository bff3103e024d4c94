"""Reading an authoring folder safely: no symbolic links, nothing outside the folder, size caps, UTF-8."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from shared.files.errors import Problem
from shared.files.jsonpos import line_col

MAX_BYTES = {".js": 1024 * 1024, ".json": 2 * 1024 * 1024, ".css": 256 * 1024}


class FolderReader:
    """Reads files under one folder by relative path; every refusal becomes a Problem."""

    def __init__(self, root: Path):
        self.root = root.resolve()

    def kind(self, rel: str) -> str | None:
        """'file', 'dir', 'link' (a symbolic link anywhere on the way) or None when missing."""
        current, mode = self.root, os.lstat(self.root).st_mode
        for part in Path(rel).parts:
            current = current / part
            try:
                mode = os.lstat(current).st_mode
            except FileNotFoundError:
                return None
            if stat.S_ISLNK(mode):
                return "link"
        if stat.S_ISDIR(mode):
            return "dir"
        return "file" if stat.S_ISREG(mode) else "other"

    def list_dirs(self, rel: str) -> list[str]:
        """The names of the entries of a folder, sorted (links included: reading them is refused later)."""
        if self.kind(rel) != "dir":
            return []
        return sorted(entry.name for entry in os.scandir(self.root / rel) if not entry.name.startswith("."))

    def read_text(self, rel: str) -> tuple[str | None, Problem | None]:
        """(text, None), or (None, problem) for a link, a missing or oversized file, or bad UTF-8."""
        kind = self.kind(rel)
        if kind is None:
            return None, Problem(rel, 1, 1, "file not found")
        if kind == "link":
            return None, Problem(rel, 1, 1, "is a symbolic link (or inside one): files must live in the folder itself")
        if kind != "file":
            return None, Problem(rel, 1, 1, "is not a regular file")
        limit = MAX_BYTES.get(Path(rel).suffix, 256 * 1024)
        with open(self.root / rel, "rb") as handle:
            data = handle.read(limit + 1)
        if len(data) > limit:
            return None, Problem(rel, 1, 1, f"file is over {limit // 1024} KB")
        try:
            return data.decode("utf-8"), None
        except UnicodeDecodeError as exc:
            # Report the place of the first bad byte as a text position in what came before it.
            before = data[:exc.start].decode("utf-8", "replace")
            line, column = line_col(before, len(before))
            return None, Problem(rel, line, column, f"is not UTF-8 text (byte 0x{data[exc.start]:02x})")
