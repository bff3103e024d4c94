"""Fixtures for releases: the demo store's live database and a working copy made from it, as the cloud
keeps them (DIR/stores/<id>.db and DIR/stores/<id>.work.db), both real libSQL files."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from shared.db import Database, connect
from shared.db.repositories import stores
from shared.storefront.service import DataDir
from shared.vibe.executor import StoreExecutor


@dataclass
class Copies:
    """The two databases of one store, and where they are."""

    work: Database
    live: Database
    work_path: Path
    live_path: Path
    store_id: str


@pytest.fixture
def copies(demo_dir: Path) -> Iterator[Copies]:
    """The demo store's live database and its working copy (a file copy taken before either is opened)."""
    data = DataDir(demo_dir)
    catalog = data.catalog()
    record = catalog.read(lambda conn: stores.get_store_by_slug(conn, "demo"))
    catalog.close()
    assert record is not None
    live_path = Path(data.store_url(record))
    work_path = live_path.with_name(f"{record.id}.work.db")
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{live_path}{suffix}").exists():
            shutil.copyfile(f"{live_path}{suffix}", f"{work_path}{suffix}")
    pair = Copies(connect(work_path), connect(live_path), work_path, live_path, record.id)
    yield pair
    pair.work.close()
    pair.live.close()


@pytest.fixture
def executors() -> Iterator[tuple[StoreExecutor, StoreExecutor]]:
    """One V8 executor per database (their product snapshots are keyed by each database's version)."""
    pair = (StoreExecutor("release-live"), StoreExecutor("release-work"))
    yield pair
    for ex in pair:
        ex.close()
