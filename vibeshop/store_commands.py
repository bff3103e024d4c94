"""`vibeshop demo`, `vibeshop render` and `vibeshop cloud serve`."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from shared.compose import PREVIEW, PRODUCTION, PageNotFound, render_page
from shared.storefront.errors import StoreError
from shared.storefront.service import DataDir, open_store
from shared.vibe.executor import StoreExecutor


def page_slug_for(path: str) -> str | None:
    """'/' -> 'home', '/pages/about' -> 'about'; None for paths that are not pages."""
    clean = path.split("?", 1)[0].rstrip("/") or "/"
    if clean == "/":
        return "home"
    if clean.startswith("/pages/") and clean.count("/") == 2:
        return clean[len("/pages/"):]
    return None


def render_command(data: Path, store_slug: str | None, path: str, *, preview: bool, drafts: bool) -> int:
    """Print a page's HTML (the storefront's bytes unless --preview)."""
    slug = page_slug_for(path)
    if slug is None:
        print(f"vibeshop render: '{path}' is not a page address (use / or /pages/SLUG)", file=sys.stderr)
        return 2
    try:
        store = open_store(DataDir(data), store_slug)
    except StoreError as exc:
        print(f"vibeshop render: {exc}", file=sys.stderr)
        return 2
    executor = StoreExecutor(store.record.id)
    try:
        page = render_page(store.db, executor=executor, slug=slug, mode=PREVIEW if preview else PRODUCTION,
                           drafts=drafts or preview, path=path)
    except PageNotFound:
        print(f"vibeshop render: no published page at '{path}'", file=sys.stderr)
        return 1
    finally:
        executor.close()
        store.close()
    sys.stdout.write(page.html)
    for block, result in page.failures:
        print(f"block {block.name} ({block.job.block_id}): {result.error}", file=sys.stderr)
    return 0


def demo_command(data: Path, *, serve: bool, host: str, port: int, studio: bool) -> int:
    """Seed the demo store (idempotent), then serve it and open the studio when a display exists."""
    from shared.demo.seed import seed_demo

    result = seed_demo(DataDir(data))
    store = result.store.storefront()
    print(f"{'Created' if result.created else 'Found'} the demo store '{store.name}' in {data}")
    result.store.close()
    if not serve:
        return 0
    if studio and (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        _open_studio(data)
    return serve_command(data, host=host, port=port, base_domain="localhost", dev_hints=True,
                         announce=f"http://demo.localhost:{port}/")


def _open_studio(data: Path) -> None:
    """Start the studio beside the server, if this install has it."""
    exe = shutil.which("vibeshop") or sys.argv[0]
    try:
        from studio import app as _studio_app  # noqa: F401
    except ImportError:
        return
    subprocess.Popen([exe, "studio", "--data", str(data)])  # noqa: S603 - our own command


def serve_command(data: Path, *, host: str, port: int, base_domain: str, dev_hints: bool = False,
                  announce: str | None = None) -> int:
    """Serve every store under `data` until interrupted."""
    from aiohttp import web

    from cloud.server.app import create_app
    from cloud.server.config import ServeConfig

    if host not in ("127.0.0.1", "localhost", "::1") and not os.environ.get("VIBESHOP_ALLOW_PUBLIC_BIND"):
        print("vibeshop: refusing to listen beyond loopback without VIBESHOP_ALLOW_PUBLIC_BIND=1", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app(ServeConfig(data_dir=data, base_domain=base_domain, dev_hints=dev_hints))
    print(f"Serving {announce or f'http://{{slug}}.{base_domain}:{port}/'} (Ctrl+C to stop)", flush=True)
    web.run_app(app, host=host, port=port, print=None, access_log=None)
    return 0
