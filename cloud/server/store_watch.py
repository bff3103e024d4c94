"""Watching one growing number per store, across worker processes, while somebody listens.

`vibeshop cloud serve --workers N` runs N processes on one set of store databases: a change committed by
one worker (a POS sale, an order, a sync push) must reach a subscriber whose connection another worker
holds, with no messages between workers. So each worker looks: every `interval` seconds, for each store
with subscribers here, one `look(target, after)`, which reads the store's newest position (a sequence,
an order number, a change-log cursor: one indexed MAX) and, only when it moved past `after`, what came
after it. A look runs on the store database's own reader thread (the caller's `look` does the
`run_read`), so the event loop never waits on SQLite, and nothing is read while nobody listens.

A write this worker answers may `nudge` the watch: the store is looked at at once instead of at the
next round (a change made by this worker then reaches its subscribers without waiting for the round).

Each subscriber gets a queue of `Seen(position, items)`, or of what `entries(seen)` makes of each
(the orders stream queues one event per change, the pokes one message per position); a slow one loses
its oldest entries, never the newest (subscribers re-read state when they see a gap). Live stock
(cloud/server/availability.py), the sync pokes (cloud/sync/pokes.py) and the studio's orders stream
(cloud/server/orders_stream.py) all watch through this class.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from aiohttp import web

log = logging.getLogger(__name__)

T = TypeVar("T")
# look(target, after) -> (newest position, what came after `after`; None when `after` is None)
Look = Callable[[T, int | None], Awaitable[tuple[int, Any]]]


@dataclass(frozen=True)
class Seen:
    """A store's position after a look, and what the look found after the previous one."""

    position: int
    items: Any


@dataclass
class _Watched(Generic[T]):
    target: T
    position: int
    queues: set[asyncio.Queue] = field(default_factory=set)
    nudged: bool = False


class StoreWatch(Generic[T]):
    """Subscribers per store key, and the loop that looks at the stores they listen to."""

    def __init__(self, look: Look[T], *, interval: float, queue_size: int = 8,
                 entries: Callable[[Seen], Iterable[Any]] | None = None) -> None:
        """`entries(seen)`: what the queues receive for a new position (by default the `Seen` itself)."""
        self._look, self.interval, self._queue_size = look, interval, queue_size
        self._entries = entries if entries is not None else (lambda seen: (seen,))
        self._stores: dict[str, _Watched[T]] = {}
        self._task: asyncio.Task | None = None
        self._nudges: set[asyncio.Task] = set()
        self.looks = 0          # looks made (for tests and the benchmark: the cost while idle)

    async def subscribe(self, key: str, target: T) -> tuple[asyncio.Queue, int]:
        """A queue of `Seen` for what happens in the store after now, and the position as of now
        (the first subscriber of a store costs one look; later ones reuse the watcher's position)."""
        if key in self._stores:
            return self.join(key, target, self._stores[key].position)
        position, _ = await self._look(target, None)
        return self.join(key, target, position)

    def join(self, key: str, target: T, since: int,
             queue: asyncio.Queue | None = None) -> tuple[asyncio.Queue, int]:
        """`subscribe` for a caller that has read the store's position `since` itself (the watcher's
        own position wins when it already watches the store); `queue` lets one subscriber share a queue
        between watches (the pokes: cursor and catalogue messages on one socket)."""
        watched = self._stores.setdefault(key, _Watched(target, since))
        queue = queue if queue is not None else asyncio.Queue(self._queue_size)
        watched.queues.add(queue)
        return queue, watched.position

    def unsubscribe(self, key: str, queue: asyncio.Queue) -> None:
        """Forget a subscriber (and the store, with its last one)."""
        watched = self._stores.get(key)
        if watched is None:
            return
        watched.queues.discard(queue)
        if not watched.queues:
            self._stores.pop(key, None)

    def subscribers(self, key: str) -> int:
        """How many listen to a store on this worker."""
        watched = self._stores.get(key)
        return len(watched.queues) if watched else 0

    def watched(self) -> int:
        """How many stores this worker looks at (those somebody listens to)."""
        return len(self._stores)

    def publish(self, key: str, seen: Seen) -> None:
        """Hand a new position to the store's subscribers (a full queue drops its oldest)."""
        watched = self._stores.get(key)
        if watched is None or seen.position <= watched.position:
            return
        watched.position = seen.position
        entries = list(self._entries(seen))
        for queue in watched.queues:
            for entry in entries:
                put_newest(queue, entry)

    async def look(self) -> None:
        """One look at every store somebody listens to."""
        for key, watched in list(self._stores.items()):
            await self._look_at(key, watched)

    def nudge(self, key: str) -> None:
        """Look at one store now, not at the next round: this worker just answered a write to it. Does
        nothing for a store nobody listens to here, or when such a look is already on its way."""
        watched = self._stores.get(key)
        if watched is None or watched.nudged:
            return
        watched.nudged = True
        task = asyncio.ensure_future(self._nudged_look(key, watched))
        self._nudges.add(task)              # the loop keeps only weak references to tasks
        task.add_done_callback(self._nudges.discard)

    async def _nudged_look(self, key: str, watched: _Watched[T]) -> None:
        try:
            await self._look_at(key, watched)
        finally:
            watched.nudged = False

    async def _look_at(self, key: str, watched: _Watched[T]) -> None:
        """A look from the store's position as of now; what it found goes to the subscribers unless
        another look already handed on a newer position (each look covers all after its start)."""
        self.looks += 1
        try:
            position, items = await self._look(watched.target, watched.position)
        except Exception:  # noqa: BLE001 - one store's failure must not stop the others' streams
            log.exception("watching store %s failed", key)
            return
        self.publish(key, Seen(position, items))

    def start(self) -> None:
        """Start looking."""
        if self._task is None:
            self._task = asyncio.ensure_future(self._watch())

    async def stop(self) -> None:
        """Stop looking (the round's loop and any nudged look on its way)."""
        for task in [self._task, *self._nudges]:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._task = None

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            if self._stores:
                await self.look()


def put_newest(queue: asyncio.Queue, item: object) -> None:
    """Queue `item`, dropping the oldest entry of a full queue (a slow subscriber misses old news only)."""
    if queue.full():
        with contextlib.suppress(asyncio.QueueEmpty):
            queue.get_nowait()
    queue.put_nowait(item)


def last_event_id(request: web.Request) -> int | None:
    """The Last-Event-ID header of an EventSource reconnecting, as a sequence number; None when absent or
    not one (ASCII digits only: "²" is a digit to str.isdigit but not to int)."""
    raw = request.headers.get("Last-Event-ID", "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None
