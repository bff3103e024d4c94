"""cloud/server/store_watch.py as the pokes and the orders stream use it: a subscriber that brings its
own position (`join`), one queue fed by two watches, and `entries` turning a look into queue entries
(a full queue still loses its oldest entry, not a whole look)."""

from __future__ import annotations

from cloud.server.store_watch import Seen, StoreWatch


class FakeStore:
    """A store whose position the test moves; counts the looks."""

    def __init__(self, position: int) -> None:
        self.position, self.looks = position, 0

    async def look(self, _target: object, after: int | None) -> tuple[int, list[int]]:
        self.looks += 1
        return self.position, [] if after is None else list(range(after + 1, self.position + 1))


async def test_join_with_a_known_position_looks_at_nothing_and_the_watcher_position_wins() -> None:
    store = FakeStore(9)
    watch: StoreWatch[str] = StoreWatch(store.look, interval=60)
    queue, position = watch.join("shop", "target", 4)
    assert (position, store.looks) == (4, 0)
    _, later = watch.join("shop", "target", 2)           # the store is watched already: its position wins
    assert later == 4
    await watch.look()
    assert queue.get_nowait() == Seen(9, [5, 6, 7, 8, 9])


async def test_two_watches_feed_one_queue_through_entries() -> None:
    cursors, catalog = FakeStore(3), FakeStore(10)
    first: StoreWatch[str] = StoreWatch(cursors.look, interval=60, entries=lambda seen: ({"cursor": seen.position},))
    second: StoreWatch[str] = StoreWatch(catalog.look, interval=60, entries=lambda seen: ({"catalog": seen.position},))
    queue, _ = first.join("shop", "shop", 3)
    second.join("shop", "shop", 10, queue)
    first.publish("shop", Seen(4, None))
    first.publish("shop", Seen(4, None))                 # once per position
    catalog.position = 12
    await second.look()
    assert [queue.get_nowait() for _ in range(queue.qsize())] == [{"cursor": 4}, {"catalog": 12}]
    first.unsubscribe("shop", queue)
    second.unsubscribe("shop", queue)
    assert first.watched() == second.watched() == 0


async def test_a_full_queue_of_entries_loses_its_oldest_entries() -> None:
    store = FakeStore(0)
    watch: StoreWatch[str] = StoreWatch(store.look, interval=60, queue_size=3, entries=lambda seen: seen.items)
    queue, _ = await watch.subscribe("shop", "target")
    store.position = 5
    await watch.look()
    assert [queue.get_nowait() for _ in range(queue.qsize())] == [3, 4, 5]
