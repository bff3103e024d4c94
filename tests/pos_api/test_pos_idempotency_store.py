"""The Idempotency-Key records in the store database: kept 7 days, and a crashed request's key taken over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cloud.server.pos.idempotency import KEEP_FOR, LEASE, _claim
from shared.db.repositories import pos_idempotency as repo


def test_keys_older_than_seven_days_are_purged(demo_store) -> None:
    now = datetime.now(UTC)
    db = demo_store.db
    almost = now - KEEP_FOR + timedelta(minutes=1)
    assert db.write(lambda c: _claim(c, "tok", "old", "h", almost))[0] == "run"
    db.write(lambda c: repo.finish_key(c, "tok", "old", 200, "{}"))
    assert db.write(lambda c: _claim(c, "tok", "old", "h", now))[0] == "done"       # 6 days 23:59 old: kept
    assert db.write(lambda c: _claim(c, "tok", "new", "h", now + timedelta(minutes=2)))[0] == "run"
    assert db.read(lambda c: repo.find_key(c, "tok", "old")) is None                # 7 days 1 min old: gone
    assert db.write(lambda c: _claim(c, "tok", "old", "other", now + timedelta(minutes=2)))[0] == "run"


def test_a_key_left_running_is_taken_over_after_the_lease(demo_store) -> None:
    now = datetime.now(UTC)
    db = demo_store.db
    assert db.write(lambda c: _claim(c, "tok", "k", "h", now))[0] == "run"
    assert db.write(lambda c: _claim(c, "tok", "k", "h", now + LEASE / 2))[0] == "running"
    assert db.write(lambda c: _claim(c, "tok", "k", "other", now + LEASE / 2))[0] == "mismatch"
    assert db.write(lambda c: _claim(c, "tok", "k", "h", now + LEASE * 2))[0] == "run"
    assert db.write(lambda c: _claim(c, "tok2", "k", "other", now))[0] == "run"     # keys are per token
