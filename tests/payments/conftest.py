"""Fixtures for the payment tests (localstripe, one process per session: tests/conftest.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from shared.db import Database, connect
from shared.payments import SecretBox, StripeKeys, set_stripe_keys
from support_stripe import PUBLISHABLE_KEY, SECRET_KEY, STORE_ID, WEBHOOK_SECRET


@pytest.fixture
def box() -> SecretBox:
    """A secrets box with a random key, as a deployment's VIBESHOP_SECRETS_KEY gives."""
    return SecretBox(os.urandom(32))


@pytest.fixture
def store_db(tmp_path: Path) -> Iterator[Database]:
    """A migrated store database in tmp_path."""
    db = connect(tmp_path / "store.db")
    yield db
    db.close()


@pytest.fixture
def stripe_store(store_db: Database, box: SecretBox) -> Database:
    """A store database with localstripe's test keys set."""
    set_stripe_keys(store_db, store_id=STORE_ID, box=box,
                    keys=StripeKeys(SECRET_KEY, PUBLISHABLE_KEY, WEBHOOK_SECRET))
    return store_db
