"""The ONE finalize: every path that learns of a payment calls it (the confirmation request after the
browser's 3DS, the webhook payment_intent.succeeded/.payment_failed, a retry), in any order, any
number of times, from any process. It re-reads the PaymentIntent, and for a paid one makes exactly
one order, one stock movement and one pair of e-mails, in ONE write transaction:

- one order: the write begins IMMEDIATE and first looks for an order of this PaymentIntent or attempt
  (the unique indexes orders_by_payment_intent / orders_by_attempt are the backstop);
- one movement: commit_holds derives its change ids from the attempt and the order (idempotent);
- one e-mail each: the outbox's dedupe keys 'order:ID:confirmation' / 'order:ID:merchant'.

What the shopper saw is what was charged: the intent's amount is compared with the quote's total; a
mismatch (which our own charge never makes) still gives the order, flagged for the merchant.

A payment that succeeds after its holds lapsed or were released (slow 3DS, a webhook after "Stripe
unreachable"): the units are taken if they are still free; if not, the order is STILL made (the money
was taken: a paid order is never lost, cf. medusa#16398) with no stock movement, fulfilment 'on_hold',
`needs_attention` set and a 'stock_short' timeline entry naming what ran out: the merchant restocks
or refunds. Stock never goes below zero for it.

A POS sale is not held off by holds (the goods left the counter): when it takes a unit this payment
still holds (active holds: the shopper was already paying), the order wins all the same, stock goes
below zero, and the order is flagged oversold in the same write (shared/orders/oversold.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from shared.checkout.attempt import CheckoutContext, CheckoutRequest, shipping_policy
from shared.checkout.errors import CheckoutErrorCode, CheckoutFlowError
from shared.customers import CustomerError, customer_for_order
from shared.db import Connection
from shared.db.repositories import inventory as inventory_repo
from shared.db.repositories import orders as repo
from shared.db.repositories import payments as payments_repo
from shared.db.repositories.storefront import get_storefront
from shared.inventory import (InventoryError, InventoryErrorCode, LocationPolicy, Shortage, check_holds, commit_holds,
                              hold_stock, release_holds)
from shared.inventory.models import stamp
from shared.mail import MailError, enqueue_email, render_new_order, render_order_confirmation
from shared.mail.designs.context import using_designs
from shared.mail.views import Discount, MailAddress, MailBranding, OrderLine as MailLine, OrderSummary, PickupLocation
from shared.models.money import Money
from shared.orders import (FulfillmentStatus, NewOrder, Order, OrderEvent, OrderLine, PaymentStatus as OrderPayment,
                           add_order_event, create_order, order_for_payment)
from shared.orders.oversold import flag_oversold
from shared.orders.events import record_order_event
from shared.payments import PaymentError, PaymentErrorCode, PaymentResult, PaymentStatus
from shared.webhooks import emit_event

log = logging.getLogger(__name__)


class OutcomeStatus(StrEnum):
    """Where a checkout attempt stands after a workflow call or finalize."""

    COMPLETED = "completed"              # the order exists (`order`)
    REQUIRES_ACTION = "requires_action"  # 3DS: the browser runs confirmCardPayment(client_secret)
    PROCESSING = "processing"            # the provider has not decided; the webhook will tell
    FAILED = "failed"                    # declined, failed 3DS, canceled: no order, holds released
    OPEN = "open"                        # nothing paid yet


@dataclass(frozen=True)
class CheckoutOutcome:
    """The answer of pay_checkout / finalize. `message` is for the shopper (FAILED)."""

    status: OutcomeStatus
    attempt_id: str
    order: Order | None = None
    client_secret: str | None = field(default=None, repr=False)
    payment_intent_id: str | None = None
    message: str = ""


async def finalize(ctx: CheckoutContext, *, payment_intent_id: str | None = None, attempt_id: str | None = None,
                   event_id: str | None = None) -> CheckoutOutcome:
    """Learn where an attempt's payment stands and act on it, idempotently (see the module docstring).
    `event_id` (a webhook's) is marked processed in the same write as the order.

    Raises CheckoutFlowError: UNKNOWN_ATTEMPT (no attempt has this id or intent: another store's or a
    forged one), PAYMENT_UNAVAILABLE (Stripe cannot be asked now: call again later)."""
    attempt = await ctx.db.run_read(lambda conn: _find_attempt(conn, attempt_id, payment_intent_id))
    if attempt is None:
        raise CheckoutFlowError(CheckoutErrorCode.UNKNOWN_ATTEMPT, "No checkout has this payment.")
    if attempt.order_id is not None:
        return await _already_done(ctx, attempt, event_id)
    intent_id = payment_intent_id or attempt.payment_intent_id
    if attempt.payment_method != "stripe" or intent_id is None:
        if attempt.payment_method != "stripe" and attempt.status == "charging":   # pay in store, interrupted
            quote_total = Money(**attempt.quote["total"])
            result = PaymentResult(status=PaymentStatus.PAY_IN_STORE, provider="pay_in_store", amount=quote_total)
            return await complete_paid(ctx, attempt_id=attempt.id, result=result, event_id=event_id)
        return CheckoutOutcome(_status_of(attempt.status), attempt.id, message=attempt.error)
    provider = await ctx.provider("stripe")
    try:
        result = await provider.retrieve(intent_id)
    except PaymentError as exc:
        if exc.code == PaymentErrorCode.UNREACHABLE:
            raise CheckoutFlowError(CheckoutErrorCode.PAYMENT_UNAVAILABLE, str(exc), attempt_id=attempt.id) from None
        raise CheckoutFlowError(CheckoutErrorCode.UNKNOWN_ATTEMPT, str(exc), attempt_id=attempt.id) from None
    finally:
        await provider.aclose()
    if result.status in (PaymentStatus.SUCCEEDED, PaymentStatus.AUTHORIZED):
        return await complete_paid(ctx, attempt_id=attempt.id, result=result, event_id=event_id)
    if result.status in (PaymentStatus.DECLINED, PaymentStatus.CANCELED):
        message = result.message or "Your payment was not completed. Nothing was charged."
        await ctx.db.run_write(lambda conn: _fail_and_finish(conn, attempt.id, message, event_id, ctx.clock()))
        return CheckoutOutcome(OutcomeStatus.FAILED, attempt.id, payment_intent_id=intent_id, message=message)
    status = OutcomeStatus.REQUIRES_ACTION if result.status is PaymentStatus.REQUIRES_ACTION else OutcomeStatus.PROCESSING
    return CheckoutOutcome(status, attempt.id, client_secret=result.client_secret, payment_intent_id=intent_id)


async def complete_paid(ctx: CheckoutContext, *, attempt_id: str, result: PaymentResult,
                        event_id: str | None = None) -> CheckoutOutcome:
    """Make the order for a payment known to be taken (SUCCEEDED) or promised at the counter
    (PAY_IN_STORE): order, stock movement, e-mails and the attempt's completion in one write."""
    now = ctx.clock()
    order = await ctx.db.run_write(lambda conn: _complete(conn, ctx, attempt_id, result, event_id, now))
    return CheckoutOutcome(OutcomeStatus.COMPLETED, attempt_id, order=order, payment_intent_id=result.intent_id)


def fail_attempt(conn: Connection, attempt_id: str, *, error: str, now: datetime) -> None:
    """Give an attempt up inside the caller's write: its holds are released, no order is made. An
    attempt that completed stays completed."""
    attempt = repo.get_attempt(conn, attempt_id=attempt_id)
    if attempt is None or attempt.status == "completed":
        return
    release_holds(conn, group_id=attempt.hold_group)
    repo.update_attempt(conn, attempt_id, now=stamp(now), status="failed", error=error)


# --- inside the one write ---------------------------------------------------------------------------

def _complete(conn: Connection, ctx: CheckoutContext, attempt_id: str, result: PaymentResult,
              event_id: str | None, now: datetime) -> Order:
    attempt = repo.get_attempt(conn, attempt_id=attempt_id)
    assert attempt is not None
    existing = order_for_payment(conn, intent_id=result.intent_id, attempt_id=attempt_id)
    if existing is None:
        existing = _make_order(conn, ctx, attempt, result, now)
    repo.update_attempt(conn, attempt_id, now=stamp(now), status="completed", order_id=existing.id,
                        payment_intent_id=result.intent_id)
    if event_id:
        payments_repo.mark_webhook_processed(conn, event_id, stamp(now))
    return existing


def _make_order(conn: Connection, ctx: CheckoutContext, attempt: repo.AttemptRow, result: PaymentResult,
                now: datetime) -> Order:
    request = CheckoutRequest.from_json(attempt.request)
    quote = attempt.quote
    at = stamp(now)
    quoted = Money(**quote["total"])
    paid = result.status in (PaymentStatus.SUCCEEDED, PaymentStatus.AUTHORIZED)
    authorized = result.status is PaymentStatus.AUTHORIZED
    events: list[OrderEvent] = []
    attention = False
    if paid:
        events.append(OrderEvent(at, "authorized" if authorized else "paid", f"Payment {result.intent_id} of "
                                 f"{_shown(result.amount)} {'authorized: captured at pickup' if authorized else 'succeeded'}",
                                 "stripe"))
        if result.amount != quoted:
            attention = True
            events.append(OrderEvent(at, "amount_mismatch", f"Charged {_shown(result.amount)} but the checkout "
                                     f"showed {_shown(quoted)}: check the payment before fulfilling", "system"))
    else:
        events.append(OrderEvent(at, "pay_in_store", "To be paid at pickup", "shopper"))
    if attempt.status == "failed":
        events.append(OrderEvent(at, "late_payment", "The payment succeeded after the checkout was given up", "system"))
    shortages = _secure_stock(conn, ctx, attempt, request, now)
    if shortages:
        attention = True
        names = ", ".join(f"{_line_title(attempt, s.variant_id)}: {s.available} of {s.requested} available"
                          for s in shortages)
        events.append(OrderEvent(at, "stock_short", f"Paid, but the stock ran out meanwhile ({names}). No stock "
                                 "was taken: restock or refund before fulfilling.", "system"))
    order = create_order(conn, NewOrder(
        email=request.email.strip(), currency=quoted.currency, lines=_lines(conn, attempt),
        subtotal=quote["subtotal"]["amount"], discount_total=quote["discount_total"]["amount"],
        shipping=quote["shipping"]["amount"], tax=quote["tax"]["amount"],
        total=quoted.amount, payment_status=(OrderPayment.AUTHORIZED if authorized else OrderPayment.PAID) if paid
        else OrderPayment.UNPAID,
        payment_provider=result.provider, delivery=attempt.request.get("delivery", {}), attempt_id=attempt.id,
        payment_intent_id=result.intent_id, customer_name=request.customer_name,
        shipping_address=_address(request.shipping_address), billing_address=_address(request.billing_address),
        discounts=tuple({"id": d["discount_id"], "label": d["label"], "code": d["code"], "amount": d["amount"]["amount"]}
                        for d in quote.get("discounts", [])),
        fulfillment_status=FulfillmentStatus.ON_HOLD if shortages else FulfillmentStatus.UNFULFILLED,
        needs_attention=attention, events=tuple(events)), now=at)
    committed = None
    if not shortages:
        committed = commit_holds(conn, group_id=attempt.hold_group, reference=order.id, now=now)
        units = sum(-m.delta for m in committed.movements)
        add_order_event(conn, order_id=order.id, kind="stock_committed", message=f"{units} {'unit' if units == 1 else 'units'} taken from stock",
                        now=at)
    _queue_emails(conn, ctx, order)
    _remember_customer(conn, order, at)
    placed = read_order_in(conn, order.id)
    # The merchant's other apps hear of it in the same write (delivered after commit, once); an
    # authorization is paid when it is captured at pickup (shared/orders/lifecycle.py says so then).
    emit_event(conn, event_type="order.created", data=placed.to_json(), dedupe_key=f"order:{order.id}:created")
    record_order_event(conn, order.id, "order.created")         # the POS feed and the studio's live orders
    if paid and not authorized:
        emit_event(conn, event_type="order.paid", data=placed.to_json(), dedupe_key=f"order:{order.id}:paid")
        record_order_event(conn, order.id, "order.paid")
    if committed and flag_oversold(conn, [(m.variant_id, m.location_id) for m in committed.movements], now=now):
        placed = read_order_in(conn, order.id)
    return placed


def _remember_customer(conn: Connection, order: Order, at: str) -> None:
    """The customer of the order's e-mail exists from this order on (the merchant's Customers list; the
    shopper's account finds the order once they sign in). Never at the cost of the paid order."""
    try:
        customer_for_order(conn, email=order.email, name=order.customer_name, now=at)
    except CustomerError as exc:
        log.warning("order %s: no customer record: %s", order.id, exc)


def read_order_in(conn: Connection, order_id: str) -> Order:
    """The order as stored now (with every timeline entry)."""
    order = repo.get_order(conn, order_id)
    assert order is not None
    return order


def _secure_stock(conn: Connection, ctx: CheckoutContext, attempt: repo.AttemptRow, request: CheckoutRequest,
                  now: datetime) -> tuple[Shortage, ...]:
    """Make sure the group holds the order's units (its own holds, renewed; or the units taken again if
    free); the shortages when not (then the group's holds are released)."""
    group, setup = attempt.hold_group, ctx.setup(conn)
    try:
        check = check_holds(conn, group_id=group, now=now, ttl=ctx.ttl(setup))
        if check.ok or all(line.active for line in check.lines):
            return ()       # active holds short: a POS sale took held units; the order wins (module docstring)
        shortages = check.shortages
    except InventoryError as exc:
        if exc.code != InventoryErrorCode.NO_HOLDS:
            raise
        delivery = attempt.request.get("delivery", {})
        policy = (LocationPolicy.at(delivery["locationId"]) if delivery.get("locationId")
                  else shipping_policy(conn, setup))
        lines = [(line["variant_id"], line["quantity"]) for line in attempt.quote["lines"]]
        try:
            hold_stock(conn, group_id=group, lines=lines, location_policy=policy, now=now, ttl=ctx.ttl(setup))
            return ()
        except InventoryError as again:
            shortages = again.shortages or tuple(Shortage(v, q, 0) for v, q in lines)
    release_holds(conn, group_id=group)
    return tuple(shortages)


def _lines(conn: Connection, attempt: repo.AttemptRow) -> tuple[OrderLine, ...]:
    """The order's lines from the attempt's quote and snapshots; a variant deleted since keeps its
    snapshot with no link (the order must still be made)."""
    snapshots = attempt.request.get("snapshots", {})
    existing = inventory_repo.existing_variants(conn, [line["variant_id"] for line in attempt.quote["lines"]])
    out = []
    for line in attempt.quote["lines"]:
        snap = snapshots.get(line["variant_id"], {})
        out.append(OrderLine(
            title=snap.get("title", ""), variant_title=snap.get("variantTitle", ""), sku=snap.get("sku", ""),
            unit_price=Money(**line["unit_price"]), quantity=line["quantity"], subtotal=Money(**line["subtotal"]),
            discount=Money(**line["discount"]), tax=Money(**line["tax"]), total=Money(**line["total"]),
            variant_id=line["variant_id"] if line["variant_id"] in existing else None,
            product_id=line["product_id"]))
    return tuple(out)


def _line_title(attempt: repo.AttemptRow, variant_id: str) -> str:
    snap = attempt.request.get("snapshots", {}).get(variant_id, {})
    return " ".join(p for p in (snap.get("title", variant_id), snap.get("variantTitle", "")) if p)


def _address(value: Any) -> dict | None:
    return dict(value) if isinstance(value, dict) else None


def _shown(money: Money | None) -> str:
    return "nothing" if money is None else f"{money.amount} {money.currency} (minor units)"


# --- e-mails ----------------------------------------------------------------------------------------

def _queue_emails(conn: Connection, ctx: CheckoutContext, order: Order) -> None:
    """The confirmation to the shopper and "new order" to the merchant, in the order's own write."""
    front = get_storefront(conn)
    name = front.name if front else "Shop"
    settings = front.settings if front else {}
    merchant = ctx.merchant_email if ctx.merchant_email is not None else str(settings.get("email") or "")
    branding = MailBranding(store_name=name, store_url=ctx.site_url + "/", locale=front.locale if front else "en-US",
                            support_email=merchant if "@" in merchant else "")
    # An e-mail that cannot be made must not lose the (paid) order: it is noted on the timeline instead.
    try:
        summary = order_summary(order, site_url=ctx.site_url)
        with using_designs(conn):              # the merchant's design of the confirmation, if any
            confirmation = render_order_confirmation(summary, branding)
        enqueue_email(conn, confirmation, dedupe_key=f"order:{order.id}:confirmation")
        if "@" in merchant:
            enqueue_email(conn, render_new_order(summary, branding, to=merchant),
                          dedupe_key=f"order:{order.id}:merchant")
    except (MailError, ValueError) as exc:
        log.warning("order %s: e-mail not queued: %s", order.id, exc)
        add_order_event(conn, order_id=order.id, kind="email_not_sent", message=str(exc)[:500])


def order_summary(order: Order, *, site_url: str) -> OrderSummary:
    """The e-mails' view of an order."""
    delivery = order.delivery
    method = {"local_delivery": "local_delivery", "pickup": "pickup"}.get(delivery.get("method"), "shipping")
    pickup = None
    if method == "pickup":
        pickup = PickupLocation(name=delivery.get("locationName") or delivery.get("name", "Pickup"),
                                address=MailAddress(line1=delivery.get("locationAddress", "")),
                                instructions=delivery.get("readyText", ""))
    ship_to = order.shipping_address
    return OrderSummary(
        number=order.name, contact_email=order.email,
        lines=tuple(MailLine(title=l.title, quantity=l.quantity, unit_price=l.unit_price, line_total=l.total,
                             variant=l.variant_title if l.variant_title != "Default" else "", sku=l.sku)
                    for l in order.lines),
        subtotal=order.subtotal, total=order.total, tax=order.tax, delivery_method=method,
        status_url=f"{site_url}/orders/{order.status_token}",
        discounts=tuple(Discount(label=d.get("label") or d.get("code") or "Discount",
                                 amount=Money(d["amount"], order.currency)) for d in order.discounts if d.get("amount")),
        shipping=order.shipping if method != "pickup" else None, shipping_label=delivery.get("name", ""),
        taxes_included=bool(delivery.get("pricesIncludeTax")),
        shipping_address=_mail_address(ship_to) if isinstance(ship_to, dict) else None, pickup=pickup,
        payment_label="Card" if order.payment_provider == "stripe" else "Pay in store at pickup",
        placed_at=order.created_at[:16].replace("T", " ") + " UTC", customer_name=order.customer_name)


def _mail_address(data: dict) -> MailAddress:
    return MailAddress(name=str(data.get("name", "")), company=str(data.get("company_name", "")),
                       line1=str(data.get("street_address", data.get("line1", ""))), city=str(data.get("city", "")),
                       region=str(data.get("country_area", "")), postal_code=str(data.get("postal_code", "")),
                       country=str(data.get("country_code", data.get("country", ""))), phone=str(data.get("phone", "")))


# --- look-ups ----------------------------------------------------------------------------------------

def _find_attempt(conn: Connection, attempt_id: str | None, intent_id: str | None) -> repo.AttemptRow | None:
    if attempt_id is not None:
        return repo.get_attempt(conn, attempt_id=attempt_id)
    if intent_id is None:
        return None
    found = repo.get_attempt(conn, intent_id=intent_id)
    if found is None:     # charged, but the attempt was not told its intent (a crash in between)
        payment = repo.attempt_key_for_intent(conn, intent_id)
        found = repo.get_attempt(conn, attempt_id=payment) if payment else None
    return found


async def _already_done(ctx: CheckoutContext, attempt: repo.AttemptRow, event_id: str | None) -> CheckoutOutcome:
    if event_id:
        await ctx.db.run_write(lambda conn: payments_repo.mark_webhook_processed(conn, event_id, stamp(ctx.clock())))
    order = await ctx.db.run_read(lambda conn: repo.get_order(conn, attempt.order_id))
    return CheckoutOutcome(OutcomeStatus.COMPLETED, attempt.id, order=order, payment_intent_id=attempt.payment_intent_id)


def _fail_and_finish(conn: Connection, attempt_id: str, message: str, event_id: str | None, now: datetime) -> None:
    fail_attempt(conn, attempt_id, error=message, now=now)
    if event_id:
        payments_repo.mark_webhook_processed(conn, event_id, stamp(now))


def _status_of(status: str) -> OutcomeStatus:
    return {"completed": OutcomeStatus.COMPLETED, "requires_action": OutcomeStatus.REQUIRES_ACTION,
            "charging": OutcomeStatus.PROCESSING, "failed": OutcomeStatus.FAILED}.get(status, OutcomeStatus.OPEN)
