"""Rendered pages kept per worker, keyed by store, address and the store's content version.

A page is served from here only while the store's content version is the one it was rendered at
and before the next scheduled post goes live, so no worker ever serves a page older than the last
commit it has seen. Each worker re-reads a store's version at most every VERSION_TTL seconds (well
inside the one-second promise) instead of on every request.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

VERSION_TTL = 0.25


@dataclass(frozen=True)
class CachedPage:
    """A rendered response body with what makes it valid, and the headers it is sent with."""

    status: int
    html: str
    etag: str
    version: int
    valid_until: float          # monotonic deadline (a scheduled post going live), or inf
    body: bytes = b""           # html encoded once, sent as is
    headers: Mapping[str, str] = field(default_factory=dict)      # for the full answer
    validators: Mapping[str, str] = field(default_factory=dict)   # for a 304 (no Content-Type)


def etag_of(html: str) -> str:
    """A strong validator for a page body."""
    return '"' + hashlib.blake2b(html.encode(), digest_size=12).hexdigest() + '"'


class PageCache:
    """An LRU of rendered pages bounded by total characters.

    Used from the event loop only (one per worker process): no method awaits, so none needs a lock."""

    def __init__(self, max_chars: int = 64 * 1024 * 1024):
        self.max_chars = max_chars
        self._pages: OrderedDict[tuple[str, ...], CachedPage] = OrderedDict()
        self._chars = 0
        self._versions: dict[str, tuple[int, float]] = {}
        self.hits = 0
        self.misses = 0

    def seen_version(self, store_id: str) -> int | None:
        """The store's content version as read within VERSION_TTL, or None: read it again and
        `note_version` it (the read is the caller's, so that it happens off the event loop)."""
        seen = self._versions.get(store_id)
        if seen is not None and time.monotonic() - seen[1] < VERSION_TTL:
            return seen[0]
        return None

    def note_version(self, store_id: str, version: int) -> int:
        """Remember the store's content version as read just now; returns it."""
        self._versions[store_id] = (version, time.monotonic())
        return version

    def get(self, key: tuple[str, ...], version: int) -> CachedPage | None:
        """The page for key if it is still valid at this version."""
        page = self._pages.get(key)
        if page is None or page.version != version or time.monotonic() >= page.valid_until:
            self.misses += 1
            return None
        self._pages.move_to_end(key)
        self.hits += 1
        return page

    def put(self, key: tuple[str, ...], page: CachedPage) -> None:
        """Keep a page, evicting the least recently used beyond the size bound."""
        if len(page.html) > self.max_chars // 8:
            return
        if not page.body:
            page = replace(page, body=page.html.encode("utf-8"))
        old = self._pages.pop(key, None)
        if old is not None:
            self._chars -= len(old.html)
        self._pages[key] = page
        self._chars += len(page.html)
        while self._chars > self.max_chars:
            _, evicted = self._pages.popitem(last=False)
            self._chars -= len(evicted.html)


def deadline(next_publish: str | None) -> float:
    """A monotonic deadline from an ISO timestamp (inf when there is none)."""
    if not next_publish:
        return float("inf")
    try:
        at = datetime.fromisoformat(next_publish)
    except ValueError:
        return time.monotonic() + 60
    return time.monotonic() + max(0.0, at.timestamp() - time.time())
