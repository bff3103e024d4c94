"""Accounts and API tokens, kept in the catalog database.

A token reads `vs_<id>_<secret>`: the id finds the row, and the secret is compared, in constant time,
with the stored SHA-256 of the secret (a token has 256 random bits, so a fast hash is enough; a
password has far fewer, so it gets argon2). Every check does the same work whether or not the id
exists, so timing does not tell which ids exist.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shared.db import Connection, Database
from shared.db.repositories import accounts
from shared.db.stamps import new_id, utc_now
from shared.accounts.errors import AuthError, AuthErrorCode
from shared.storefront.service import DataDir, open_store
from shared.storefront.validation import email_problem

SCOPES = frozenset({"store:read", "store:write", "content:write", "media:write", "sync", "pos", "orders:read",
                    "orders:write", "webhooks:read", "webhooks:write", "customers:read", "customers:write",
                    "marketing:read", "marketing:write", "pos_devices"})
_TOKEN = re.compile(r"^vs_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$")
_HASHER = PasswordHasher()
_DUMMY_HASH = hashlib.sha256(b"no such token").hexdigest()
_DUMMY_PASSWORD = _HASHER.hash("no such user, but the same amount of work")


# A token's last use is written at most this often (seconds): a check reads only, so the catalog is
# not written on every sync and admin request.
TOUCH_EVERY = 600


@dataclass(frozen=True)
class TokenGrant:
    """What a valid token allows: one store and some scopes."""

    token_id: str
    store_id: str
    scopes: frozenset[str]
    last_used_at: str | None = None
    location_id: str | None = None      # a POS device's token: the one location it sells from
    name: str = ""                      # the token's name (a POS device's: "till 1")

    def require(self, scope: str) -> None:
        """Raise AuthError(FORBIDDEN) without the scope."""
        if scope not in self.scopes:
            raise AuthError(AuthErrorCode.FORBIDDEN, f"This token does not have the '{scope}' scope")


def _secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_user(catalog: Database, *, email: str, password: str) -> str:
    """A new user with an argon2 password hash; returns the user id."""
    if email_problem(email):
        raise AuthError(AuthErrorCode.INVALID, "email must be an e-mail address")
    if not isinstance(password, str) or len(password) < 12 or len(password) > 1024:
        raise AuthError(AuthErrorCode.INVALID, "password must be 12 to 1024 characters")
    user_id = new_id()
    hashed = _HASHER.hash(password)

    def write(conn: Connection) -> None:
        if accounts.user_by_email(conn, email):
            raise AuthError(AuthErrorCode.DUPLICATE, "a user with that e-mail already exists")
        accounts.insert_user(conn, user_id=user_id, email=email, password_hash=hashed, created_at=utc_now())

    catalog.write(write)
    return user_id


def check_password(catalog: Database, *, email: str, password: str) -> str:
    """The user id for a correct e-mail and password; AuthError(UNAUTHORIZED) otherwise (same work either way)."""
    found = catalog.read(lambda conn: accounts.user_by_email(conn, email)) if isinstance(email, str) else None
    user_id, hashed = found if found else (None, _DUMMY_PASSWORD)
    try:
        _HASHER.verify(hashed, password if isinstance(password, str) else "")
    except (VerificationError, InvalidHashError):
        raise AuthError(AuthErrorCode.UNAUTHORIZED, "wrong e-mail or password") from None
    if user_id is None:
        raise AuthError(AuthErrorCode.UNAUTHORIZED, "wrong e-mail or password")
    if _HASHER.check_needs_rehash(hashed):
        catalog.write(lambda conn: accounts.set_password_hash(conn, user_id, _HASHER.hash(password)))
    return user_id


def _check_scopes(scopes: list[str]) -> list[str]:
    unknown = sorted(set(scopes) - SCOPES)
    if unknown or not scopes:
        raise AuthError(AuthErrorCode.INVALID, f"scopes must be some of {', '.join(sorted(SCOPES))}")
    return sorted(set(scopes))


def insert_new_token(conn: Connection, *, store_id: str, name: str, scopes: list[str]) -> tuple[str, str]:
    """Make a token inside a caller's transaction: (token id, the full token, shown once)."""
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    accounts.insert_token(conn, token_id=token_id, store_id=store_id, name=name[:100],
                          secret_hash=_secret_hash(secret), scopes=_check_scopes(scopes), created_at=utc_now())
    return token_id, f"vs_{token_id}_{secret}"


def create_token(catalog: Database, *, store_id: str, name: str, scopes: list[str]) -> str:
    """A new API token for one store; the full token is returned once and never stored."""
    _check_scopes(scopes)
    return catalog.write(lambda conn: insert_new_token(conn, store_id=store_id, name=name, scopes=scopes))[1]


def create_pos_device_token(catalog: Database, *, store_id: str, location_id: str, name: str) -> tuple[str, str]:
    """A POS device's token: the "pos" scope, bound to one store and one location (the caller checks
    that the location is the store's: `add_pos_device` does). Returns (token id, the full token, shown once)."""
    if not isinstance(location_id, str) or not 1 <= len(location_id) <= 64:
        raise AuthError(AuthErrorCode.INVALID, "a POS device needs a location", field="location")

    def write(conn: Connection) -> tuple[str, str]:
        token_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        accounts.insert_token(conn, token_id=token_id, store_id=store_id, name=name[:100],
                              secret_hash=_secret_hash(secret), scopes=["pos"], created_at=utc_now(),
                              location_id=location_id)
        return token_id, f"vs_{token_id}_{secret}"

    return catalog.write(write)


@dataclass(frozen=True)
class PosDevice:
    """A POS device as the merchant manages it: its token's id, name and location, never its secret.
    `last_used_at` is written at most every TOUCH_EVERY seconds, so it is "about then"."""

    id: str
    name: str
    location_id: str
    location_name: str            # "" when the location was deleted since
    created_at: str
    last_used_at: str | None
    revoked_at: str | None

    def to_json(self) -> dict[str, Any]:
        """The admin API's shape (docs/pos-api.md, "Devices and tokens")."""
        return {"id": self.id, "name": self.name, "location": {"id": self.location_id, "name": self.location_name},
                "createdAt": self.created_at, "lastUsedAt": self.last_used_at, "revokedAt": self.revoked_at,
                "revoked": self.revoked_at is not None}


@dataclass(frozen=True)
class NewPosDevice:
    """A device just made, with its token: shown this once, never stored."""

    device: PosDevice
    token: str


def _location_names(store_db: Database) -> dict[str, str]:
    from shared.db.repositories.inventory import list_locations     # the store database's, not the catalog's
    return {loc.id: loc.name for loc in store_db.read(list_locations)}


def list_pos_devices(catalog: Database, store_db: Database, *, store_id: str) -> list[PosDevice]:
    """The store's POS devices, revoked ones included, the newest first (locations named from the
    store's own database)."""
    names = _location_names(store_db)
    rows = catalog.read(lambda conn: accounts.list_pos_tokens(conn, store_id))
    return [PosDevice(r[0], r[1], r[2], names.get(r[2], ""), r[3], r[4], r[5]) for r in rows]


def add_pos_device(catalog: Database, store_db: Database, *, store_id: str, location: str,
                   name: str) -> NewPosDevice:
    """A new POS device of the store at one of its locations (by id or name): its token is returned
    once. AuthError(INVALID, field "name" or "location") for a bad name or a location the store does
    not have (the message lists the store's locations)."""
    clean = name.strip() if isinstance(name, str) else ""
    if not 1 <= len(clean) <= 100:
        raise AuthError(AuthErrorCode.INVALID, "A device needs a name of 1 to 100 characters", field="name")
    if any(unicodedata.category(ch) in ("Cc", "Zl", "Zp") for ch in clean):     # one line in lists
        raise AuthError(AuthErrorCode.INVALID, "A device's name must be one line of printable characters",
                        field="name")
    names = _location_names(store_db)
    found = next((i for i, n in names.items() if location == i), None) if isinstance(location, str) else None
    found = found or next((i for i, n in names.items() if location == n), None)
    if found is None:
        known = ", ".join(names.values()) or "none"
        what = f"no location {location!r}" if isinstance(location, str) and location else "a location to name"
        raise AuthError(AuthErrorCode.INVALID, f"A POS device needs one of this store's locations: {what} "
                        f"(its locations: {known})", field="location")
    token_id, token = create_pos_device_token(catalog, store_id=store_id, location_id=found, name=clean)
    device = next(d for d in list_pos_devices(catalog, store_db, store_id=store_id) if d.id == token_id)
    return NewPosDevice(device, token)


def add_store_pos_device(data: DataDir, slug: str, *, location: str, name: str) -> NewPosDevice:
    """`add_pos_device` for the store `slug` of a data folder, its databases opened and closed here: what
    `vibeshop cloud pos device add` does, and what tests and benchmarks need of a till."""
    store = open_store(data, slug)
    try:
        catalog = data.catalog()
        try:
            return add_pos_device(catalog, store.db, store_id=store.record.id, location=location, name=name)
        finally:
            catalog.close()
    finally:
        store.close()


def revoke_pos_device(catalog: Database, *, device_id: str, store_id: str | None = None) -> None:
    """Revoke a POS device's token at once (its next request is refused with 401). With `store_id`,
    only that store's. AuthError(NOT_FOUND) for no such POS device, AuthError(ALREADY_REVOKED) for one
    revoked before (nothing changes: its revocation time stays the first)."""
    def write(conn: Connection) -> None:
        owner = accounts.pos_token_store(conn, device_id)
        if owner is None or (store_id is not None and owner != store_id):
            raise AuthError(AuthErrorCode.NOT_FOUND, f"No POS device {device_id}")
        if not accounts.revoke_token(conn, device_id, utc_now()):
            raise AuthError(AuthErrorCode.ALREADY_REVOKED, f"The POS device {device_id} is already revoked")

    catalog.write(write)


def check_token(catalog: Database, token: str) -> TokenGrant:
    """What a bearer token allows; AuthError(UNAUTHORIZED) for a malformed, unknown, wrong or revoked one.
    Only reads: `note_token_use` records the use."""
    match = _TOKEN.match(token or "")
    token_id, secret = (match[1], match[2]) if match else ("", "")
    row = catalog.read(lambda conn: accounts.token_by_id(conn, token_id)) if match else None
    expected = row[1] if row else _DUMMY_HASH
    same = hmac.compare_digest(_secret_hash(secret), expected)
    if not (match and row and same) or row[3] is not None:
        raise AuthError(AuthErrorCode.UNAUTHORIZED, "invalid or revoked API token")
    return TokenGrant(token_id, row[0], frozenset(row[2]), row[4], row[5], row[6])


def note_token_use(catalog: Database, grant: TokenGrant) -> Future | None:
    """Record that a token was used, in the background and at most every TOUCH_EVERY seconds (per
    the stored time, so across workers too): nobody waits for it, and a catalog that is busy just
    records it on a later use. Returns the background write, or None when none was needed."""
    now = datetime.now(UTC)
    if grant.last_used_at is not None:
        try:
            if (now - datetime.fromisoformat(grant.last_used_at)).total_seconds() < TOUCH_EVERY:
                return None
        except ValueError:
            pass                # an unreadable time is simply replaced
    return catalog.submit_write(lambda conn: accounts.touch_token(conn, grant.token_id, utc_now()))


async def authorize(catalog: Database, token: str) -> TokenGrant:
    """check_token on the catalog's reader threads, then note_token_use (for async handlers)."""
    grant = await catalog.call_read(check_token, catalog, token)
    note_token_use(catalog, grant)
    return grant


def revoke_token(catalog: Database, *, token_id: str) -> None:
    """Revoke a token at once."""
    if not catalog.write(lambda conn: accounts.revoke_token(conn, token_id, utc_now())):
        raise AuthError(AuthErrorCode.INVALID, f"no live token {token_id}")
