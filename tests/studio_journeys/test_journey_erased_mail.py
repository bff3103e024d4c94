"""An erased customer's orders are kept for accounting with the e-mail replaced by the placeholder
(docs/accounts.md): acting on such an order afterwards (fulfil, refund) must never queue an e-mail to
the placeholder; the timeline says why nothing was sent."""

from __future__ import annotations

from shared.customers import erase_customer
from shared.db.repositories.customers import ERASED_EMAIL
from shared.models.money import Money
from shared.orders import PaymentStatus, fulfil_order, read_order, refund_order
from support_checkout import Shop, request


async def test_no_lifecycle_email_is_queued_for_an_erased_customer(shop: Shop) -> None:
    from shared.checkout.workflow import place_order

    outcome = await place_order(shop.context(), request(shop, quantity=2, email="gone@example.com"), card="pm_card_visa")
    order_id = outcome.order.id
    customer = shop.db.read(lambda conn: conn.scalar("SELECT id FROM customers WHERE email = ?", ("gone@example.com",)))
    assert customer, "finalize made a customer for the order's e-mail"
    erase_customer(shop.db, customer)
    assert read_order(shop.db, order_id).email == ERASED_EMAIL

    fulfil_order(shop.db, order_id, carrier="UPS", tracking_number="1Z999", actor="admin:tests",
                 site_url="http://shop.test")
    context = shop.context()

    async def payments(method: str):
        return await context.provider(method)

    after = await refund_order(shop.db, order_id, amount=Money(100, "USD"), actor="admin:tests", payments=payments,
                               site_url="http://shop.test")
    assert after.payment_status is PaymentStatus.PARTIALLY_REFUNDED
    queued = shop.db.read(lambda conn: conn.all(
        "SELECT dedupe_key FROM outbox WHERE kind = 'email' AND json_extract(payload, '$.to') = ?", (ERASED_EMAIL,)))
    assert queued == []
    notes = [e.message for e in read_order(shop.db, order_id).events if e.kind == "email_not_sent"]
    assert len(notes) == 2 and all("erased" in note for note in notes)
