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
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shared.db import Connection, Database
from shared.db.repositories import accounts
from shared.db.stamps import new_id, utc_now
from shared.accounts.errors import AuthError, AuthErrorCode
from shared.storefront.validation import email_problem

SCOPES = frozenset({"store:read", "store:write", "content:write", "media:write", "sync", "pos", "orders:read",
                    "orders:write", "webhooks:read", "webhooks:write", "customers:read", "customers:write",
                    "marketing:read", "marketing:write"})
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
    that the location is the store's). Returns (token id, the full token, shown once)."""
    if not isinstance(location_id, str) or not 1 <= len(location_id) <= 64:
        raise AuthError(AuthErrorCode.INVALID, "a POS device needs a location")

    def write(conn: Connection) -> tuple[str, str]:
        token_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        accounts.insert_token(conn, token_id=token_id, store_id=store_id, name=name[:100],
                              secret_hash=_secret_hash(secret), scopes=["pos"], created_at=utc_now(),
                              location_id=location_id)
        return token_id, f"vs_{token_id}_{secret}"

    return catalog.write(write)


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
    return TokenGrant(token_id, row[0], frozenset(row[2]), row[4], row[5])


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
