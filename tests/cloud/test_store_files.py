"""A store's files and connections: status changes use the connections the process holds; deleting
a store removes its working copy and snapshots; making one store's working copy holds up no other."""

from __future__ import annotations

import threading

from cloud.sync import working_copy
from cloud.sync.working_copy import Snapshots, WorkingCopies
from shared.storefront import service
from shared.storefront.service import DataDir, create_store, delete_store, open_store, set_store_status


def test_a_status_change_uses_the_open_store_and_catalog(data_dir: DataDir, monkeypatch):
    store = create_store(data_dir, slug="corner-shop", name="Shop")
    catalog = data_dir.catalog()
    try:
        def refuse(*_args, **_kwargs):
            raise AssertionError("a second connection to a file this process holds")

        monkeypatch.setattr(service, "connect", refuse)
        monkeypatch.setattr(DataDir, "catalog", refuse)
        record = set_store_status(store, catalog, status="suspended")
        assert record.status == "suspended" and store.storefront().status == "suspended"
    finally:
        monkeypatch.undo()
        catalog.close()
        store.close()
    reopened = open_store(data_dir, "corner-shop")
    reopened.close()
    assert reopened.record.status == "suspended"


def test_deleting_a_store_removes_its_working_copy_and_snapshots(data_dir: DataDir):
    store = create_store(data_dir, slug="corner-shop", name="Shop")
    copies = WorkingCopies(data_dir)
    copies.for_store(store)
    Snapshots(data_dir).open_for(store).close()
    copies.close()
    store.close()
    work = data_dir.working_copy_path(store.record.id)
    assert work.exists() and any(data_dir.snapshot_dir(store.record.id).iterdir())
    delete_store(data_dir, slug="corner-shop")
    assert not work.exists() and not work.with_name(work.name + "-wal").exists()
    assert not data_dir.snapshot_dir(store.record.id).exists()


def test_making_one_stores_working_copy_does_not_hold_up_another(data_dir: DataDir, monkeypatch):
    slow, other = create_store(data_dir, slug="slow-shop", name="Slow"), create_store(data_dir, slug="other-shop", name="Other")
    copies = WorkingCopies(data_dir)
    copying, finish = threading.Event(), threading.Event()
    real = working_copy.vacuum_into

    def vacuum_into(conn, target):
        if slow.record.id in conn.database_key:
            copying.set()
            assert finish.wait(120)
        real(conn, target)

    monkeypatch.setattr(working_copy, "vacuum_into", vacuum_into)
    first = threading.Thread(target=copies.for_store, args=(slow,))
    first.start()
    try:
        assert copying.wait(120)
        done = threading.Event()
        second = threading.Thread(target=lambda: (copies.for_store(other), done.set()))
        second.start()
        assert done.wait(120), "the other store's copy waited for the slow one"
    finally:
        finish.set()
        first.join()
        copies.close()
        slow.close()
        other.close()


def test_snapshots_are_made_once_per_version_of_the_live_database(data_dir: DataDir, monkeypatch):
    store = create_store(data_dir, slug="corner-shop", name="Shop")
    snapshots, made = Snapshots(data_dir), []
    real = working_copy.device_copy
    monkeypatch.setattr(working_copy, "device_copy", lambda s, target: (made.append(target), real(s, target)))
    try:
        for _ in range(3):
            snapshots.open_for(store).close()
        assert len(made) == 1
        store.db.write(lambda conn: conn.execute("UPDATE storefront SET name = 'Renamed'"))
        with snapshots.open_for(store) as file:
            assert file.read(16) == b"SQLite format 3\x00"
        assert len(made) == 2 and len(list(data_dir.snapshot_dir(store.record.id).glob("*.db"))) == 1
    finally:
        store.close()
