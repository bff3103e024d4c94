"""A late POS sale is always accepted, even below zero; the online order that lost the race is flagged
oversold once (oversold_at, needs attention, a timeline entry naming the POS sale, the webhook
order.oversold), the most recent order first, enough of them to cover the deficit."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from shared.checkout.errors import CheckoutErrorCode, CheckoutFlowError
from shared.checkout.finalize import OutcomeStatus, complete_paid
from shared.checkout.workflow import pay_checkout, place_order, start_checkout
from shared.db import Connection
from shared.inventory.pos_changes import BatchResult, apply_changes, parse_changes
from shared.models import Money
from shared.orders import Order, cancel_order, get_order
from shared.payments import PaymentResult, PaymentStatus
from shared.webhooks.subscriptions import create_subscription
from support_checkout import Shop, make_shop, request


@pytest.fixture
def shop_of_one(tmp_path, shop: Shop) -> Shop:
    """A shop with ONE unit of each tee size at the Pine Street shop, and a webhook subscription."""
    made = make_shop(tmp_path / "one.db", box=shop.box, api_base=shop.api_base, stock=1)
    _subscribe(made)
    yield made
    made.db.close()


def _subscribe(shop: Shop) -> None:
    shop.db.write(lambda conn: create_subscription(conn, {"url": "http://127.0.0.1:9/hooks",
                                                          "events": ["order.oversold"]}, allow_loopback=True))


def pos_sale(shop: Shop, units: int = 1, *, ago: timedelta = timedelta(0), reference: str = "R-1",
             change_id: str | None = None) -> BatchResult:
    """What POST /pos/v1/inventory/changes does with one sale of the Pine Street till."""
    now = datetime.now(UTC)
    payload = {"changes": [{"change_id": change_id or str(uuid.uuid4()), "type": "adjust", "sku": "TEE-M",
                            "delta": -units, "reason": "sale", "reference": reference,
                            "occurred_at": (now - ago).isoformat()}]}

    def write(conn: Connection) -> BatchResult:
        return apply_changes(conn, parse_changes(payload, location_id=shop.shop_location, now=now), now=now)

    return shop.db.write(write)


async def buy(shop: Shop, *, email: str = "ada@example.com") -> Order:
    outcome = await place_order(shop.context(), request(shop, email=email), card="pm_card_visa")
    assert outcome.status is OutcomeStatus.COMPLETED and outcome.order is not None
    return outcome.order


def deliveries(shop: Shop) -> list[tuple[str, str]]:
    """(event type, dedupe key) of every webhook delivery queued."""
    return shop.db.read(lambda conn: conn.all("SELECT event_type, dedupe_key FROM webhook_deliveries ORDER BY rowid"))


def oversold_entries(shop: Shop, order_id: str) -> list[str]:
    return [e.message for e in get_order(shop.db, order_id=order_id).events if e.kind == "oversold"]


async def test_a_late_offline_pos_sale_flags_the_order(shop_of_one: Shop) -> None:
    shop = shop_of_one
    order = await buy(shop)
    assert shop.stock(shop.variants[0]) == 0 and order.oversold_at is None
    # made at the counter an hour before the order, uploaded now: accepted, stock -1
    result = pos_sale(shop, ago=timedelta(hours=1), reference="till-7/receipt-42")
    assert (result.applied, result.stock[0].on_hand) == (1, -1)
    flagged = get_order(shop.db, order_id=order.id)
    assert flagged.oversold_at is not None and flagged.needs_attention
    assert flagged.to_json()["oversold_at"] == flagged.oversold_at
    [entry] = oversold_entries(shop, order.id)
    assert "Tee M (SKU TEE-M) at Pine Street shop is at -1 on hand" in entry
    assert "a POS sale of 1 (reference till-7/receipt-42) made" in entry and ", recorded " in entry
    assert deliveries(shop) == [("order.oversold", f"order:{order.id}:oversold")]


async def test_a_pos_sale_leaving_stock_at_zero_or_more_flags_nothing(shop: Shop) -> None:
    _subscribe(shop)                               # 5 units
    order = await buy(shop)
    assert pos_sale(shop, 3).stock[0].on_hand == 1
    assert pos_sale(shop, 1).stock[0].on_hand == 0
    after = get_order(shop.db, order_id=order.id)
    assert after.oversold_at is None and not after.needs_attention and not oversold_entries(shop, order.id)
    assert deliveries(shop) == []


async def test_two_pos_sales_do_not_flag_twice_and_the_webhook_goes_once(shop_of_one: Shop) -> None:
    shop = shop_of_one
    order = await buy(shop)
    change = str(uuid.uuid4())
    pos_sale(shop, change_id=change)
    first = get_order(shop.db, order_id=order.id).oversold_at
    assert pos_sale(shop, change_id=change).duplicates == 1          # the same sale re-sent: nothing new
    assert pos_sale(shop, reference="R-2").stock[0].on_hand == -2     # another sale: the order is flagged already
    assert get_order(shop.db, order_id=order.id).oversold_at == first
    assert len(oversold_entries(shop, order.id)) == 1
    assert deliveries(shop) == [("order.oversold", f"order:{order.id}:oversold")]


async def test_the_most_recent_orders_cover_the_deficit_each_flagged_once(tmp_path, shop: Shop) -> None:
    shop = make_shop(tmp_path / "two.db", box=shop.box, api_base=shop.api_base, stock=2)
    try:
        _subscribe(shop)
        older, newer = await buy(shop, email="a@example.com"), await buy(shop, email="b@example.com")
        pos_sale(shop)                                                  # -1: the newer order lost the race
        assert get_order(shop.db, order_id=newer.id).oversold_at is not None
        assert get_order(shop.db, order_id=older.id).oversold_at is None
        pos_sale(shop, reference="R-2")                                 # -2: both orders are short now
        assert get_order(shop.db, order_id=older.id).oversold_at is not None
        assert sorted(deliveries(shop)) == sorted([("order.oversold", f"order:{o.id}:oversold")
                                                   for o in (older, newer)])
    finally:
        shop.db.close()


async def test_a_cancelled_order_is_never_flagged(shop_of_one: Shop) -> None:
    shop = shop_of_one
    outcome = await place_order(shop.context(), request(shop, method="pay_in_store", pickup=True))
    order = outcome.order
    assert order is not None
    await cancel_order(shop.db, order.id, reason="changed their mind", actor="admin:owner", notify=False)
    assert shop.stock(shop.variants[0]) == 1                             # its unit went back
    pos_sale(shop, 2)                                                    # -1: no online order is short of it
    assert get_order(shop.db, order_id=order.id).oversold_at is None and deliveries(shop) == []


async def test_a_checkout_that_has_not_started_paying_is_told_sold_out(shop_of_one: Shop) -> None:
    shop = shop_of_one
    started = await start_checkout(shop.context(), request(shop))    # the unit is held for this shopper
    assert pos_sale(shop).stock[0].on_hand == 0                       # the counter sold it all the same
    with pytest.raises(CheckoutFlowError) as caught:
        await pay_checkout(shop.context(), attempt_id=started.attempt_id, card="pm_card_visa")
    assert caught.value.code == CheckoutErrorCode.OUT_OF_STOCK and "sold out" in str(caught.value).lower()
    assert shop.count("orders") == 0 and shop.count("stock_holds") == 0 and shop.stock(shop.variants[0]) == 0


async def test_a_payment_already_started_wins_and_the_order_is_flagged(shop_of_one: Shop) -> None:
    """The POS sells the unit while the shopper's payment is under way (held by the attempt): the
    paid order is made all the same, takes stock to -1, and is flagged oversold in its own write."""
    shop = shop_of_one
    started = await start_checkout(shop.context(), request(shop))
    pos_sale(shop, reference="R-9")
    paid = PaymentResult(status=PaymentStatus.SUCCEEDED, provider="stripe", amount=Money(3000, "USD"),
                         intent_id="pi_raced")
    outcome = await complete_paid(shop.context(), attempt_id=started.attempt_id, result=paid)
    order = outcome.order
    assert order is not None and order.oversold_at is not None and order.to_json()["oversold_at"]
    assert [e.kind for e in order.events if e.kind in ("stock_short", "stock_committed", "oversold")] == [
        "stock_committed", "oversold"]
    assert "a POS sale of 1 (reference R-9)" in oversold_entries(shop, order.id)[0]
    assert shop.stock(shop.variants[0]) == -1 and shop.count("stock_holds") == 0
    assert deliveries(shop) == [("order.oversold", f"order:{order.id}:oversold")]
