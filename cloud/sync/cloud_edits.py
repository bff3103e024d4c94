"""Edits the cloud makes to a store (the admin API, `vibeshop cloud store status`), made so that no
publish from a device undoes them. A publish makes the live database's synced rows what the working
copy holds, so an edit written to the live database alone came back out with the next publish.

Per field (the reasons are in shared/sync/tables.py, CLOUD_ONLY):
- Store settings (name, currency, locale, timezone, settings) are authored content: an edit is
  checked like every storefront edit, made live for shoppers at once, and made in the working copy
  as a cloud change (a cloud HLC, logged with no op id), so devices pull it and publish keeps it.
  An image uploaded through the admin API is added the same way (`upload_image`).
- The store's status is the cloud's: the catalog holds it (serving reads it there) and the store's
  rows mirror it, the working copy's too so that devices see it after a sync. Publish and rollback
  never write it and a device cannot push it, so a publish can neither reopen a suspended store nor
  close an open one.
- Custom domains (and tokens) live only in the catalog, which no publish touches: their services
  (shared/domains) need nothing more.

Before any device has linked there is no working copy: the live write alone is the whole edit, and
the working copy made later starts from the live database.

Lock order, as in a publish: the working copy's write transaction, then the live database's inside it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from cloud.sync.working_copy import WorkingCopies
from shared.db import Connection, Database
from shared.db.repositories.sync import get_row
from shared.db.stamps import utc_now
from shared.media.service import prepare_image, record_image
from shared.models import Media, Storefront, StoreRecord
from shared.storefront.service import Store, apply_storefront_changes, check_storefront_changes, set_store_status
from shared.sync.merge import record_cloud_edit, record_cloud_row
from shared.sync.tables import SPECS

T = TypeVar("T")
Row = dict[str, Any]


def edit_store_settings(copies: WorkingCopies, store: Store, *, changes: Mapping[str, Any]) -> Storefront:
    """Change the store's name, currency, locale, timezone or settings, for shoppers at once and as a
    change devices pull and the next publish keeps. Raises StoreError(INVALID) naming every bad or
    unknown field; nothing changes then. Either both databases change or neither (the live write runs
    inside the working copy's transaction)."""
    checked = check_storefront_changes(changes)     # the same checks as every storefront edit
    now = utc_now()

    def live(conn: Connection) -> tuple[Storefront, Row]:
        front = apply_storefront_changes(conn, checked, now=now)
        return front, get_row(conn, SPECS["storefront"], front.id)

    def share(work: Connection, made: tuple[Storefront, Row]) -> None:
        front, row = made
        # The live row's stored values (settings as its JSON text): the copy gets the same bytes.
        record_cloud_edit(work, "storefront", front.id, {c: row[c] for c in (*checked, "updated_at")})

    return _write_everywhere(copies, store, live, share)[0]


def upload_image(copies: WorkingCopies, store: Store, *, data: bytes, filename: str, alt: str = "") -> Media:
    """Add an image to the store's media: its renditions written, its row live at once and added to
    the working copy as a cloud change (devices pull it; the next publish keeps it instead of removing a
    row the working copy never had). The same bytes again give the same image, logged once.
    Raises MediaError(TOO_LARGE / UNSUPPORTED); nothing is recorded then."""
    prepared = prepare_image(store.data_dir.media_dir, data=data, filename=filename, alt=alt)  # slow: no lock held

    def live(conn: Connection) -> tuple[Media, Row]:
        media = record_image(conn, prepared)
        return media, get_row(conn, SPECS["media"], media.id)

    def share(work: Connection, made: tuple[Media, Row]) -> None:
        record_cloud_row(work, "media", made[1])

    return _write_everywhere(copies, store, live, share)[0]


def change_store_status(copies: WorkingCopies, store: Store, catalog: Database, *, status: str) -> StoreRecord:
    """Open (active), close (inactive) or suspend a store: in the catalog, which serving reads, and in
    the store's rows (live, and the working copy's as a cloud change every device pulls). Publish and
    rollback never write the status. Raises StoreError(INVALID) for an unknown status."""
    record = set_store_status(store, catalog, status=status)
    work = copies.existing(store)
    if work is not None:
        key = store.storefront().id
        row = store.db.read(lambda conn: get_row(conn, SPECS["storefront"], key))
        if row is not None:
            work.write(lambda conn: record_cloud_edit(conn, "storefront", key,
                                                      {"status": row["status"], "updated_at": row["updated_at"]}))
    return record


def _write_everywhere(copies: WorkingCopies, store: Store, live: Callable[[Connection], T],
                      share: Callable[[Connection, T], None]) -> T:
    """Run `live` in a live write and `share` its result into the working copy (when one exists).

    `share` writes into the working copy's open transaction from inside the live one, before either
    commits: a failure in either function, or of the live COMMIT, leaves both databases unchanged.
    (Only a failing COMMIT of the working copy after the live one can part them; the live edit then
    stands and the next publish undoes it, as before this module.)"""
    work = copies.existing(store)
    if work is None:
        made = store.db.write(live)
        # A device may have linked meanwhile, its working copy copied from the live database just
        # before this write: share the edit with it too (a copy made after has it; the entry repeats it).
        work = copies.existing(store)
        if work is not None:
            work.write(lambda conn: share(conn, made))
        return made

    def both(work_conn: Connection) -> T:
        def live_then_share(conn: Connection) -> T:
            made = live(conn)
            share(work_conn, made)
            return made

        return store.db.write(live_then_share)

    return work.write(both)
