"""`vibeshop cloud store|token|device|domain ...`: managing stores, API tokens, devices and domains."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from shared.accounts.errors import AuthError
from shared.accounts.service import SCOPES, create_token, revoke_token
from shared.db import Database
from shared.storefront.errors import StoreError
from shared.storefront.service import DataDir, create_store, delete_store, list_stores, open_store


def _fail(exc: Exception) -> int:
    print(f"vibeshop: {exc}", file=sys.stderr)
    for error in getattr(exc, "errors", ()):
        if hasattr(error, "field"):
            print(f"  {error.field}: {error.message}", file=sys.stderr)
    return 2


def store_create(data: Path, *, slug: str, name: str, currency: str, locale: str, theme: str) -> int:
    """Create a store; print its address."""
    try:
        store = create_store(DataDir(data), slug=slug, name=name, currency=currency, locale=locale, theme_preset=theme)
    except StoreError as exc:
        return _fail(exc)
    store.close()
    print(f"Created store '{name}' ({slug}): http://{slug}.localhost:8080/")
    return 0


def store_list(data: Path) -> int:
    """One line per store: slug, status, name."""
    for record in list_stores(DataDir(data)):
        print(f"{record.slug}\t{record.status}\t{record.name}")
    return 0


def store_status(data: Path, *, slug: str, status: str) -> int:
    """Set a store's status (the same way as the admin API: devices see it, no publish changes it)."""
    from cloud.sync.cloud_edits import change_store_status
    from cloud.sync.working_copy import WorkingCopies

    data_dir = DataDir(data)
    try:
        store = open_store(data_dir, slug)
    except StoreError as exc:
        return _fail(exc)
    copies, catalog = WorkingCopies(data_dir), data_dir.catalog()
    try:
        record = change_store_status(copies, store, catalog, status=status)
    except StoreError as exc:
        return _fail(exc)
    finally:
        copies.close()
        catalog.close()
        store.close()
    print(f"{record.slug} is now {record.status}")
    return 0


def store_delete(data: Path, *, slug: str, confirmed: bool) -> int:
    """Delete a store and its database (asks for --yes)."""
    if not confirmed:
        print(f"vibeshop: deleting '{slug}' removes its pages, products and orders for good; add --yes",
              file=sys.stderr)
        return 2
    try:
        delete_store(DataDir(data), slug=slug)
    except StoreError as exc:
        return _fail(exc)
    print(f"Deleted {slug}")
    return 0


def token_create(data: Path, *, slug: str, name: str, scopes: list[str]) -> int:
    """Make an API token; the token alone on the last line (shown only this once)."""
    try:
        store = open_store(DataDir(data), slug)
        store.close()
        catalog = DataDir(data).catalog()
        try:
            token = create_token(catalog, store_id=store.record.id, name=name, scopes=scopes)
        finally:
            catalog.close()
    except (StoreError, AuthError) as exc:
        return _fail(exc)
    print(f"API token '{name}' for {slug} with scopes {', '.join(sorted(set(scopes)))}. It is shown only once:")
    print(token)
    return 0


def pos_device_add(data: Path, *, slug: str, location: str, name: str) -> int:
    """A POS device token for one store and one location (by name or id), alone on the last line."""
    from shared.accounts.service import add_store_pos_device

    if not name.isprintable():      # a tab or a newline would break `pos device list`'s one line per device
        print(f"vibeshop: a POS device's name is one line of printable characters, not {name!r}", file=sys.stderr)
        return 2
    try:
        made = add_store_pos_device(DataDir(data), slug, location=location, name=name)
    except (StoreError, AuthError) as exc:
        return _fail(exc)
    device = made.device
    print(f"POS device '{device.name}' ({device.id}) for {slug} at {device.location_name}; revoke it with "
          f"`vibeshop cloud pos device revoke {device.id}`. The token is shown only once:")
    print(made.token)
    return 0


def pos_device_list(data: Path, *, slug: str) -> int:
    """One line per POS device of the store, the newest first: id, name, location, created, last used,
    state (tab-separated)."""
    from shared.accounts.service import list_pos_devices

    try:
        store = open_store(DataDir(data), slug)
        catalog = DataDir(data).catalog()
        try:
            devices = list_pos_devices(catalog, store.db, store_id=store.record.id)
        finally:
            catalog.close()
            store.close()
    except StoreError as exc:
        return _fail(exc)
    for device in devices:
        state = f"revoked {device.revoked_at[:16]}" if device.revoked_at else "active"
        used = device.last_used_at[:16] if device.last_used_at else "never used"
        print(f"{device.id}\t{device.name}\t{device.location_name or device.location_id}\t"
              f"{device.created_at[:16]}\t{used}\t{state}")
    return 0


def pos_device_revoke(data: Path, *, device_id: str) -> int:
    """Revoke a POS device's token by its id (the part after vs_); other tokens are not touched here."""
    from shared.accounts.service import revoke_pos_device

    found = device_id.strip().removeprefix("vs_").split("_")[0]
    if not found:
        print("vibeshop: give the POS device's id (the part after vs_ in its token; "
              "`vibeshop cloud pos device list --store STORE` shows them)", file=sys.stderr)
        return 2
    data_dir = DataDir(data)
    if data_dir.server is None and not data_dir.catalog_path.exists():     # not a typo made into a new folder
        print(f"vibeshop: no data folder at {data} (no catalog.db): give the cloud's --data", file=sys.stderr)
        return 2
    return _revoke(data, found, lambda catalog, given: revoke_pos_device(catalog, device_id=given))


def device_add(data: Path, *, slug: str) -> int:
    """A one-time pairing code for a device, alone on the last line (valid 15 minutes, used once)."""
    from shared.accounts.pairing import VALID_FOR, create_pairing_code

    try:
        store = open_store(DataDir(data), slug)
        store.close()
    except StoreError as exc:
        return _fail(exc)
    catalog = DataDir(data).catalog()
    try:
        code = create_pairing_code(catalog, store_id=store.record.id)
    finally:
        catalog.close()
    minutes = int(VALID_FOR.total_seconds() // 60)
    print(f"Pairing code for {slug}. Enter it in the studio or run `vibeshop link --code CODE`; "
          f"it works once, within {minutes} minutes:")
    print(code)
    return 0


def token_revoke(data: Path, *, token_id: str) -> int:
    """Revoke a token by its id (the part after vs_)."""
    return _revoke(data, token_id, lambda catalog, found: revoke_token(catalog, token_id=found))


def _revoke(data: Path, given: str, revoke: Callable[[Database, str], None]) -> int:
    """Revoke by a token's id: `given` may be the id or the whole token (vs_ID_SECRET)."""
    catalog = DataDir(data).catalog()
    try:
        revoke(catalog, given.removeprefix("vs_").split("_")[0])
    except AuthError as exc:
        return _fail(exc)
    finally:
        catalog.close()
    print("Revoked")
    return 0


def domain_command(data: Path, *, slug: str, action: str, hostname: str | None, base_domain: str) -> int:
    """add / verify / remove / list a store's custom domains."""
    from shared.domains.service import add_domain, list_domains, remove_domain, verify_domain

    try:
        store = open_store(DataDir(data), slug)
        store.close()
        catalog = DataDir(data).catalog()
        try:
            if action == "list":
                for record in list_domains(catalog, store_id=store.record.id):
                    print(f"{record.hostname}\t{'verified' if record.verified else 'waiting for DNS'}\t"
                          f"TXT {record.txt_name} {record.txt_value}")
                return 0
            if not hostname:
                print("vibeshop: a hostname is needed", file=sys.stderr)
                return 2
            if action == "add":
                record = add_domain(catalog, store_id=store.record.id, hostname=hostname, base_domain=base_domain)
                print(f"Publish this DNS record, then run `vibeshop cloud domain verify`:\n"
                      f"  {record.txt_name}  TXT  \"{record.txt_value}\"")
            elif action == "verify":
                record = verify_domain(catalog, store_id=store.record.id, hostname=hostname)
                print(f"{record.hostname}: {'verified' if record.verified else 'TXT record not found yet'}")
                return 0 if record.verified else 1
            else:
                remove_domain(catalog, store_id=store.record.id, hostname=hostname)
                print(f"Removed {hostname}")
        finally:
            catalog.close()
    except StoreError as exc:
        return _fail(exc)
    return 0


ALL_SCOPES = sorted(SCOPES)
