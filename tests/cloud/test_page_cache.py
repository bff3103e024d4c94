"""The worker's page cache: hits while content is unchanged, a change is visible within a second on
every worker, validators answer 304, and a scheduled post goes live at its time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cloud.render.cache import VERSION_TTL
from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from cloud.server.keys import PAGE_CACHE
from shared.db.repositories import content
from shared.db.stamps import new_id, utc_now
from shared.models import Post
from shared.pages.service import update_block_settings
from shared.storefront.service import DataDir, open_store
from shared.themes.service import update_theme_settings
from support import ManualClock, stylesheet_href, wait_for_async

DEMO = {"Host": "demo.localhost"}


@pytest.fixture
async def two_workers(aiohttp_client, demo_dir: Path):
    """Two independent service instances on one data folder, like two worker processes."""
    a = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir)))
    b = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir)))
    return a, b


@pytest.fixture
def clock(two_workers) -> ManualClock:
    """Both workers' page caches read their TTL on this clock (stepped by the test, never slept out)."""
    stepped = ManualClock()
    for client in two_workers:
        client.server.app[PAGE_CACHE].clock = stepped
    return stepped


@pytest.fixture
def store(demo_dir: Path):
    opened = open_store(DataDir(demo_dir), "demo")
    yield opened
    opened.close()


def _settle(clock: ManualClock) -> None:
    clock.advance(VERSION_TTL)   # past the worker's version re-read interval: the next request reads it


async def test_repeat_requests_are_served_from_the_cache_with_an_etag(two_workers) -> None:
    client, _ = two_workers
    first = await client.get("/", headers=DEMO)
    body = await first.text()
    cache = client.server.app[PAGE_CACHE]
    hits = cache.hits
    second = await client.get("/", headers=DEMO)
    assert await second.text() == body and cache.hits == hits + 1
    assert first.headers["ETag"] == second.headers["ETag"]
    assert "stale-while-revalidate" in first.headers["Cache-Control"]
    revalidated = await client.get("/", headers={**DEMO, "If-None-Match": first.headers["ETag"]})
    assert revalidated.status == 304 and await revalidated.read() == b""
    other = await client.get("/", headers={**DEMO, "If-None-Match": '"something-else"'})
    assert other.status == 200


async def _theme_css(client) -> str:
    """The stylesheet the home page links, as a browser would fetch it."""
    href = stylesheet_href(await (await client.get("/", headers=DEMO)).text())
    response = await client.get(href, headers=DEMO)
    assert response.status == 200
    return await response.text()


async def test_a_theme_change_reaches_every_worker_within_a_second(two_workers, clock, store) -> None:
    a, b = two_workers
    for client in (a, b):
        assert "--vs-color-accent: #abcdef;" not in await _theme_css(client)
    update_theme_settings(store.db, changes={"colors": {"accent": "#abcdef"}})
    _settle(clock)
    for client in (a, b):
        assert "--vs-color-accent: #abcdef;" in await _theme_css(client)


async def test_a_block_edit_and_a_stock_change_invalidate_cached_pages(two_workers, clock, store) -> None:
    client, _ = two_workers
    await client.get("/pages/faq", headers=DEMO)
    faq = store.db.read(lambda c: c.one("SELECT b.id FROM blocks b JOIN pages p ON p.id = b.page_id "
                                        "WHERE p.slug = 'faq' AND b.kind = 'rich-text'"))[0]
    update_block_settings(store.db, block_id=faq, settings={"heading": "Anything else?"})
    _settle(clock)
    assert "Anything else?" in await (await client.get("/pages/faq", headers=DEMO)).text()

    await client.get("/products/harbor-classic-tee", headers=DEMO)
    cache = client.server.app[PAGE_CACHE]
    hits = cache.hits
    await client.get("/products/harbor-classic-tee", headers=DEMO)
    assert cache.hits == hits + 1                        # cached while nothing changed
    version = store.db.read(lambda c: c.scalar("SELECT version FROM content_version"))
    store.db.write(lambda c: c.execute(
        # a sale of every unit: the page shows it (stock that no page shows leaves the version: 0030)
        "INSERT INTO stock_movements (id, variant_id, location_id, delta, reason, created_at) "
        "SELECT ?, v.id, (SELECT id FROM locations LIMIT 1), -s.on_hand, 'sold', ? FROM variants v "
        "JOIN variant_stock s ON s.variant_id = v.id "
        "JOIN products p ON p.id = v.product_id WHERE p.handle = 'harbor-classic-tee' LIMIT 1",
        (new_id(), utc_now())))
    assert store.db.read(lambda c: c.scalar("SELECT version FROM content_version")) > version
    _settle(clock)
    misses = cache.misses
    after = await client.get("/products/harbor-classic-tee", headers=DEMO)
    assert after.status == 200 and cache.misses == misses + 1   # re-rendered at the new version


async def test_a_scheduled_post_goes_live_without_any_other_change(two_workers, store) -> None:
    client, _ = two_workers
    soon = datetime.now(UTC) + timedelta(seconds=2)
    store.db.write(lambda c: content.insert_post(c, Post(new_id(), "at-dawn", "Published at dawn", "", "<p>hi</p>",
                                                         "Maya", "scheduled", soon.isoformat(), created_at=utc_now(),
                                                         updated_at=utc_now())))
    blog = await (await client.get("/blog", headers=DEMO)).text()
    article = (await client.get("/blog/at-dawn", headers=DEMO)).status
    if datetime.now(UTC) < soon:   # on a machine too loaded to look in time, only the second half is shown
        assert "Published at dawn" not in blog and article == 404
    # Then it goes live with no other change: wait for it (the bound only catches a hang).

    async def live() -> bool:
        return "Published at dawn" in await (await client.get("/blog", headers=DEMO)).text()
    await wait_for_async(live, "the scheduled post to go live", every=0.2)
    assert (await client.get("/blog/at-dawn", headers=DEMO)).status == 200


async def test_not_found_pages_are_not_cached(two_workers) -> None:
    client, _ = two_workers
    for n in range(5):
        assert (await client.get(f"/random-{n}", headers=DEMO)).status == 404
    assert not any("/random-" in key[-1] for key in client.server.app[PAGE_CACHE].keys())
