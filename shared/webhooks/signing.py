"""The `Vibeshop-Signature` header, like Stripe's: `t=TIMESTAMP,v1=HEX` where HEX is the HMAC-SHA256 of
f"{TIMESTAMP}.{BODY}" keyed with the subscription's secret. A receiver checks it with
`verify_signature` (or the few lines of any language in docs/webhooks.md) before trusting the body, and
refuses an old timestamp so a captured delivery cannot be replayed later."""

from __future__ import annotations

import hashlib
import hmac
import time

from shared.webhooks.errors import WebhookError, WebhookErrorCode

SIGNATURE_HEADER = "Vibeshop-Signature"
EVENT_ID_HEADER = "Vibeshop-Event-Id"
EVENT_TYPE_HEADER = "Vibeshop-Event-Type"
DEFAULT_TOLERANCE = 300          # seconds a signature stays acceptable (clock skew plus transit)


def _digest(secret: str, timestamp: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, *, timestamp: int | None = None) -> str:
    """The header value for `body` sent at `timestamp` (now by default)."""
    stamp = int(time.time()) if timestamp is None else int(timestamp)
    return f"t={stamp},v1={_digest(secret, stamp, body)}"


def verify_signature(secret: str, body: bytes | str, header: str | None, *, tolerance: float = DEFAULT_TOLERANCE,
                     now: float | None = None) -> int:
    """Check a delivery as its receiver: `body` is the raw request body (exactly the bytes received),
    `header` the Vibeshop-Signature value. Returns the signed timestamp; raises
    WebhookError(BAD_SIGNATURE) when the header is missing or malformed, no v1 signature matches (several
    are allowed, for a secret being rolled), or the timestamp is more than `tolerance` seconds away."""
    raw = body.encode() if isinstance(body, str) else body
    stamp: int | None = None
    candidates: list[str] = []
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            stamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if stamp is None or not candidates:
        raise WebhookError(WebhookErrorCode.BAD_SIGNATURE, f"the {SIGNATURE_HEADER} header is missing or malformed")
    expected = _digest(secret, stamp, raw)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise WebhookError(WebhookErrorCode.BAD_SIGNATURE, "no signature matches the body and the secret")
    if abs((time.time() if now is None else now) - stamp) > tolerance:
        raise WebhookError(WebhookErrorCode.BAD_SIGNATURE, "the signature's timestamp is too old (a replay?)")
    return stamp
