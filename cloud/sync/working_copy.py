"""Each store's working copy (`stores/<id>.work.db`): where every device's edits meet, separate from
the live database that shoppers are served from (docs/sync-protocol.md, sections 1 and 7).

The first sync request for a store makes it: a consistent copy of the live database whose change
log is seeded with every authored row, so a device's first pull brings the whole store. Several
workers may race to make it; the file appears atomically (a hard link that fails if one exists), so
exactly one copy wins and nobody's pushes land in a file that is then replaced."""

from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path

from shared.db import Database, connect
from shared.db.repositories.copies import remove_shopper_data, vacuum_into
from shared.storefront.service import DataDir, Store
from shared.sync.merge import seed_log


def working_copy_path(data_dir: DataDir, store_id: str) -> Path:
    """Where a store's working copy lives."""
    return data_dir.root / "stores" / f"{store_id}.work.db"


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


class WorkingCopies:
    """Open working copies, one per store, made on first use; one instance per worker."""

    def __init__(self, data_dir: DataDir):
        self.data_dir = data_dir
        self._open: dict[str, Database] = {}
        self._lock = threading.Lock()

    def for_store(self, store: Store) -> Database:
        """The store's working copy (made now if it does not exist yet)."""
        with self._lock:
            db = self._open.get(store.record.id)
            if db is None:
                path = working_copy_path(self.data_dir, store.record.id)
                if not path.exists():
                    _make(store, path)
                db = connect(path)
                self._open[store.record.id] = db
            return db

    def existing(self, store: Store) -> Database | None:
        """The store's working copy if one was made (no device has synced yet: None; a copy made
        later starts from the live database, so it has everything the live database has then)."""
        with self._lock:
            if store.record.id not in self._open and not working_copy_path(self.data_dir, store.record.id).exists():
                return None
        return self.for_store(store)

    def close(self) -> None:
        """Close every open working copy."""
        with self._lock:
            for db in self._open.values():
                db.close()
            self._open.clear()


def device_copy(store: Store, target: Path) -> None:
    """A consistent copy of the store's live database for a device to start from, at `target`:
    the catalogue, stock, media and content, but no customers, carts or orders (a merchant's laptop
    needs none of them to author the store, and should not carry them)."""
    store.db.maintenance(lambda conn: vacuum_into(conn, target))
    copy = connect(target)
    try:
        copy.write(remove_shopper_data)
    finally:
        copy.close()            # the last connection: its WAL is checkpointed into the file and removed
