"""libSQL server figures (section 5 of issue 10): the uncached product page and a 10,000-op push with
the store's databases on sqld (loopback, namespaces on), each as a ratio of the same work on a file.

`python -m bench.sqld` runs only these (`make bench` runs them with the rest)."""

from __future__ import annotations

import shutil
import statistics
import tempfile
from pathlib import Path

import httpx

from bench import sync as sync_bench
from bench.timing import median_ms, table
from shared.compose import render_template
from shared.demo.seed import seed_demo
from shared.storefront import routes
from shared.storefront.service import DataDir, Store, open_store
from shared.vibe.executor import StoreExecutor
from tests.sqld_support import Sqld, demo_on_server

PRODUCT = "harbor-classic-tee"


def _render_ms(store: Store) -> float:
    executor = StoreExecutor(f"bench-{store.record.id}")

    def render() -> None:
        route = store.db.read(lambda conn: routes.product_route(conn, handle=PRODUCT, variant_id=None))
        render_template(store.db, executor=executor, template="product", route=route, path=f"/products/{PRODUCT}")

    try:
        return median_ms(render, runs=40, warmup=5)
    finally:
        executor.close()


def product_page(template: Path, on_server: DataDir) -> list[tuple[str, float, str]]:
    """The product page rendered from the database every time (no page cache), on a file and on sqld."""
    figures = []
    for data in (DataDir(template), on_server):
        store = open_store(data, "demo")
        try:
            figures.append(_render_ms(store))
        finally:
            store.close()
    on_file, on_sqld = figures
    return [("product page, uncached render p50, file, ms", on_file, "the embedded default"),
            ("product page, uncached render p50, sqld, ms", on_sqld,
             f"{on_sqld / on_file:.1f}x the file (every statement is a loopback round trip)")]


def _push_ms(data: Path, folder: Path, client: httpx.Client) -> float:
    cloud = sync_bench.Cloud(data, folder)
    with cloud.serve():
        store = cloud.link("a", client)
        try:
            sync_bench._make_edits(store, 0)
            ms, _formed, _body = sync_bench._push_once(store, client)
        finally:
            store.close()
    return ms


def push(template: Path, server_template: Path, folder: Path) -> list[tuple[str, float, str]]:
    """One 10,000-op push (form, request, apply) to a cloud on files and to one on sqld."""
    n = sync_bench.PAGES * (1 + sync_bench.BLOCKS_PER_PAGE)
    with httpx.Client(timeout=300) as client:
        on_file = statistics.median(_push_ms(template, folder / f"file-{run}", client) for run in range(2))
        on_sqld = _push_ms(server_template, folder / "sqld", client)
    return [(f"push {n:,} ops, cloud on files, ms", on_file, "form + request + apply; median of 2"),
            (f"push {n:,} ops, cloud on sqld, ms", on_sqld, f"{on_sqld / on_file:.1f}x the files; one run")]


def main() -> None:
    """Print the libSQL server table."""
    folder = Path(tempfile.mkdtemp(prefix="vibeshop-bench-sqld-"))
    server = Sqld(folder / "sqld").start()
    try:
        template = folder / "template"
        seed_demo(DataDir(template)).store.close()
        on_server = demo_on_server(server, template, folder / "on-server")
        rows = product_page(template, on_server)
        rows += push(template, on_server.root, folder)
        print(table("libSQL server (sqld 0.24.32 on loopback) against an embedded file", rows))
        print()
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
