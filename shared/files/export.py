"""Export: a store's theme, pages and templates as the files of an authoring folder (docs/files.md)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shared.compose.registry import builtin_kinds
from shared.compose.templates import DEFAULTS, default_template
from shared.db import Connection, Database
from shared.db.repositories import content
from shared.db.repositories import pages as page_repo
from shared.files import layout
from shared.files.checkout_file import CHECKOUT_JSON, checkout_file
from shared.files.errors import FilesError, FilesErrorCode, Problem
from shared.files.jsonpos import dump
from shared.files.reader import FolderReader
from shared.models import Block, Page
from shared.pages.errors import PageError
from shared.pages.service import CUSTOM, block_source, check_slug, slugify
from shared.vibe.validator import check_block


@dataclass(frozen=True)
class ExportResult:
    """What an export did: files written (new or changed), stale files removed, files in the export."""

    written: tuple[str, ...]
    removed: tuple[str, ...]
    total: int


def _block_name(block: Block) -> str:
    """A block file's name from its kind or its schema's name: never the stored kind itself unless it
    is a built-in kind (a database may hold any text there)."""
    if block.kind in builtin_kinds():
        return block.kind
    name = check_block(block_source(block)).schema.get("name") if block.code is not None else None
    return slugify(name) if isinstance(name, str) and name.strip() else CUSTOM


def _blocks(files: dict[str, str], folder: str, blocks: list[Block], problems: list[Problem]) -> list[dict[str, Any]]:
    entries = []
    for position, block in enumerate(blocks):
        if block.code is None and block.kind not in builtin_kinds():
            problems.append(Problem(f"{folder}/", 1, 1, f"block {block.id} has the kind {block.kind[:100]!r}, "
                                    "which is no block kind, and no code of its own"))
            continue
        name = layout.block_file_name(position, _block_name(block))
        files[f"{folder}/{name}"] = block_source(block)
        entries.append({"id": block.id, "file": name, "kind": block.kind, "hidden": block.hidden,
                        "settings": block.settings})
    return entries


def _page_json(page: Page, entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": page.id, "title": page.title, "status": page.status,
            "seo": {"title": page.seo_title, "description": page.seo_description,
                    "canonical_url": page.canonical_url, "social_image_id": page.social_image_id,
                    "noindex": page.noindex},
            "blocks": entries}


def _page_folder(page: Page, problems: list[Problem]) -> str | None:
    """A page's folder, from its address only when that is a valid page address."""
    try:
        return layout.page_dir(check_slug(page.slug))
    except PageError:
        problems.append(Problem(f"{layout.PAGES}/", 1, 1, f"page {page.id} has the address {page.slug[:100]!r}, "
                                "which is not a page address; change it in the studio first"))
        return None


def store_files(conn: Connection) -> dict[str, str]:
    """Every file of the store's authoring folder: relative path -> text.

    Raises FilesError(INVALID) naming every page whose stored address is no valid address (a
    database edited by hand): its folder would be written somewhere else, or not at all."""
    files: dict[str, str] = {layout.README: layout.README_TEXT}
    problems: list[Problem] = []
    theme = content.get_active_theme(conn)
    if theme is not None:
        files[layout.THEME_JSON] = dump({"preset": theme.preset, "settings": theme.settings})
        files[layout.CUSTOM_CSS] = theme.custom_css
    files[CHECKOUT_JSON] = checkout_file(conn)
    for page in page_repo.list_pages(conn):
        folder = _page_folder(page, problems)
        if folder is None:
            continue
        entries = _blocks(files, folder, page_repo.list_blocks(conn, page.id), problems)
        files[f"{folder}/{layout.PAGE_JSON}"] = dump(_page_json(page, entries))
    for template in DEFAULTS:
        folder = layout.template_dir(template)
        stored = page_repo.get_template_page(conn, template)
        if stored is not None:
            page, blocks = stored, page_repo.list_blocks(conn, stored.id)
        else:
            page, defaults = default_template(template)
            blocks = [Block(layout.derived_id(folder, layout.block_file_name(b.position, b.kind)), page.id, b.kind,
                            None, b.settings, b.position) for b in defaults]
        entries = _blocks(files, folder, blocks, problems)
        files[f"{folder}/{layout.PAGE_JSON}"] = dump({"title": page.title, "blocks": entries})
    if problems:
        raise FilesError(FilesErrorCode.INVALID, f"{len(problems)} stored value(s) cannot be file names; "
                         "nothing was written", tuple(problems))
    return files


def _is_export(reader: FolderReader) -> bool:
    names = reader.list_dirs("")
    return not names or reader.kind(layout.THEME_JSON) == "file" or reader.kind(layout.PAGES) == "dir"


def _managed(rel: str) -> bool:
    """Files an export owns (and may delete when their page or block is gone)."""
    parts = rel.split("/")
    return len(parts) == 3 and parts[0] in (layout.PAGES, layout.TEMPLATES) and (
        parts[2] == layout.PAGE_JSON or parts[2].endswith(".js"))


def _write(path: Path, text: str) -> None:
    # Written whole and renamed into place, so a watcher never imports half a file.
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".vibeshop-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
        handle.write(text)
    os.replace(tmp, path)


def write_folder(folder: Path, files: dict[str, str]) -> ExportResult:
    """Make `folder` hold `files`: write what differs, remove stale page and block files, leave other
    files alone. Raises FilesError(NOT_EMPTY) for a folder that holds something other than an export,
    and FilesError(INVALID) when a path on the way is a symbolic link."""
    folder.mkdir(parents=True, exist_ok=True)
    reader = FolderReader(folder)
    if not _is_export(reader):
        raise FilesError(FilesErrorCode.NOT_EMPTY, f"{folder} is not empty and does not hold a store export")
    existing = {str(p.relative_to(reader.root).as_posix()) for p in reader.root.rglob("*")
                if p.is_file() and not p.is_symlink()}
    for rel in files:
        layout.inside(reader.root, rel)      # every path checked before the first write
    written = []
    for rel, text in sorted(files.items()):
        if reader.kind(rel) == "link":
            raise FilesError(FilesErrorCode.INVALID, f"{rel} is a symbolic link; not writing through it")
        target = reader.root / rel
        if rel in existing and target.read_bytes() == text.encode("utf-8"):
            continue
        _write(target, text)
        written.append(rel)
    removed = sorted(rel for rel in existing if _managed(rel) and rel not in files)
    for rel in removed:
        (reader.root / rel).unlink()
    for base in (layout.PAGES, layout.TEMPLATES):
        for name in reader.list_dirs(base):
            path = reader.root / base / name
            if reader.kind(f"{base}/{name}") == "dir" and not any(path.iterdir()):
                path.rmdir()
    return ExportResult(tuple(written), tuple(removed), len(files))


def export_store(db: Database, folder: Path) -> ExportResult:
    """Write the store's theme, checkout setup, pages and templates into `folder` (see write_folder for what it refuses)."""
    return write_folder(folder, db.read(store_files))
