"""Error codes of the mail domain (outbox, templates, delivery)."""

from __future__ import annotations

from enum import StrEnum

from shared.errors import VibeshopError


class MailErrorCode(StrEnum):
    """Why a message, an address or a mail setting was refused, or why a delivery failed."""

    INVALID_ADDRESS = "invalid_address"        # not one plain e-mail address
    INVALID_MESSAGE = "invalid_message"        # an empty subject or body, a bad payload
    INVALID_SMTP_CONFIG = "invalid_smtp_config"  # `--smtp HOST:PORT` and its options
    DELIVERY_TEMPORARY = "delivery_temporary"  # server down, 4xx, timeout: retried with backoff
    DELIVERY_PERMANENT = "delivery_permanent"  # 5xx (recipient refused...): given up at once


class MailError(VibeshopError):
    """A refused message or mail setting, or a failed delivery, with its code."""

    def __init__(self, code: MailErrorCode, message: str):
        super().__init__(code, message)

    @property
    def permanent(self) -> bool:
        """Whether trying again cannot help (the outbox gives the row up at once)."""
        return self.code == MailErrorCode.DELIVERY_PERMANENT
