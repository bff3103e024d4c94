"""Refund, capture and cancel at Stripe when an answer is lost (a proxy in front of localstripe cuts
the connection after localstripe acted): the retry finds what was done, so the money moves once."""

from __future__ import annotations

import pytest

from shared.models.money import Money
from shared.orders import PaymentStatus, read_order, refund_order
from shared.payments import PaymentError, PaymentErrorCode, PaymentStatus as Provider
from lifecycle_support import ACTOR, authorized_order, card_order
from support_checkout import Shop
from support_stripe import LocalStripe, LosingProxy, serve


async def _through(shop: Shop, localstripe: LocalStripe, lose) -> tuple[LosingProxy, object, object]:
    proxy = LosingProxy(localstripe.url, lose, forward=True)
    runner, url = await serve(proxy.app())
    context = shop.context(api_base=url, timeout=30.0)      # answers are cut ("drop"): never waited for
    return proxy, runner, context


async def test_a_refund_whose_answer_is_lost_is_made_once(shop: Shop, localstripe: LocalStripe) -> None:
    order = await card_order(shop, quantity=2)
    proxy, runner, context = await _through(shop, localstripe, lambda method, path: method == "POST"
                                            and path == "/v1/refunds")
    try:
        after = await refund_order(shop.db, order.id, amount=Money(1500, "USD"), actor=ACTOR,
                                   payments=context.provider)
    finally:
        await runner.cleanup()
    assert proxy.lost == 1
    refunds = localstripe.get(f"/v1/refunds?payment_intent={order.payment_intent_id}")["data"]
    assert [r["amount"] for r in refunds] == [1500]
    assert after.refunds[0].status == "succeeded" and after.refunds[0].provider_refund_id == refunds[0]["id"]
    assert after.payment_status is PaymentStatus.PARTIALLY_REFUNDED


async def test_a_capture_whose_answer_is_lost_reports_the_capture(shop: Shop, localstripe: LocalStripe) -> None:
    order = await authorized_order(shop)
    proxy, runner, context = await _through(shop, localstripe, lambda method, path: path.endswith("/capture"))
    try:
        provider = await context.provider("stripe")
        try:
            result = await provider.capture(order.payment_intent_id, idempotency_key=f"{order.id}:capture")
            again = await provider.capture(order.payment_intent_id, idempotency_key=f"{order.id}:capture")
        finally:
            await provider.aclose()
    finally:
        await runner.cleanup()
    assert proxy.lost == 1 and result.status is Provider.SUCCEEDED and again.status is Provider.SUCCEEDED
    assert localstripe.get(f"/v1/payment_intents/{order.payment_intent_id}")["status"] == "succeeded"
    assert len([seen for seen in proxy.seen if seen[1].endswith("/capture")]) == 1     # re-read, not re-sent


async def test_cancel_is_idempotent_and_a_captured_payment_cannot_be_voided(shop: Shop,
                                                                           localstripe: LocalStripe) -> None:
    voided = await authorized_order(shop)
    provider = await shop.context().provider("stripe")
    try:
        first = await provider.cancel(voided.payment_intent_id, idempotency_key="cancel-key-1")
        again = await provider.cancel(voided.payment_intent_id, idempotency_key="cancel-key-1")
        paid = await card_order(shop, quantity=1)
        with pytest.raises(PaymentError) as caught:
            await provider.cancel(paid.payment_intent_id, idempotency_key="cancel-key-2")
        with pytest.raises(PaymentError) as bad:
            await provider.refund("ch_not_an_intent", idempotency_key="refund-key-2")
    finally:
        await provider.aclose()
    assert first.status is Provider.CANCELED and again.status is Provider.CANCELED
    assert caught.value.code == PaymentErrorCode.PROVIDER_REFUSED
    assert bad.value.code == PaymentErrorCode.INVALID
    assert read_order(shop.db, paid.id).payment_status is PaymentStatus.PAID
