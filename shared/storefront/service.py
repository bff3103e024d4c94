"""Stores under a data folder: create, open, list, update. The same layout serves every command.

    DIR/catalog.db            the catalog: which stores exist and where their databases are
    DIR/stores/<id>.db        one libSQL database per store (database per tenant)
    DIR/stores/<id>.work.db   its working copy, where the sync service merges devices' edits
    DIR/stores/<id>.snapshots the copy a newly linked device downloads (remade per content version)
    DIR/media/<hash>-<w>.webp resized images, content-addressed

A cloud folder may keep its databases on a libSQL server instead (DIR/db-server.json records which,
shared/db/server.py): the catalog and each store's database are namespaces there, no files.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from shared.compose.theme import DEFAULT_PRESET, starters
from shared.db import Connection, Database, DatabaseError, connect
from shared.db.repositories import content, stores
from shared.db.repositories import pages as page_repo
from shared.db.repositories.storefront import get_storefront, insert_storefront, update_storefront
from shared.db.server import NAMESPACE_SCHEME, DbServer, read_record, resolve_server
from shared.db.stamps import new_id, utc_now
from shared.models import Menu, Page, Storefront, StoreRecord, Theme
from shared.storefront.errors import FieldError, StoreError, StoreErrorCode
from shared.storefront.validation import validate_storefront


@dataclass(frozen=True)
class DataDir:
    """A folder holding a catalog database, one database per store, and media files; or, for a folder
    that records a libSQL server, media files and the record of where its databases are."""

    root: Path
    server: DbServer | None = None      # None: read from the folder's record (None there too: files)

    def __post_init__(self) -> None:
        if self.server is None:
            object.__setattr__(self, "server", read_record(self.root))

    @classmethod
    def for_cloud(cls, root: Path, *, db_server: str | None = None, db_admin: str | None = None) -> DataDir:
        """A cloud-side command's folder: on the libSQL server given by the options, the environment
        (VIBESHOP_DB_SERVER, VIBESHOP_DB_ADMIN) or the folder's record; else files. Device-side
        commands use `DataDir(root)`: a studio keeps its files whatever the shell says.
        Raises ServerConfigError."""
        has_files = (root / "catalog.db").exists()
        return cls(root, resolve_server(root, server=db_server, admin=db_admin, has_files=has_files))

    @property
    def catalog_path(self) -> Path:
        """The catalog database file (of a folder of files)."""
        return self.root / "catalog.db"

    @property
    def media_dir(self) -> Path:
        """Where resized images live."""
        return self.root / "media"

    def working_copy_path(self, store_id: str) -> Path:
        """Where the sync service keeps a store's working copy (every device's edits meet there)."""
        return self.root / "stores" / f"{store_id}.work.db"

    def snapshot_dir(self, store_id: str) -> Path:
        """Where the sync service keeps the snapshot a newly linked device downloads: beside the
        store's file, or, when the databases are on a libSQL server, in this machine's cache (it is
        remade from the server whenever it is missing, so a folder on a server keeps no database file,
        and workers on other machines keep their own)."""
        if self.server is not None:
            return Path(tempfile.gettempdir()) / "vibeshop-snapshots" / self.server.prefix / store_id
        return self.root / "stores" / f"{store_id}.snapshots"

    def has_catalog(self) -> bool:
        """Whether the folder has a catalog yet (a server folder gets one on first use)."""
        return self.server is not None or self.catalog_path.exists()

    def catalog(self) -> Database:
        """Open (and migrate) the catalog database; on a server, its namespace is made on first use."""
        if self.server is None:
            return connect(self.catalog_path, migrations="catalog")
        return open_namespace(self.server, self.server.namespace("catalog"), migrations="catalog", create=True)

    def store_url(self, record: StoreRecord) -> str:
        """The store database's path or URL (relative paths are under the data folder)."""
        if record.db_url.startswith(NAMESPACE_SCHEME):
            if self.server is None:
                raise StoreError(StoreErrorCode.NOT_FOUND, f"{self.root} records no libSQL server for the store "
                                 f"'{record.slug}'")
            return self.server.url_for(record.db_url.removeprefix(NAMESPACE_SCHEME))
        if "://" in record.db_url:
            return record.db_url
        return str(self.root / record.db_url)


def open_namespace(server: DbServer, namespace: str, *, migrations: str = "store", create: bool = False) -> Database:
    """Open (and migrate) one database on the server; with `create`, make its namespace if missing."""
    if create and not server.has_namespace(namespace):
        try:
            server.create_namespace(namespace)
        except DatabaseError as exc:
            if "already exists" not in str(exc):    # another process made it first: use theirs
                raise
    return connect(server.url_for(namespace), migrations=migrations)


@dataclass
class Store:
    """An open store: its catalog record and its own database."""

    record: StoreRecord
    db: Database
    data_dir: DataDir

    def storefront(self) -> Storefront:
        """The store's settings row."""
        return self.db.read(get_storefront)

    def close(self) -> None:
        """Close the store's database."""
        self.db.close()


def create_store(data_dir: DataDir, *, slug: str, name: str, currency: str = "USD", locale: str = "en-US",
                 timezone: str = "UTC", settings: Mapping[str, Any] | None = None,
                 theme_preset: str = DEFAULT_PRESET) -> Store:
    """Register a store and create its database with a storefront row, a theme, menus and a home page.

    Raises StoreError(INVALID) listing every bad field, or StoreError(DUPLICATE) for a taken slug."""
    values = {"slug": slug, "name": name, "currency": currency, "locale": locale, "timezone": timezone,
              "settings": dict(settings or {})}
    validate_storefront(values)
    if theme_preset not in starters():
        raise StoreError(StoreErrorCode.INVALID, f"theme_preset must be one of {', '.join(starters())}",
                         (FieldError("theme_preset", "is not a starter theme"),))
    catalog = data_dir.catalog()
    try:
        now = utc_now()
        record = StoreRecord(new_id(), slug, name.strip(), "active", "", now, now)
        record = replace(record, db_url=_new_db_url(data_dir, record.id))

        def register(conn: Connection) -> None:
            if stores.get_store_by_slug(conn, slug):
                raise StoreError(StoreErrorCode.DUPLICATE, f"A store with the slug '{slug}' already exists",
                                 (FieldError("slug", "is taken"),))
            stores.insert_store(conn, record)

        db = _create_database(data_dir, record)
        try:
            db.write(lambda conn: _seed_store(conn, record, currency, locale, timezone, dict(settings or {}),
                                              theme_preset))
            catalog.write(register)
        except BaseException:
            # Not registered: the new database must not stay behind as an orphan.
            db.close()
            _drop_database(data_dir, record)
            raise
        return Store(record, db, data_dir)
    finally:
        catalog.close()


def _new_db_url(data_dir: DataDir, store_id: str) -> str:
    if data_dir.server is not None:
        return NAMESPACE_SCHEME + data_dir.server.namespace("store", store_id)
    return f"stores/{store_id}.db"


def _create_database(data_dir: DataDir, record: StoreRecord) -> Database:
    """A new, migrated, empty store database: a file, or a namespace made through the admin API."""
    if record.db_url.startswith(NAMESPACE_SCHEME):
        assert data_dir.server is not None
        namespace = record.db_url.removeprefix(NAMESPACE_SCHEME)
        data_dir.server.create_namespace(namespace)
        try:
            return connect(data_dir.server.url_for(namespace))
        except BaseException:
            data_dir.server.delete_namespace(namespace)
            raise
    return connect(Path(data_dir.store_url(record)))


def _drop_database(data_dir: DataDir, record: StoreRecord) -> None:
    """Remove a store's database and its working copy: files, or namespaces on the server."""
    if record.db_url.startswith(NAMESPACE_SCHEME):
        assert data_dir.server is not None
        data_dir.server.delete_namespace(record.db_url.removeprefix(NAMESPACE_SCHEME))
        data_dir.server.delete_namespace(data_dir.server.namespace("work", record.id))
        return
    path = data_dir.store_url(record)
    if "://" in path:
        return
    work = str(data_dir.working_copy_path(record.id))
    for base in (path, work):
        for suffix in ("", "-wal", "-shm"):
            Path(base + suffix).unlink(missing_ok=True)


def adopt_store(data_dir: DataDir, *, record: StoreRecord, database_file: Path) -> Store:
    """Register an existing store database (a linked device's copy of a cloud store) under its own
    id and slug. The file is moved into the data folder. StoreError(DUPLICATE) if the folder already
    has a store with that id or slug; nothing changes then."""
    catalog = data_dir.catalog()
    try:
        record = replace(record, db_url=f"stores/{record.id}.db")
        target = Path(data_dir.store_url(record))

        def register(conn: Connection) -> None:
            if stores.get_store_by_slug(conn, record.slug) or stores.get_store(conn, record.id):
                raise StoreError(StoreErrorCode.DUPLICATE, f"This folder already has the store '{record.slug}'",
                                 (FieldError("slug", "is taken"),))
            if target.exists():
                raise StoreError(StoreErrorCode.DUPLICATE, f"{target} already exists")
            stores.insert_store(conn, record)
            target.parent.mkdir(parents=True, exist_ok=True)
            database_file.replace(target)        # last: a failure before this rolls the row back

        catalog.write(register)
        return Store(record, connect(target), data_dir)
    finally:
        catalog.close()


def _seed_store(conn: Connection, record: StoreRecord, currency: str, locale: str, timezone: str,
                settings: dict[str, Any], preset: str) -> None:
    now = record.created_at
    insert_storefront(conn, Storefront(record.id, record.slug, record.name, "active", currency, locale, timezone,
                                       settings, now, now))
    content.insert_theme(conn, Theme(new_id(), starters()[preset]["name"], preset, {}, "", True, now, now))
    content.save_menu(conn, Menu("main", ({"title": "Home", "url": "/"},), now))
    content.save_menu(conn, Menu("footer", (), now))
    page_repo.insert_page(conn, Page(new_id(), "home", "Home", "published", 0, created_at=now, updated_at=now,
                                     published_at=now))


def list_stores(data_dir: DataDir) -> list[StoreRecord]:
    """Every store in the data folder."""
    if not data_dir.has_catalog():
        return []
    catalog = data_dir.catalog()
    try:
        return catalog.read(stores.list_stores)
    finally:
        catalog.close()


def open_store(data_dir: DataDir, slug: str | None = None) -> Store:
    """Open a store by slug; without a slug, the only store in the folder.

    Raises StoreError(NOT_FOUND) naming the stores that do exist."""
    records = list_stores(data_dir)
    if slug is None:
        if len(records) == 1:
            record = records[0]
        elif not records:
            raise StoreError(StoreErrorCode.NOT_FOUND, f"No store in {data_dir.root} (run `vibeshop demo --data "
                             f"{data_dir.root} --no-serve` to create the demo store)")
        else:
            raise StoreError(StoreErrorCode.NOT_FOUND, "Several stores here; choose one with --store: "
                             + ", ".join(r.slug for r in records))
    else:
        record = next((r for r in records if r.slug == slug), None)
        if record is None:
            known = ", ".join(r.slug for r in records) or "none"
            raise StoreError(StoreErrorCode.NOT_FOUND, f"No store '{slug}' in {data_dir.root} (stores: {known})",
                             (FieldError("store", "not found"),))
    return open_registered_store(data_dir, record)


def open_registered_store(data_dir: DataDir, record: StoreRecord) -> Store:
    """Open (and migrate) the database of a store whose catalog record the caller already has."""
    return Store(record, connect(data_dir.store_url(record)), data_dir)


EDITABLE = frozenset({"name", "currency", "locale", "timezone", "settings"})


def check_storefront_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The changes as a dict, if every one is a field the merchant may edit with a valid value.

    The one check for storefront edits that do not come from a device (the admin API, services):
    raises StoreError(INVALID) with one error per bad or unknown field."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise StoreError(StoreErrorCode.INVALID, f"cannot change {', '.join(sorted(unknown))}",
                         tuple(FieldError(k, "cannot be changed here") for k in sorted(unknown)))
    validate_storefront(changes, partial=True)
    return dict(changes)


def apply_storefront_changes(conn: Connection, changes: Mapping[str, Any], *, now: str) -> Storefront:
    """Inside a write: set checked changes (`check_storefront_changes`) on the storefront row."""
    updated = replace(get_storefront(conn), **changes, updated_at=now)
    update_storefront(conn, updated)
    return updated


def update_storefront_settings(store: Store, *, changes: Mapping[str, Any]) -> Storefront:
    """Change name, currency, locale, timezone or settings of this database only (validated; one error
    per bad field). A cloud store's edits go through cloud/sync/cloud_edits.py instead, which also
    makes them a change of the working copy so that the next publish keeps them."""
    checked = check_storefront_changes(changes)
    return store.db.write(lambda conn: apply_storefront_changes(conn, checked, now=utc_now()))


STATUSES = ("active", "inactive", "suspended")


def set_store_status(store: Store, catalog: Database, *, status: str) -> StoreRecord:
    """Open (active), close (inactive: shoppers get 404) or suspend (503) a store; the merchant keeps
    working on it either way. Uses the connections the caller holds (a second connection to a file
    the process already has open would wait for its own process's locks). Raises StoreError for an
    unknown status or store."""
    write_store, write_catalog, read_back = _status_change(store, status)
    store.db.write(write_store)
    catalog.write(write_catalog)
    return _changed_record(catalog.read(read_back))


def _status_change(store: Store, status: str) -> tuple[Callable[[Connection], None], Callable[[Connection], None],
                                                       Callable[[Connection], StoreRecord | None]]:
    """The writes of a status change: the store's storefront row, then its catalog row; and the read
    of the catalog row after them."""
    if status not in STATUSES:
        raise StoreError(StoreErrorCode.INVALID, f"status must be one of {', '.join(STATUSES)}",
                         (FieldError("status", "is not a store status"),))
    now, record = utc_now(), store.record

    def write_store(conn: Connection) -> None:
        update_storefront(conn, replace(get_storefront(conn), status=status, updated_at=now))

    def write_catalog(conn: Connection) -> None:
        stores.update_store(conn, record.id, name=record.name, status=status, updated_at=now)

    return write_store, write_catalog, lambda conn: stores.get_store(conn, record.id)


def _changed_record(record: StoreRecord | None) -> StoreRecord:
    if record is None:
        raise StoreError(StoreErrorCode.NOT_FOUND, "The store no longer exists", (FieldError("store", "not found"),))
    return record


def delete_store(data_dir: DataDir, *, slug: str) -> None:
    """Remove a store: its catalog entry (domains and tokens go with it), its database and its working
    copy (files, or namespaces on the folder's server).
    Media files are content-addressed and may be shared, so they stay."""
    store = open_store(data_dir, slug)
    store.close()
    catalog = data_dir.catalog()
    try:
        catalog.write(lambda conn: stores.delete_store(conn, store.record.id))
    finally:
        catalog.close()
    _drop_database(data_dir, store.record)
    shutil.rmtree(data_dir.snapshot_dir(store.record.id), ignore_errors=True)
