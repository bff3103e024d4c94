"""One outgoing e-mail as stored in the outbox, and the MIME message built from it at send time.

The Message-ID is derived from the outbox row's id, so every attempt at one row sends the same id:
a copy delivered twice (the one at-least-once window, see outbox.py) is recognisable as one message."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from datetime import UTC, datetime
from typing import Any

from shared.mail.errors import MailError, MailErrorCode

MAX_BODY = 2 * 1024 * 1024
_ADDRESS = re.compile(r"^[^@\s<>(),;:\"\[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?\Z")
_SPACES = re.compile(r"\s+")


def check_address(value: Any, field: str = "address") -> str:
    """One plain address ("shopper@example.com"), trimmed; raises MailError(INVALID_ADDRESS) for
    anything else (display names, lists, header-breaking characters)."""
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > 254 or not _ADDRESS.match(text) or ".." in text.split("@")[1]:
        raise MailError(MailErrorCode.INVALID_ADDRESS, f"{field} {value!r} is not an e-mail address")
    return text


def one_line(value: Any, limit: int = 200) -> str:
    """Header text on one line (newlines would end the header: merchant and shopper text is folded)."""
    return _SPACES.sub(" ", str(value)).strip()[:limit]


@dataclass(frozen=True)
class OutgoingEmail:
    """An e-mail ready to send: addresses, subject, a text part and an HTML part (CSS inlined).

    `from_address` empty means "the sender's configured From address" (the platform's, which SPF and
    DKIM cover); `from_name` is shown (the store's name) and replies go to `reply_to` (the store's own
    address)."""

    to: str
    subject: str
    text: str
    html: str
    from_name: str = ""
    from_address: str = ""
    reply_to: str = ""
    list_unsubscribe: str = ""      # marketing: the one-click unsubscribe URL (RFC 8058 headers)

    def __post_init__(self) -> None:
        object.__setattr__(self, "to", check_address(self.to, "to"))
        for name in ("from_address", "reply_to"):
            if getattr(self, name):
                object.__setattr__(self, name, check_address(getattr(self, name), name))
        object.__setattr__(self, "subject", one_line(self.subject, 250))
        object.__setattr__(self, "from_name", one_line(self.from_name, 100))
        if self.list_unsubscribe and not re.match(r"^https?://[^\s<>]+\Z", self.list_unsubscribe):
            raise MailError(MailErrorCode.INVALID_MESSAGE, "list_unsubscribe must be an http(s) URL")
        if not self.subject or not self.text.strip():
            raise MailError(MailErrorCode.INVALID_MESSAGE, "an e-mail needs a subject and a text part")
        if len(self.text) + len(self.html) > MAX_BODY:
            raise MailError(MailErrorCode.INVALID_MESSAGE, "the e-mail is too large")

    def to_payload(self) -> dict[str, str]:
        """The JSON object kept in the outbox row."""
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: Any) -> OutgoingEmail:
        """Back from an outbox row's JSON; MailError(INVALID_MESSAGE) for a payload that is not one."""
        fields = cls.__dataclass_fields__
        if (not isinstance(payload, dict) or not all(isinstance(payload.get(k, ""), str) for k in fields)
                or not {"to", "subject", "text", "html"} <= payload.keys()):
            raise MailError(MailErrorCode.INVALID_MESSAGE, "the outbox payload is not an e-mail")
        return cls(**{k: payload[k] for k in fields if k in payload})


def message_id_for(row_id: str, domain: str) -> str:
    """The stable Message-ID of the outbox row `row_id`: '<outbox.ID@domain>'."""
    safe = re.sub(r"[^A-Za-z0-9.-]", "", row_id) or "message"
    return f"<outbox.{safe}@{domain or 'localhost'}>"


def build_mime(email: OutgoingEmail, *, row_id: str, default_from: str, now: datetime | None = None) -> EmailMessage:
    """The MIME message for one outbox row: multipart/alternative (text, then HTML), a stable
    Message-ID derived from the row, the From given by `default_from` unless the e-mail names one."""
    address = email.from_address or check_address(default_from, "default_from")
    domain = address.rsplit("@", 1)[1]
    message = EmailMessage()
    message["From"] = Address(display_name=email.from_name, addr_spec=address)
    message["To"] = email.to
    if email.reply_to:
        message["Reply-To"] = email.reply_to
    message["Subject"] = email.subject
    message["Date"] = format_datetime(now or datetime.now(UTC))
    message["Message-ID"] = message_id_for(row_id, domain)
    message["Auto-Submitted"] = "auto-generated"     # RFC 3834: no auto-replies loop back to the store
    if email.list_unsubscribe:      # RFC 2369 + RFC 8058: the mail client's one-click unsubscribe button
        message["List-Unsubscribe"] = f"<{email.list_unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(email.text)
    if email.html:
        message.add_alternative(email.html, subtype="html")
    return message
