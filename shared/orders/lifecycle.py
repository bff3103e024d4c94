"""After the order: fulfil (by lines, with tracking), ready for pickup, picked up (capturing an
authorization, or collecting at the counter), cancel (stock back, payment voided or refunded), and
authorizations running out (issue 12, section 1; refunds are in refunds.py).

Every change is checked against the order's state first: an illegal one raises
OrderError(ILLEGAL_TRANSITION) whose message says why (the `TRANSITIONS` table), and writes nothing.
A change is ONE write (BEGIN IMMEDIATE, the check repeated inside it): the statuses, a timeline entry
naming its actor, the store event for webhooks and the shopper's e-mail (when `notify`) commit
together, with the change's row for the POS feed (notices.emit). A caller that passes `version` (a
POS) is refused with StaleVersionError unless the order is still at it, checked inside that same write.
Calls to the payment provider happen outside any write, each with an idempotency key
derived from the order, so a retry never captures, voids or refunds twice.

`payments` is how a service reaches the provider: an async callable, method -> PaymentProvider (the
checkout's `CheckoutContext.providers`, or `open_provider` with the store's keys); the caller's
provider is closed after use. `site_url` is the storefront's origin for the e-mails' links."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from shared.db import Connection, Database
from shared.db.repositories import order_lifecycle as repo
from shared.db.stamps import new_id
from shared.inventory import InventoryError, record_movement
from shared.inventory.models import stamp
from shared.mail import (OutgoingEmail, enqueue_email, render_order_cancelled, render_ready_for_pickup,
                         render_shipping_confirmation)
from shared.mail.views import safe_url
from shared.models.money import Money
from shared.models.money_format import format_money
from shared.orders import notices
from shared.orders.errors import OrderError, OrderErrorCode
from shared.orders.events import check_version
from shared.orders.models import (Fulfillment, FulfillmentStatus, LineQuantity, Order, PaymentStatus as Pay,
                                  PickupStatus)
from shared.payments import PaymentError, PaymentProvider, PaymentResult, PaymentStatus as Provider

Payments = Callable[[str], Awaitable[PaymentProvider]]
AUTHORIZATION_DAYS = 7          # Stripe keeps a card authorization this long
WARN_BEFORE = timedelta(days=1)
_RESTOCK = uuid.UUID("6f1c5f0e-3c1e-4c55-9d8e-0b7a9f2a4c11")     # namespace of restock change ids

_Guard = tuple[Callable[[Order], bool], str]
_CLOSED = (Pay.REFUNDED, Pay.VOIDED)
_COMMON: list[_Guard] = [(lambda o: o.cancelled, "order {name} is cancelled")]
#: action -> (condition that makes it illegal, why). The first that holds is the answer.
TRANSITIONS: dict[str, list[_Guard]] = {
    "fulfil": _COMMON + [
        (lambda o: o.is_pickup, "{name} is a pickup order: mark it ready for pickup, then picked up"),
        (lambda o: o.payment_status in (Pay.UNPAID, Pay.AUTHORIZED), "{name} is not paid yet"),
        (lambda o: o.payment_status in _CLOSED, "the payment of {name} was {payment}: nothing is left to send"),
        (lambda o: not _remaining(o), "every unit of {name} is fulfilled (or refunded) already"),
    ],
    "ready": _COMMON + [
        (lambda o: not o.is_pickup, "{name} is not a pickup order"),
        (lambda o: o.pickup_status is PickupStatus.PICKED_UP, "{name} was picked up already"),
        (lambda o: o.pickup_status is PickupStatus.READY, "{name} is ready for pickup already"),
        (lambda o: o.payment_status in _CLOSED, "the payment of {name} was {payment}"),
        (lambda o: not _remaining(o), "every unit of {name} was refunded: there is nothing to pick up"),
    ],
    "picked_up": _COMMON + [
        (lambda o: not o.is_pickup, "{name} is not a pickup order"),
        (lambda o: o.pickup_status is PickupStatus.PICKED_UP, "{name} was picked up already"),
        (lambda o: o.pickup_status is PickupStatus.NONE, "{name} is not ready for pickup: mark it ready first"),
        (lambda o: o.payment_status in _CLOSED, "the payment of {name} was {payment}"),
    ],
    "cancel": _COMMON + [
        (lambda o: o.pickup_status is PickupStatus.PICKED_UP, "{name} was picked up: refund it instead"),
        (lambda o: o.fulfillment_status in (FulfillmentStatus.FULFILLED, FulfillmentStatus.PARTIALLY_FULFILLED),
         "units of {name} were sent already: refund them instead"),
    ],
    "refund": [
        (lambda o: o.payment_status is Pay.UNPAID, "nothing was paid for {name} yet"),
        (lambda o: o.payment_status is Pay.AUTHORIZED,
         "the payment of {name} is only authorized: cancel the order to release it, or capture it at pickup"),
        (lambda o: o.payment_status is Pay.VOIDED, "the payment of {name} was voided: nothing was taken"),
        (lambda o: o.payment_status is Pay.REFUNDED, "{name} was refunded in full already"),
        (lambda o: o.refundable.amount <= 0, "nothing is left to refund on {name} (a refund may be under way)"),
    ],
}


def refuse_illegal(order: Order, action: str) -> None:
    """Raise OrderError(ILLEGAL_TRANSITION) saying why `action` is not possible on `order` now."""
    for illegal, why in TRANSITIONS[action]:
        if illegal(order):
            raise OrderError(OrderErrorCode.ILLEGAL_TRANSITION,
                             why.format(name=order.name, payment=str(order.payment_status).replace("_", " ")))


def _remaining(order: Order) -> dict[str, int]:
    """line id -> units neither fulfilled nor refunded."""
    return {line.id: left for line in order.lines
            if (left := line.quantity - line.fulfilled_quantity - line.refunded_quantity) > 0}


def _now(now: datetime | None) -> str:
    return stamp(now or datetime.now(UTC), field="now")


def _in_write(db: Database, order_id: str, action: str, step: Callable[[Connection, Order], Order],
              version: int | None = None) -> Order:
    """Run `step` on the order inside one write, after checking `action` is legal (again, inside) and,
    when given, that the order is still at `version` (StaleVersionError)."""
    def write(conn: Connection) -> Order:
        order = _load_at(conn, order_id, version)
        refuse_illegal(order, action)
        return step(conn, order)

    return db.write(write)


def _load(conn: Connection, order_id: str) -> Order:
    order = repo.load_order(conn, order_id) if isinstance(order_id, str) and len(order_id) <= 100 else None
    if order is None:
        raise OrderError(OrderErrorCode.NOT_FOUND, f"no such order: {order_id}")
    return order


def _load_at(conn: Connection, order_id: str, version: int | None) -> Order:
    """The order, checked to be at `version` (None: any)."""
    order = _load(conn, order_id)
    check_version(conn, order.id, version)
    return order


def read_order(db: Database, order_id: str) -> Order:
    """The order with its lifecycle (fulfilments, refunds, e-mails). Raises OrderError(NOT_FOUND)."""
    return db.read(lambda conn: _load(conn, order_id))


# --- fulfil -------------------------------------------------------------------------------------------

def fulfil_order(db: Database, order_id: str, *, lines: Iterable[tuple[str, int]] | None = None, carrier: str = "",
                 tracking_number: str = "", tracking_url: str = "", notify: bool = True, actor: str,
                 site_url: str = "", now: datetime | None = None) -> Order:
    """Ship `lines` ((line id, units); None: every unit left) with carrier and tracking: a fulfilment,
    the order partially_fulfilled or fulfilled, a timeline entry, order.fulfilled, and the shipping
    e-mail when `notify`. Raises OrderError: NOT_FOUND, INVALID (a line not of the order, more units
    than are left, a tracking URL that is not http(s)), ILLEGAL_TRANSITION (cancelled, a pickup order,
    not paid, refunded, nothing left)."""
    notices.check_actor(actor)
    carrier, number = _text(carrier, 100, "carrier"), _text(tracking_number, 200, "trackingNumber")
    url = _text(tracking_url, 2000, "trackingUrl")
    if url and safe_url(url) is None:
        raise OrderError(OrderErrorCode.INVALID, "the tracking URL must be an http(s) address", field="trackingUrl")
    wanted = None if lines is None else parse_lines(lines)
    at = _now(now)

    def step(conn: Connection, order: Order) -> Order:
        units = _plan(_remaining(order), wanted, "fulfilled")
        shipment = Fulfillment(new_id(), units, at, carrier, number, url)
        after = _record_fulfilment(conn, order, shipment, at)
        shipped = ", ".join(f"{u.quantity} x {_title(order, u.line_id)}" for u in units)
        tracking = f" with {carrier or 'tracking'} {number}".rstrip() if carrier or number else ""
        notices.note(conn, order, "fulfilled", f"Fulfilled {shipped}{tracking}", actor=actor, at=at)
        after = notices.emit(conn, order.id, "order.fulfilled", f"fulfillment:{shipment.id}")
        if notify:
            partial = after.fulfillment_status is not FulfillmentStatus.FULFILLED or len(after.fulfillments) > 1
            notices.send(conn, after, f"shipping:{shipment.id}", lambda s, b: render_shipping_confirmation(
                s, b, shipped=notices.mail_lines(after, units), partial=partial, carrier=carrier,
                tracking_number=number, tracking_url=url), site_url=site_url, at=at)
        return _reload(conn, order.id)

    return _in_write(db, order_id, "fulfil", step)


def _record_fulfilment(conn: Connection, order: Order, shipment: Fulfillment, at: str) -> Order:
    repo.insert_fulfillment(conn, order_id=order.id, fulfillment=shipment)
    repo.add_line_quantities(conn, column="fulfilled_quantity", lines=shipment.lines)
    after = _reload(conn, order.id)
    done = not _remaining(after)
    repo.set_state(conn, after, now=at,
                   fulfillment_status=FulfillmentStatus.FULFILLED if done else FulfillmentStatus.PARTIALLY_FULFILLED)
    return after


# --- pickup -------------------------------------------------------------------------------------------

def mark_ready_for_pickup(db: Database, order_id: str, *, notify: bool = True, actor: str, site_url: str = "",
                          now: datetime | None = None, version: int | None = None) -> Order:
    """A pickup order is ready at its location: pickup status 'ready', a timeline entry,
    order.ready_for_pickup and the shopper's "ready for pickup" e-mail when `notify`. Raises
    OrderError: NOT_FOUND, ILLEGAL_TRANSITION (not a pickup order, cancelled, ready or picked up already)."""
    notices.check_actor(actor)
    at = _now(now)

    def step(conn: Connection, order: Order) -> Order:
        repo.set_state(conn, order, now=at, pickup_status=PickupStatus.READY)
        notices.note(conn, order, "ready_for_pickup", "Ready for pickup", actor=actor, at=at)
        after = notices.emit(conn, order.id, "order.ready_for_pickup", "ready_for_pickup")
        if notify:
            unpaid = after.payment_status is Pay.UNPAID
            notices.send(conn, after, "ready_for_pickup", lambda s, b: render_ready_for_pickup(s, b, unpaid=unpaid),
                         site_url=site_url, at=at)
        return _reload(conn, order.id)

    return _in_write(db, order_id, "ready", step, version)


async def mark_picked_up(db: Database, order_id: str, *, actor: str, payments: Payments | None = None,
                         now: datetime | None = None, version: int | None = None) -> Order:
    """The shopper collected a ready pickup order: an authorized card payment is captured first
    (idempotency key 'ORDER:capture'); a pay-in-store order is marked paid (collected at the counter).
    Then every unit left is fulfilled, pickup status 'picked_up', order.paid (when money came in) and
    order.fulfilled. Raises OrderError: NOT_FOUND, ILLEGAL_TRANSITION (not ready, picked up, cancelled,
    refunded), PAYMENT_FAILED (the capture was refused: an expired authorization; nothing changed)."""
    notices.check_actor(actor)
    order = await db.run_read(lambda conn: _load_at(conn, order_id, version))
    refuse_illegal(order, "picked_up")
    captured: int | None = None
    if order.payment_status is Pay.AUTHORIZED:
        result = await _provider_call(db, order, payments, "capture", actor, now)
        captured = result.amount.amount if result.amount is not None else order.total.amount
    at = _now(now)

    def step(conn: Connection, current: Order) -> Order:
        paid_now = current.payment_status in (Pay.AUTHORIZED, Pay.UNPAID)
        if paid_now:
            taken = Money(captured if captured is not None else current.total.amount, current.currency)
            how = (f"Captured {format_money(taken)} at pickup" if current.payment_status is Pay.AUTHORIZED
                   else "Payment collected at the counter")
            repo.set_state(conn, current, now=at, payment_status=Pay.PAID,
                           captured_amount=captured if captured is not None and captured != current.total.amount else None)
            notices.note(conn, current, "paid", how, actor=actor, at=at)
            current = _reload(conn, current.id)
        units = tuple(LineQuantity(line_id, left) for line_id, left in _remaining(current).items())
        if units:
            _record_fulfilment(conn, current, Fulfillment(new_id(), units, at), at)
        repo.set_state(conn, _reload(conn, current.id), now=at, pickup_status=PickupStatus.PICKED_UP,
                       fulfillment_status=FulfillmentStatus.FULFILLED)
        notices.note(conn, current, "picked_up", "Picked up", actor=actor, at=at)
        if paid_now:
            notices.emit(conn, current.id, "order.paid", "paid")
        notices.emit(conn, current.id, "order.fulfilled", "picked_up", feed_type="order.picked_up")
        return _reload(conn, current.id)

    return await db.run_write(lambda conn: _checked_step(conn, order.id, "picked_up", step, version))


def _checked_step(conn: Connection, order_id: str, action: str, step: Callable[[Connection, Order], Order],
                  version: int | None = None) -> Order:
    order = _load_at(conn, order_id, version)
    refuse_illegal(order, action)
    return step(conn, order)


# --- cancel -------------------------------------------------------------------------------------------

async def cancel_order(db: Database, order_id: str, *, reason: str = "", restock: bool = True, notify: bool = True,
                       actor: str, payments: Payments | None = None, site_url: str = "",
                       now: datetime | None = None, version: int | None = None) -> Order:
    """Cancel an order nothing of which was sent: first, in one write, the order is marked cancelled
    (so nothing can be fulfilled any more), its units go back to stock ('returned' movements whose
    change ids derive from the order: idempotent) and order.cancelled is emitted; then the payment is
    voided (authorized) or what is left refunded (paid); then the shopper's e-mail. If the provider
    refuses or cannot be reached, the order stays cancelled with a timeline note and OrderError
    (PAYMENT_FAILED) is raised: calling cancel_order again finishes the payment part.
    Raises OrderError: NOT_FOUND, INVALID, ILLEGAL_TRANSITION (cancelled already, units sent)."""
    notices.check_actor(actor)
    reason = _text(reason, 500, "reason")
    at = _now(now)
    order = await db.run_read(lambda conn: _load_at(conn, order_id, version))
    if not (order.cancelled and _payment_left(order)):       # a retry only finishes the payment part
        order = await db.run_write(lambda conn: _checked_step(
            conn, order.id, "cancel", lambda c, o: _mark_cancelled(c, o, reason, restock, actor, at), version))
    refund, released = await _release_payment(db, order, payments, actor=actor, now=now)
    at = _now(now)

    def finish(conn: Connection) -> Order:
        current = _load(conn, order.id)
        if released and current.payment_status is Pay.AUTHORIZED:
            repo.set_state(conn, current, now=at, payment_status=Pay.VOIDED)
            notices.note(conn, current, "voided", "The card authorization was released", actor=actor, at=at)
            current = _reload(conn, current.id)
        if notify:
            notices.send(conn, current, "cancelled", lambda s, b: render_order_cancelled(
                s, b, reason=current.cancel_reason, refund=refund, released=released), site_url=site_url, at=at)
        return _reload(conn, current.id)

    return await db.run_write(finish)


def _payment_left(order: Order) -> bool:
    return order.payment_status is Pay.AUTHORIZED or (
        order.payment_status in (Pay.PAID, Pay.PARTIALLY_REFUNDED) and order.refundable.amount > 0)


def _mark_cancelled(conn: Connection, order: Order, reason: str, restock: bool, actor: str, at: str) -> Order:
    repo.set_state(conn, order, now=at, cancelled=(at, reason))
    returned = return_to_stock(conn, order, None, key="cancel", at=at) if restock else 0
    stock = f"; {returned} units back in stock" if returned else ""
    notices.note(conn, order, "cancelled", f"Cancelled{': ' + reason if reason else ''}{stock}", actor=actor, at=at)
    return notices.emit(conn, order.id, "order.cancelled", "cancelled")


async def _release_payment(db: Database, order: Order, payments: Payments | None, *, actor: str,
                           now: datetime | None) -> tuple[Money | None, bool]:
    """(refund Money or None, released) after voiding or refunding what the order still holds."""
    from shared.orders.refunds import refund_order       # refunds builds on this module
    if order.payment_status is Pay.AUTHORIZED:
        await _provider_call(db, order, payments, "cancel", actor, now)
        return None, True
    if _payment_left(order):
        before = order.refundable
        await refund_order(db, order.id, notify=False, actor=actor, payments=payments, now=now, reason="Order cancelled")
        return before, False
    return None, False


async def _provider_call(db: Database, order: Order, payments: Payments | None, what: str, actor: str,
                         now: datetime | None) -> PaymentResult:
    """Capture or cancel the order's payment intent; a refusal is noted on the timeline and raised as
    OrderError(PAYMENT_FAILED)."""
    if payments is None or not order.payment_intent_id:
        raise OrderError(OrderErrorCode.PAYMENT_FAILED, "the payment provider is not available to this call")
    try:
        provider = await payments("stripe")
        try:
            if what == "capture":
                result = await provider.capture(order.payment_intent_id, idempotency_key=f"{order.id}:capture")
            else:
                result = await provider.cancel(order.payment_intent_id, idempotency_key=f"{order.id}:cancel")
        finally:
            await provider.aclose()
    except PaymentError as exc:
        message = f"The payment could not be {'captured' if what == 'capture' else 'released'}: {exc}"
        at = _now(now)
        await db.run_write(lambda conn: notices.note(conn, order, f"{what}_failed", message, actor=actor, at=at))
        raise OrderError(OrderErrorCode.PAYMENT_FAILED, message) from None
    expected = Provider.SUCCEEDED if what == "capture" else Provider.CANCELED
    if result.status is not expected:
        raise OrderError(OrderErrorCode.PAYMENT_FAILED, f"the payment is {result.status}, not {expected}")
    return result


def return_to_stock(conn: Connection, order: Order, units: tuple[LineQuantity, ...] | None, *, key: str,
                    at: str) -> int:
    """Give units of the order back to the locations they were sold from ('returned' movements; None:
    everything sold and not returned yet). Change ids derive from the order, `key` and the location,
    so a repeat records nothing. Returns the units given back."""
    wanted: dict[str, int] = {}
    by_line = {line.id: line for line in order.lines}
    for unit in units or ():
        variant = by_line[unit.line_id].variant_id
        if variant:
            wanted[variant] = wanted.get(variant, 0) + unit.quantity
    total = 0
    for sold in repo.sold_units(conn, order.id):
        left = sold.sold - sold.returned
        give = left if units is None else min(left, wanted.get(sold.variant_id, 0))
        if give <= 0:
            continue
        wanted[sold.variant_id] = wanted.get(sold.variant_id, 0) - give
        change = str(uuid.uuid5(_RESTOCK, f"{order.id}:{key}:{sold.variant_id}:{sold.location_id}"))
        try:
            if record_movement(conn, change_id=change, variant_id=sold.variant_id, location_id=sold.location_id,
                               delta=give, reason="returned", occurred_at=at, now=at, reference=order.id):
                total += give
        except InventoryError:      # the variant or location is gone since: nothing to give back to
            continue
    return total


# --- authorizations running out -------------------------------------------------------------------------

@dataclass(frozen=True)
class ExpiryReport:
    """What `expire_authorizations` did: orders whose merchant was warned, orders cancelled."""

    warned: tuple[str, ...] = ()
    cancelled: tuple[str, ...] = ()


async def expire_authorizations(db: Database, now: datetime, *, payments: Payments | None = None,
                                site_url: str = "") -> ExpiryReport:
    """For the background task: an authorization held for 6 days warns the merchant once (an e-mail
    through the outbox and a timeline entry); one held for 7 days cancels its order (stock back, the
    authorization released when the provider still has it, the shopper told) with a timeline note
    saying it expired."""
    warn_from = stamp(now - timedelta(days=AUTHORIZATION_DAYS) + WARN_BEFORE, field="now")
    expired_from = stamp(now - timedelta(days=AUTHORIZATION_DAYS), field="now")
    rows = await db.run_read(lambda conn: repo.authorized_orders(conn, placed_before=warn_from))
    warned, cancelled = [], []
    for order_id, created_at, warned_at in rows:
        if created_at < expired_from:
            if await _expire(db, order_id, payments, site_url, now):
                cancelled.append(order_id)
        elif warned_at is None and await db.run_write(lambda conn, oid=order_id: _warn(conn, oid, now)):
            warned.append(order_id)
    return ExpiryReport(tuple(warned), tuple(cancelled))


def _warn(conn: Connection, order_id: str, now: datetime) -> bool:
    at = stamp(now, field="now")
    if not repo.mark_authorization_warned(conn, order_id, now=at):
        return False
    order = _load(conn, order_id)
    ends = (datetime.fromisoformat(order.created_at) + timedelta(days=AUTHORIZATION_DAYS)).strftime("%d %B %Y, %H:%M UTC")
    message = (f"The card payment of order {order.name} is only authorized, and the authorization runs out on "
               f"{ends}. Mark the order picked up before then to capture it; after that it is cancelled.")
    notices.note(conn, order, "authorization_expiring", message, actor="system", at=at)
    merchant = notices.merchant_address(conn)
    if merchant:
        enqueue_email(conn, OutgoingEmail(to=merchant, subject=f"Order {order.name}: the payment authorization "
                                          f"runs out on {ends}", text=message + "\n", html=""),
                      dedupe_key=f"order:{order.id}:authorization_warning")
    return True


async def _expire(db: Database, order_id: str, payments: Payments | None, site_url: str, now: datetime) -> bool:
    at = stamp(now, field="now")
    reason = "the card authorization expired before pickup"

    def write(conn: Connection) -> bool:
        order = _load(conn, order_id)
        if order.cancelled or order.payment_status is not Pay.AUTHORIZED:
            return False
        _mark_cancelled(conn, order, reason, True, "system", at)
        repo.set_state(conn, _reload(conn, order_id), now=at, payment_status=Pay.VOIDED)
        notices.note(conn, order, "authorization_expired", "The card authorization ran out after "
                     f"{AUTHORIZATION_DAYS} days: the order was cancelled and nothing was charged", actor="system", at=at)
        after = _reload(conn, order_id)
        notices.send(conn, after, "cancelled", lambda s, b: render_order_cancelled(s, b, reason=reason, released=True),
                     site_url=site_url, at=at)
        return True

    done = await db.run_write(write)
    if done and payments is not None:
        order = await db.run_read(lambda conn: _load(conn, order_id))
        try:        # Stripe cancels it on its own at expiry; a still-held one is released now
            provider = await payments("stripe")
            try:
                await provider.cancel(order.payment_intent_id or "", idempotency_key=f"{order_id}:cancel")
            finally:
                await provider.aclose()
        except (PaymentError, OrderError):
            pass
    return done


# --- input -------------------------------------------------------------------------------------------

def parse_lines(lines: Iterable[tuple[str, int]]) -> tuple[LineQuantity, ...]:
    """(line id, units) pairs, checked: ids are text, units whole numbers from 1; a line named twice is
    added up. Raises OrderError(INVALID, field 'lines')."""
    merged: dict[str, int] = {}
    try:
        pairs = list(lines)
    except TypeError:
        raise OrderError(OrderErrorCode.INVALID, "lines must be a list of line ids and quantities", field="lines") from None
    if not pairs or len(pairs) > 500:
        raise OrderError(OrderErrorCode.INVALID, "name 1 to 500 lines", field="lines")
    for pair in pairs:
        line_id, quantity = pair if isinstance(pair, (tuple, list)) and len(pair) == 2 else (None, None)
        if (not isinstance(line_id, str) or not line_id or isinstance(quantity, bool) or not isinstance(quantity, int)
                or not 1 <= quantity <= 1_000_000):
            raise OrderError(OrderErrorCode.INVALID, "each line needs a lineId and a quantity of 1 or more",
                             field="lines")
        merged[line_id] = merged.get(line_id, 0) + quantity
    return tuple(LineQuantity(k, v) for k, v in merged.items())


def _plan(available: dict[str, int], wanted: tuple[LineQuantity, ...] | None, what: str) -> tuple[LineQuantity, ...]:
    if wanted is None:
        return tuple(LineQuantity(k, v) for k, v in available.items())
    for unit in wanted:
        if unit.line_id not in available and unit.quantity > 0:
            raise OrderError(OrderErrorCode.INVALID, f"line {unit.line_id} is not of this order or has no units "
                             f"left to be {what}", field="lines")
        if unit.quantity > available[unit.line_id]:
            raise OrderError(OrderErrorCode.INVALID, f"line {unit.line_id} has {available[unit.line_id]} units left "
                             f"to be {what}, not {unit.quantity}", field="lines")
    return wanted


def _text(value: object, limit: int, field: str) -> str:
    if not isinstance(value, str) or len(value) > limit or any(ord(c) < 32 for c in value):
        raise OrderError(OrderErrorCode.INVALID, f"{field} must be one line of text, at most {limit} characters",
                         field=field)
    return value.strip()


def _title(order: Order, line_id: str) -> str:
    line = next(line for line in order.lines if line.id == line_id)
    return f"{line.title} ({line.variant_title})" if line.variant_title and line.variant_title != "Default" else line.title


def _reload(conn: Connection, order_id: str) -> Order:
    return _load(conn, order_id)
