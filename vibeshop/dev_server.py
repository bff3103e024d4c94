"""`vibeshop dev`: watch an authoring folder, import each change, and serve a live-reloading preview.

Like `shopify theme dev`, but offline: the preview is the storefront's own renderer in preview mode
(drafts shown, a failing block as an error box), plus two dev-only additions injected before
</body>: a script that reloads the page when the folder changes, and an overlay listing the
problems of the last failed import (the preview then keeps showing the last good state).
"""

from __future__ import annotations

import asyncio
import html
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl

import watchfiles
from aiohttp import web

from shared.compose import PREVIEW
from shared.compose.scripts import script_named
from shared.compose.stylesheet import current_stylesheet
from shared.db.stamps import utc_now
from shared.files import FilesError, Problem, export_store, import_folder
from shared.media.names import is_rendition_name
from shared.storefront.addresses import render_address, resolve
from shared.storefront.service import Store
from shared.vibe.executor import StoreExecutor

KEEPALIVE_SECONDS = 15.0


@dataclass
class DevState:
    """The folder's last import: a version that moves on every change, and its problems if it failed."""

    version: int = 0
    problems: tuple[Problem, ...] = ()
    listeners: set[asyncio.Queue] = field(default_factory=set)

    def publish(self, problems: tuple[Problem, ...]) -> None:
        """Record a new state and tell every open event stream."""
        self.version += 1
        self.problems = problems
        for queue in self.listeners:
            queue.put_nowait(self.version)


STORE = web.AppKey("store", Store)
FOLDER = web.AppKey("folder", Path)
PRUNE = web.AppKey("prune", bool)
STATE = web.AppKey("state", DevState)
EXECUTOR = web.AppKey("executor", StoreExecutor)
LOCK = web.AppKey("lock", asyncio.Lock)


def import_once(store: Store, folder: Path, *, prune: bool) -> tuple[bool, tuple[Problem, ...], str]:
    """(changed, problems, one-line report) for one import of the folder."""
    try:
        summary = import_folder(store.db, folder, prune=prune)
    except FilesError as exc:
        return False, exc.problems, str(exc)
    return summary.changed, (), summary.line()


def _script(version: int) -> str:
    return ("<script>/* vibeshop dev: live reload (never on the storefront) */(function(){"
            f"var v={version},s=new EventSource('/_dev/events');"
            "s.addEventListener('version',function(e){if(Number(e.data)!==v){s.close();location.reload();}});"
            "})();</script>")


def _overlay(problems: tuple[Problem, ...]) -> str:
    items = "\n".join(html.escape(p.format()) for p in problems)
    return ('<div id="vibeshop-dev-overlay" role="alert" style="position:fixed;inset:auto 0 0 0;z-index:2147483647;'
            'max-height:60vh;overflow:auto;margin:0;padding:16px 20px;background:#2b0b0b;color:#ffd7d7;'
            'font:14px/1.5 ui-monospace,monospace;border-top:4px solid #ff5c5c">'
            '<strong>Import failed: nothing was stored, this is the last good version.</strong>'
            f'<pre style="white-space:pre-wrap;margin:8px 0 0">{items}</pre></div>')


def inject(document: str, state: DevState) -> str:
    """The document with the dev-only overlay (when the last import failed) and reload script."""
    extra = (_overlay(state.problems) if state.problems else "") + _script(state.version)
    at = document.rfind("</body>")
    return document + extra if at < 0 else document[:at] + extra + document[at:]


async def events(request: web.Request) -> web.StreamResponse:
    """GET /_dev/events : server-sent events; `version` on connect and after every import."""
    state = request.app[STATE]
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"})
    await response.prepare(request)
    queue: asyncio.Queue = asyncio.Queue()
    state.listeners.add(queue)
    try:
        await response.write(f"retry: 500\nevent: version\ndata: {state.version}\n\n".encode())
        while True:
            try:
                version = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
            except TimeoutError:
                await response.write(b": keep-alive\n\n")
                continue
            if version is None:                      # the server is stopping
                break
            await response.write(f"event: version\ndata: {version}\n\n".encode())
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        state.listeners.discard(queue)
    return response


async def status(request: web.Request) -> web.StreamResponse:
    """GET /_dev/status : the version and the last import's problems, as JSON."""
    state = request.app[STATE]
    return web.json_response({"version": state.version, "problems": [p.format() for p in state.problems]})


async def media(request: web.Request) -> web.StreamResponse:
    """GET /media/{name} : an image from the data folder's media."""
    name = request.match_info["name"]
    path = request.app[STORE].data_dir.media_dir / name
    if not is_rendition_name(name) or not path.is_file():
        raise web.HTTPNotFound()
    return web.FileResponse(path, headers={"Content-Type": "image/webp", "Cache-Control": "no-cache"})


async def page(request: web.Request) -> web.StreamResponse:
    """GET any storefront address: rendered as the studio previews it, drafts included."""
    app = request.app
    store = app[STORE]
    params = parse_qsl(request.query_string)
    address = resolve(request.path, params, currency=store.storefront().currency, now=utc_now(), drafts=True)
    if address.redirect is not None:
        raise web.HTTPFound(address.redirect)

    def render() -> tuple[int, str]:
        code, rendered = render_address(store.db, app[EXECUTOR], address, path=request.path, query=dict(params),
                                        mode=PREVIEW, drafts=True)
        return code, rendered.html

    async with app[LOCK]:
        code, document = await asyncio.to_thread(render)
    return web.Response(status=code, text=inject(document, app[STATE]), content_type="text/html",
                        headers={"Cache-Control": "no-store"})


async def stylesheet(request: web.Request) -> web.StreamResponse:
    """GET /assets/theme-HASH.css : the theme stylesheet the pages link (the store's current one); and
    /assets/cart-HASH.js and stock-HASH.js, the storefront's scripts the pages load."""
    script = script_named(request.match_info["name"])
    if script is not None:
        return web.Response(body=script.body, content_type="text/javascript", charset="utf-8",
                            headers={"Cache-Control": "public, max-age=31536000, immutable"})
    async with request.app[LOCK]:      # not halfway through an import
        sheet = await asyncio.to_thread(current_stylesheet, request.app[STORE].db)
    if sheet.name != request.match_info["name"]:
        raise web.HTTPNotFound()
    return web.Response(body=sheet.body, content_type="text/css", charset="utf-8",
                        headers={"Cache-Control": "public, max-age=31536000, immutable"})


def _watch_filter(_change: watchfiles.Change, path: str) -> bool:
    # Hidden files are editors' swap files and our own half-written exports.
    return not Path(path).name.startswith(".") and watchfiles.DefaultFilter()(_change, path)


async def _watch(app: web.Application, stop: asyncio.Event) -> None:
    folder, state = app[FOLDER], app[STATE]
    async for _changes in watchfiles.awatch(folder, stop_event=stop, debounce=200, step=50,
                                            watch_filter=_watch_filter):
        async with app[LOCK]:
            changed, problems, report = await asyncio.to_thread(import_once, app[STORE], folder, prune=app[PRUNE])
        for problem in problems:
            print(f"{folder / problem.path}:{problem.line}:{problem.column}: {problem.message}", file=sys.stderr)
        print(report, flush=True)
        if changed or problems or state.problems:
            state.publish(problems)


async def _resources(app: web.Application) -> AsyncIterator[None]:
    app[EXECUTOR] = StoreExecutor(app[STORE].record.id)
    stop = asyncio.Event()
    watcher = asyncio.create_task(_watch(app, stop))
    yield
    stop.set()
    try:
        await asyncio.wait_for(watcher, 5)
    except (TimeoutError, asyncio.CancelledError):
        watcher.cancel()
    app[EXECUTOR].close()


async def _end_streams(app: web.Application) -> None:
    for queue in list(app[STATE].listeners):
        queue.put_nowait(None)


def create_dev_app(*, store: Store, folder: Path, prune: bool = False, state: DevState | None = None) -> web.Application:
    """The preview app: every storefront address, /media, /assets (the theme stylesheet) and
    /_dev/events; watches `folder` while it runs."""
    app = web.Application()
    app[STORE], app[FOLDER], app[PRUNE] = store, folder, prune
    app[STATE] = state or DevState()
    app[LOCK] = asyncio.Lock()
    app.cleanup_ctx.append(_resources)
    app.on_shutdown.append(_end_streams)
    app.router.add_get("/_dev/events", events)
    app.router.add_get("/_dev/status", status)
    app.router.add_get("/media/{name}", media)
    app.router.add_get("/assets/{name}", stylesheet)
    app.router.add_get("/{tail:.*}", page)
    return app


def prepare_folder(store: Store, folder: Path, *, prune: bool) -> DevState:
    """Export into an empty (or missing) folder; otherwise import it once. The first state to serve."""
    state = DevState()
    if not folder.exists() or not any(folder.iterdir()):
        result = export_store(store.db, folder)
        print(f"Exported '{store.record.slug}' to {folder} ({result.total} files)", flush=True)
        return state
    _changed, problems, report = import_once(store, folder, prune=prune)
    for problem in problems:
        print(f"{folder / problem.path}:{problem.line}:{problem.column}: {problem.message}", file=sys.stderr)
    print(report, flush=True)
    state.problems = problems
    return state


async def serve(app: web.Application, *, host: str, port: int, folder: Path) -> None:
    """Serve until SIGINT or SIGTERM; prints the address (the real port when `port` is 0)."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    bound = runner.addresses[0][1]
    print(f"Previewing on http://{host}:{bound}/ , watching {folder} (Ctrl+C to stop)", flush=True)
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    try:
        await stopped.wait()
    finally:
        await runner.cleanup()


def dev_command(data: Path, folder: Path, store_slug: str | None, *, host: str, port: int, prune: bool) -> int:
    """`vibeshop dev`: prepare the folder, then watch and serve until interrupted."""
    from shared.storefront.errors import StoreError
    from shared.storefront.service import DataDir, open_store

    if host not in ("127.0.0.1", "localhost", "::1"):
        print("vibeshop dev: the preview only listens on loopback (127.0.0.1, localhost or ::1)", file=sys.stderr)
        return 2
    try:
        store = open_store(DataDir(data), store_slug)
    except StoreError as exc:
        print(f"vibeshop dev: {exc}", file=sys.stderr)
        return 2
    try:
        state = prepare_folder(store, folder, prune=prune)
        app = create_dev_app(store=store, folder=folder, prune=prune, state=state)
        asyncio.run(serve(app, host=host, port=port, folder=folder))
    except FilesError as exc:
        print(f"vibeshop dev: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()
    return 0


__all__ = ["DevState", "create_dev_app", "dev_command", "inject"]
