"""The admin API's POS devices as the studio calls them (cloud/server/pos_devices_api.py), on the sync
thread with the linked device's Syncer. Its `_admin_json` keeps the problem's code, status and field,
which the Add device dialog puts next to the field; these three calls stay here rather than in the
shared Syncer because only this page makes them."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from shared.sync.client import RemoteError, Syncer

PATH = "/api/admin/pos/devices"
LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def list_devices(syncer: Syncer) -> list[dict[str, Any]]:
    """Every POS device of the store, revoked ones too, the newest first. RemoteError('bad_answer') for
    an answer of another shape (a proxy's page, a cloud of another version): never an empty list."""
    answer = syncer._admin_json("GET", PATH)   # noqa: SLF001 - the Syncer's admin call, shared on purpose
    devices = answer.get("devices")
    if not isinstance(devices, list) or not all(_is_device(d) for d in devices):
        raise _bad_answer()
    return devices


def add_device(syncer: Syncer, *, name: str, location_id: str) -> dict[str, Any]:
    """Make a device: {"device", "token"} (the token is shown this once). Raises RemoteError with the
    refused field (`name`, `location`) in its details, or 'bad_answer' without a device and its token."""
    answer = syncer._admin_json("POST", PATH, body={"name": name, "location": location_id})   # noqa: SLF001
    token = answer.get("token")
    if not _is_device(answer.get("device")) or not isinstance(token, str) or not token:
        raise _bad_answer()
    return answer


def revoke_device(syncer: Syncer, device_id: str) -> dict[str, Any]:
    """Revoke a device's token: {"device"}, now revoked."""
    return syncer._admin_json("DELETE", f"{PATH}/{quote(device_id, safe='')}")   # noqa: SLF001


def _is_device(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("id"), str) and isinstance(value.get("name"), str)


def _bad_answer() -> RemoteError:
    return RemoteError("bad_answer", "The cloud's answer about POS devices was not in the expected form", 200)


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
