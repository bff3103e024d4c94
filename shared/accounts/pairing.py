"""Pairing a device with a store (docs/sync-protocol.md, section 3): the merchant asks the cloud for
a one-time code, types it into the studio (or `vibeshop link`), and the device exchanges it for its
own token with the `sync` scope. The token's id is the device id."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from shared.accounts.errors import AuthError, AuthErrorCode
from shared.accounts.service import insert_new_token
from shared.db import Connection, Database
from shared.db.repositories import accounts
from shared.db.stamps import utc_now

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"     # no 0/O, 1/I/L: read aloud and typed by hand
CODE_LENGTH = 10
VALID_FOR = timedelta(minutes=15)

# A paired studio is the merchant's: besides syncing, it sets what is not authored content through the
# admin API (the Stripe keys, which never travel in the sync; the webhook subscriptions) and runs the
# shop's day there (orders and customers live only in the cloud) and its POS devices' tokens. Catalog
# migrations 0005, 0006 and 0008 give devices paired earlier the same.
DEVICE_SCOPES = ("sync", "store:read", "store:write", "orders:read", "orders:write", "customers:read",
                 "customers:write", "webhooks:read", "webhooks:write", "marketing:read", "marketing:write",
                 "pos_devices")


@dataclass(frozen=True)
class PairedDevice:
    """What a redeemed code gives the device."""

    device_id: str
    token: str
    store_id: str


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalize_code(code: str) -> str:
    """What the merchant typed, without spaces or dashes, upper case."""
    return "".join(ch for ch in code.upper() if ch not in " -\t")


def create_pairing_code(catalog: Database, *, store_id: str) -> str:
    """A new one-time code for the store (shown once; stored hashed; valid for 15 minutes)."""
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    now = datetime.now(UTC)
    catalog.write(lambda conn: accounts.insert_pairing_code(
        conn, code_hash=_hash(code), store_id=store_id, created_at=now.isoformat(timespec="microseconds"),
        expires_at=(now + VALID_FOR).isoformat(timespec="microseconds")))
    return code


def redeem_pairing_code(catalog: Database, *, code: str, device_name: str) -> PairedDevice:
    """Exchange a code for a device token, once. AuthError(UNAUTHORIZED) for an unknown, used or
    expired code."""
    clean = normalize_code(code) if isinstance(code, str) else ""
    if len(clean) != CODE_LENGTH or any(ch not in ALPHABET for ch in clean):
        raise AuthError(AuthErrorCode.UNAUTHORIZED, "That pairing code is not valid")
    name = (device_name if isinstance(device_name, str) else "").strip()[:80] or "Studio"

    def write(conn: Connection) -> PairedDevice:
        store_id = accounts.take_pairing_code(conn, code_hash=_hash(clean), now=utc_now())
        if store_id is None:
            raise AuthError(AuthErrorCode.UNAUTHORIZED, "That pairing code is unknown, used or expired")
        # A paired studio is the merchant's (DEVICE_SCOPES).
        token_id, token = insert_new_token(conn, store_id=store_id, name=f"Device: {name}",
                                           scopes=list(DEVICE_SCOPES))
        accounts.record_pairing_device(conn, code_hash=_hash(clean), device_id=token_id)
        return PairedDevice(token_id, token, store_id)

    return catalog.write(write)
