"""Sign-in without passwords: an e-mailed one-time 6-digit code, then a session cookie.

Guarantees:
- Asking for a code does the same work for any well-formed e-mail, account or not: it never reads the
  customers table, always stores a code and always queues the e-mail (a person can only sign in to the
  address they read mail at, and the account is made when the code is first used). The answer and its
  timing therefore say nothing about which e-mails have accounts.
- A code lives CODE_TTL_SECONDS (10 minutes), allows CODE_TRIES (5) tries and works once; it is kept only
  as an HMAC-SHA256 under a per-code random salt. At most CODES_PER_EMAIL codes per e-mail and
  CODES_PER_CLIENT per client address are made per CODE_WINDOW_SECONDS (an hour), in the database, so
  every worker process counts the same: guessing is bounded to 25 tries an hour for an address.
- The code is bound to the browser that asked (the pending sign-in's cookie token, kept as its SHA-256):
  a code read from the mail works only with that cookie.
- A session token has 256 random bits and is kept as its SHA-256; signing out deletes the row (a
  copied cookie stops working at once), signing out everywhere deletes every session of the customer.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from shared.cart.accounts import merge_guest_cart
from shared.customers.errors import CustomerError, CustomerErrorCode
from shared.customers.models import (CODE_TRIES, CODE_TTL_SECONDS, CODE_WINDOW_SECONDS, CODES_PER_CLIENT,
                                     CODES_PER_EMAIL, SESSION_DAYS, Customer, SignedIn, SignInStarted)
from shared.customers.service import clean_email, ensure_customer
from shared.db import Connection, Database
from shared.db.repositories import customers as repo
from shared.db.stamps import new_id
from shared.mail.account_mail import render_sign_in_code
from shared.mail.designs.context import using_designs
from shared.mail.outbox import enqueue_email
from shared.mail.views import MailBranding

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}\Z")        # secrets.token_urlsafe(32)
_TOUCH_EVERY = timedelta(hours=1)                   # a session's last use is written at most this often


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def _code_hash(salt: str, code: str) -> str:
    return hmac.new(bytes.fromhex(salt), code.encode("ascii"), hashlib.sha256).hexdigest()


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def request_sign_in_code(db: Database, *, email: str, client: str, branding: MailBranding,
                         now: datetime | None = None) -> SignInStarted:
    """Make a code for `email` and queue it in an e-mail; the pending sign-in's token goes in a cookie.
    Raises CustomerError(INVALID) for a malformed e-mail, (RATE_LIMITED) past the limits."""
    email = clean_email(email)
    moment = now or datetime.now(UTC)
    code = f"{secrets.randbelow(1_000_000):06d}"
    with using_designs(db):                    # the merchant's design of this e-mail, if any
        message = render_sign_in_code(to=email, code=code, branding=branding, minutes=CODE_TTL_SECONDS // 60)
    token, salt = secrets.token_urlsafe(32), secrets.token_hex(16)
    expires = _iso(moment + timedelta(seconds=CODE_TTL_SECONDS))
    since = _iso(moment - timedelta(seconds=CODE_WINDOW_SECONDS))

    def write(conn: Connection) -> None:
        if repo.codes_since(conn, since=since, email=email) >= CODES_PER_EMAIL:
            raise CustomerError(CustomerErrorCode.RATE_LIMITED, "Too many codes were asked for this e-mail. "
                                "Use the last code you received, or try again in an hour.")
        if repo.codes_since(conn, since=since, client=client[:64]) >= CODES_PER_CLIENT:
            raise CustomerError(CustomerErrorCode.RATE_LIMITED, "Too many sign-in codes were asked from here. "
                                "Try again in an hour.")
        repo.delete_old_codes(conn, before=since)
        code_id = new_id()
        repo.insert_code(conn, code_id=code_id, token_hash=_hash(token), email=email, client=client[:64], salt=salt,
                         code_hash=_code_hash(salt, code), now=_iso(moment), expires_at=expires)
        enqueue_email(conn, message, dedupe_key=f"signin:{code_id}")

    db.write(write)
    return SignInStarted(token, expires)


def verify_sign_in_code(db: Database, *, token: str | None, code: str, cart_token: str | None = None,
                        now: datetime | None = None) -> SignedIn:
    """Check the code typed for a pending sign-in: on success the customer (made on first sign-in, with
    `customer.created`) gets a new session and the browser's cart joins the account's. Every try is
    counted; the 6th is refused even with the right code. Raises CustomerError: CODE_WRONG (a try spent),
    CODE_EXPIRED (expired, used or unknown), TOO_MANY_TRIES."""
    moment = now or datetime.now(UTC)
    typed = re.sub(r"[\s-]", "", code if isinstance(code, str) else "")[:20]
    if not isinstance(token, str) or not _TOKEN.match(token):
        raise CustomerError(CustomerErrorCode.CODE_EXPIRED, "This sign-in has expired. Ask for a new code.")
    outcome: Callable[[], SignedIn] = db.write(lambda conn: _check_code(conn, _hash(token), typed, cart_token,
                                                                         moment))
    return outcome()


def _check_code(conn: Connection, token_hash: str, typed: str, cart_token: str | None,
                moment: datetime) -> Callable[[], SignedIn]:
    """The verification inside one write; returns what the caller raises or returns after the commit
    (a wrong code's spent try must be committed before it is reported)."""
    row = repo.code_by_token(conn, token_hash)
    if row is None or row.used_at is not None or row.expires_at <= _iso(moment):
        return _fail(CustomerErrorCode.CODE_EXPIRED, "This code has expired or was used. Ask for a new code.")
    if row.attempts >= CODE_TRIES:
        return _fail(CustomerErrorCode.TOO_MANY_TRIES, "Too many wrong codes. Ask for a new code.")
    candidate = typed if re.fullmatch(r"[0-9]{6}", typed) else "x"
    if not hmac.compare_digest(_code_hash(row.salt, candidate), row.code_hash):
        repo.spend_try(conn, row.id)
        left = CODE_TRIES - row.attempts - 1
        return _fail(CustomerErrorCode.CODE_WRONG, f"That code is not right. {left} tries left." if left
                     else "That code is not right, and it has no tries left. Ask for a new code.")
    at = _iso(moment)
    repo.use_code(conn, row.id, now=at)
    customer_id, created = ensure_customer(conn, email=row.email, now=at)
    repo.mark_verified(conn, customer_id, now=at)
    session_token, expires = secrets.token_urlsafe(32), _iso(moment + timedelta(days=SESSION_DAYS))
    repo.insert_session(conn, session_id=new_id(), customer_id=customer_id, token_hash=_hash(session_token), now=at,
                        expires_at=expires)
    repo.delete_expired_sessions(conn, now=at)
    cart = merge_guest_cart(conn, customer_id=customer_id, cart_token=cart_token, now=moment)
    customer = repo.get_customer(conn, customer_id)
    assert customer is not None
    signed_in = SignedIn(customer, session_token, expires, cart, created)
    return lambda: signed_in


def _fail(code: CustomerErrorCode, message: str) -> Callable[[], SignedIn]:
    def raise_it() -> SignedIn:
        raise CustomerError(code, message)
    return raise_it


def session_customer(db: Database, token: str | None, *, now: datetime | None = None) -> Customer | None:
    """The signed-in customer of a session cookie, or None (malformed, unknown, expired, signed out).
    A session used again is extended (written at most once an hour)."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    moment = now or datetime.now(UTC)
    token_hash = _hash(token)

    def read(conn: Connection) -> tuple[tuple[str, str, str] | None, Customer | None]:
        found = repo.session_by_token(conn, token_hash, now=_iso(moment))
        return found, repo.get_customer(conn, found[1]) if found else None

    found, customer = db.read(read)
    if found is None or customer is None:
        return None
    if found[2] < _iso(moment - _TOUCH_EVERY):
        db.write(lambda conn: repo.touch_session(conn, found[0], now=_iso(moment),
                                                 expires_at=_iso(moment + timedelta(days=SESSION_DAYS))))
    return customer


def sign_out(db: Database, token: str | None) -> None:
    """End this browser's session (its cookie stops working everywhere it was copied)."""
    if isinstance(token, str) and _TOKEN.match(token):
        db.write(lambda conn: repo.delete_session(conn, _hash(token)))


def sign_out_everywhere(db: Database, customer_id: str) -> int:
    """End every session of the customer, this one included; how many."""
    return db.write(lambda conn: repo.delete_sessions(conn, customer_id))
