from shared.checkout.workflow import place_order
from shared.orders import PaymentStatus, mark_ready_for_pickup, mark_picked_up, read_order
from lifecycle_support import payments
from support_checkout import request


async def test_capture_at_pickup_end_to_end(shop, localstripe):
    shop.db.write(lambda conn: conn.execute("UPDATE storefront SET settings = json_set(settings, '$.capture_at_pickup', json('true'))"))
    outcome = await place_order(shop.context(), request(shop, pickup=True), card="pm_card_visa")
    order = read_order(shop.db, outcome.order.id)
    assert order.payment_status is PaymentStatus.AUTHORIZED, order.events
    assert localstripe.get(f"/v1/payment_intents/{order.payment_intent_id}")["status"] == "requires_capture"
    mark_ready_for_pickup(shop.db, order.id, actor="pos")
    done = await mark_picked_up(shop.db, order.id, actor="pos", payments=payments(shop))
    assert done.payment_status is PaymentStatus.PAID
    shipped = await place_order(shop.context(), request(shop), card="pm_card_visa")
    assert shipped.order.payment_status is PaymentStatus.PAID
