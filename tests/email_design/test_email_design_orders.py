"""The shop's own e-mails come from the merchant's design: an order placed as checkout places it gets the
designed confirmation, fulfilling it with tracking queues the designed shipping e-mail."""

from __future__ import annotations

import asyncio

import pytest

from shared.checkout.workflow import place_order
from shared.mail.designs import Design, DesignBlock, default_design
from shared.mail.designs.service import save_design
from shared.orders import fulfil_order
from support_checkout import Shop, request, shop  # noqa: F401 - the checkout's shop fixture (localstripe)


def _payload(shop: Shop, key: str) -> tuple[str, str, str]:
    return shop.db.read(lambda conn: conn.one(
        "SELECT json_extract(payload, '$.subject'), json_extract(payload, '$.html'), json_extract(payload, '$.text') "
        "FROM outbox WHERE dedupe_key = ?", (key,)))


async def test_checkout_and_fulfilment_send_the_designed_emails(shop: Shop) -> None:
    confirmation = default_design("order_confirmation")

    def design() -> None:           # the studio saves them; V8 (the rules' code check) off the event loop
        save_design(shop.db, Design("order_confirmation", (
            confirmation.blocks[0], DesignBlock("email-heading", {"heading": "Thanks, from the pines"}),
            *confirmation.blocks[2:]), subject="We got it: {number}"))
        save_design(shop.db, default_design("shipping_confirmation"))
    await asyncio.to_thread(design)

    outcome = await place_order(shop.context(), request(shop, quantity=2), card="pm_card_visa")
    order = outcome.order
    subject, html, text = _payload(shop, f"order:{order.id}:confirmation")
    assert subject == f"We got it: {order.name}"
    assert "Thanks, from the pines" in html and 'class="em-card em-wrap"' in html and "Thanks, from the pines" in text

    after = await asyncio.to_thread(lambda: fulfil_order(
        shop.db, order.id, carrier="UPS", tracking_number="1Z999", tracking_url="https://ups.example/1Z999",
        actor="admin:tests", site_url="http://shop.test"))
    [shipment] = after.fulfillments
    subject, html, text = _payload(shop, f"order:{order.id}:shipping:{shipment.id}")
    assert subject == f"Order {order.name} is on the way"
    assert 'class="em-card em-wrap"' in html and 'href="https://ups.example/1Z999"' in html
    assert "Track your parcel: https://ups.example/1Z999" in text


@pytest.fixture(autouse=True)
def _no_design_failures(caplog):
    yield
    assert not [r for r in caplog.records if r.name == "shared.mail.designs.render"], "a design fell back"
