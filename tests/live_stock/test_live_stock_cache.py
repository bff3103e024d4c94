"""The page cache under POS churn (migration 0030): stock changes move the content version, which
empties every worker's page cache, only when a page shows them (a flip between in stock and sold out, or
a count at or below what the product page prints as "Low stock"), and the home page keeps being served
from the cache while a POS sells units no page shows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from cloud.server.keys import PAGE_CACHE
from live_support import LiveSetup, sell, set_stock
from shared.db import Connection
from shared.inventory import record_count, record_movement
from shared.pages.service import add_block, update_block_settings
from shared.storefront.service import DataDir, Store, open_store
from support import wait_for_async

HOST = "demo.localhost"


@pytest.fixture
def store(live_setup: LiveSetup):
    opened = open_store(DataDir(live_setup.data), "demo")
    yield opened
    opened.close()


def _version(store: Store) -> int:
    return store.db.read(lambda conn: int(conn.scalar("SELECT version FROM content_version")))


def _location(conn: Connection) -> str:
    return conn.scalar("SELECT id FROM locations ORDER BY name LIMIT 1")


def _count(store: Store, setup: LiveSetup, quantity: int) -> None:
    """Count `quantity` at one location and 0 at the others."""
    def write(conn: Connection) -> None:
        for location_id in [row[0] for row in conn.all("SELECT id FROM locations ORDER BY name")]:
            record_count(conn, change_id=str(uuid.uuid4()), variant_id=setup.variant_id, location_id=location_id,
                         quantity=quantity if location_id == _location(conn) else 0,
                         occurred_at=datetime.now(UTC), now=datetime.now(UTC))
    store.db.write(write)


def _sell(store: Store, setup: LiveSetup, units: int = 1) -> None:
    store.db.write(lambda conn: record_movement(
        conn, change_id=str(uuid.uuid4()), variant_id=setup.variant_id, location_id=_location(conn), delta=-units,
        reason="sold", occurred_at=datetime.now(UTC), now=datetime.now(UTC)))


def _moves(store: Store, change) -> bool:  # noqa: ANN001
    before = _version(store)
    change()
    return _version(store) > before


def test_only_stock_changes_pages_show_move_the_content_version(store: Store, live_setup: LiveSetup) -> None:
    _count(store, live_setup, 40)
    assert not _moves(store, lambda: _sell(store, live_setup))          # 40 -> 39: no page prints it
    assert not _moves(store, lambda: _count(store, live_setup, 6))      # 39 -> 6: still above "Low stock"
    assert _moves(store, lambda: _sell(store, live_setup))              # 6 -> 5: "only 5 left"
    assert _moves(store, lambda: _sell(store, live_setup, 5))           # 5 -> 0: sold out
    assert not _moves(store, lambda: _sell(store, live_setup))          # 0 -> -1: still sold out
    assert _moves(store, lambda: _count(store, live_setup, 30))         # back in stock


def test_the_product_pages_low_stock_setting_and_code_blocks_widen_what_counts(store: Store,
                                                                               live_setup: LiveSetup) -> None:
    _count(store, live_setup, 40)
    assert not _moves(store, lambda: _sell(store, live_setup))
    main = store.db.read(lambda conn: conn.scalar("SELECT id FROM blocks WHERE kind = 'main-product' LIMIT 1"))
    if main is None:        # the demo's product page uses the default template: store one with the block
        page = store.db.read(lambda conn: conn.scalar("SELECT id FROM pages LIMIT 1"))
        main = add_block(store.db, page_id=page, kind="main-product").id
    update_block_settings(store.db, block_id=main, settings={"low_stock": 45})
    assert _moves(store, lambda: _sell(store, live_setup))              # 39 -> 38 is printed now
    update_block_settings(store.db, block_id=main, settings={"low_stock": 5})
    assert not _moves(store, lambda: _sell(store, live_setup))
    page = store.db.read(lambda conn: conn.scalar("SELECT id FROM pages LIMIT 1"))
    code = ('const schema = { name: "Stock", settings: [] };\n'
            'function render(ctx, h) { const v = ctx.route && ctx.route.variant;\n'
            '  return h.html`<p>${v ? String(v.inventory) : ""} left</p>`; }')
    add_block(store.db, page_id=page, kind="custom", code=code)
    assert _moves(store, lambda: _sell(store, live_setup))              # a merchant's block may print any count


@pytest.fixture
async def base(aiohttp_server, live_setup: LiveSetup):
    server = await aiohttp_server(create_app(ServeConfig(data_dir=live_setup.data, rate_burst=10_000)))
    return f"http://127.0.0.1:{server.port}", server.app[PAGE_CACHE]


async def test_the_home_page_stays_cached_while_a_pos_sells_what_no_page_shows(base, live_setup: LiveSetup) -> None:
    url, cache = base
    await set_stock(url, HOST, live_setup, 40)
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        async def home() -> None:
            assert (await client.get("/", headers={"Host": HOST})).status_code == 200

        await home()
        hits, misses = cache.hits, cache.misses
        for _ in range(10):                     # ten POS sales, each followed by a shopper on the home page
            await sell(url, HOST, live_setup)
            await home()
        assert cache.misses == misses and cache.hits == hits + 10

        await sell(url, HOST, live_setup, 30)   # 30 -> 0: sold out, which the home page may show
        async def rerendered() -> bool:         # the worker re-reads the version within VERSION_TTL
            misses = cache.misses
            await home()
            return cache.misses > misses
        await wait_for_async(rerendered, "the home page re-rendered after the product sold out", timeout=10)
