"""`vibeshop block check` and `vibeshop block render`: for merchants who write blocks in their own editor."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from shared.compose.schema import setting_specs, with_defaults
from shared.vibe.executor import BlockJob, PageData, StoreExecutor
from shared.vibe.validator import check_block

MAX_FILE_BYTES = 256 * 1024


def _read(path: str) -> str:
    """A block file's text; raises OSError/UnicodeError with a message naming the problem."""
    file = Path(path)
    if file.stat().st_size > MAX_FILE_BYTES:
        raise OSError(f"file is over {MAX_FILE_BYTES // 1024} KB")
    return file.read_text(encoding="utf-8")


def check_files(files: Sequence[str]) -> int:
    """Print `FILE:LINE:COL: message` for every problem; 0 when all files are fine, else 1."""
    status = 0
    for path in files:
        try:
            source = _read(path)
        except (OSError, UnicodeError) as exc:
            print(f"{path}:1:1: cannot read: {exc}", file=sys.stdout)
            status = 1
            continue
        for diagnostic in check_block(source).diagnostics:
            print(diagnostic.format(path))
            status = 1
    return status


_OBJECT_KEYS = ("storefront", "page", "request", "cart", "nav", "theme", "settings", "blocks", "env")
_LIST_KEYS = ("products", "collections", "posts")


def _load_ctx(path: str | None) -> dict[str, Any]:
    """The context file, checked: raises ValueError naming every key of the wrong shape."""
    if path is None:
        return {}
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("the context file must hold a JSON object")
    problems = [f'"{key}" must be an object' for key in _OBJECT_KEYS
                if key in data and not isinstance(data[key], dict)]
    problems += [f'"{key}" must be a list of objects' for key in _LIST_KEYS
                 if key in data and not (isinstance(data[key], list) and all(isinstance(x, dict) for x in data[key]))]
    if isinstance(data.get("blocks"), dict):
        problems += [f'"blocks.{name}" must be an object' for name, value in data["blocks"].items()
                     if not isinstance(value, dict)]
    if problems:
        raise ValueError("; ".join(problems))
    return data


_SHARED_KEYS = ("storefront", "page", "request", "cart", "nav", "theme")
_DEFAULT_SHARED = {
    "storefront": {"name": "My store", "slug": "my-store", "currency": "USD", "locale": "en-US", "social": {}},
    "page": {"id": "page", "slug": "home", "title": "Home", "path": "/"},
    "request": {"path": "/", "query": {}},
    "cart": {"count": 0, "items": [], "subtotal": {"amount": 0, "currency": "USD"}},
    "nav": {"main": [], "footer": []},
    "theme": {"header": "left", "footer": "columns", "max_width": 1200},
}


def render_files(files: Sequence[str], ctx_path: str | None) -> int:
    """Render the files as ONE page in one call; print each block's HTML in order. Failures go to
    stderr as `FILE: reason` and make the status 1; the other blocks are still printed."""
    try:
        ctx = _load_ctx(ctx_path)
    except (OSError, ValueError) as exc:
        print(f"{ctx_path}: cannot use the context file: {exc}", file=sys.stderr)
        return 2
    shared = {key: ctx.get(key, _DEFAULT_SHARED[key]) for key in _SHARED_KEYS}
    store = shared["storefront"] if isinstance(shared["storefront"], Mapping) else {}
    env = {"locale": store.get("locale", "en-US"), "currency": store.get("currency", "USD"),
           "mediaBase": ctx.get("media_base", ""), **(ctx.get("env") or {})}
    by_id = {str(p.get("id", f"product-{i}")): p for i, p in enumerate(ctx.get("products", []))}
    per_file = ctx.get("blocks", {})

    jobs: list[BlockJob | None] = []
    failures: dict[int, str] = {}
    for index, path in enumerate(files):
        try:
            source = _read(path)
        except (OSError, UnicodeError) as exc:
            failures[index] = f"cannot read: {exc}"
            jobs.append(None)
            continue
        schema = check_block(source).schema
        given = {**(ctx.get("settings") or {}), **(per_file.get(Path(path).name) or {})}
        known = setting_specs(schema)
        settings = with_defaults(schema, {k: v for k, v in given.items() if not known or k in known})
        jobs.append(BlockJob(block_id=f"block-{index + 1}", kind=Path(path).stem, code=source, settings=settings,
                             product_ids=tuple(by_id), collections=tuple(ctx.get("collections", [])),
                             posts=tuple(ctx.get("posts", []))))
    runnable = [job for job in jobs if job is not None]
    # Each failure is reported once, as `FILE: reason`; the sandbox's own log lines would repeat it.
    logging.getLogger("shared.vibe").setLevel(logging.ERROR)
    executor = StoreExecutor("cli")
    try:
        results = iter(executor.render_page(runnable, PageData(env=env, shared=shared, products=by_id)))
    finally:
        executor.close()
    status = 0
    for index, (path, job) in enumerate(zip(files, jobs, strict=True)):
        if job is None:
            print(f"{path}: {failures[index]}", file=sys.stderr)
            status = 1
            continue
        result = next(results)
        if result.ok:
            print(result.html)
        else:
            print(f"{path}: {result.error}", file=sys.stderr)
            status = 1
    return status
