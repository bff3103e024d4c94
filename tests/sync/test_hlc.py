"""The hybrid logical clock."""

from __future__ import annotations

from shared.db import Database
from shared.sync import hlc


def test_format_and_order() -> None:
    a = hlc.format_hlc(1_700_000_000_000, 0, "dev-a")
    assert a == "1700000000000-00000-dev-a"
    assert hlc.parse(a) == (1_700_000_000_000, 0, "dev-a")
    assert hlc.tick(a, 1_600_000_000_000, "dev-a") == "1700000000000-00001-dev-a"   # wall clock behind
    assert hlc.tick(a, 1_800_000_000_000, "dev-a") == "1800000000000-00000-dev-a"
    assert hlc.tick(hlc.format_hlc(5, 99_999, "x"), 1, "x") == hlc.format_hlc(6, 0, "x")
    assert not hlc.is_valid("12-3-x") and not hlc.is_valid(None)


def test_receive_moves_past_the_other() -> None:
    other = hlc.format_hlc(9_000_000_000_000, 7, "dev-b")
    moved = hlc.merge(hlc.format_hlc(1, 0, "dev-a"), other, 2, "dev-a")
    assert moved == "9000000000000-00008-dev-a" and moved > other


def test_clock_is_persisted_and_strictly_increasing(db: Database) -> None:
    issued = [db.write(lambda conn: hlc.now(conn, "dev-a")) for _ in range(50)]
    assert issued == sorted(issued) and len(set(issued)) == 50
    far = hlc.format_hlc(9_000_000_000_000, 3, "dev-b")
    db.write(lambda conn: hlc.receive(conn, far, "dev-a"))
    assert db.write(lambda conn: hlc.now(conn, "dev-a")) > far


def test_now_many_issues_what_now_would_and_persists_the_last(db: Database) -> None:
    far = hlc.format_hlc(9_000_000_000_000, 3, "dev-b")
    db.write(lambda conn: hlc.receive(conn, far, "dev-a"))     # the wall clock is behind: counters climb
    issued = db.write(lambda conn: hlc.now_many(conn, "dev-a", 100))
    assert issued == [hlc.format_hlc(9_000_000_000_000, 5 + i, "dev-a") for i in range(100)]
    assert db.write(lambda conn: hlc.now(conn, "dev-a")) == hlc.format_hlc(9_000_000_000_000, 105, "dev-a")
    assert db.write(lambda conn: hlc.now_many(conn, "dev-a", 0)) == []
