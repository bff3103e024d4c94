"""Storefront figures (the cloud issue): cached home page requests/s against aiohttp's hello world
under the same load tool (wrk), loaded as a browser asks for it (Accept-Encoding: gzip, deflate, br);
the bytes on the wire for a first view (page and stylesheet) and for a second page (stylesheet
cached); the uncached product page render; and a 50,000-product catalogue's collection filtering and
search."""

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


BROWSER_ENCODINGS = "gzip, deflate, br"


def _wrk(port: int, host: str, seconds: int = 5) -> float:
    out = subprocess.run(["wrk", "-t2", "-c32", f"-d{seconds}s", "-H", f"Host: {host}",
                          "-H", f"Accept-Encoding: {BROWSER_ENCODINGS}", f"http://127.0.0.1:{port}/"],
                         capture_output=True, text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])


def _fetch(port: int, host: str, path: str = "/") -> tuple[bytes, str]:
    """The body as sent to a browser (still compressed) and its Content-Encoding."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                     headers={"Host": host, "Accept-Encoding": BROWSER_ENCODINGS})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read(), response.headers.get("Content-Encoding", "")


def _on_the_wire(port: int, host: str, path: str) -> tuple[int, bytes]:
    """Bytes a browser receives for one GET (status line, headers and body, as sent), and the body."""
    head = (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: {BROWSER_ENCODINGS}\r\n"
            "Accept: text/html,text/css,*/*\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(head)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return len(answer), answer.partition(b"\r\n\r\n")[2]


def bytes_on_the_wire(port: int, host: str) -> list[tuple[str, float, str]]:
    """A first view (the home page and the stylesheet it links) and a second page (the stylesheet is
    in the browser's cache by then), as a browser that accepts brotli receives them."""
    import brotli

    page_bytes, page = _on_the_wire(port, host, "/")
    href = re.search(rb'<link rel="stylesheet" href="([^"]+)">', brotli.decompress(page))[1].decode()
    sheet_bytes, _sheet = _on_the_wire(port, host, href)
    second_bytes, _second = _on_the_wire(port, host, "/products/harbor-classic-tee")
    plain = len(_fetch_plain(port, host, "/")) + len(_fetch_plain(port, host, href))
    return [("first view, bytes (home page + stylesheet)", page_bytes + sheet_bytes,
             f"page {page_bytes:,} + stylesheet {sheet_bytes:,}, headers included; {plain:,} uncompressed"),
            ("second page, bytes (stylesheet cached)", second_bytes, "a product page, headers included")]


def _fetch_plain(port: int, host: str, path: str) -> bytes:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.read()


def requests_per_second(data: Path) -> list[tuple[str, float, str]]:
    """Alternate wrk runs against the storefront's cached home page, aiohttp serving the same bytes
    with nothing else (what this body costs at all), and hello world; then the bytes on the wire."""
    if shutil.which("wrk") is None:
        print("  (skipped requests/s: install the load tool with `apt-get install wrk`)")
        return []
    shop_port, same_port, hello_port = _free_port(), _free_port(), _free_port()
    shop = subprocess.Popen([sys.executable, "-m", "bench.storefront_app", str(data), str(shop_port)], cwd=ROOT)
    servers = [shop]
    try:
        _wait(shop_port, "demo.localhost")
        page = data / "bench-home-page.html"
        body, encoding = _fetch(shop_port, "demo.localhost")
        page.write_bytes(body)
        servers.append(subprocess.Popen([sys.executable, "-m", "bench.storefront", str(page), str(same_port),
                                         encoding], cwd=ROOT))
        servers.append(subprocess.Popen([sys.executable, "-m", "bench.hello_app", str(hello_port)], cwd=ROOT))
        _wait(same_port, "localhost")
        _wait(hello_port, "localhost")
        runs: dict[int, list[float]] = {shop_port: [], same_port: [], hello_port: []}
        for _ in range(3):
            for port in runs:
                runs[port].append(_wrk(port, "demo.localhost" if port == shop_port else "localhost"))
        wire = bytes_on_the_wire(shop_port, "demo.localhost")
    finally:
        for proc in servers:
            proc.terminate()
            proc.wait(timeout=20)
    size = f"{page.stat().st_size / 1000:.1f} KB {encoding or 'uncompressed'}"

    def ratio(port: int) -> str:
        ratios = [a / b for a, b in zip(runs[port], runs[hello_port], strict=True)]
        return f"{statistics.median(ratios):.0%} of hello world"

    return [(f"cached home page, req/s ({size})", statistics.median(runs[shop_port]),
             ratio(shop_port) + " (target >= 80%)"),
            ("aiohttp serving the same bytes only, req/s", statistics.median(runs[same_port]),
             ratio(same_port) + ": the ceiling for this body"),
            ("aiohttp hello world, req/s", statistics.median(runs[hello_port]),
             f"same tool: wrk -t2 -c32 -d5s, Accept-Encoding: {BROWSER_ENCODINGS}, 3 alternating runs, "
             "one process each"),
            *wire]


def serve_bytes(path: Path, port: int, encoding: str = "") -> None:
    """The same-bytes peer: aiohttp answering GET / with a file's bytes (already in `encoding`), no
    middleware, no headers of ours."""
    body = path.read_bytes()
    headers = {"Content-Encoding": encoding} if encoding else {}

    async def page(_request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="text/html", charset="utf-8", headers=headers)

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
    # python -m bench.storefront FILE PORT [ENCODING] : the same-bytes peer of requests_per_second()
    serve_bytes(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else "")
