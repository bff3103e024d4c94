"""Error codes of the outbound webhooks domain."""

from __future__ import annotations

from enum import StrEnum

from shared.errors import VibeshopError


class WebhookErrorCode(StrEnum):
    """Why a subscription or a signature was refused."""

    INVALID = "invalid"                # a field of the wrong type or an unknown field (422)
    INVALID_URL = "invalid_url"        # not an https:// URL (http:// only for loopback in test mode) (422)
    UNSAFE_URL = "unsafe_url"          # a private, link-local or loopback address: no requests inside (422)
    INVALID_EVENTS = "invalid_events"  # no event, or one that is not in EVENT_TYPES (422)
    NOT_FOUND = "not_found"            # no such subscription (404)
    BAD_SIGNATURE = "bad_signature"    # verify_signature: missing, malformed, forged or too old


class WebhookError(VibeshopError):
    """A refused subscription or signature, with its code and, for a field, its name."""

    def __init__(self, code: WebhookErrorCode, message: str, *, field: str | None = None):
        super().__init__(code, message)
        self.field = field
