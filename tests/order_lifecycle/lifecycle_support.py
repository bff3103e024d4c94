"""Orders to act on, made the way checkout makes them (shared/checkout.workflow.place_order against
localstripe), and the provider access the lifecycle services take."""

from __future__ import annotations

from shared.checkout.workflow import place_order
from shared.models.money import Money
from shared.orders import Order, read_order
from shared.payments import PaymentStatus
from support_checkout import Shop, request

ACTOR = "admin:tests"


def payments(shop: Shop):
    """The lifecycle's `payments`: method -> the store's provider at localstripe."""
    context = shop.context()

    async def open_one(method: str):
        return await context.provider(method)

    return open_one


async def card_order(shop: Shop, *, quantity: int = 2, variant: int = 0) -> Order:
    """A shipped order paid by card: 2 tees M at 25.00 + 5.00 shipping = 55.00."""
    outcome = await place_order(shop.context(), request(shop, quantity=quantity, variant=variant), card="pm_card_visa")
    return read_order(shop.db, outcome.order.id)


async def pay_in_store_order(shop: Shop, *, quantity: int = 1) -> Order:
    """A pickup order to be paid at the counter."""
    outcome = await place_order(shop.context(), request(shop, quantity=quantity, method="pay_in_store", pickup=True))
    return read_order(shop.db, outcome.order.id)


async def authorized_order(shop: Shop, *, quantity: int = 1) -> Order:
    """A pickup order whose card payment is only authorized (capture at pickup): placed as checkout
    places it, its payment a manual-capture PaymentIntent at localstripe, as finalize records it once
    the store's capture-at-pickup setting is wired into checkout."""
    order = await pay_in_store_order(shop, quantity=quantity)
    provider = await payments(shop)("stripe")
    try:
        result = await provider.charge(Money(order.total.amount, order.currency), payment_method="pm_card_visa",
                                       idempotency_key=f"auth-{order.id}", metadata={}, capture_method="manual")
    finally:
        await provider.aclose()
    assert result.status is PaymentStatus.AUTHORIZED
    shop.db.write(lambda conn: conn.execute(
        "UPDATE orders SET payment_status = 'authorized', payment_provider = 'stripe', payment_intent_id = ? "
        "WHERE id = ?", (result.intent_id, order.id)))
    return read_order(shop.db, order.id)


def outbox_keys(shop: Shop) -> list[str]:
    """The outbox's dedupe keys, sorted."""
    return sorted(shop.db.read(lambda conn: [r[0] for r in conn.all("SELECT dedupe_key FROM outbox")]))
