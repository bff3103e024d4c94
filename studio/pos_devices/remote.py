"""The admin API's POS devices as the studio calls them (cloud/server/pos_devices_api.py), on the sync
thread with the linked device's Syncer. Its `_admin_json` keeps the problem's code, status and field,
which the Add device dialog puts next to the field; these three calls stay here rather than in the
shared Syncer because only this page makes them."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from shared.sync.client import Syncer

PATH = "/api/admin/pos/devices"
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def list_devices(syncer: Syncer) -> list[dict[str, Any]]:
    """Every POS device of the store, revoked ones too, the newest first."""
    answer = syncer._admin_json("GET", PATH)   # noqa: SLF001 - the Syncer's admin call, shared on purpose
    return [d for d in answer.get("devices", []) if isinstance(d, dict)]


def add_device(syncer: Syncer, *, name: str, location_id: str) -> dict[str, Any]:
    """Make a device: {"device", "token"} (the token is shown this once). Raises RemoteError with the
    refused field (`name`, `location`) in its details."""
    return syncer._admin_json("POST", PATH, body={"name": name, "location": location_id})   # noqa: SLF001


def revoke_device(syncer: Syncer, device_id: str) -> dict[str, Any]:
    """Revoke a device's token: {"device"}, now revoked."""
    return syncer._admin_json("DELETE", f"{PATH}/{quote(device_id, safe='')}")   # noqa: SLF001


def store_address(remote: str, slug: str) -> str:
    """Where a POS reaches this store: the linked cloud's address, except that a loopback one becomes
    the store's own name under .localhost (the POS API finds the store by its Host; curl and browsers
    resolve *.localhost to this computer)."""
    parts = urlsplit(remote.rstrip("/"))
    if parts.hostname in LOOPBACK:
        port = f":{parts.port}" if parts.port else ""
        parts = parts._replace(netloc=f"{slug}.localhost{port}")
    return urlunsplit(parts)


def try_lines(address: str, token: str) -> str:
    """The two commands that try a new token: curl on the stock counts, and the reference client's feed."""
    return (f'curl -H "Authorization: Bearer {token}" {address}/pos/v1/inventory/counts\n\n'
            f"vibeshop pos feed --remote {address} --token {token}")
