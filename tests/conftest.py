"""Shared fixtures: real libSQL files in tmp_path, a seeded demo data folder, real V8 executors."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from shared.db import Database, connect
from shared.db import database as database_module
from shared.db.repositories.copies import copy_into
from shared.demo.seed import seed_demo
from shared.storefront.service import DataDir, Store, create_store, open_store
from shared.vibe.executor import StoreExecutor
from support_checkout import localstripe, localstripe_process  # noqa: F401 - one localstripe process per session
from sqld_support import Sqld


@pytest.fixture(scope="session")
def demo_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder with the demo store seeded once per test session. Read it, never write it:
    tests that change data use `demo_dir`, a copy."""
    root = tmp_path_factory.mktemp("demo-source")
    result = seed_demo(DataDir(root))
    result.store.close()
    return root


@pytest.fixture
def demo_dir(demo_source: Path, tmp_path: Path) -> Path:
    """A private, writable copy of the seeded demo data folder."""
    target = tmp_path / "demo-data"
    shutil.copytree(demo_source, target)
    return target


@pytest.fixture
def demo_store(demo_dir: Path) -> Iterator[Store]:
    """The demo store in a private copy of the demo data folder."""
    store = open_store(DataDir(demo_dir), "demo")
    yield store
    store.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> DataDir:
    """An empty data folder."""
    return DataDir(tmp_path / "data")


@pytest.fixture
def store(data_dir: DataDir) -> Iterator[Store]:
    """A freshly created store (storefront row, theme, menus and an empty published home page)."""
    created = create_store(data_dir, slug="north-goods", name="North Goods")
    yield created
    created.close()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty store database file."""
    database = connect(tmp_path / "store.db")
    yield database
    database.close()


@pytest.fixture
def executor() -> Iterator[StoreExecutor]:
    """A real V8 executor for one store."""
    ex = StoreExecutor("test-store")
    yield ex
    ex.close()


@pytest.fixture
def busy_waits(monkeypatch) -> threading.Event:
    """Set when some database starts waiting for another connection's lock (its first backoff)."""
    waiting = threading.Event()
    real_sleep = database_module.time.sleep

    def sleep(seconds: float) -> None:
        waiting.set()
        real_sleep(seconds)

    monkeypatch.setattr(database_module.time, "sleep", sleep)
    return waiting


@pytest.fixture(scope="session")
def sqld(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sqld]:
    """One libSQL server (sqld, namespaces on) for the session; each test uses namespaces of its own."""
    server = Sqld(tmp_path_factory.mktemp("sqld")).start()
    yield server
    server.stop()


@pytest.fixture(params=["file", "sqld"])
def engine(request: pytest.FixtureRequest) -> str:
    """Which libSQL the test's databases are on: an embedded file or a libSQL server (sqld)."""
    return request.param


@pytest.fixture
def make_db(engine: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., Database]]:
    """Make migrated, empty databases (or copies of one) on the test's engine; all closed at the end."""
    made: list[Database] = []

    def make(*, copy_of: Database | None = None, name: str = "store") -> Database:
        if engine == "sqld":
            server = request.getfixturevalue("sqld")
            database = server.copy_of(copy_of) if copy_of is not None else server.new_database()
        else:
            database = connect(tmp_path / f"{name}-{len(made)}.db")
            if copy_of is not None:
                copy_into(copy_of, database)
        made.append(database)
        return database

    yield make
    for database in made:
        database.close()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Delete every Qt widget the tests left before the interpreter exits. Tests close their windows,
    but a closed window's QtWebEngine page lives until Python collects it; at exit that can come after
    the web engine's profile is released ("Release of profile requested but WebEnginePage still not
    deleted"), and the process then dies with SIGSEGV after every test passed."""
    import sys

    if "PySide6.QtWidgets" not in sys.modules:
        return
    import gc

    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    gc.collect()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()
