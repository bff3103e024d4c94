"""Fixtures for releases: the demo store's live database and a working copy made from it, as the cloud
keeps them: real libSQL files (DIR/stores/<id>.db and DIR/stores/<id>.work.db), or namespaces on a
libSQL server (sqld), in turn (the `engine` parameter)."""

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
    work_path: Path | str           # a file, or a namespace's URL: either opens with connect()
    live_path: Path | str
    store_id: str


@pytest.fixture
def copies(demo_dir: Path, engine: str, request: pytest.FixtureRequest) -> Iterator[Copies]:
    """The demo store's live database and its working copy (a file copy taken before either is opened;
    on sqld, two namespaces holding the rows of the demo store's file)."""
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
    if engine == "sqld":
        server = request.getfixturevalue("sqld")
        with_file = connect(live_path)
        try:
            live, work = server.copy_of(with_file), server.copy_of(with_file)
        finally:
            with_file.close()
        pair = Copies(work, live, work.url, live.url, record.id)
    else:
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
