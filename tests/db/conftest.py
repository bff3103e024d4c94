"""The data layer's tests run on both engines: an embedded libSQL file and a libSQL server (sqld)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from shared.db import Database


@pytest.fixture
def db(make_db: Callable[..., Database]) -> Database:
    """A migrated, empty store database: a file, then a namespace on sqld (the `engine` parameter)."""
    return make_db()
