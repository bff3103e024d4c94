"""cloud/server/store_watch.py: one look per store per round however many listen, none for a store
nobody listens to, and every subscriber of a store handed what a look found."""

from __future__ import annotations

import asyncio

from cloud.server.store_watch import Seen, StoreWatch


class FakeStore:
    """A store whose position the test moves; counts the looks."""

    def __init__(self) -> None:
        self.position, self.looks = 5, 0

    async def look(self, _target: object, after: int | None) -> tuple[int, list[int]]:
        self.looks += 1
        return self.position, [] if after is None else list(range(after + 1, self.position + 1))


async def test_one_look_per_store_and_round_whatever_the_subscribers() -> None:
    store = FakeStore()
    watch: StoreWatch[str] = StoreWatch(store.look, interval=60)
    queues = [await watch.subscribe("shop", "target") for _ in range(3)]
    assert store.looks == 1 and all(position == 5 for _, position in queues)   # the first subscriber looked
    assert watch.subscribers("shop") == 3

    await watch.look()                       # nothing moved: nobody is woken
    assert store.looks == 2 and all(queue.empty() for queue, _ in queues)

    store.position = 7
    await watch.look()
    assert store.looks == 3
    assert [queue.get_nowait() for queue, _ in queues] == [Seen(7, [6, 7])] * 3

    for queue, _ in queues:
        watch.unsubscribe("shop", queue)
    await watch.look()
    assert store.looks == 3 and watch.subscribers("shop") == 0   # nobody listens: nothing is read


async def test_a_slow_subscriber_keeps_the_newest_positions() -> None:
    store = FakeStore()
    watch: StoreWatch[str] = StoreWatch(store.look, interval=60, queue_size=2)
    queue, _ = await watch.subscribe("shop", "target")
    for position in (6, 7, 8):
        store.position = position
        await watch.look()
    assert [queue.get_nowait().position for _ in range(queue.qsize())] == [7, 8]


async def test_the_loop_looks_while_somebody_listens() -> None:
    store = FakeStore()
    watch: StoreWatch[str] = StoreWatch(store.look, interval=0.01)
    watch.start()
    try:
        queue, _ = await watch.subscribe("shop", "target")
        store.position = 9
        seen = await asyncio.wait_for(queue.get(), 30)
        assert seen.position == 9
    finally:
        await watch.stop()


async def test_a_nudge_looks_at_once_and_only_where_somebody_listens() -> None:
    store = FakeStore()
    watch: StoreWatch[str] = StoreWatch(store.look, interval=3600)     # the round never comes
    watch.nudge("shop")
    assert store.looks == 0                                            # nobody listens
    queue, _ = await watch.subscribe("shop", "target")
    store.position = 6
    watch.nudge("shop")
    watch.nudge("shop")                                                # one look on its way is enough
    assert (await asyncio.wait_for(queue.get(), 30)) == Seen(6, [6])
    assert store.looks == 2


async def test_stop_ends_a_nudged_look_on_its_way() -> None:
    """A nudged look is a task of its own: the watch keeps it (the loop holds tasks weakly) and a stop
    cancels it, so a worker's shutdown leaves no pending task behind."""
    started, release = asyncio.Event(), asyncio.Event()

    async def slow_look(_target: object, _after: int | None) -> tuple[int, list[int]]:
        started.set()
        await release.wait()
        return 5, []

    watch: StoreWatch[str] = StoreWatch(slow_look, interval=3600)
    watch.join("shop", "target", 5)
    watch.nudge("shop")
    await asyncio.wait_for(started.wait(), 30)
    pending = [task for task in asyncio.all_tasks() if task.get_coro().__qualname__.endswith("_nudged_look")]
    assert len(pending) == 1
    await watch.stop()
    assert pending[0].cancelled()
