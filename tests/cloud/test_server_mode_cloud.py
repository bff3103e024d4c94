"""The cloud on a libSQL server (sqld): the demo store served from namespaces, and the file a newly
linked device starts from, made without VACUUM INTO (which a server refuses)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from cloud.sync.working_copy import device_copy
from shared.db import connect
from shared.db.repositories.copies import SHOPPER_TABLES, copied_tables
from shared.storefront.service import DataDir, open_store
from sqld_support import Sqld, demo_on_server
from support import block_ids

DEMO = {"Host": "demo.localhost"}
PAGES = ("/", "/products/harbor-canvas-tote", "/collections/all", "/search?q=mug", "/pages/about", "/nope")


@pytest.fixture
def server_dir(sqld: Sqld, demo_dir: Path, tmp_path: Path) -> DataDir:
    """The demo store on sqld, in a data folder of its own."""
    return demo_on_server(sqld, demo_dir, tmp_path / "on-server")


async def test_the_demo_store_is_served_from_sqld_as_from_a_file(aiohttp_client, server_dir: DataDir,
                                                                 demo_dir: Path):
    assert not list(server_dir.root.rglob("*.db"))
    on_file = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir)))
    on_server = await aiohttp_client(create_app(ServeConfig(data_dir=server_dir.root)))
    for path in PAGES:
        expected = await on_file.get(path, headers=DEMO)
        got = await on_server.get(path, headers=DEMO)
        assert got.status == expected.status, path
        text, wanted = await got.text(), await expected.text()
        assert block_ids(text) == block_ids(wanted), path
        assert text == wanted, path


def test_a_device_snapshot_from_sqld_holds_the_store_without_its_shoppers(server_dir: DataDir, demo_dir: Path,
                                                                          tmp_path: Path):
    on_server, on_file = open_store(server_dir, "demo"), open_store(DataDir(demo_dir), "demo")
    try:
        on_server.db.write(lambda conn: conn.execute(
            "INSERT INTO customers (id, email, created_at) VALUES ('c1', 'a@example.com', '')"))
        device_copy(on_server, tmp_path / "from-server.db")
        device_copy(on_file, tmp_path / "from-file.db")
    finally:
        on_server.close()
        on_file.close()
    from_server, from_file = connect(tmp_path / "from-server.db"), connect(tmp_path / "from-file.db")
    try:
        tables = from_file.read(copied_tables)
        for table in tables:
            query = f'SELECT * FROM "{table}" ORDER BY 1, 2' if table != "sqlite_sequence" else \
                f'SELECT * FROM "{table}" ORDER BY 1'
            assert from_server.read(lambda c: c.all(query)) == from_file.read(lambda c: c.all(query)), table
        for table in SHOPPER_TABLES:
            assert from_server.read(lambda c: c.scalar(f"SELECT count(*) FROM {table}")) == 0
        hits = "SELECT count(*) FROM products_fts WHERE products_fts MATCH 'tote'"
        assert from_server.read(lambda c: c.scalar(hits)) == from_file.read(lambda c: c.scalar(hits)) > 0
        near = ("SELECT p.product_id FROM vector_top_k('product_vectors_index', "
                "(SELECT embedding FROM product_vectors ORDER BY product_id LIMIT 1), 5) AS k "
                "JOIN product_vectors AS p ON p.rowid = k.id ORDER BY p.product_id")
        assert from_server.read(lambda c: c.all(near)) == from_file.read(lambda c: c.all(near))
        assert len(from_file.read(lambda c: c.all(near))) == 5
    finally:
        from_server.close()
        from_file.close()
