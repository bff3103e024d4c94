"""Who may be sent marketing: customers consenting now (customers.accepts_marketing, kept by
shared/customers with its history), and the one-click unsubscribe that withdraws it without a sign-in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from shared.customers import ConsentSource, CustomerError, record_consent
from shared.db import Connection
from shared.marketing.errors import MarketingError, MarketingErrorCode
from shared.marketing.settings import iso, store_secret
from shared.marketing.tokens import read_unsubscribe


def unsubscribe_address(conn: Connection, token: Any) -> str:
    """The e-mail a genuine unsubscribe token names (for the confirmation page; reads only).
    Raises MarketingError(BAD_TOKEN)."""
    secret = store_secret(conn)
    if secret is None:
        raise MarketingError(MarketingErrorCode.BAD_TOKEN, "This link is not valid.")
    return read_unsubscribe(secret, token)[0]


def unsubscribe(conn: Connection, token: Any, *, now: datetime) -> str:
    """Withdraw the marketing consent of the token's e-mail (inside a write), recorded with the time and
    the source 'unsubscribe_link'. Idempotent: a second click changes nothing. Returns the e-mail.
    Raises MarketingError(BAD_TOKEN) for a forged or damaged token."""
    email = unsubscribe_address(conn, token)
    try:
        record_consent(conn, email=email, consented=False, source=ConsentSource.UNSUBSCRIBE_LINK, now=iso(now))
    except CustomerError:
        raise MarketingError(MarketingErrorCode.BAD_TOKEN, "This link is not valid.") from None
    return email


def mask(email: str) -> str:
    """An address shown on the unsubscribe page without giving it away to whoever holds the link:
    'j***@example.com'."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"
