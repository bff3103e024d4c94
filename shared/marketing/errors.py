"""Error codes of the marketing domain (campaigns, unsubscribe and cart-restore links, settings)."""

from __future__ import annotations

from enum import StrEnum

from shared.errors import VibeshopError


class MarketingErrorCode(StrEnum):
    """Why a marketing operation was refused; the HTTP status a handler should answer is in brackets."""

    INVALID = "invalid"                  # a missing subject or text, a bad setting or address [400/422]
    NOT_FOUND = "not_found"              # no such campaign [404]
    NOT_DRAFT = "not_draft"              # the campaign is sending or sent: it can no longer change [409]
    BAD_TOKEN = "bad_token"              # a link's token is forged, damaged or expired [400]


class MarketingError(VibeshopError):
    """A refused marketing operation; nothing was written. `field` names the refused field, if any."""

    def __init__(self, code: MarketingErrorCode, message: str, *, field: str | None = None):
        super().__init__(code, message)
        self.field = field
