"""`vibeshop demo`, `vibeshop render` and `vibeshop cloud serve`."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from shared.compose import PREVIEW, PRODUCTION
from shared.compose.stylesheet import current_stylesheet, stylesheet_name
from shared.db.stamps import utc_now
from shared.storefront.addresses import render_address, resolve
from shared.storefront.errors import StoreError
from shared.storefront.service import DataDir, Store, open_store
from shared.vibe.executor import StoreExecutor

if TYPE_CHECKING:
    from shared.demo.till import DemoTill


def render_command(data: Path, store_slug: str | None, path: str, *, preview: bool, drafts: bool) -> int:
    """Print the HTML of a storefront address (the storefront's bytes unless --preview)."""
    try:
        store = open_store(DataDir(data), store_slug)
    except StoreError as exc:
        print(f"vibeshop render: {exc}", file=sys.stderr)
        return 2
    clean, _, query_string = path.partition("?")
    if stylesheet_name(clean) is not None:
        return _print_stylesheet(store, stylesheet_name(clean))
    params = parse_qsl(query_string)
    address = resolve(clean, params, currency=store.storefront().currency, now=utc_now(), drafts=drafts or preview)
    if address.redirect is not None:
        clean, address = address.redirect, resolve(address.redirect, params, currency="", now="")
    executor = StoreExecutor(store.record.id)
    try:
        status, page = render_address(store.db, executor, address, path=clean, query=dict(params),
                                      mode=PREVIEW if preview else PRODUCTION, drafts=drafts or preview)
    finally:
        executor.close()
        store.close()
    if status != 200:
        print(f"vibeshop render: nothing is published at '{path}' (the storefront answers 404)", file=sys.stderr)
        return 1
    sys.stdout.write(page.html)
    for block, result in page.failures:
        print(f"block {block.name} ({block.job.block_id}): {result.error}", file=sys.stderr)
    return 0


def _print_stylesheet(store: Store, name: str) -> int:
    """Print the bytes of /assets/NAME when it is the store's current theme stylesheet (the one the
    pages rendered now link)."""
    try:
        sheet = current_stylesheet(store.db)
    finally:
        store.close()
    if sheet.name != name:
        print(f"vibeshop render: {name} is not the current theme stylesheet ({sheet.name} is)", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(sheet.body)
    return 0


def demo_command(data: Path, *, serve: bool, host: str, port: int, studio: bool) -> int:
    """Seed the demo store (idempotent), then serve it, link the demo's studio (DATA/studio) to it and open
    the studio when a display exists."""
    from shared.demo.seed import seed_demo
    from shared.demo.studio_link import loopback_remote
    from shared.demo.till import open_demo_till

    from vibeshop.demo_payments import connect_demo_store, start_localstripe

    if serve and not 1 <= port <= 65535:
        print(f"vibeshop demo: --port must be between 1 and 65535, not {port}", file=sys.stderr)
        return 2
    if serve and not _port_free(host, port):
        print(f"vibeshop demo: port {port} is in use (another demo still running?); choose another one: "
              f"make demo PORT={port + 10}, or vibeshop demo --port {port + 10}", file=sys.stderr)
        return 2
    result = seed_demo(DataDir(data))
    store = result.store.storefront()
    print(f"{'Created' if result.created else 'Found'} the demo store '{store.name}' in {data}")
    if not serve:
        result.store.close()
        return 0
    shop_url = f"http://demo.localhost:{port}/"
    stripe = start_localstripe()       # test payments: localstripe on loopback, in its own process
    if stripe is not None:
        connect_demo_store(result.store, stripe, shop_url=shop_url)
    till = open_demo_till(DataDir(data), result.store)
    result.store.close()
    _announce_till(till, shop_url)
    remote = loopback_remote(host, port)
    if remote is None:
        print(f"vibeshop demo: the studio is not linked ({host} is not this machine's loopback)", file=sys.stderr)
    else:                              # linked once the server answers, beside it
        display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
        threading.Thread(target=_link_studio, args=(data, remote, studio and display), daemon=True,
                         name="demo-studio-link").start()
    # The demo's outgoing mail stays in the data folder as .eml files, for a newcomer to open.
    options: dict = {"mail_dir": data / "mail"}
    announce = shop_url
    if stripe is not None:
        options["stripe_api"] = stripe.url
        announce = f"{shop_url} (test payments: pay with 4242 4242 4242 4242, any future date and CVC)"
    try:
        return serve_command(data, host=host, port=port, base_domain="localhost", dev_hints=True,
                             announce=announce, options=options)
    finally:
        if stripe is not None:
            stripe.stop()


def _port_free(host: str, port: int) -> bool:
    """Whether nothing listens on host:port: the studio is linked to whatever answers there, so the demo
    starts only when that will be its own server. (Bound as the server binds, with SO_REUSEADDR: a port
    whose last connections are closing counts as free.)"""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError:
        return False
    return True


def _link_studio(data: Path, remote: str, open_it: bool, timeout: float = 300.0) -> None:
    """Once the demo server answers at `remote`: link the demo's studio to it (shared/demo/studio_link.py),
    say how to open it, and open it when `open_it`."""
    import httpx

    from shared.db.errors import DatabaseError
    from shared.demo.seed import DEMO_SLUG
    from shared.demo.studio_link import link_demo_studio
    from shared.errors import VibeshopError

    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{remote}/_health", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            print("vibeshop demo: the studio is not linked (the demo server did not answer)", file=sys.stderr)
            return
        time.sleep(0.1)
    try:
        store = open_store(DataDir(data), DEMO_SLUG)
        try:
            linked = link_demo_studio(DataDir(data), store, remote=remote)
        finally:
            store.close()
    except (VibeshopError, DatabaseError, httpx.HTTPError, OSError) as exc:
        print(f"vibeshop demo: the studio could not be linked to the demo ({exc})", file=sys.stderr, flush=True)
        return
    print(f"Studio: {'still linked' if linked.reused else 'linked'} to this demo as a device of the store "
          f"(its own copy in {_shown_path(linked.folder)}; publish there to change the shop):", flush=True)
    print(f"  {_command_name()} studio --data {_shown_path(linked.folder)}", flush=True)
    if open_it:
        _open_studio(linked.folder)


def _command_name() -> str:
    """How to run `vibeshop` from here: the path of this install's script when it is under this folder."""
    exe = shutil.which("vibeshop") or sys.argv[0]
    return _shown_path(Path(exe)) if os.path.abspath(exe).startswith(os.getcwd() + os.sep) else "vibeshop"


def _shown_path(path: Path) -> str:
    """`path` relative to this folder when it is under it (what a newcomer types), else as it is."""
    inside = os.path.abspath(path).startswith(os.getcwd() + os.sep)
    return os.path.relpath(path) if inside else str(path)


def _announce_till(till: DemoTill, shop_url: str) -> None:
    """How to act as the shop's till against the running demo (`vibeshop pos`, the same till each run)."""
    shown = _command_name()
    remote = shop_url.rstrip("/")
    print(f"POS: the demo's till at {till.location_name} (its token is kept in the data folder for the next run):")
    if till.sku:
        print(f"  open {remote}{till.page} ({till.units} left at {till.location_name}),"
              " then sell them at the till:")
        print(f"  {shown} pos simulate --remote {remote} --token {till.token} --skus {till.sku} --sales-per-second 1")
    print(f"  {shown} pos feed --remote {remote} --token {till.token}")


def _open_studio(data: Path) -> None:
    """Start the studio beside the server, if this install has it."""
    exe = shutil.which("vibeshop") or sys.argv[0]
    try:
        from studio import app as _studio_app  # noqa: F401
    except ImportError:
        return
    subprocess.Popen([exe, "studio", "--data", str(data), "--store", "demo"])  # noqa: S603 - our own command


def _run_worker(data: Path, host: str, port: int, base_domain: str, dev_hints: bool, reuse_port: bool,
                options: dict | None = None) -> None:
    """One worker process: the whole service, on a port it may share with its siblings."""
    from aiohttp import web

    from cloud.server.app import create_app
    from cloud.server.config import ServeConfig

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    access = logging.getLogger("vibeshop.access")      # one JSON object per line, nothing around it
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(message)s"))
    access.addHandler(handler)
    access.propagate = False
    if dev_hints:                                       # `vibeshop demo`: a merchant's terminal, not a log
        access.setLevel(logging.WARNING)
        for chatty in ("httpx", "stripe"):              # every test-payment request is not news
            logging.getLogger(chatty).setLevel(logging.WARNING)
    app = create_app(ServeConfig(data_dir=data, base_domain=base_domain, dev_hints=dev_hints, **(options or {})))
    app.on_startup.append(_exit_on_first_signal)
    web.run_app(app, host=host, port=port, print=None, access_log=None, reuse_port=reuse_port or None,
                handle_signals=False)


async def _exit_on_first_signal(_app) -> None:  # noqa: ANN001 - an aiohttp Application
    """SIGTERM or SIGINT starts the graceful shutdown once; a repeat is ignored. A stop often signals a
    worker twice (systemd's control-group kill or `kill -- -PGID` reach it directly, and the master
    forwards the same signal): aiohttp's own handler raised again in the middle of the shutdown, which
    cancelled the open streams' handlers half-way and logged tracebacks."""
    import asyncio
    import signal

    from aiohttp.web_runner import GracefulExit

    loop = asyncio.get_running_loop()

    def first() -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
            signal.signal(signum, signal.SIG_IGN)
        raise GracefulExit()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, first)


def serve_command(data: Path, *, host: str, port: int, base_domain: str, dev_hints: bool = False,
                  announce: str | None = None, workers: int = 1, options: dict | None = None) -> int:
    """Serve every store under `data` until interrupted, in `workers` processes sharing the port
    (SO_REUSEPORT: the kernel spreads connections; they agree through the databases alone). `options` are
    more ServeConfig fields (mail and Stripe: vibeshop/commerce_commands.py)."""
    import multiprocessing
    import signal

    if host not in ("127.0.0.1", "localhost", "::1") and not os.environ.get("VIBESHOP_ALLOW_PUBLIC_BIND"):
        print("vibeshop: refusing to listen beyond loopback without VIBESHOP_ALLOW_PUBLIC_BIND=1", file=sys.stderr)
        return 2
    if not 1 <= workers <= 64:
        print("vibeshop: --workers must be between 1 and 64", file=sys.stderr)
        return 2
    if not DataDir(data).has_catalog():
        print(f"vibeshop: no stores in {data} yet (try `vibeshop demo --data {data} --no-serve`)", file=sys.stderr)
    print(f"Serving {announce or f'http://{{slug}}.{base_domain}:{port}/'} with {workers} worker"
          f"{'s' if workers > 1 else ''} (Ctrl+C to stop)", flush=True)
    if workers == 1:
        _run_worker(data, host, port, base_domain, dev_hints, False, options)
        return 0
    context = multiprocessing.get_context("spawn")
    procs = [context.Process(target=_run_worker, args=(data, host, port, base_domain, dev_hints, True, options),
                             name=f"vibeshop-worker-{n}") for n in range(workers)]
    for proc in procs:
        proc.start()

    def stop(_signum: int, _frame: object) -> None:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        for proc in procs:
            proc.join()
    except KeyboardInterrupt:
        stop(signal.SIGINT, None)
        for proc in procs:
            proc.join(timeout=10)
    return 0
