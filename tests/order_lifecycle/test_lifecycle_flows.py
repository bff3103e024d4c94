"""The order lifecycle against localstripe: fulfil by lines with tracking, pickup with capture or
counter payment, cancel (stock back, void or refund), refunds full and partial, never more than paid."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from shared.models.money import Money
from shared.orders import (FulfillmentStatus, OrderError, OrderErrorCode, PaymentStatus, PickupStatus, cancel_order,
                           expire_authorizations, fulfil_order, mark_picked_up, mark_ready_for_pickup, read_order,
                           refund_order)
from lifecycle_support import ACTOR, authorized_order, card_order, outbox_keys, pay_in_store_order, payments
from support_checkout import Shop
from support_stripe import LocalStripe


def stripe_refunds(localstripe: LocalStripe, intent_id: str) -> list[dict]:
    return localstripe.get(f"/v1/refunds?payment_intent={intent_id}")["data"]


async def test_fulfil_by_lines_then_the_rest_with_tracking(shop: Shop) -> None:
    order = await card_order(shop, quantity=3)
    line = order.lines[0]
    first = fulfil_order(shop.db, order.id, lines=[(line.id, 2)], carrier="UPS", tracking_number="1Z999",
                         tracking_url="https://ups.example/1Z999", actor=ACTOR, site_url="http://shop.test")
    assert first.fulfillment_status is FulfillmentStatus.PARTIALLY_FULFILLED
    assert first.lines[0].fulfilled_quantity == 2
    [shipment] = first.fulfillments
    assert (shipment.carrier, shipment.tracking_number, shipment.tracking_url) == ("UPS", "1Z999", "https://ups.example/1Z999")
    event = first.events[-1]
    assert (event.kind, event.actor) == ("fulfilled", ACTOR) and "UPS 1Z999" in event.message
    rest = fulfil_order(shop.db, order.id, actor="device:Ada's Mac")
    assert rest.fulfillment_status is FulfillmentStatus.FULFILLED and rest.lines[0].fulfilled_quantity == 3
    assert [m.kind for m in rest.messages if m.kind.startswith("shipping:")] == [
        f"shipping:{f.id}" for f in rest.fulfillments]
    email = shop.db.read(lambda conn: conn.one("SELECT json_extract(payload, '$.subject'), json_extract(payload, "
                                               "'$.html') FROM outbox WHERE dedupe_key = ?",
                                               (f"order:{order.id}:shipping:{shipment.id}",)))
    assert email[0] == f"Some items of order {order.name} are on the way"
    assert "https://ups.example/1Z999" in email[1] and "1Z999" in email[1]


async def test_fulfil_refuses_more_units_than_are_left_and_foreign_lines(shop: Shop) -> None:
    order = await card_order(shop, quantity=2)
    for lines in ([(order.lines[0].id, 3)], [("another:0", 1)], [(order.lines[0].id, 0)], "nonsense"):
        with pytest.raises(OrderError) as caught:
            fulfil_order(shop.db, order.id, lines=lines, actor=ACTOR)
        assert caught.value.code == OrderErrorCode.INVALID and caught.value.field == "lines"
    with pytest.raises(OrderError) as caught:
        fulfil_order(shop.db, order.id, tracking_url="javascript:alert(1)", actor=ACTOR)
    assert caught.value.code == OrderErrorCode.INVALID and caught.value.field == "trackingUrl"
    with pytest.raises(OrderError) as caught:
        fulfil_order(shop.db, order.id, actor="somebody")
    assert caught.value.field == "actor"
    assert read_order(shop.db, order.id).fulfillments == ()


async def test_pay_in_store_pickup_ready_then_picked_up_is_paid_at_the_counter(shop: Shop) -> None:
    order = await pay_in_store_order(shop, quantity=2)
    ready = mark_ready_for_pickup(shop.db, order.id, actor="pos")
    assert ready.pickup_status is PickupStatus.READY
    assert f"order:{order.id}:ready_for_pickup" in outbox_keys(shop)
    text = shop.db.read(lambda conn: conn.scalar("SELECT json_extract(payload, '$.text') FROM outbox WHERE dedupe_key "
                                                 "= ?", (f"order:{order.id}:ready_for_pickup",)))
    assert "Pay at the counter" in text and "Pine Street shop" in text
    done = await mark_picked_up(shop.db, order.id, actor="pos")
    assert done.pickup_status is PickupStatus.PICKED_UP and done.payment_status is PaymentStatus.PAID
    assert done.fulfillment_status is FulfillmentStatus.FULFILLED and done.lines[0].fulfilled_quantity == 2
    assert [(e.kind, e.actor) for e in done.events][-3:] == [("ready_for_pickup", "pos"), ("paid", "pos"),
                                                             ("picked_up", "pos")]
    assert done.events[-2].message == "Payment collected at the counter"


async def test_authorize_ready_picked_up_captures_at_localstripe(shop: Shop, localstripe: LocalStripe) -> None:
    order = await authorized_order(shop)
    assert order.payment_status is PaymentStatus.AUTHORIZED and order.paid.amount == 0
    mark_ready_for_pickup(shop.db, order.id, actor=ACTOR)
    done = await mark_picked_up(shop.db, order.id, actor="pos", payments=payments(shop))
    assert done.payment_status is PaymentStatus.PAID and done.paid == order.total
    intent = localstripe.get(f"/v1/payment_intents/{order.payment_intent_id}")
    assert intent["status"] == "succeeded"
    again = await mark_picked_up_error(shop, order.id)
    assert again.code == OrderErrorCode.ILLEGAL_TRANSITION and "picked up already" in str(again)


async def mark_picked_up_error(shop: Shop, order_id: str) -> OrderError:
    with pytest.raises(OrderError) as caught:
        await mark_picked_up(shop.db, order_id, actor="pos", payments=payments(shop))
    return caught.value


async def test_cancel_a_paid_order_refunds_it_and_gives_the_units_back_once(shop: Shop,
                                                                            localstripe: LocalStripe) -> None:
    order = await card_order(shop, quantity=2)
    assert shop.stock(shop.variants[0]) == 3
    done = await cancel_order(shop.db, order.id, reason="Out of paper bags", actor=ACTOR, payments=payments(shop))
    assert done.cancelled and done.cancel_reason == "Out of paper bags"
    assert done.payment_status is PaymentStatus.REFUNDED and done.refundable.amount == 0
    assert shop.stock(shop.variants[0]) == 5
    [refund] = stripe_refunds(localstripe, order.payment_intent_id)
    assert refund["amount"] == order.total.amount
    assert f"order:{order.id}:cancelled" in outbox_keys(shop)
    with pytest.raises(OrderError) as caught:
        await cancel_order(shop.db, order.id, actor=ACTOR, payments=payments(shop))
    assert caught.value.code == OrderErrorCode.ILLEGAL_TRANSITION and "cancelled" in str(caught.value)
    assert shop.stock(shop.variants[0]) == 5 and len(stripe_refunds(localstripe, order.payment_intent_id)) == 1


async def test_cancel_an_authorized_order_voids_it(shop: Shop, localstripe: LocalStripe) -> None:
    order = await authorized_order(shop)
    done = await cancel_order(shop.db, order.id, actor=ACTOR, payments=payments(shop), restock=False)
    assert done.payment_status is PaymentStatus.VOIDED and done.cancelled
    assert localstripe.get(f"/v1/payment_intents/{order.payment_intent_id}")["status"] == "canceled"
    assert shop.stock(shop.variants[0]) == 4          # restock=False: the unit stays out


async def test_partial_refund_by_lines_with_restock_then_by_amount_never_more_than_paid(
        shop: Shop, localstripe: LocalStripe) -> None:
    order = await card_order(shop, quantity=2)                       # 2 x 25.00 + 5.00 shipping
    pay = payments(shop)
    first = await refund_order(shop.db, order.id, lines=[(order.lines[0].id, 1)], restock=True, reason="Torn",
                               actor=ACTOR, payments=pay)
    assert first.payment_status is PaymentStatus.PARTIALLY_REFUNDED
    assert first.refunds[0].amount == Money(2500, "USD") and first.refunds[0].status == "succeeded"
    assert first.lines[0].refunded_quantity == 1 and first.refundable == Money(3000, "USD")
    assert shop.stock(shop.variants[0]) == 4
    with pytest.raises(OrderError) as caught:
        await refund_order(shop.db, order.id, amount=Money(3001, "USD"), actor=ACTOR, payments=pay)
    assert caught.value.code == OrderErrorCode.INVALID and "at most $30.00" in str(caught.value)
    last = await refund_order(shop.db, order.id, amount=Money(3000, "USD"), actor=ACTOR, payments=pay)
    assert last.payment_status is PaymentStatus.REFUNDED and last.refundable.amount == 0
    assert sum(r["amount"] for r in stripe_refunds(localstripe, order.payment_intent_id)) == order.total.amount
    with pytest.raises(OrderError) as caught:
        await refund_order(shop.db, order.id, amount=Money(1, "USD"), actor=ACTOR, payments=pay)
    assert caught.value.code == OrderErrorCode.ILLEGAL_TRANSITION
    assert {f"order:{order.id}:refund:{r.id}" for r in last.refunds} <= set(outbox_keys(shop))


async def test_concurrent_refunds_never_give_back_more_than_was_paid(shop: Shop, localstripe: LocalStripe) -> None:
    order = await card_order(shop, quantity=2)                       # 55.00 paid
    pay = payments(shop)
    results = await asyncio.gather(*(refund_order(shop.db, order.id, amount=Money(2000, "USD"), actor=ACTOR,
                                                  payments=pay) for _ in range(4)), return_exceptions=True)
    refused = [r for r in results if isinstance(r, OrderError)]
    assert len(refused) == 2 and all(r.code == OrderErrorCode.INVALID for r in refused)
    given = sum(r["amount"] for r in stripe_refunds(localstripe, order.payment_intent_id))
    assert given == 4000 and read_order(shop.db, order.id).refundable == Money(1500, "USD")


async def test_a_refund_retried_with_its_key_is_made_once(shop: Shop, localstripe: LocalStripe) -> None:
    order = await card_order(shop, quantity=1)
    provider = await payments(shop)("stripe")
    try:
        first = await provider.refund(order.payment_intent_id, amount=Money(500, "USD"), idempotency_key="refund-key-1")
        again = await provider.refund(order.payment_intent_id, amount=Money(500, "USD"), idempotency_key="refund-key-1")
    finally:
        await provider.aclose()
    assert first == again and len(stripe_refunds(localstripe, order.payment_intent_id)) == 1


async def test_a_refused_refund_releases_its_reservation(shop: Shop) -> None:
    order = await card_order(shop, quantity=1)

    async def refusing(method: str):
        from shared.payments import PaymentError, PaymentErrorCode

        class Refuses:
            async def refund(self, *args, **kwargs):
                raise PaymentError(PaymentErrorCode.PROVIDER_REFUSED, "charge disputed")

            async def aclose(self):
                pass
        return Refuses()

    with pytest.raises(OrderError) as caught:
        await refund_order(shop.db, order.id, lines=[(order.lines[0].id, 1)], actor=ACTOR, payments=refusing)
    assert caught.value.code == OrderErrorCode.PAYMENT_FAILED and "charge disputed" in str(caught.value)
    after = read_order(shop.db, order.id)
    assert after.refundable == order.total and after.lines[0].refunded_quantity == 0
    assert after.refunds[0].status == "failed" and after.events[-1].kind == "refund_failed"


async def test_authorizations_warn_after_six_days_and_cancel_after_seven(shop: Shop, localstripe: LocalStripe) -> None:
    order = await authorized_order(shop)
    placed = datetime.fromisoformat(order.created_at)
    early = await expire_authorizations(shop.db, placed + timedelta(days=5), payments=payments(shop))
    assert early.warned == () and early.cancelled == ()
    warned = await expire_authorizations(shop.db, placed + timedelta(days=6, hours=1), payments=payments(shop))
    assert warned.warned == (order.id,)
    assert f"order:{order.id}:authorization_warning" in outbox_keys(shop)
    again = await expire_authorizations(shop.db, placed + timedelta(days=6, hours=2), payments=payments(shop))
    assert again.warned == ()
    expired = await expire_authorizations(shop.db, placed + timedelta(days=7, minutes=1), payments=payments(shop))
    assert expired.cancelled == (order.id,)
    after = read_order(shop.db, order.id)
    assert after.cancelled and after.payment_status is PaymentStatus.VOIDED
    assert any(e.kind == "authorization_expired" for e in after.events)
    assert shop.stock(shop.variants[0]) == 5 and f"order:{order.id}:cancelled" in outbox_keys(shop)
    assert localstripe.get(f"/v1/payment_intents/{order.payment_intent_id}")["status"] == "canceled"
    assert datetime.now(UTC) > placed      # the clock was only passed in: nothing waited


async def test_a_refund_without_an_answer_stays_reserved_and_its_retry_refunds_once(shop: Shop,
                                                                                   localstripe: LocalStripe) -> None:
    from shared.orders import retry_refund
    from shared.payments import PaymentError, PaymentErrorCode

    order = await card_order(shop, quantity=2)
    real = payments(shop)

    async def silent(method: str):
        """Stripe refunds, then every answer is lost (after the provider's own retries)."""
        provider = await real(method)

        class Silent:
            async def refund(self, intent_id, **kwargs):
                await provider.refund(intent_id, **kwargs)
                raise PaymentError(PaymentErrorCode.UNREACHABLE, "no answer")

            async def aclose(self):
                await provider.aclose()
        return Silent()

    with pytest.raises(OrderError) as caught:
        await refund_order(shop.db, order.id, amount=Money(2000, "USD"), actor=ACTOR, payments=silent)
    assert caught.value.code == OrderErrorCode.PAYMENT_FAILED and "kept pending" in str(caught.value)
    pending = read_order(shop.db, order.id)
    assert pending.refunds[0].status == "pending" and pending.refundable == Money(3500, "USD")
    done = await retry_refund(shop.db, order.id, pending.refunds[0].id, actor=ACTOR, payments=real)
    assert done.refunds[0].status == "succeeded" and done.payment_status is PaymentStatus.PARTIALLY_REFUNDED
    assert [r["amount"] for r in stripe_refunds(localstripe, order.payment_intent_id)] == [2000]
    with pytest.raises(OrderError) as again:
        await retry_refund(shop.db, order.id, pending.refunds[0].id, actor=ACTOR, payments=real)
    assert again.value.code == OrderErrorCode.ILLEGAL_TRANSITION
