"""libSQL server mode (sqld, namespaces on): what a server does differently from a file, and the data
folder that keeps its databases there (docs/data.md, "On a libSQL server")."""

from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path

import pytest

from shared.db import DatabaseError, MigrationError, connect, migrate
from shared.db.server import ENV_ADMIN, ENV_SERVER, RECORD_NAME, DbServer, ServerConfigError, read_record
from shared.storefront.errors import StoreError
from shared.storefront.service import (DataDir, create_store, delete_store, list_stores, open_store,
                                       set_store_status)
from sqld_support import Sqld


def _schema(db) -> list[tuple]:
    # Names and columns, not the SQL text: the client sends statements re-written (comments dropped,
    # 'libsql_vector_idx (embedding)' re-spaced).
    def read(conn) -> list[tuple]:
        rows = conn.all("SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' "
                        "ORDER BY type, name")
        # Names in any case and types unspaced: the client upper-cases a keyword used as a column
        # name ("key" -> "KEY") and re-spaces types ("F32_BLOB (256)").
        def columns(table: str) -> tuple:
            return tuple((c[1].lower(), c[2].replace(" ", ""), *c[3:])
                         for c in conn.all(f'PRAGMA table_xinfo("{table}")'))

        return [(*row, columns(row[1]) if row[0] == "table" else ()) for row in rows]

    return db.read(read)


def test_a_namespace_gets_the_same_schema_as_a_file(sqld: Sqld, tmp_path: Path):
    on_file = connect(tmp_path / "store.db")
    on_server = sqld.new_database()
    try:
        assert _schema(on_server) == _schema(on_file)
        ledger = "SELECT version, name FROM schema_migrations ORDER BY version"
        assert on_server.read(lambda c: c.all(ledger)) == on_file.read(lambda c: c.all(ledger))
    finally:
        on_file.close()
        on_server.close()


def test_a_failing_migration_on_a_server_keeps_nothing_of_it(sqld: Sqld, monkeypatch: pytest.MonkeyPatch):
    server = sqld.db_server()
    name = server.namespace("store", str(uuid.uuid4()))
    server.create_namespace(name)
    connect(server.url_for(name)).close()
    shipped = migrate.migrations_for
    versions = [m.version for m in shipped("store")]
    broken = max(versions) + 1
    monkeypatch.setattr(migrate, "migrations_for", lambda kind: [*shipped(kind), migrate.Migration(
        broken, "broken", "CREATE TABLE half_done (x INTEGER);\nINSERT INTO no_such_table VALUES (1);\n")])
    with pytest.raises(MigrationError, match=f"{broken:04d}_broken"):
        connect(server.url_for(name))
    monkeypatch.setattr(migrate, "migrations_for", shipped)
    db = connect(server.url_for(name))
    try:
        assert db.read(lambda c: c.all("SELECT version FROM schema_migrations ORDER BY version")) == \
            [(v,) for v in versions]
        assert db.read(lambda c: c.scalar("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'")) == 0
        db.write(lambda c: c.execute("INSERT INTO menus (handle, items, updated_at) VALUES ('x', '[]', '')"))
    finally:
        db.close()


def test_triggers_and_semicolons_in_a_migration_survive_the_server_batch(sqld: Sqld,
                                                                         monkeypatch: pytest.MonkeyPatch):
    shipped = migrate.migrations_for
    extra = max(m.version for m in shipped("store")) + 1
    sql = ("-- a comment; with a semicolon\nCREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL "
           "DEFAULT 'a;b');\nCREATE TRIGGER notes_frozen BEFORE UPDATE ON notes\nBEGIN SELECT RAISE(ABORT, "
           "'notes are frozen; sorry'); END;\n")
    monkeypatch.setattr(migrate, "migrations_for",
                        lambda kind: [*shipped(kind), migrate.Migration(extra, "notes", sql)])
    db = sqld.new_database()
    try:
        db.write(lambda conn: conn.execute("INSERT INTO notes (id) VALUES (1)"))
        assert db.read(lambda conn: conn.scalar("SELECT body FROM notes")) == "a;b"
        with pytest.raises(DatabaseError, match="notes are frozen; sorry"):
            db.write(lambda conn: conn.execute("UPDATE notes SET body = 'x'"))
    finally:
        db.close()


def test_an_expired_stream_loses_its_transaction_whole_and_the_next_write_works(sqld: Sqld):
    """sqld drops a stream idle for 10 s with its transaction; the connection is then dead. The write
    fails as a whole and the next one gets a new connection."""
    db = sqld.new_database()
    try:
        def slow(conn) -> None:
            conn.execute("INSERT INTO menus (handle, items, updated_at) VALUES ('lost', '[]', '')")
            time.sleep(11)                  # idle inside a transaction, as no code of ours may be

        with pytest.raises(DatabaseError, match="STREAM_EXPIRED|expired"):
            db.write(slow)
        db.write(lambda c: c.execute("INSERT INTO menus (handle, items, updated_at) VALUES ('kept', '[]', '')"))
        handles = db.read(lambda c: c.all("SELECT handle FROM menus ORDER BY handle"))
        assert handles == [("kept",)]
        assert db.read(lambda c: c.scalar("PRAGMA foreign_keys")) == 1     # set again on the new connection
    finally:
        db.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork is POSIX")
def test_a_forked_process_is_refused_a_server_connection_instead_of_hanging(sqld: Sqld):
    db = sqld.new_database()
    try:
        pid = os.fork()
        if pid == 0:                        # the child: must get a clear error, not hang in the client
            try:
                db.read(lambda c: c.scalar("SELECT 1"))
            except DatabaseError as exc:
                os._exit(3 if "fork" in str(exc) else 4)
            os._exit(5)
        deadline = time.monotonic() + 60
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, 9)
                pytest.fail("the forked child hung on its server connection")
            time.sleep(0.05)
        assert os.waitstatus_to_exitcode(status) == 3
        assert db.read(lambda c: c.scalar("SELECT 1")) == 1    # the parent's connection still works
    finally:
        db.close()


def test_a_data_folder_on_a_server_holds_no_database_file(sqld: Sqld, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("VIBESHOP_DB_TOKEN", "not-recorded")
    root = tmp_path / "cloud"
    data = DataDir.for_cloud(root, db_server=sqld.server, db_admin=sqld.admin)
    store = create_store(data, slug="north", name="North")
    store.close()
    record = read_record(root)
    assert record == data.server
    assert "not-recorded" not in (root / RECORD_NAME).read_text()
    assert not list(root.rglob("*.db*"))
    # Later commands find the server from the folder alone.
    again = DataDir(root)
    assert [r.slug for r in list_stores(again)] == ["north"]
    opened, catalog = open_store(again, "north"), again.catalog()
    assert set_store_status(opened, catalog, status="inactive").status == "inactive"
    catalog.close()
    assert opened.storefront().status == "inactive"
    assert opened.db.url == f"http://{data.server.prefix}-s-{opened.record.id}.localhost:{sqld.port}"
    opened.close()
    live = data.server.namespace("store", store.record.id)
    assert data.server.has_namespace(live)
    delete_store(again, slug="north")
    assert not data.server.has_namespace(live)
    assert list_stores(again) == []


def test_a_folder_of_files_refuses_a_server_and_half_a_server_is_refused(sqld: Sqld, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch):
    files = tmp_path / "files"
    create_store(DataDir(files), slug="north", name="North").close()
    monkeypatch.setenv(ENV_SERVER, sqld.server)
    monkeypatch.setenv(ENV_ADMIN, sqld.admin)
    with pytest.raises(ServerConfigError, match="keeps its databases in files"):
        DataDir.for_cloud(files)
    monkeypatch.delenv(ENV_ADMIN)
    with pytest.raises(ServerConfigError, match="both"):
        DataDir.for_cloud(tmp_path / "new")
    with pytest.raises(ServerConfigError, match="only http"):
        DbServer("http://127.0.0.1:1/?authToken=secret", sqld.admin, "vsx1")


def test_a_store_whose_database_cannot_be_made_is_not_registered(sqld: Sqld, tmp_path: Path):
    data = DataDir.for_cloud(tmp_path / "cloud", db_server=sqld.server, db_admin=sqld.admin)
    create_store(data, slug="north", name="North").close()
    with pytest.raises(StoreError):
        create_store(data, slug="north", name="Again")
    assert [r.slug for r in list_stores(data)] == ["north"]


def test_racing_workers_make_one_working_copy_on_the_server(sqld: Sqld, tmp_path: Path):
    from cloud.sync.working_copy import WorkingCopies
    from shared.sync import merge

    data = DataDir.for_cloud(tmp_path / "cloud", db_server=sqld.server, db_admin=sqld.admin)
    store = create_store(data, slug="north", name="North")
    copies = [WorkingCopies(data), WorkingCopies(data)]
    results, errors = [], []

    def make(index: int) -> None:
        try:
            results.append(copies[index].for_store(store))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=make, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        logged = [db.read(lambda c: c.scalar("SELECT count(*) FROM sync_log")) for db in results]
        assert logged[0] == logged[1] > 0           # seeded once: the second saw the first's copy
        assert merge.latest_cursor(results[0]) == logged[0]
        assert results[0].read(lambda c: c.scalar("SELECT name FROM storefront")) == "North"
    finally:
        for copy in copies:
            copy.close()
        store.close()


def test_a_copy_keeps_row_ids_so_search_finds_the_same_products(demo_store, make_db):
    """products_fts names products by row id: a copy of a store with gaps in them (a deleted product)
    must find the same products as the original."""
    from shared.db.repositories.copies import copy_into

    first = demo_store.db.read(lambda c: c.scalar("SELECT id FROM products ORDER BY rowid LIMIT 1"))
    demo_store.db.write(lambda c: c.execute("DELETE FROM products WHERE id = ?", (first,)))
    copy = make_db()
    copy_into(demo_store.db, copy)
    search = ("SELECT p.handle FROM products_fts JOIN products AS p ON p.rowid = products_fts.rowid "
              "WHERE products_fts MATCH ? ORDER BY p.handle")
    for term in ("tote", "mug", "linen"):
        found = copy.read(lambda c: c.all(search, (term,)))
        assert found == demo_store.db.read(lambda c: c.all(search, (term,))), term
    assert copy.read(lambda c: c.all(search, ("tote",)))


def test_a_write_whose_lock_another_writer_took_runs_again_and_both_are_kept(sqld: Sqld):
    """sqld gives a waiting writer the lock of a transaction older than 5 s and rolls that one back
    (TRANSACTION_TIMEOUT on its next statement): the write runs again, and neither is lost."""
    slow_db = sqld.new_database()
    other = connect(slow_db.url)
    attempts: list[int] = []
    started, taken = threading.Event(), threading.Event()

    def slow(conn) -> None:
        attempts.append(1)
        conn.execute("INSERT INTO menus (handle, items, updated_at) VALUES ('slow', '[]', '')")
        if len(attempts) == 1:
            started.set()
            # Held until the other writer has had the lock (sqld hands it over after 5 s), not for a
            # fixed time that a slow start of the other write could outlast.
            assert taken.wait(120)

    try:
        thread = threading.Thread(target=lambda: slow_db.write(slow))
        thread.start()
        assert started.wait(30)
        try:
            other.write(lambda c: c.execute("INSERT INTO menus (handle, items, updated_at) VALUES ('quick', '[]', '')"))
        finally:
            taken.set()
        thread.join(60)
        assert len(attempts) == 2
        assert other.read(lambda c: c.all("SELECT handle FROM menus ORDER BY handle")) == [("quick",), ("slow",)]
    finally:
        other.close()
        slow_db.close()
