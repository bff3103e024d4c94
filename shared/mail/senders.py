"""Where e-mails go: an SMTP server (`aiosmtplib`) or a folder of `.eml` files (the demo's mail),
both behind one small protocol the outbox worker uses.

A sender opens a session (one SMTP connection for a batch) and sends messages on it one by one; the
worker marks each row sent as soon as `send` returns, before the next message, which keeps the
at-least-once window as short as SMTP allows (see shared/mail/outbox.py)."""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path
from typing import Literal, Protocol

import aiosmtplib

from shared.mail.errors import MailError, MailErrorCode
from shared.mail.message import check_address

Security = Literal["none", "starttls", "tls"]
SECURITY_CHOICES: tuple[str, ...] = ("none", "starttls", "tls")


class MailSession(Protocol):
    """An open connection to a mail destination."""

    async def send(self, message: EmailMessage) -> None:
        """Hand one message over; returns once the destination accepted it. Raises
        MailError(DELIVERY_TEMPORARY) when trying again later may work, (DELIVERY_PERMANENT) if not."""


class MailSender(Protocol):
    """Something the outbox worker sends e-mails through."""

    default_from: str

    def session(self) -> AbstractAsyncContextManager[MailSession]:
        """An async context manager giving one session; opening it may raise MailError(DELIVERY_TEMPORARY)."""


# --- SMTP ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SmtpConfig:
    """How to reach the SMTP server: `vibeshop cloud serve --smtp HOST:PORT` and its options.

    security: "none" (plain, for a local relay), "starttls" (upgrade on port 587, required: refused
    rather than sent in clear if the server does not offer it) or "tls" (implicit TLS, port 465)."""

    host: str
    port: int = 25
    security: Security = "none"
    username: str = ""
    password: str = field(default="", repr=False)    # never printed or logged
    sender: str = "no-reply@localhost"                # the From address (the platform's domain)
    timeout: float = 30.0
    validate_certs: bool = True
    ca_file: str = ""                                 # a private relay's CA bundle (PEM); default: the system's

    def __post_init__(self) -> None:
        if not self.host or any(c.isspace() for c in self.host):
            raise MailError(MailErrorCode.INVALID_SMTP_CONFIG, f"SMTP host {self.host!r} is not a host name")
        if isinstance(self.port, bool) or not isinstance(self.port, int) or not 0 < self.port < 65536:
            raise MailError(MailErrorCode.INVALID_SMTP_CONFIG, f"SMTP port {self.port!r} must be 1 to 65535")
        if self.security not in SECURITY_CHOICES:
            raise MailError(MailErrorCode.INVALID_SMTP_CONFIG,
                            f"SMTP security must be one of {', '.join(SECURITY_CHOICES)}")
        if bool(self.username) != bool(self.password):
            raise MailError(MailErrorCode.INVALID_SMTP_CONFIG, "SMTP auth needs both a user name and a password")
        if not self.timeout > 0:
            raise MailError(MailErrorCode.INVALID_SMTP_CONFIG, "the SMTP timeout must be positive")
        check_address(self.sender, "the SMTP sender")


_HOST_PORT = re.compile(r"^(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[A-Za-z0-9.-]+))(?::(?P<port>\d{1,5}))?\Z")


def parse_smtp_address(text: str, *, default_port: int = 25) -> tuple[str, int]:
    """'mail.example.com:587' -> ('mail.example.com', 587); '[::1]:2525' -> ('::1', 2525); a missing
    port is `default_port`. Raises MailError(INVALID_SMTP_CONFIG) for anything else."""
    match = _HOST_PORT.match(text.strip()) if isinstance(text, str) else None
    port = int(match["port"]) if match and match["port"] else default_port
    if not match or not 0 < port < 65536:
        raise MailError(MailErrorCode.INVALID_SMTP_CONFIG, f"--smtp wants HOST:PORT, not {text!r}")
    return match["v6"] or match["host"], port


def _delivery_error(exc: Exception) -> MailError:
    """A send failure as temporary (try later) or permanent (a 5xx about this message)."""
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [error.code for error in exc.recipients]
        permanent = bool(codes) and all(code >= 500 for code in codes)
    elif isinstance(exc, aiosmtplib.SMTPAuthenticationError):
        permanent = False              # the mail settings are wrong, not the message: keep it for later
    elif isinstance(exc, aiosmtplib.SMTPResponseException):
        permanent = exc.code >= 500
    else:
        permanent = False
    code = MailErrorCode.DELIVERY_PERMANENT if permanent else MailErrorCode.DELIVERY_TEMPORARY
    return MailError(code, f"{type(exc).__name__}: {exc}"[:500])


class _SmtpSession:
    def __init__(self, client: aiosmtplib.SMTP):
        self._client = client

    async def send(self, message: EmailMessage) -> None:
        try:
            await self._client.send_message(message)
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as exc:
            raise _delivery_error(exc) from exc


class SmtpSender:
    """Sends over SMTP with aiosmtplib: one connection per batch, STARTTLS or implicit TLS, auth."""

    def __init__(self, config: SmtpConfig):
        self.config = config
        self.default_from = config.sender

    def _client(self) -> aiosmtplib.SMTP:
        c = self.config
        return aiosmtplib.SMTP(
            hostname=c.host, port=c.port, timeout=c.timeout, use_tls=c.security == "tls",
            start_tls=True if c.security == "starttls" else False,
            validate_certs=c.validate_certs, cert_bundle=c.ca_file or None,
            username=c.username or None, password=c.password or None)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[MailSession]:
        """One SMTP connection (logged in), closed with QUIT after the batch."""
        client = self._client()
        try:
            await client.connect()
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as exc:
            raise MailError(MailErrorCode.DELIVERY_TEMPORARY, f"cannot reach the SMTP server: {exc}"[:500]) from exc
        try:
            yield _SmtpSession(client)
        finally:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError):
                client.close()     # the messages already accepted stay accepted


# --- a folder of .eml files ---------------------------------------------------------------------

_UNSAFE = re.compile(r"[^a-z0-9]+")


def eml_name(message: EmailMessage) -> str:
    """A stable, readable file name: the subject in a few words and the Message-ID's own part
    ('order-1001-confirmed-outbox-6f1c.eml'): a message written twice overwrites itself."""
    subject = _UNSAFE.sub("-", str(message.get("Subject", "")).lower()).strip("-")[:60] or "message"
    ident = _UNSAFE.sub("-", str(message.get("Message-ID", "")).lower().split("@")[0]).strip("-")[:60]
    return f"{subject}-{ident or 'message'}.eml"


class _FolderSession:
    def __init__(self, folder: Path):
        self._folder = folder

    def _write(self, message: EmailMessage) -> None:
        self._folder.mkdir(parents=True, exist_ok=True)
        data = message.as_bytes(policy=SMTP_POLICY)
        fd, temp = tempfile.mkstemp(dir=self._folder, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temp, self._folder / eml_name(message))  # whole or not at all
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise

    async def send(self, message: EmailMessage) -> None:
        try:
            await asyncio.to_thread(self._write, message)
        except OSError as exc:
            raise MailError(MailErrorCode.DELIVERY_TEMPORARY, f"cannot write the e-mail: {exc}"[:500]) from exc


class DirectorySender:
    """Writes each e-mail as an `.eml` file into a folder (`make demo` keeps the shop's mail in the data
    folder, so a newcomer can open the confirmation in any mail program or text editor)."""

    def __init__(self, folder: str | os.PathLike[str], *, default_from: str = "no-reply@localhost"):
        self.folder = Path(folder)
        self.default_from = check_address(default_from, "default_from")

    @asynccontextmanager
    async def session(self) -> AsyncIterator[MailSession]:
        """A session writing into the folder."""
        yield _FolderSession(self.folder)
