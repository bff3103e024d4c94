"""Pokes: connected devices learn at once that another device pushed (docs/sync-protocol.md, section 8).

A push handled by this worker pokes its subscribers directly. A push handled by another worker
process is seen by a watcher that reads the newest change-log position of each store with
subscribers every WATCH_INTERVAL seconds: one indexed read per store, on that database's own
threads, and only while somebody listens.

The catalogue (products, stock) changes in the store's live database, by the POS API, the admin API
or a checkout, in any worker: the watcher also reads the newest position of the catalogue change log
(migration 0031) and sends `{"catalog": N}` when it moved, so a linked studio pulls the catalogue
within a second (docs/sync-protocol.md section 5.3.1). A message carries one of the two keys: a
version-1 device reads only `cursor`, and skips the other."""

from __future__ import annotations

import asyncio
import contextlib

from shared.db.repositories.catalog_changes import latest_seq
from shared.sync import merge

WATCH_INTERVAL = 0.05
QUEUE_SIZE = 16


class PokeHub:
    """Subscribers per store, and the watcher for pushes made elsewhere."""

    def __init__(self, working_copies, store_by_id):
        """store_by_id(store_id) is awaited: the store directory's lookup."""
        self._copies, self._store_by_id = working_copies, store_by_id
        self._subscribers: dict[str, set[asyncio.Queue]] = {}
        self._seen: dict[str, int] = {}
        self._catalog_seen: dict[str, int] = {}
        self._task: asyncio.Task | None = None

    def subscribe(self, store_id: str, *, since: int | None = None, catalog_since: int | None = None) -> asyncio.Queue:
        """A queue that receives the messages to send: `{"cursor": N}` after each push (each cursor after
        `since`, the store's cursor when the subscriber asked; without it, from the watcher's next
        look), and `{"catalog": N}` after each catalogue change (likewise after `catalog_since`)."""
        queue: asyncio.Queue = asyncio.Queue(QUEUE_SIZE)
        if since is not None and store_id not in self._seen:
            self._seen[store_id] = since
        if catalog_since is not None and store_id not in self._catalog_seen:
            self._catalog_seen[store_id] = catalog_since
        self._subscribers.setdefault(store_id, set()).add(queue)
        return queue

    def unsubscribe(self, store_id: str, queue: asyncio.Queue) -> None:
        """Forget a subscriber."""
        queues = self._subscribers.get(store_id, set())
        queues.discard(queue)
        if not queues:
            self._subscribers.pop(store_id, None)
            self._seen.pop(store_id, None)
            self._catalog_seen.pop(store_id, None)

    def poke(self, store_id: str, cursor: int) -> None:
        """Tell the store's subscribers about a new cursor (once per cursor)."""
        if cursor <= self._seen.get(store_id, -1):
            return
        self._seen[store_id] = cursor
        self._send(store_id, {"cursor": cursor})

    def poke_catalog(self, store_id: str, seq: int) -> None:
        """Tell the store's subscribers that the catalogue moved to `seq` (once per position)."""
        if seq <= self._catalog_seen.get(store_id, -1):
            return
        self._catalog_seen[store_id] = seq
        self._send(store_id, {"catalog": seq})

    def _send(self, store_id: str, message: dict[str, int]) -> None:
        for queue in self._subscribers.get(store_id, ()):
            if queue.full():            # a slow device only needs the newest cursors: it pulls anyway
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(message)

    def start(self) -> None:
        """Start watching for pushes made by other workers."""
        self._task = asyncio.ensure_future(self._watch())

    async def stop(self) -> None:
        """Stop watching."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(WATCH_INTERVAL)
            for store_id in list(self._subscribers):
                store = await self._store_by_id(store_id)
                if store is None:
                    continue
                work = await self._copies.open(store)
                cursor = await work.call_read(merge.latest_cursor, work)
                if store_id not in self._seen:
                    self._seen[store_id] = cursor       # a new subscriber starts from now
                else:
                    self.poke(store_id, cursor)
                seq = await store.db.run_read(latest_seq)
                if store_id not in self._catalog_seen:
                    self._catalog_seen[store_id] = seq
                else:
                    self.poke_catalog(store_id, seq)
