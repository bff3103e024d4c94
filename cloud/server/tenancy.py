"""Which store a request is for: from its Host header alone, `{slug}.{base_domain}` or a verified
custom domain. Open store databases are kept for reuse."""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import Callable
from typing import Literal

from shared.db.repositories.stores import find_store_by_hostname, get_store, get_store_by_slug, list_stores
from shared.db import Database
from shared.models import StoreRecord
from shared.storefront.service import DataDir, Store, open_registered_store
from shared.storefront.validation import SLUG_RE


RECORD_TTL = 0.25


@functools.lru_cache(maxsize=4096)
def hostname_of(host_header: str) -> str:
    """'Demo.Localhost:8080' -> 'demo.localhost' (IPv6 literals keep their brackets). Cached: a worker
    sees the same few Host headers on almost every request."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if ":" in host else host


class StoreDirectory:
    """Resolves hostnames to open stores; one instance per worker process.

    Used from the event loop: the catalog is read on its own threads, and a store's database is
    opened (and migrated) off the loop, once, however many requests ask for it meanwhile. `clock` is the
    monotonic clock RECORD_TTL is read on (a test steps it past the TTL instead of sleeping)."""

    def __init__(self, data_dir: DataDir, base_domain: str, *, clock: Callable[[], float] = time.monotonic):
        self.clock = clock
        self.data_dir = data_dir
        self.base_domain = base_domain.lower().strip(".")
        self._open: dict[str, Store] = {}
        self._opening: dict[str, asyncio.Future[Store]] = {}
        self._catalog = data_dir.catalog()
        self._hosts: dict[str, tuple[Store | None, float]] = {}
        self._ids: dict[str, tuple[Store | None, float]] = {}

    async def slug_for(self, hostname: str) -> str | None:
        """The store slug a hostname names, if any (subdomain of the base domain or a verified domain)."""
        suffix = "." + self.base_domain
        if hostname.endswith(suffix):
            slug = hostname[: -len(suffix)]
            return slug if SLUG_RE.match(slug) else None
        record = await self._catalog.run_read(lambda conn: find_store_by_hostname(conn, hostname))
        return record.slug if record else None

    def known(self, hostname: str) -> Store | None | Literal[False]:
        """The store for a hostname as seen within RECORD_TTL (None: no store), or False when it must
        be looked up again (`store_for`). Lets a request that needs no lookup avoid a coroutine."""
        seen = self._hosts.get(hostname)
        if seen is not None and self.clock() - seen[1] < RECORD_TTL:
            return seen[0]
        return False

    async def store_for(self, hostname: str) -> Store | None:
        """The open store for a hostname, or None.

        The answer is kept per hostname for RECORD_TTL seconds: a store suspended, closed or given a
        domain while the service runs is seen within that, without a database read per request (for a
        custom domain, without two)."""
        known = self.known(hostname)
        if known is not False:
            return known
        store = await self._resolve(hostname)
        if len(self._hosts) >= 10_000:    # forged Host headers must not grow this without bound
            self._hosts.clear()
        self._hosts[hostname] = (store, self.clock())
        return store

    async def _resolve(self, hostname: str) -> Store | None:
        slug = await self.slug_for(hostname)
        if slug is None:
            return None
        record = await self._catalog.run_read(lambda conn: get_store_by_slug(conn, slug))
        if record is None:
            return None
        # Keyed by id: a store deleted and made again under the same slug is another database.
        store = self._open.get(record.id)
        if store is None:
            store = await self._opened(record)
        store.record = record
        return store

    async def _opened(self, record: StoreRecord) -> Store:
        """Open a store's database off the event loop (it may wait for a lock to migrate); requests
        that ask meanwhile wait for the same opening, and a request that goes away does not stop it."""
        opening = self._opening.get(record.id)
        if opening is None:
            opening = asyncio.ensure_future(asyncio.to_thread(open_registered_store, self.data_dir, record))
            self._opening[record.id] = opening

            def opened(done: asyncio.Future[Store], store_id: str = record.id) -> None:
                self._opening.pop(store_id, None)
                if not done.cancelled() and done.exception() is None:
                    self._open[store_id] = done.result()

            opening.add_done_callback(opened)
        return await asyncio.shield(opening)

    async def store_by_id(self, store_id: str) -> Store | None:
        """The open store with this id (a device token's store), or None; not cached for long, like
        hostnames, so a deleted store stops answering within RECORD_TTL."""
        now = self.clock()
        seen = self._ids.get(store_id)
        if seen is not None and now - seen[1] < RECORD_TTL:
            return seen[0]
        record = await self._catalog.run_read(lambda conn: get_store(conn, store_id))
        store = await self._resolve(f"{record.slug}.{self.base_domain}") if record is not None else None
        if len(self._ids) >= 10_000:
            self._ids.clear()
        self._ids[store_id] = (store, now)
        return store

    def forget(self, slug: str) -> None:
        """Look hostnames up again on the next request after this worker changed this store's row or
        domains: the store's own hostnames and every hostname that named no store (it may now)."""
        self._hosts = {host: seen for host, seen in self._hosts.items()
                       if seen[0] is not None and seen[0].record.slug != slug}

    def open_stores(self) -> list[Store]:
        """The stores this worker has open now (the outbox worker and the holds purge go over them)."""
        return list(self._open.values())

    @property
    def catalog(self) -> Database:
        """The catalog database (stores, domains, users, tokens)."""
        return self._catalog

    async def slugs(self) -> list[str]:
        """Every store slug (for local development hints)."""
        records = await self._catalog.run_read(list_stores)
        return [r.slug for r in records]

    def close(self) -> None:
        """Close every open database."""
        for store in self._open.values():
            store.close()
        self._open.clear()
        self._catalog.close()
