"""The checkout workflow and its one finalize against a real localstripe process: one order, one stock
movement and two e-mails per payment, whatever calls finalize and however often; failures leave no
order and no holds."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from shared.checkout.errors import CheckoutErrorCode, CheckoutFlowError
from shared.checkout.finalize import OutcomeStatus, finalize
from shared.checkout.workflow import pay_checkout, place_order, start_checkout
from shared.orders import FulfillmentStatus, PaymentStatus, list_orders
from support_checkout import Shop, intents, request
from support_stripe import LocalStripe, LosingProxy, serve


def outbox(shop: Shop) -> list[tuple[str, str]]:
    return shop.db.read(lambda conn: conn.all("SELECT dedupe_key, json_extract(payload, '$.to') FROM outbox "
                                              "ORDER BY dedupe_key"))


def holds(shop: Shop) -> int:
    return shop.count("stock_holds")


async def test_a_good_card_makes_one_order_one_movement_two_emails(shop: Shop, localstripe: LocalStripe) -> None:
    outcome = await place_order(shop.context(), request(shop, quantity=2), card="pm_card_visa")
    assert outcome.status is OutcomeStatus.COMPLETED
    order = outcome.order
    assert order is not None and order.number == 1001 and order.name == "#1001"
    assert order.payment_status is PaymentStatus.PAID and order.total.amount == 2 * 2500 + 500
    assert [(l.title, l.variant_title, l.sku, l.quantity, l.unit_price.amount) for l in order.lines] == [
        ("Tee", "M", "TEE-M", 2, 2500)]
    assert order.delivery["method"] == "ship" and order.shipping_address["city"] == "SAN FRANCISCO"
    assert [e.kind for e in order.events] == ["placed", "paid", "stock_committed"]
    assert shop.stock(shop.variants[0]) == 3 and holds(shop) == 0
    assert shop.count("stock_movements WHERE reason = 'sold'") == 1
    assert outbox(shop) == [(f"order:{order.id}:confirmation", "ada@example.com"),
                            (f"order:{order.id}:merchant", "owner@shop.test")]
    [intent] = intents(localstripe)
    assert (intent["amount"], intent["currency"], intent["status"]) == (5500, "usd", "succeeded")
    assert order.payment_intent_id == intent["id"]


async def test_finalize_again_and_again_changes_nothing(shop: Shop) -> None:
    ctx = shop.context()
    outcome = await place_order(ctx, request(shop), card="pm_card_visa")
    again = [await finalize(ctx, payment_intent_id=outcome.payment_intent_id),
             await finalize(ctx, attempt_id=outcome.attempt_id),
             await pay_checkout(ctx, attempt_id=outcome.attempt_id, card="pm_card_visa")]   # a retried request
    assert {o.order.id for o in again} == {outcome.order.id}
    assert shop.count("orders") == 1 and shop.count("outbox") == 2
    assert shop.count("stock_movements WHERE reason = 'sold'") == 1 and shop.stock(shop.variants[0]) == 4


async def test_a_declined_card_leaves_no_order_and_no_holds(shop: Shop, localstripe: LocalStripe) -> None:
    card = localstripe.card("4000000000000341")
    with pytest.raises(CheckoutFlowError) as caught:
        await place_order(shop.context(), request(shop), card=card)
    assert caught.value.code == CheckoutErrorCode.PAYMENT_DECLINED and caught.value.field == "payment"
    assert "declined" in str(caught.value).lower()
    assert shop.count("orders") == 0 and holds(shop) == 0 and shop.count("outbox") == 0
    assert shop.stock(shop.variants[0]) == 5
    assert shop.count("checkout_attempts WHERE status = 'failed'") == 1


async def test_3ds_then_the_confirmation_call_and_the_webhook_make_one_order(shop: Shop,
                                                                             localstripe: LocalStripe) -> None:
    ctx = shop.context()
    card = localstripe.card("4000002500003155")
    outcome = await place_order(ctx, request(shop), card=card)
    assert outcome.status is OutcomeStatus.REQUIRES_ACTION and outcome.client_secret
    assert holds(shop) == 1 and shop.count("orders") == 0
    early = await finalize(ctx, payment_intent_id=outcome.payment_intent_id)    # a webhook before 3DS ends
    assert early.status is OutcomeStatus.REQUIRES_ACTION and shop.count("orders") == 0
    localstripe.authenticate(outcome.payment_intent_id, outcome.client_secret, success=True)
    browser, webhook = await asyncio.gather(finalize(ctx, attempt_id=outcome.attempt_id),
                                            finalize(ctx, payment_intent_id=outcome.payment_intent_id))
    assert browser.order.id == webhook.order.id and shop.count("orders") == 1 and shop.count("outbox") == 2
    assert shop.stock(shop.variants[0]) == 4 and holds(shop) == 0


async def test_failed_3ds_releases_the_holds(shop: Shop, localstripe: LocalStripe) -> None:
    ctx = shop.context()
    outcome = await place_order(ctx, request(shop), card=localstripe.card("4000002500003155"))
    localstripe.authenticate(outcome.payment_intent_id, outcome.client_secret, success=False)
    failed = await finalize(ctx, attempt_id=outcome.attempt_id)
    assert failed.status is OutcomeStatus.FAILED and failed.message
    assert shop.count("orders") == 0 and holds(shop) == 0 and shop.stock(shop.variants[0]) == 5


async def test_sold_out_before_paying_charges_nothing(shop: Shop, localstripe: LocalStripe) -> None:
    with pytest.raises(CheckoutFlowError) as caught:
        await place_order(shop.context(), request(shop, quantity=6), card="pm_card_visa")
    assert caught.value.code == CheckoutErrorCode.OUT_OF_STOCK and "Tee (M)" in str(caught.value)
    assert caught.value.shortages[0].available == 5
    assert intents(localstripe) == [] and shop.count("checkout_attempts") == 0


async def test_the_holds_stop_a_second_shopper(shop: Shop) -> None:
    ctx = shop.context()
    first = await start_checkout(ctx, request(shop, quantity=5))
    with pytest.raises(CheckoutFlowError) as caught:
        await place_order(ctx, request(shop, quantity=1, email="bob@example.com"), card="pm_card_visa")
    assert caught.value.code == CheckoutErrorCode.OUT_OF_STOCK
    done = await pay_checkout(ctx, attempt_id=first.attempt_id, card="pm_card_visa")
    assert done.order.item_count == 5 and shop.stock(shop.variants[0]) == 0


async def test_paid_after_the_holds_lapsed_and_the_stock_went_is_still_an_order(shop: Shop,
                                                                                localstripe: LocalStripe) -> None:
    """The payment succeeds (3DS) after the holds were released and someone else bought the units:
    the order is made (the money was taken), flagged, with no stock movement."""
    ctx = shop.context()
    slow = await place_order(ctx, request(shop, quantity=5), card=localstripe.card("4000002500003155"))
    await shop.db.run_write(lambda conn: conn.execute("DELETE FROM stock_holds"))      # lapsed and purged
    other = await place_order(ctx, request(shop, quantity=5, email="bob@example.com"), card="pm_card_visa")
    assert other.status is OutcomeStatus.COMPLETED
    localstripe.authenticate(slow.payment_intent_id, slow.client_secret, success=True)
    late = await finalize(ctx, payment_intent_id=slow.payment_intent_id)
    order = late.order
    assert late.status is OutcomeStatus.COMPLETED and order.payment_status is PaymentStatus.PAID
    assert order.needs_attention and order.fulfillment_status is FulfillmentStatus.ON_HOLD
    assert "stock_short" in [e.kind for e in order.events]
    assert shop.stock(shop.variants[0]) == 0          # never below zero
    assert shop.count("orders") == 2 and shop.count("outbox") == 4


async def test_paid_after_the_holds_lapsed_takes_units_still_free(shop: Shop, localstripe: LocalStripe) -> None:
    ctx = shop.context()
    slow = await place_order(ctx, request(shop, quantity=2), card=localstripe.card("4000002500003155"))
    await shop.db.run_write(lambda conn: conn.execute("DELETE FROM stock_holds"))
    localstripe.authenticate(slow.payment_intent_id, slow.client_secret, success=True)
    order = (await finalize(ctx, attempt_id=slow.attempt_id)).order
    assert not order.needs_attention and shop.stock(shop.variants[0]) == 3


async def test_pay_in_store_makes_an_unpaid_pickup_order(shop: Shop, localstripe: LocalStripe) -> None:
    outcome = await place_order(shop.context(), request(shop, method="pay_in_store", pickup=True))
    order = outcome.order
    assert order.payment_status is PaymentStatus.UNPAID and order.delivery["method"] == "pickup"
    assert order.delivery["locationName"] == "Pine Street shop" and order.shipping.amount == 0
    assert order.payment_intent_id is None and intents(localstripe) == []
    assert shop.stock(shop.variants[0]) == 4


async def test_stripe_unreachable_is_a_clear_error_with_nothing_held(shop: Shop) -> None:
    ctx = shop.context(api_base="http://127.0.0.1:9", connect_timeout=0.5, timeout=1)
    with pytest.raises(CheckoutFlowError) as caught:
        await place_order(ctx, request(shop), card="pm_card_visa")
    assert caught.value.code == CheckoutErrorCode.PAYMENT_UNAVAILABLE and "nothing was charged" in str(caught.value)
    assert shop.count("orders") == 0 and holds(shop) == 0


async def test_a_lost_confirm_answer_then_a_retry_charges_once(shop: Shop, localstripe: LocalStripe) -> None:
    proxy = LosingProxy(localstripe.url, lambda method, path: method == "POST" and path.endswith("/confirm"))
    runner, url = await serve(proxy.app())
    try:
        outcome = await place_order(shop.context(api_base=url), request(shop), card="pm_card_visa")
    finally:
        await runner.cleanup()
    assert proxy.lost == 1 and outcome.status is OutcomeStatus.COMPLETED
    [intent] = intents(localstripe)
    assert intent["status"] == "succeeded" and shop.count("orders") == 1
    confirms = [s for s in proxy.seen if s[1].endswith("/confirm")]
    assert len(confirms) == 1          # re-read, not confirmed again


async def test_order_numbers_follow_on(shop: Shop) -> None:
    ctx = shop.context()
    numbers = [(await place_order(ctx, request(shop, variant=i % 2), card="pm_card_visa")).order.number
               for i in range(3)]
    assert numbers == [1001, 1002, 1003]
    page = list_orders(shop.db, limit=2)
    assert [o.number for o in page.orders] == [1003, 1002] and page.next_before == 1002
    assert [o.number for o in list_orders(shop.db, before=page.next_before).orders] == [1001]


async def test_a_stripe_timeout_is_retried_with_the_same_key_and_charges_once(shop: Shop,
                                                                              localstripe: LocalStripe) -> None:
    proxy = LosingProxy(localstripe.url, lambda method, path: method == "POST" and path.endswith("/confirm"),
                        mode="hang")
    runner, url = await serve(proxy.app())
    try:
        # The lost confirm ends at the client's timeout; the answered calls must never reach it.
        outcome = await place_order(shop.context(api_base=url, timeout=5), request(shop), card="pm_card_visa")
    finally:
        await runner.cleanup()
    assert outcome.status is OutcomeStatus.COMPLETED and shop.count("orders") == 1
    assert [i["status"] for i in intents(localstripe)] == ["succeeded"]
    keys = {key for method, path, key in proxy.seen if method == "POST" and path.startswith("/v1/payment_intents")}
    assert all(key.startswith(outcome.attempt_id) for key in keys)     # every call keyed by the attempt


async def test_a_double_click_pays_once_and_keeps_the_holds(shop: Shop, localstripe: LocalStripe) -> None:
    ctx = shop.context()
    started = await start_checkout(ctx, request(shop, quantity=2))
    first, second = await asyncio.gather(pay_checkout(ctx, attempt_id=started.attempt_id, card="pm_card_visa"),
                                         pay_checkout(ctx, attempt_id=started.attempt_id, card="pm_card_visa"))
    assert OutcomeStatus.COMPLETED in (first.status, second.status)
    assert {first.status, second.status} <= {OutcomeStatus.COMPLETED, OutcomeStatus.PROCESSING}
    assert len(intents(localstripe)) == 1 and shop.count("orders") == 1
    assert shop.stock(shop.variants[0]) == 3 and shop.count("checkout_attempts WHERE status = 'completed'") == 1
    assert not [e.kind for e in (first.order or second.order).events if e.kind in ("late_payment", "stock_short")]


async def test_a_product_deleted_before_the_late_payment_still_gives_the_order(shop: Shop,
                                                                               localstripe: LocalStripe) -> None:
    ctx = shop.context()
    slow = await place_order(ctx, request(shop), card=localstripe.card("4000002500003155"))
    await shop.db.run_write(lambda conn: conn.execute("DELETE FROM products"))     # the merchant removed it
    localstripe.authenticate(slow.payment_intent_id, slow.client_secret, success=True)
    order = (await finalize(ctx, payment_intent_id=slow.payment_intent_id)).order
    assert order.payment_status is PaymentStatus.PAID and order.needs_attention
    assert order.lines[0].title == "Tee" and order.lines[0].variant_id is None


async def test_bad_requests_are_refused_before_anything_is_held(shop: Shop) -> None:
    ctx = shop.context()
    cases = [(dict(email="not an address"), CheckoutErrorCode.BAD_EMAIL),
             (dict(lines=()), CheckoutErrorCode.EMPTY_CART),
             (dict(lines=(("no-such-variant", 1),)), CheckoutErrorCode.UNKNOWN_VARIANT),
             (dict(lines=((shop.variants[0], 0),)), CheckoutErrorCode.EMPTY_CART),
             (dict(shipping_option_id="teleport"), CheckoutErrorCode.NO_SHIPPING_OPTION)]
    for changes, code in cases:
        with pytest.raises(CheckoutFlowError) as caught:
            await start_checkout(ctx, dataclasses.replace(request(shop), **changes))
        assert caught.value.code == code, changes
    assert shop.count("checkout_attempts") == 0 and holds(shop) == 0


async def test_the_cart_hold_renews_while_the_shopper_is_active_and_moves_to_the_attempt(shop: Shop) -> None:
    """hold_cart on opening the page and on each activity renews to now + TTL; starting checkout moves
    the very units to the attempt in one write; another cart cannot take them meanwhile."""
    from datetime import UTC, datetime, timedelta

    from shared.checkout.workflow import hold_cart

    t0 = datetime(2026, 12, 5, 14, 22, tzinfo=UTC)
    clock = [t0]
    ctx = dataclasses.replace(shop.context(), clock=lambda: clock[0])
    first = await hold_cart(ctx, request(shop, quantity=5), cart_id="cart-a")
    assert first.held_until == t0 + timedelta(minutes=10)
    clock[0] = t0 + timedelta(minutes=6)
    renewed = await hold_cart(ctx, request(shop, quantity=5), cart_id="cart-a")
    assert renewed.held_until == t0 + timedelta(minutes=16)
    with pytest.raises(CheckoutFlowError) as caught:
        await hold_cart(ctx, request(shop, quantity=1), cart_id="cart-b")
    assert caught.value.code == CheckoutErrorCode.OUT_OF_STOCK and "Sold out: Tee (M)" in str(caught.value)
    started = await start_checkout(ctx, request(shop, quantity=5), cart_id="cart-a")
    groups = dict(shop.db.read(lambda conn: conn.all("SELECT group_id, sum(quantity) FROM stock_holds GROUP BY 1")))
    assert groups == {started.attempt_id: 5}


async def test_a_start_that_fails_keeps_the_cart_hold(shop: Shop) -> None:
    from shared.checkout.workflow import hold_cart

    ctx = shop.context()
    await hold_cart(ctx, request(shop, quantity=2), cart_id="cart-a")
    with pytest.raises(CheckoutFlowError):
        await start_checkout(ctx, request(shop, quantity=2, email="not an address"), cart_id="cart-a")
    with pytest.raises(CheckoutFlowError) as caught:                     # more than there is
        await start_checkout(ctx, request(shop, quantity=6), cart_id="cart-a")
    assert caught.value.code == CheckoutErrorCode.OUT_OF_STOCK
    groups = dict(shop.db.read(lambda conn: conn.all("SELECT group_id, sum(quantity) FROM stock_holds GROUP BY 1")))
    assert groups == {"cart-cart-a": 2}
