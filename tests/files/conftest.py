"""Fixtures for the files tests: the demo store and a folder exported from it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.files import export_store
from shared.storefront.service import DataDir, Store, open_store


@pytest.fixture
def demo(demo_dir: Path) -> Iterator[Store]:
    """The demo store, in a private copy of the demo data folder."""
    store = open_store(DataDir(demo_dir), "demo")
    yield store
    store.close()


@pytest.fixture
def folder(demo: Store, tmp_path: Path) -> Path:
    """The demo store exported to a files folder."""
    target = tmp_path / "files"
    export_store(demo.db, target)
    return target
