"""Pokes: connected devices learn at once that another device pushed (docs/sync-protocol.md, section 8).

A push handled by this worker pokes its subscribers directly. A push handled by another worker
process is seen by a watcher that reads the newest change-log position of each store with
subscribers every WATCH_INTERVAL seconds: one indexed read per store, on that database's own
threads, and only while somebody listens."""

from __future__ import annotations

import asyncio
import contextlib

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
        self._task: asyncio.Task | None = None

    def subscribe(self, store_id: str, *, since: int | None = None) -> asyncio.Queue:
        """A queue that receives the store's new cursor after each push (each cursor after `since`,
        the store's cursor when the subscriber asked; without it, from the watcher's next look)."""
        queue: asyncio.Queue = asyncio.Queue(QUEUE_SIZE)
        if since is not None and store_id not in self._seen:
            self._seen[store_id] = since
        self._subscribers.setdefault(store_id, set()).add(queue)
        return queue

    def unsubscribe(self, store_id: str, queue: asyncio.Queue) -> None:
        """Forget a subscriber."""
        queues = self._subscribers.get(store_id, set())
        queues.discard(queue)
        if not queues:
            self._subscribers.pop(store_id, None)
            self._seen.pop(store_id, None)

    def poke(self, store_id: str, cursor: int) -> None:
        """Tell the store's subscribers about a new cursor (once per cursor)."""
        if cursor <= self._seen.get(store_id, -1):
            return
        self._seen[store_id] = cursor
        for queue in self._subscribers.get(store_id, ()):
            if queue.full():            # a slow device only needs the newest cursor
                with contextlib.suppress(asyncio.QueueEmpty):
                    queue.get_nowait()
            queue.put_nowait(cursor)

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
