"""Pokes: connected devices learn at once that another device pushed (docs/sync-protocol.md, section 8).

A push handled by this worker pokes its subscribers directly. A push handled by another worker
process is seen by a watcher (cloud/server/store_watch.py) that reads the newest change-log position
of each store with subscribers every WATCH_INTERVAL seconds: one indexed read per store, on that
database's own threads, and only while somebody listens.

The catalogue (products, stock) changes in the store's live database, by the POS API, the admin API
or a checkout, in any worker: the watcher also reads the newest position of the catalogue change log
(migration 0031) and sends `{"catalog": N}` when it moved, so a linked studio pulls the catalogue
within a second (docs/sync-protocol.md section 5.3.1). A message carries one of the two keys: a
version-1 device reads only `cursor`, and skips the other."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from cloud.server.store_watch import Seen, StoreWatch
from shared.db.repositories.catalog_changes import latest_seq
from shared.sync import merge

WATCH_INTERVAL = 0.05
QUEUE_SIZE = 16


class PokeHub:
    """Subscribers per store, and the watcher for pushes and catalogue changes made elsewhere: two
    StoreWatches keyed by store id feed one queue per subscriber, and one loop looks for both (one
    store-directory lookup per store and look: the cursors' look also hands on the catalogue's)."""

    def __init__(self, working_copies, store_by_id: Callable[[str], Awaitable]):
        """store_by_id(store_id) is awaited: the store directory's lookup."""
        self._copies, self._store_by_id = working_copies, store_by_id
        self._cursors: StoreWatch[str] = StoreWatch(self._look, interval=WATCH_INTERVAL,
                                                    queue_size=QUEUE_SIZE, entries=_message("cursor"))
        self._catalog: StoreWatch[str] = StoreWatch(_never, interval=WATCH_INTERVAL,      # never started
                                                    queue_size=QUEUE_SIZE, entries=_message("catalog"))

    def subscribe(self, store_id: str, *, since: int, catalog_since: int) -> asyncio.Queue:
        """A queue that receives the messages to send: `{"cursor": N}` after each push (each cursor after
        `since`, the store's cursor when the subscriber asked), and `{"catalog": N}` after each
        catalogue change (likewise after `catalog_since`)."""
        queue, _ = self._cursors.join(store_id, store_id, since)
        self._catalog.join(store_id, store_id, catalog_since, queue)
        return queue

    def unsubscribe(self, store_id: str, queue: asyncio.Queue) -> None:
        """Forget a subscriber."""
        self._cursors.unsubscribe(store_id, queue)
        self._catalog.unsubscribe(store_id, queue)

    def poke(self, store_id: str, cursor: int) -> None:
        """Tell the store's subscribers about a new cursor (once per cursor)."""
        self._cursors.publish(store_id, Seen(cursor, None))

    def poke_catalog(self, store_id: str, seq: int) -> None:
        """Tell the store's subscribers that the catalogue moved to `seq` (once per position)."""
        self._catalog.publish(store_id, Seen(seq, None))

    def start(self) -> None:
        """Start watching for pushes and catalogue changes made by other workers."""
        self._cursors.start()

    async def stop(self) -> None:
        """Stop watching."""
        await self._cursors.stop()

    async def look(self) -> None:
        """One look at every store somebody listens to (the loop's round, for tests)."""
        await self._cursors.look()

    async def _look(self, store_id: str, after: int | None) -> tuple[int, None]:
        """The store's sync cursor; the catalogue's newest position is handed to its watch on the way."""
        store = await self._store_by_id(store_id)
        if store is None:                       # gone from the directory: nothing moved
            return after or 0, None
        self.poke_catalog(store_id, await store.db.run_read(latest_seq))
        work = await self._copies.open(store)
        return await work.call_read(merge.latest_cursor, work), None


async def _never(_store_id: str, after: int | None) -> tuple[int, None]:
    """The catalogue watch's own look, never made: the cursors' look reads the catalogue too."""
    return after or 0, None


def _message(name: str) -> Callable[[Seen], tuple[dict[str, int]]]:
    """What a subscriber's queue receives for a new position: `{name: position}`, sent as is."""
    return lambda seen: ({name: seen.position},)
