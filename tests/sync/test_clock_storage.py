"""Field clocks are stored one JSON object per row (migration 0009); a store synced before it keeps
every clock and shadow it had, and merging, replacing and clearing clocks behave as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.db import connect, migrate
from shared.db.repositories import sync as repo


def test_clocks_kept_per_field_before_0009_are_carried_over(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = migrate.migrations_for
    monkeypatch.setattr(migrate, "migrations_for", lambda kind: [m for m in shipped(kind) if m.version < 9])
    path = tmp_path / "store.db"
    old = connect(path)
    old.write(lambda conn: conn.execute(
        "INSERT INTO sync_fields (table_name, key, field, hlc) VALUES "
        "('pages', 'p1', 'title', '0000000000001-00000-a'), ('pages', 'p1', 'slug', '0000000000002-00000-b'), "
        "('blocks', 'b1', 'code', '0000000000003-00000-cloud')"))
    old.write(lambda conn: repo.set_shadow(conn, "pages", "p1", {"id": "p1", "title": "Shadow « ü »"}))
    old.close()

    monkeypatch.setattr(migrate, "migrations_for", shipped)
    db = connect(path)
    try:
        assert db.read(lambda c: repo.get_clocks(c, "pages", "p1")) == {
            "title": "0000000000001-00000-a", "slug": "0000000000002-00000-b"}
        assert db.read(lambda c: repo.get_clocks(c, "blocks", "b1")) == {"code": "0000000000003-00000-cloud"}
        assert db.read(lambda c: c.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'sync_fields'")) == 0
        assert db.read(lambda c: repo.get_shadow(c, "pages", "p1")) == {"id": "p1", "title": "Shadow « ü »"}
    finally:
        db.close()


def test_merge_replace_and_clear(tmp_path: Path) -> None:
    db = connect(tmp_path / "store.db")
    try:
        def write(conn) -> None:
            repo.set_clocks(conn, "pages", "p1", {"title": "1", "slug": "1"})
            repo.set_clocks(conn, "pages", "p1", {"title": "2"})                       # merged
            repo.set_clocks_many(conn, [("pages", "p2", {"title": "3"}), ("pages", "p2", {"slug": "4"}),
                                        ("blocks", "b1", {"code": "5"})])
            repo.set_clocks(conn, "blocks", "b1", {"kind": "6"}, replace=True)          # replaced
            repo.set_clocks_many(conn, [("pages", "p2", {})], replace=True)             # cleared

        db.write(write)
        clocks = db.read(lambda c: {k: repo.get_clocks(c, t, k) for t, k in
                                    (("pages", "p1"), ("pages", "p2"), ("blocks", "b1"))})
        assert clocks == {"p1": {"title": "2", "slug": "1"}, "p2": {}, "b1": {"kind": "6"}}
        assert db.read(lambda c: repo.keys_with_clocks(c, "pages", ["p1", "p2", "p3"])) == {"p1"}
    finally:
        db.close()


def test_one_clock_for_every_field_is_stored_once_and_read_back_whole(tmp_path: Path) -> None:
    db = connect(tmp_path / "store.db")
    try:
        fields = db.read(lambda c: repo.SPECS["pages"].fields(c))
        stored = lambda c, key: c.scalar("SELECT clocks FROM sync_clocks WHERE key = ?", (key,))  # noqa: E731

        def write(conn) -> None:
            repo.set_clocks(conn, "pages", "p1", dict.fromkeys(fields, "1"))          # an inserted row
            repo.set_clocks(conn, "pages", "p2", dict.fromkeys(fields, "1"))
            repo.set_clocks(conn, "pages", "p2", {"title": "2"})                      # then one field edited
            repo.set_clocks(conn, "pages", "p3", {"title": "5"})
            repo.set_clocks(conn, "pages", "p3", dict.fromkeys(fields, "6"))          # every field: replaces
            repo.set_clocks(conn, "pages", "p4", dict.fromkeys(fields[:-1], "7"))      # not every field

        db.write(write)
        assert db.read(lambda c: stored(c, "p1")) == '{"*":"1"}'
        assert db.read(lambda c: repo.get_clocks(c, "pages", "p1")) == dict.fromkeys(fields, "1")
        assert db.read(lambda c: repo.get_clocks_many(c, "pages", ["p2", "p3", "p4"])) == {
            "p2": {**dict.fromkeys(fields, "1"), "title": "2"}, "p3": dict.fromkeys(fields, "6"),
            "p4": dict.fromkeys(fields[:-1], "7")}
        db.write(lambda c: repo.append_log(c, "pages", "p1", {"id": "p1"}, dict.fromkeys(fields, "1"), None))
        [entry] = db.read(lambda c: repo.log_since(c, 0, 10))
        assert entry["clocks"] == dict.fromkeys(fields, "1")
    finally:
        db.close()
