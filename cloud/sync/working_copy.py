"""Each store's working copy (`stores/<id>.work.db`): where every device's edits meet, separate from
the live database that shoppers are served from (docs/sync-protocol.md, sections 1 and 7).

The first sync request for a store makes it: a consistent copy of the live database whose change
log is seeded with every authored row, so a device's first pull brings the whole store. Several
workers may race to make it; the file appears atomically (a hard link that fails if one exists), so
exactly one copy wins and nobody's pushes land in a file that is then replaced.

On a libSQL server (the folder records one) the working copy is a namespace of its own. The server
refuses VACUUM INTO, so the copy is made from the rows, as one batch that a copy made first by a
racing worker refuses whole."""

from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path
from typing import BinaryIO

from shared.db import Database, DatabaseError, connect
from shared.db.database import REMOTE_SCHEMES
from shared.db.repositories.copies import (SHOPPER_TABLES, copy_into, copy_statements, remove_shopper_data,
                                           vacuum_into)
from shared.db.repositories.storefront import has_storefront
from shared.db.repositories.versions import snapshot_version
from shared.storefront.service import DataDir, Store, open_namespace
from shared.sync.merge import seed_log


def working_copy_path(data_dir: DataDir, store_id: str) -> Path:
    """Where a store's working copy lives."""
    return data_dir.working_copy_path(store_id)


def _make(store: Store, target: Path) -> None:
    tmp = target.with_name(f"{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        store.db.maintenance(lambda conn: vacuum_into(conn, tmp))
        db = connect(tmp)
        try:
            seed_log(db)
        finally:
            db.close()
        try:
            os.link(tmp, target)          # fails if another worker made it first: theirs stands
        except FileExistsError:
            pass
    finally:
        for leftover in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            leftover.unlink(missing_ok=True)


def _make_on_server(data_dir: DataDir, store: Store) -> Database:
    """The store's working copy namespace, made and filled from the live database if need be.

    The rows go in as one batch, the first statement of which fails on a copy that another worker
    filled already (then nothing changes); the log is then seeded, which happens once whoever does
    it, and before any push can reach the copy (pushes come through here)."""
    assert data_dir.server is not None
    work = open_namespace(data_dir.server, data_dir.server.namespace("work", store.record.id), create=True)
    try:
        if not work.read(has_storefront):
            statements = store.db.read(lambda live: work.read(lambda target: copy_statements(live, target)))
            work.maintenance(lambda conn: conn.batch_transaction(statements))
            if not work.read(has_storefront):
                raise DatabaseError("the working copy could not be made on the libSQL server")
        seed_log(work)
    except BaseException:
        work.close()
        raise
    return work


class _StoreLocks:
    """One lock per store id: making one store's copy (VACUUM INTO, seconds on a big store) must not
    hold up any other store's requests."""

    def __init__(self) -> None:
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def __call__(self, store_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(store_id, threading.Lock())


class WorkingCopies:
    """Open working copies, one per store, made on first use; one instance per worker."""

    def __init__(self, data_dir: DataDir):
        self.data_dir = data_dir
        self._open: dict[str, Database] = {}
        self._lock_of = _StoreLocks()

    def for_store(self, store: Store) -> Database:
        """The store's working copy (made now if it does not exist yet)."""
        db = self._open.get(store.record.id)
        if db is not None:
            return db
        with self._lock_of(store.record.id):
            db = self._open.get(store.record.id)
            if db is None and self.data_dir.server is not None:
                db = self._open[store.record.id] = _make_on_server(self.data_dir, store)
            if db is None:
                path = working_copy_path(self.data_dir, store.record.id)
                if not path.exists():
                    _make(store, path)
                db = connect(path)
                self._open[store.record.id] = db
            return db

    async def open(self, store: Store) -> Database:
        """for_store for async callers: a copy still to be opened or made is, on the live
        database's reader threads (making one reads the whole live database)."""
        db = self._open.get(store.record.id)
        return db if db is not None else await store.db.call_read(self.for_store, store)

    def existing(self, store: Store) -> Database | None:
        """The store's working copy if one was made (no device has synced yet: None; a copy made
        later starts from the live database, so it has everything the live database has then)."""
        if store.record.id not in self._open and not self._exists(store.record.id):
            return None
        return self.for_store(store)

    def _exists(self, store_id: str) -> bool:
        server = self.data_dir.server
        if server is not None:
            return server.has_namespace(server.namespace("work", store_id))
        return working_copy_path(self.data_dir, store_id).exists()

    def close(self) -> None:
        """Close every open working copy."""
        opened, self._open = self._open, {}
        for db in opened.values():
            db.close()


def device_copy(store: Store, target: Path) -> None:
    """A consistent copy of the store's live database for a device to start from, at `target`:
    the catalogue, stock, media and content, but no customers, carts or orders (a merchant's laptop
    needs none of them to author the store, and should not carry them)."""
    if store.db.url.startswith(REMOTE_SCHEMES):
        # A server refuses VACUUM INTO: copy the rows into a fresh file of the same schema; the
        # shoppers' tables are never written to it at all.
        copy = connect(target)
        try:
            copy_into(store.db, copy, skip=SHOPPER_TABLES)
        finally:
            copy.close()
        return
    store.db.maintenance(lambda conn: vacuum_into(conn, target))
    copy = connect(target)
    try:
        copy.write(remove_shopper_data)
    finally:
        copy.close()            # the last connection: its WAL is checkpointed into the file and removed


class Snapshots:
    """The device snapshot of each store, made once per snapshot version of its live database (its
    content version and releases) and kept on disk, so linking devices does not copy the whole live
    database each time; one instance per worker (several workers share the files)."""

    def __init__(self, data_dir: DataDir):
        self.data_dir = data_dir
        self._lock_of = _StoreLocks()

    def open_for(self, store: Store) -> BinaryIO:
        """The store's current snapshot, opened for reading (made now if the live database changed
        since the last one). Open, it stays readable while a newer one replaces it."""
        folder = self.data_dir.snapshot_dir(store.record.id)
        while True:
            target = folder / f"{store.db.read(snapshot_version)}.db"
            with self._lock_of(store.record.id):
                if not target.exists():
                    folder.mkdir(parents=True, exist_ok=True)
                    tmp = folder / f"{uuid.uuid4().hex}.tmp"
                    try:
                        device_copy(store, tmp)
                        os.replace(tmp, target)        # whole or not at all, also for another worker
                    finally:
                        tmp.unlink(missing_ok=True)
                try:
                    file = target.open("rb")
                except FileNotFoundError:          # another worker just made a newer one: take that
                    continue
                for old in folder.glob("*.db"):
                    if old != target:
                        old.unlink(missing_ok=True)
                return file
