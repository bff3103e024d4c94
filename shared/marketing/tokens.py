"""Signed links: one-click unsubscribe and cart restore. A token is `PAYLOAD.MAC`, both base64url: the
payload is compact JSON, the MAC an HMAC-SHA256 of the payload with the store's own secret
(marketing_settings.secret, made once per store database), truncated to 128 bits. No database row is
needed to check one, so an unsubscribe works for any address ever mailed, and a forged or altered token
is refused without a lookup. The `k` field keeps one kind of token from being replayed as another."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from shared.marketing.errors import MarketingError, MarketingErrorCode

UNSUBSCRIBE = "u"
RESTORE = "r"
RESTORE_DAYS = 30            # a cart link works for 30 days; unsubscribe links never expire (RFC 8058)
MAX_TOKEN = 600


def new_secret() -> str:
    """A fresh store secret (256 bits)."""
    return secrets.token_urlsafe(32)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), payload.encode("ascii"), hashlib.sha256).digest()[:16])


def sign(secret: str, kind: str, **fields: Any) -> str:
    """A token of `kind` carrying `fields` (short keys: it goes into a URL)."""
    payload = _b64(json.dumps({"k": kind, **fields}, separators=(",", ":"), ensure_ascii=False).encode())
    return f"{payload}.{_mac(secret, payload)}"


def verify(secret: str, token: Any, kind: str) -> dict[str, Any]:
    """The fields of a genuine token of `kind`; MarketingError(BAD_TOKEN) for anything else."""
    bad = MarketingError(MarketingErrorCode.BAD_TOKEN, "This link is not valid. It may have been cut short.")
    if not isinstance(token, str) or len(token) > MAX_TOKEN or token.count(".") != 1:
        raise bad
    payload, mac = token.split(".")
    try:
        good = hmac.compare_digest(mac.encode("ascii"), _mac(secret, payload).encode("ascii"))
        data = json.loads(_unb64(payload)) if good else None
    except (ValueError, UnicodeError):
        raise bad from None
    if not isinstance(data, dict) or data.get("k") != kind:
        raise bad
    return data


def unsubscribe_token(secret: str, *, email: str, campaign_id: str = "") -> str:
    """The token of an unsubscribe link for `email` (the campaign, if any, is kept for the record)."""
    return sign(secret, UNSUBSCRIBE, e=email, c=campaign_id)


def restore_token(secret: str, *, attempt_id: str, now: datetime) -> str:
    """The token of a cart-restore link for a checkout attempt, valid RESTORE_DAYS days from `now`."""
    return sign(secret, RESTORE, a=attempt_id, x=int((now + timedelta(days=RESTORE_DAYS)).timestamp()))


def read_unsubscribe(secret: str, token: Any) -> tuple[str, str]:
    """(email, campaign id) of a genuine unsubscribe token; MarketingError(BAD_TOKEN)."""
    data = verify(secret, token, UNSUBSCRIBE)
    if not isinstance(data.get("e"), str) or not data["e"]:
        raise MarketingError(MarketingErrorCode.BAD_TOKEN, "This link is not valid.")
    return data["e"], str(data.get("c") or "")


def read_restore(secret: str, token: Any, *, now: datetime) -> str:
    """The checkout attempt id of a genuine, unexpired restore token; MarketingError(BAD_TOKEN)."""
    data = verify(secret, token, RESTORE)
    if not isinstance(data.get("a"), str) or not isinstance(data.get("x"), int):
        raise MarketingError(MarketingErrorCode.BAD_TOKEN, "This link is not valid.")
    if data["x"] < now.timestamp():
        raise MarketingError(MarketingErrorCode.BAD_TOKEN, "This link has expired.")
    return data["a"]
