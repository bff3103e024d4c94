"""The senders: SMTP over STARTTLS and implicit TLS with auth (a real aiosmtpd server with a
certificate made for the test), the mail settings' checks, and the .eml folder."""

from __future__ import annotations

import asyncio
import ssl
import subprocess
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from orders import simple_email
from shared.mail import (DirectorySender, MailError, MailErrorCode, SmtpConfig, SmtpSender, build_mime,
                         parse_smtp_address)
from support import free_port


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (it is its own CA)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                    "-out", str(cert)], check=True, capture_output=True)
    return cert, key


class Received:
    """A handler keeping messages and the logins it saw."""

    def __init__(self) -> None:
        self.messages: list = []
        self.logins: list[str] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, data) -> AuthResult:  # noqa: ANN001
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"shop", b"s3cret")
        if ok:
            self.logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)


def _server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    return context


@pytest.fixture
def starttls_server(certificate) -> Iterator[tuple[int, Received]]:  # noqa: ANN001
    """An SMTP server that requires STARTTLS and then a login."""
    handler, port = Received(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=_server_context(certificate),
                            require_starttls=True, auth_required=True, authenticator=handler.authenticate)
    controller.start()
    yield port, handler
    controller.stop()


@pytest.fixture
def tls_server(certificate) -> Iterator[tuple[int, Received]]:  # noqa: ANN001
    """An SMTP server on implicit TLS (port 465 style) that requires a login."""
    handler, port = Received(), free_port()
    context = _server_context(certificate)
    # auth_require_tls=False: aiosmtpd does not notice the connection is TLS from the start.
    controller = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=context, auth_required=True,
                            auth_require_tls=False, authenticator=handler.authenticate, server_hostname="127.0.0.1")
    controller.start()
    yield port, handler
    controller.stop()


def message():  # noqa: ANN201
    """One MIME message for the senders."""
    return build_mime(simple_email(), row_id="row-1", default_from="orders@vibeshop.test")


async def _send(config: SmtpConfig) -> None:
    async with SmtpSender(config).session() as session:
        await session.send(message())


async def test_starttls_with_login(starttls_server, certificate):  # noqa: ANN001
    port, handler = starttls_server
    await _send(SmtpConfig(host="127.0.0.1", port=port, security="starttls", username="shop", password="s3cret",
                           ca_file=str(certificate[0])))
    assert handler.logins == ["shop"] and len(handler.messages) == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")   # the fixture's server: it is TLS
async def test_implicit_tls_with_login(tls_server, certificate):  # noqa: ANN001
    port, handler = tls_server
    await _send(SmtpConfig(host="127.0.0.1", port=port, security="tls", username="shop", password="s3cret",
                           ca_file=str(certificate[0])))
    assert handler.logins == ["shop"] and len(handler.messages) == 1


async def test_a_wrong_password_or_an_unknown_certificate_is_a_temporary_failure(starttls_server, certificate):  # noqa: ANN001
    port, handler = starttls_server
    for config in (SmtpConfig(host="127.0.0.1", port=port, security="starttls", username="shop", password="nope",
                              ca_file=str(certificate[0])),
                   SmtpConfig(host="127.0.0.1", port=port, security="starttls", username="shop", password="s3cret")):
        with pytest.raises(MailError) as raised:
            await _send(config)
        assert raised.value.code == MailErrorCode.DELIVERY_TEMPORARY     # kept for later, not given up
    assert handler.messages == []


async def test_plain_smtp_to_a_server_requiring_starttls_sends_nothing(starttls_server):  # noqa: ANN001
    port, handler = starttls_server
    with pytest.raises(MailError):
        await _send(SmtpConfig(host="127.0.0.1", port=port, security="none"))
    assert handler.messages == []


def test_smtp_addresses_and_settings_are_checked():
    assert parse_smtp_address("mail.example.com:587") == ("mail.example.com", 587)
    assert parse_smtp_address("[::1]:2525") == ("::1", 2525)
    assert parse_smtp_address("localhost") == ("localhost", 25)
    for bad in ("", "host:", "host:99999", "ho st:25", "host:25:26", "http://host"):
        with pytest.raises(MailError) as raised:
            parse_smtp_address(bad)
        assert raised.value.code == MailErrorCode.INVALID_SMTP_CONFIG
    for fields in ({"port": 0}, {"security": "ssl"}, {"username": "only-user"}, {"sender": "not an address"},
                   {"timeout": 0}):
        with pytest.raises(MailError):
            SmtpConfig(host="mail.example.com", **fields)
    assert "s3cret" not in repr(SmtpConfig(host="h", username="u", password="s3cret"))


async def test_the_folder_sender_overwrites_the_same_message_instead_of_copying_it(tmp_path: Path):
    sender = DirectorySender(tmp_path / "mail")
    for _ in range(2):                       # a retry after a crash writes the same file again
        async with sender.session() as session:
            await session.send(message())
    [path] = (tmp_path / "mail").iterdir()
    assert path.name == "test-1-outbox-row-1.eml"
    assert asyncio.iscoroutinefunction(session.send)
