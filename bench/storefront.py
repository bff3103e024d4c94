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


def requests_per_second(data: Path) -> list[tuple[str, float, str]]:
    """Alternate wrk runs against the storefront's cached home page and hello world."""
    if shutil.which("wrk") is None:
        print("  (skipped requests/s: install the load tool with `apt-get install wrk`)")
        return []
    shop_port, hello_port = _free_port(), _free_port()
    shop = subprocess.Popen([sys.executable, "-m", "bench.storefront_app", str(data), str(shop_port)], cwd=ROOT)
    hello = subprocess.Popen([sys.executable, "-m", "bench.hello_app", str(hello_port)], cwd=ROOT)
    try:
        _wait(shop_port, "demo.localhost")
        _wait(hello_port, "localhost")
        shop_runs, hello_runs = [], []
        for _ in range(3):
            shop_runs.append(_wrk(shop_port, "demo.localhost"))
            hello_runs.append(_wrk(hello_port, "localhost"))
    finally:
        for proc in (shop, hello):
            proc.terminate()
            proc.wait(timeout=20)
    ratios = [s / h for s, h in zip(shop_runs, hello_runs, strict=True)]
    shop_rps, hello_rps = statistics.median(shop_runs), statistics.median(hello_runs)
    return [("cached home page, req/s (75 KB page)", shop_rps,
             f"{statistics.median(ratios):.0%} of hello world (target >= 80%)"),
            ("aiohttp hello world, req/s", hello_rps, "same tool: wrk -t2 -c32 -d5s, 3 alternating runs")]


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
