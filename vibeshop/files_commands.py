"""`vibeshop files export` and `vibeshop files import`: a store as plain files (docs/files.md)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from shared.files import FilesError, Problem, export_store, import_folder
from shared.storefront.errors import StoreError
from shared.storefront.service import DataDir, Store, open_store


def _open(command: str, data: Path, store_slug: str | None) -> Store | None:
    try:
        return open_store(DataDir(data), store_slug)
    except StoreError as exc:
        print(f"vibeshop {command}: {exc}", file=sys.stderr)
        return None


def print_problems(folder: Path, problems: tuple[Problem, ...], *, stream=None) -> None:
    """Each problem as FOLDER/path:line:col: message, a form editors and code assistants jump to."""
    stream = stream or sys.stderr
    for problem in problems:
        print(f"{os.path.join(folder, problem.path)}:{problem.line}:{problem.column}: {problem.message}",
              file=stream)


def export_command(data: Path, folder: Path, store_slug: str | None) -> int:
    """Write the store's theme, pages, templates and blocks into `folder`."""
    store = _open("files export", data, store_slug)
    if store is None:
        return 2
    try:
        result = export_store(store.db, folder)
    except FilesError as exc:
        print(f"vibeshop files export: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    changed = f"{len(result.written)} written" + (f", {len(result.removed)} removed" if result.removed else "")
    print(f"Exported '{store.record.slug}' to {folder}: {result.total} files ({changed})")
    return 0


def import_command(data: Path, folder: Path, store_slug: str | None, *, prune: bool) -> int:
    """Check every file in `folder` and store them all, or print every problem and store nothing (exit 2)."""
    store = _open("files import", data, store_slug)
    if store is None:
        return 2
    try:
        summary = import_folder(store.db, folder, prune=prune)
    except FilesError as exc:
        print_problems(folder, exc.problems)
        print(f"vibeshop files import: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    for warning in summary.warnings:
        print(f"warning: {os.path.join(folder, warning)}", file=sys.stderr)
    print(summary.line())
    return 0
