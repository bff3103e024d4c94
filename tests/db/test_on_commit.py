"""Connection.on_commit: a service holding only the connection queues a side effect for after the
commit of the write it runs in, and never after a rollback."""

from __future__ import annotations

import pytest

from shared.db import DatabaseError
from shared.db.database import Connection


def test_a_callback_queued_through_the_connection_runs_after_commit_only(db):
    ran: list[str] = []

    def commits(conn):
        conn.on_commit(lambda: ran.append("committed"))
        assert ran == []                       # not before the commit

    def fails(conn):
        conn.on_commit(lambda: ran.append("rolled back"))
        raise RuntimeError("undo")

    db.write(commits)
    with pytest.raises(RuntimeError):
        db.write(fails)
    db.write(lambda conn: None)                # a later commit does not run the dropped callback

    assert ran == ["committed"]


def test_a_connection_without_a_database_refuses_on_commit():
    with pytest.raises(DatabaseError):
        Connection(raw=None).on_commit(lambda: None)
