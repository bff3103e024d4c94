"""One store's database locked by another process (another worker, a publish, a backup) holds up
only that store's waiting writes: the event loop, other stores' pages and the admin API go on. No
timing is measured: the proof is that the other requests complete while the lock is still held and
the write still waits."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from shared.accounts.service import check_token, create_token, note_token_use
from shared.db import database as database_module
from shared.storefront.service import DataDir, create_store, open_store
from support import write_lock_held

OTHER = "other-shop"


def _form_headers(slug: str) -> dict[str, str]:
    return {"Host": f"{slug}.localhost", "Origin": f"http://{slug}.localhost", "Sec-Fetch-Site": "same-origin"}


def _token(data: Path, slug: str) -> str:
    store = open_store(DataDir(data), slug)
    store.close()
    catalog = DataDir(data).catalog()
    try:
        return create_token(catalog, store_id=store.record.id, name="test", scopes=["store:read"])
    finally:
        catalog.close()


def _store_file(data: Path, slug: str) -> Path:
    store = open_store(DataDir(data), slug)
    store.close()
    return Path(DataDir(data).store_url(store.record))


@pytest.fixture
async def client(aiohttp_client, demo_dir: Path):
    create_store(DataDir(demo_dir), slug=OTHER, name="Other shop").close()
    return await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir)))


async def test_a_locked_store_holds_up_only_its_own_write(client, demo_dir: Path, busy_waits, monkeypatch):
    monkeypatch.setattr(database_module, "BUSY_WAIT", 600)      # the write waits as long as the test needs
    token = _token(demo_dir, "demo")
    assert (await client.get("/", headers={"Host": f"{OTHER}.localhost"})).status == 200   # store opened
    with write_lock_held(_store_file(demo_dir, OTHER)):
        signup = asyncio.ensure_future(client.post("/newsletter", data={"email": "ann@example.com", "return_to": "/"},
                                                   headers=_form_headers(OTHER), allow_redirects=False))
        assert await asyncio.to_thread(busy_waits.wait, 120)
        # Store A's write is waiting for the other process; store B answers meanwhile.
        search = await client.get("/search?q=hodie", headers={"Host": "demo.localhost"})
        assert search.status == 200 and "<html" in await search.text()
        admin = await client.get("/api/admin/store", headers={"Host": "demo.localhost",
                                                               "Authorization": f"Bearer {token}"})
        assert admin.status == 200 and (await admin.json())["slug"] == "demo"
        assert not signup.done()                 # ... and the lock is still held: the write still waits
    answer = await signup
    assert answer.status == 303 and answer.headers["Location"] == "/?subscribed=1"
    store = open_store(DataDir(demo_dir), OTHER)
    try:
        assert store.db.read(lambda conn: conn.scalar("SELECT count(*) FROM customers WHERE accepts_marketing = 1")) == 1
    finally:
        store.close()


async def test_a_write_that_waits_too_long_is_a_503_with_retry_after(client, demo_dir: Path, monkeypatch):
    monkeypatch.setattr(database_module, "BUSY_WAIT", 0.05)
    assert (await client.get("/", headers={"Host": f"{OTHER}.localhost"})).status == 200
    with write_lock_held(_store_file(demo_dir, OTHER)):
        answer = await client.post("/newsletter", data={"email": "bob@example.com", "return_to": "/"},
                                   headers=_form_headers(OTHER), allow_redirects=False)
        assert answer.status == 503 and int(answer.headers["Retry-After"]) >= 1
        assert (await client.get("/", headers={"Host": f"{OTHER}.localhost"})).status == 200


async def test_token_checks_do_not_write_the_catalog(client, demo_dir: Path):
    """With the catalog's write lock held elsewhere, admin calls still answer: checking a token only
    reads (its last use is written later, in the background)."""
    token = _token(demo_dir, "demo")
    headers = {"Host": "demo.localhost", "Authorization": f"Bearer {token}"}
    with write_lock_held(DataDir(demo_dir).catalog_path):
        for _ in range(3):
            assert (await client.get("/api/admin/store", headers=headers)).status == 200


def test_a_tokens_last_use_is_written_at_most_every_few_minutes(demo_dir: Path):
    token = _token(demo_dir, "demo")
    catalog = DataDir(demo_dir).catalog()
    try:
        grant = check_token(catalog, token)
        assert grant.last_used_at is None
        note_token_use(catalog, grant).result(60)
        again = check_token(catalog, token)
        assert again.last_used_at is not None
        assert note_token_use(catalog, again) is None          # used just now: nothing to write
    finally:
        catalog.close()


