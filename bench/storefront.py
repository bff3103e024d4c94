"""Storefront figures (the cloud issue): cached home page requests/s against aiohttp's hello world
under the same load tool (wrk), the uncached product page render, and a 50,000-product catalogue's
collection filtering and search."""

from __future__ import annotations

import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from aiohttp import web

from bench.catalog_50k import bench_large_catalog
from bench.timing import median_ms, table
from shared.compose import render_template
from shared.demo.seed import seed_demo
from shared.storefront import routes
from shared.storefront.service import DataDir
from shared.vibe.executor import StoreExecutor

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int, host: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": host})
            urllib.request.urlopen(request, timeout=5).read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on {port} did not start")


def _wrk(port: int, host: str, seconds: int = 5) -> float:
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds}s", "-H", f"Host: {host}", f"http://127.0.0.1:{port}/"],
                         capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])


def _fetch(port: int, host: str) -> bytes:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": host})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read()


def requests_per_second(data: Path) -> list[tuple[str, float, str]]:
    """Alternate wrk runs against the storefront's cached home page, aiohttp serving the same bytes
    with nothing else (what this body costs at all), and hello world."""
    if shutil.which("wrk") is None:
        print("  (skipped requests/s: install the load tool with `apt-get install wrk`)")
        return []
    shop_port, same_port, hello_port = _free_port(), _free_port(), _free_port()
    shop = subprocess.Popen([sys.executable, "-m", "bench.storefront_app", str(data), str(shop_port)], cwd=ROOT)
    servers = [shop]
    try:
        _wait(shop_port, "demo.localhost")
        page = data / "bench-home-page.html"
        page.write_bytes(_fetch(shop_port, "demo.localhost"))
        servers.append(subprocess.Popen([sys.executable, "-m", "bench.storefront", str(page), str(same_port)],
                                        cwd=ROOT))
        servers.append(subprocess.Popen([sys.executable, "-m", "bench.hello_app", str(hello_port)], cwd=ROOT))
        _wait(same_port, "localhost")
        _wait(hello_port, "localhost")
        runs: dict[int, list[float]] = {shop_port: [], same_port: [], hello_port: []}
        for _ in range(3):
            for port in runs:
                runs[port].append(_wrk(port, "demo.localhost" if port == shop_port else "localhost"))
    finally:
        for proc in servers:
            proc.terminate()
            proc.wait(timeout=20)
    kb = page.stat().st_size // 1000

    def ratio(port: int) -> str:
        ratios = [a / b for a, b in zip(runs[port], runs[hello_port], strict=True)]
        return f"{statistics.median(ratios):.0%} of hello world"

    return [(f"cached home page, req/s ({kb} KB page)", statistics.median(runs[shop_port]),
             ratio(shop_port) + " (target >= 80%)"),
            ("aiohttp serving the same bytes only, req/s", statistics.median(runs[same_port]),
             ratio(same_port) + ": the ceiling for this body"),
            ("aiohttp hello world, req/s", statistics.median(runs[hello_port]),
             "same tool: wrk -t2 -c32 -d5s, 3 alternating runs, one process each")]


def serve_bytes(path: Path, port: int) -> None:
    """The same-bytes peer: aiohttp answering GET / with a file's bytes, no middleware, no headers of ours."""
    body = path.read_bytes()

    async def page(_request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="text/html", charset="utf-8")

    app = web.Application()
    app.router.add_get("/", page)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def product_page(data: Path) -> list[tuple[str, float, str]]:
    """The product page rendered from the database every time (no page cache), warm sandbox."""
    store = seed_demo(DataDir(data)).store
    executor = StoreExecutor("bench-product")

    def render() -> None:
        route = store.db.read(lambda conn: routes.product_route(conn, handle="harbor-classic-tee", variant_id=None))
        render_template(store.db, executor=executor, template="product", route=route,
                        path="/products/harbor-classic-tee")

    ms = median_ms(render, runs=100, warmup=5)
    executor.close()
    store.close()
    return [("product page, uncached render p50, ms", ms, "target < 10 ms (load + render + document)")]


def main() -> None:
    """Print the storefront tables."""
    folder = Path(tempfile.mkdtemp(prefix="vibeshop-bench-store-"))
    try:
        seed_demo(DataDir(folder)).store.close()
        rows = product_page(folder)
        rows += requests_per_second(folder)
        print(table("Storefront", rows))
        print()
        print(table("Large catalogue: 50,000 products", bench_large_catalog()))
        print()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    # python -m bench.storefront FILE PORT : the same-bytes peer of requests_per_second()
    serve_bytes(Path(sys.argv[1]), int(sys.argv[2]))
