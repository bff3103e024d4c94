"""A pull's conflict records are bounded and paged with its changes: a page that ends at cursor N
carries exactly the records up to N, the next page the ones after, and no page more than the limit."""

from __future__ import annotations

from shared.db import Connection, Database, connect
from shared.db.repositories import sync as repo
from shared.sync import merge


def _log_with_conflicts(db: Database, per_change: list[int]) -> None:
    """One change-log entry per item, each with that many conflict records."""
    def write(conn: Connection) -> None:
        for index, count in enumerate(per_change):
            conn.execute("INSERT INTO sync_log (table_name, key, row, clocks) VALUES ('pages', ?, NULL, '{}')",
                         (f"page-{index}",))
            seq = conn.scalar("SELECT max(seq) FROM sync_log")
            for n in range(count):
                repo.insert_conflict(conn, {"id": f"c-{index}-{n}", "table": "pages", "key": f"page-{index}",
                                            "field": f"f{n}", "value": "lost", "hlc": "h", "device_id": "d",
                                            "winner_hlc": "w", "created_seq": seq, "resolved": False,
                                            "device_name": "Laptop"})

    db.write(write)


def _pull_all(db: Database, limit: int) -> list[merge.PullPage]:
    pages, cursor = [], 0
    while True:
        page = merge.pull_page(db, cursor, limit)
        pages.append(page)
        assert page.cursor > cursor or not page.more
        cursor = page.cursor
        if not page.more:
            return pages


def test_conflicts_come_with_the_changes_they_belong_to_and_are_bounded(tmp_path):
    db = connect(tmp_path / "work.db")
    try:
        _log_with_conflicts(db, [3, 0, 3, 3, 1, 0, 2])
        pages = _pull_all(db, limit=4)
        assert all(len(page.conflicts) <= 4 and len(page.changes) <= 4 for page in pages)
        seen = [c["id"] for page in pages for c in page.conflicts]
        assert sorted(seen) == sorted(c["id"] for c in db.read(lambda conn: repo.conflicts_since(conn, 0)))
        assert len(seen) == len(set(seen)) == 12
        for page in pages:
            last = max([page.cursor, *(c["created_seq"] for c in page.conflicts)])
            assert last == page.cursor                          # none beyond the page's cursor
            assert all(change["seq"] <= page.cursor for change in page.changes)
        changes = [change["seq"] for page in pages for change in page.changes]
        assert changes == sorted(set(changes)) and len(changes) == 7
    finally:
        db.close()


def test_one_changes_records_are_never_split(tmp_path):
    db = connect(tmp_path / "work.db")
    try:
        _log_with_conflicts(db, [5, 1])
        first = merge.pull_page(db, 0, 2)
        assert [c["id"] for c in first.conflicts] == [f"c-0-{n}" for n in range(5)] and first.more
        assert len(first.changes) == 1
        second = merge.pull_page(db, first.cursor, 2)
        assert [c["id"] for c in second.conflicts] == ["c-1-0"] and not second.more
    finally:
        db.close()
