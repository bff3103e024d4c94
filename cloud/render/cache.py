"""Rendered pages kept per worker, keyed by store, address and the store's content version, and the
theme stylesheets those pages link.

A page is served from here only while the store's content version is the one it was rendered at
and before the next scheduled post goes live, so no worker ever serves a page older than the last
commit it has seen. Each worker re-reads a store's version at most every VERSION_TTL seconds (well
inside the one-second promise) instead of on every request. Pages and stylesheets are kept already
compressed (cloud/render/encoding.py), so a hit costs no compression.

Stock moves the version only when a page shows the change (migration 0030: a flip between in stock and
sold out, or a count the product page prints), so a POS selling at the counter leaves the cache alone;
open product pages follow stock through GET /live/stock (cloud/server/availability.py).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from cloud.render.encoding import Encoded
from shared.compose.stylesheet import Stylesheet

VERSION_TTL = 0.25


@dataclass(frozen=True)
class CachedPage:
    """A rendered page in every encoding it is sent in, with what makes it valid."""

    status: int
    version: int
    valid_until: float          # monotonic deadline (a scheduled post going live), or inf
    encoded: Encoded


class _BytesLRU:
    """An LRU of encoded bodies bounded by the bytes they hold."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[str, ...], tuple[object, int]] = OrderedDict()
        self._bytes = 0

    def get(self, key: tuple[str, ...]) -> object | None:
        item = self._items.get(key)
        if item is None:
            return None
        self._items.move_to_end(key)
        return item[0]

    def put(self, key: tuple[str, ...], value: object, size: int) -> None:
        if size > self.max_bytes // 8:     # one huge entry must not empty the cache
            return
        old = self._items.pop(key, None)
        if old is not None:
            self._bytes -= old[1]
        self._items[key] = (value, size)
        self._bytes += size
        while self._bytes > self.max_bytes:
            _, (_evicted, evicted_size) = self._items.popitem(last=False)
            self._bytes -= evicted_size

    def keys(self) -> list[tuple[str, ...]]:
        return list(self._items)


class Stylesheets:
    """Theme stylesheets by store and name: the ones pages rendered here linked, and each as it is
    sent (compressed once, on its first request). A stylesheet is immutable under its name, so an entry
    never goes stale; the bounds only limit memory. Pages cached before a theme change keep linking
    the old name, so its bytes are kept here as long as those pages may be served."""

    KEEP_SOURCES = 256

    def __init__(self, max_bytes: int = 16 * 1024 * 1024):
        self._lru = _BytesLRU(max_bytes)
        self._sources: OrderedDict[tuple[str, str], Stylesheet] = OrderedDict()

    def remember(self, store_id: str, sheet: Stylesheet) -> None:
        """Note the stylesheet a page rendered here links (not compressed until it is asked for)."""
        key = (store_id, sheet.name)
        if key in self._sources:
            self._sources.move_to_end(key)
            return
        self._sources[key] = sheet
        if len(self._sources) > self.KEEP_SOURCES:
            self._sources.popitem(last=False)

    def source(self, store_id: str, name: str) -> Stylesheet | None:
        """The stylesheet `name` a page rendered here linked, if it is still remembered."""
        return self._sources.get((store_id, name))

    def get(self, store_id: str, name: str) -> Encoded | None:
        """The stylesheet `name` of a store, if this worker has it."""
        found = self._lru.get((store_id, name))
        return found if isinstance(found, Encoded) else None

    def put(self, store_id: str, name: str, encoded: Encoded) -> None:
        """Keep a stylesheet of a store."""
        self._lru.put((store_id, name), encoded, encoded.size)


class PageCache:
    """An LRU of rendered pages bounded by the bytes they hold (every encoding counted), and the
    stylesheets they link.

    Used from the event loop only (one per worker process): no method awaits, so none needs a lock.
    `clock` is the monotonic clock the TTL and the deadlines are read on (a test steps it past VERSION_TTL
    instead of sleeping)."""

    def __init__(self, max_bytes: int = 64 * 1024 * 1024, *, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self._pages = _BytesLRU(max_bytes)
        self.stylesheets = Stylesheets()
        self._versions: dict[str, tuple[int, float]] = {}
        self.hits = 0
        self.misses = 0

    def seen_version(self, store_id: str) -> int | None:
        """The store's content version as read within VERSION_TTL, or None: read it again and
        `note_version` it (the read is the caller's, so that it happens off the event loop)."""
        seen = self._versions.get(store_id)
        if seen is not None and self.clock() - seen[1] < VERSION_TTL:
            return seen[0]
        return None

    def note_version(self, store_id: str, version: int) -> int:
        """Remember the store's content version as read just now; returns it."""
        self._versions[store_id] = (version, self.clock())
        return version

    def get(self, key: tuple[str, ...], version: int) -> CachedPage | None:
        """The page for key if it is still valid at this version."""
        page = self._pages.get(key)
        if not isinstance(page, CachedPage) or page.version != version or self.clock() >= page.valid_until:
            self.misses += 1
            return None
        self.hits += 1
        return page

    def put(self, key: tuple[str, ...], page: CachedPage) -> None:
        """Keep a page, evicting the least recently used beyond the size bound."""
        self._pages.put(key, page, page.encoded.size)

    def keys(self) -> list[tuple[str, ...]]:
        """The keys of the pages kept (for tests and diagnostics)."""
        return self._pages.keys()


def deadline(next_publish: str | None, *, clock: Callable[[], float] = time.monotonic) -> float:
    """A deadline on `clock` (the cache's) from an ISO timestamp (inf when there is none)."""
    if not next_publish:
        return float("inf")
    try:
        at = datetime.fromisoformat(next_publish)
    except ValueError:
        return clock() + 60
    return clock() + max(0.0, at.timestamp() - time.time())
