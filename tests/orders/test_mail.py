"""The order e-mails leave the cloud service after commit: over SMTP to a real aiosmtpd server
(`serve --smtp`), or into a folder as .eml files (`serve --mail-dir`, the demo's)."""

from __future__ import annotations

import asyncio
import base64
import os
import threading
from email import message_from_bytes
from email.message import Message
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from cloud.server.app import create_app
from cloud.server.config import ServeConfig
from cloud.server.keys import STORES
from shared.checkout.attempt import CheckoutRequest
from shared.checkout.workflow import place_order
from shared.mail import SmtpConfig
from shared.payments import ENV_VAR
from support import free_port
from support_checkout import served_checkout_context
from support_stripe import LocalStripe

KEY = base64.urlsafe_b64encode(os.urandom(32)).decode()


class Sink:
    """aiosmtpd keeping every message it accepts."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[Message] = []
        self.arrived = threading.Condition()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001, N802 - aiosmtpd's hook
        with self.arrived:
            self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
            self.arrived.notify_all()
        return "250 OK"

    def wait_for(self, count: int) -> list[Message]:
        with self.arrived:
            assert self.arrived.wait_for(lambda: len(self.messages) >= count, 30), "a hang"
            return list(self.messages)


async def _order_in(client, localstripe: LocalStripe):
    store = await client.app[STORES].store_for("demo.localhost")
    ctx = served_checkout_context(store, key=KEY, api_base=localstripe.url)
    pickup = _pickup(store)
    # A variant with units at the pickup shop (the demo's ids are random, so "any stocked variant" may
    # have its units only at the other location).
    variant = store.db.read(lambda conn: conn.scalar(
        "SELECT variant_id FROM stock_movements WHERE location_id = ? GROUP BY variant_id HAVING sum(delta) > 3 "
        "ORDER BY variant_id LIMIT 1", (pickup,)))
    return await place_order(ctx, CheckoutRequest(lines=((variant, 1),), email="ada@example.com",
                                                  payment_method="pay_in_store", shipping_option_id=pickup))


def _pickup(store) -> str:
    return store.db.read(lambda conn: conn.scalar("SELECT id FROM locations ORDER BY is_default DESC LIMIT 1"))


async def test_order_emails_go_out_over_smtp(aiohttp_client, demo_dir: Path, localstripe: LocalStripe,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, KEY)
    sink = Sink()
    sink.controller.start()
    try:
        client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, stripe_api=localstripe.url,
                                                             smtp=SmtpConfig(host="127.0.0.1", port=sink.port))))
        outcome = await _order_in(client, localstripe)
        messages = await asyncio.to_thread(sink.wait_for, 2)
    finally:
        sink.controller.stop()
    by_to = {str(m["To"]): m for m in messages}
    assert set(by_to) == {"ada@example.com", "hello@harborandpine.example"}
    assert by_to["ada@example.com"]["Subject"] == f"Order #{outcome.order.number} confirmed"
    body = by_to["ada@example.com"].get_body(("plain",)).get_content()
    assert f"/orders/{outcome.order.status_token}" in body
    assert len(messages) == 2


async def test_order_emails_land_in_the_mail_dir(aiohttp_client, demo_dir: Path, localstripe: LocalStripe,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, KEY)
    folder = demo_dir / "mail"
    client = await aiohttp_client(create_app(ServeConfig(data_dir=demo_dir, stripe_api=localstripe.url,
                                                         mail_dir=folder)))
    store = await client.app[STORES].store_for("demo.localhost")
    await _order_in(client, localstripe)
    async with asyncio.timeout(30):           # catches a hang only
        while store.db.read(lambda conn: conn.scalar("SELECT count(*) FROM outbox WHERE status = 'sent'")) < 2:
            await asyncio.sleep(0.05)
    files = sorted(folder.glob("*.eml"))
    assert len(files) == 2
    assert any("Subject: Order #1001 confirmed" in f.read_text() for f in files)
