"""cloud/sync/pokes.py: each look of the poke watcher makes ONE store-directory lookup per watched store
(it used to make two: one for the sync cursor, one for the catalogue), and still hands on both the
cursor and the catalogue's position, each once."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from cloud.server.keys import STORES, WORKING_COPIES
from cloud.sync.pokes import PokeHub
from shared.inventory import record_movement


async def test_one_directory_lookup_per_store_and_look(aiohttp_client, demo_dir: Path) -> None:
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir)))
    stores = client.app[STORES]
    store = await stores.store_for("demo.localhost")
    lookups: list[str] = []

    async def store_by_id(store_id: str):  # noqa: ANN202
        lookups.append(store_id)
        return await stores.store_by_id(store_id)

    hub = PokeHub(client.app[WORKING_COPIES], store_by_id)     # not started: the test makes the looks
    queue = hub.subscribe(store.record.id, since=-1, catalog_since=-1)
    await hub.look()
    assert lookups == [store.record.id]
    first = [queue.get_nowait() for _ in range(queue.qsize())]
    assert sorted(key for message in first for key in message) == ["catalog", "cursor"]
    catalog = next(message["catalog"] for message in first if "catalog" in message)

    await hub.look()                                         # nothing moved: nothing sent
    assert len(lookups) == 2 and queue.empty()

    def sell(conn) -> None:  # noqa: ANN001
        record_movement(conn, change_id=str(uuid.uuid4()), delta=-1, reason="sold",
                        variant_id=conn.scalar("SELECT id FROM variants LIMIT 1"),
                        location_id=conn.scalar("SELECT id FROM locations LIMIT 1"),
                        occurred_at=datetime.now(UTC), now=datetime.now(UTC))
    await store.db.run_write(sell)
    await hub.look()
    assert len(lookups) == 3
    moved = queue.get_nowait()
    assert moved["catalog"] > catalog and queue.empty()
    hub.unsubscribe(store.record.id, queue)
    await hub.look()
    assert len(lookups) == 3                                 # nobody listens: nothing is looked up
