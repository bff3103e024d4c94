"""The demo's studio, linked to the demo's own cloud (docs/sync-protocol.md section 3), so that its
Orders section, Point of sale page and live stock work in `make demo` as they do for a merchant.

The studio keeps its own data folder, DATA/studio, exactly like a studio on a laptop: it is a device of
the demo store, paired the normal way (a one-time pairing code made in the cloud's catalog, as
`vibeshop cloud device add` makes it, redeemed over HTTP on loopback for a device token with the
pairing scopes), never the cloud's own database opened a second time. Its edits sync to the cloud and
reach the storefront when published, as they would online.

A second `make demo` keeps the same device: its token is checked against the catalog, and only the
cloud's address is updated when the port changed. A studio whose token no longer works (revoked, or a
catalog made anew) is linked again from scratch, and earlier demo studio tokens are revoked, so at most
one stays live."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from shared.accounts.errors import AuthError
from shared.accounts.pairing import create_pairing_code
from shared.accounts.service import check_token, revoke_token
from shared.db import Database
from shared.db.repositories.accounts import list_tokens
from shared.models import StoreRecord
from shared.storefront.errors import StoreError
from shared.storefront.service import DataDir, Store, open_store
from shared.sync import device
from shared.sync.client import link

STUDIO_FOLDER = "studio"
DEVICE_NAME = "Demo studio"
TOKEN_NAME = f"Device: {DEVICE_NAME}"      # what pairing names the device's token


@dataclass(frozen=True)
class DemoStudio:
    """The studio's data folder and its device, and whether an earlier run's link was kept."""

    folder: Path
    device_id: str
    reused: bool


def studio_folder(data: DataDir) -> Path:
    """Where the demo's studio keeps its copy of the demo store."""
    return data.root / STUDIO_FOLDER


def loopback_remote(host: str, port: int) -> str | None:
    """The address the studio reaches the demo server at on this machine; None when the server listens
    on one outside address only (the studio is then not linked: it would talk to it over the network)."""
    if host in ("127.0.0.1", "localhost", "0.0.0.0", ""):
        return f"http://127.0.0.1:{port}"
    if host in ("::1", "::"):
        return f"http://[::1]:{port}"
    return None


def link_demo_studio(data: DataDir, cloud_store: Store, *, remote: str,
                     client: httpx.Client | None = None) -> DemoStudio:
    """Link DATA/studio to the demo store served at `remote` (running), or keep its working link.
    Raises RemoteError when the server refuses or cannot be reached."""
    studio = DataDir(studio_folder(data))
    store_id = cloud_store.record.id
    catalog = data.catalog()
    try:
        kept = _working_link(studio, catalog, cloud_store.record, remote)
        _revoke_other_demo_studios(catalog, store_id, keep=kept)
        if kept is not None:
            return DemoStudio(studio.root, kept, True)
        _forget_studio_copy(studio)
        code = create_pairing_code(catalog, store_id=store_id)
    finally:
        catalog.close()
    linked = link(studio, remote=remote, code=code, device_name=DEVICE_NAME, client=client)
    try:
        state = device.link_state(linked.db)
        return DemoStudio(studio.root, state.device_id if state else "", False)
    finally:
        linked.close()


def _working_link(studio: DataDir, catalog: Database, cloud: StoreRecord, remote: str) -> str | None:
    """The device id of the studio's copy when its token still opens the cloud's demo store (its
    remote set to `remote`), else None."""
    if not studio.has_catalog():
        return None
    store_id = cloud.id
    try:
        copy = open_store(studio, cloud.slug)
    except StoreError:
        return None
    try:
        state = device.link_state(copy.db)
        if copy.record.id != store_id or state is None:
            return None
        try:
            grant = check_token(catalog, state.token)
        except AuthError:
            return None
        if grant.store_id != store_id or grant.token_id != state.device_id or "sync" not in grant.scopes:
            return None
        if state.remote != remote:         # another PORT this time: same device, new address
            device.link_device(copy.db, device_id=state.device_id, remote=remote, token=state.token)
        return state.device_id
    finally:
        copy.close()


def _revoke_other_demo_studios(catalog: Database, store_id: str, *, keep: str | None) -> None:
    """Revoke every live demo studio token of the store but `keep`'s (earlier runs' devices)."""
    stale = [token_id for token_id, name, scopes, _made, _used, revoked in
             catalog.read(lambda conn: list_tokens(conn, store_id))
             if name == TOKEN_NAME and "sync" in scopes and revoked is None and token_id != keep]
    for token_id in stale:
        revoke_token(catalog, token_id=token_id)


def _forget_studio_copy(studio: DataDir) -> Path | None:
    """Move the studio's folder whose link no longer works aside (DATA/studio.unlinked-STAMP), so it is
    linked afresh. It is kept, not deleted: edits it had not synced cannot reach the cloud with that
    token, but they are the merchant's, and `vibeshop studio --data` still opens them."""
    if not studio.root.exists():
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    aside = studio.root.with_name(f"{studio.root.name}.unlinked-{stamp}")
    studio.root.rename(aside)
    return aside
