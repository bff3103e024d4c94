"""Refunds: full or partial, by lines or by amount, with a choice to restock, never more than was paid.

Three steps, so that neither a retry nor two refunds at once can give back too much:
1. one write RESERVES the refund: inside BEGIN IMMEDIATE the refundable amount (paid minus refunds
   succeeded or pending) and each line's refundable units are checked, and the refund is recorded
   'pending' with a new id; from then on its amount and units count as refunded for every other call;
2. the provider is asked with that id as the idempotency key (Stripe: also in the refund's metadata,
   looked for before creating, so a retry finds the first refund instead of making a second);
3. one write settles it: 'succeeded' (payment status, restock, timeline, refund.created, the
   shopper's e-mail), or 'failed' (the reservation is released, the refusal is on the timeline).
A payment taken at the counter (pay in store) is refunded at the counter: step 2 is skipped.
If the provider cannot be reached at all the refund stays 'pending' (reserved: the money may have
moved) and `retry_refund` asks again with the same key."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from shared.db import Connection, Database
from shared.db.repositories import order_lifecycle as repo
from shared.db.stamps import new_id
from shared.mail import render_order_refunded
from shared.models.money import Money
from shared.models.money_format import format_money
from shared.orders import notices
from shared.orders.errors import OrderError, OrderErrorCode
from shared.orders.lifecycle import Payments, _load, _now, _plan, _text, parse_lines, refuse_illegal, return_to_stock
from shared.orders.models import LineQuantity, Order, PaymentStatus as Pay, Refund
from shared.payments import PAY_IN_STORE, PaymentError, PaymentErrorCode


async def refund_order(db: Database, order_id: str, *, lines: Iterable[tuple[str, int]] | None = None,
                       amount: Money | None = None, restock: bool = False, reason: str = "", notify: bool = True,
                       actor: str, payments: Payments | None = None, site_url: str = "",
                       now: datetime | None = None) -> Order:
    """Refund `amount`, or the `lines` ((line id, units): their share of the line totals), or, with
    neither, everything still refundable; `restock` gives the lines' units back to stock. Returns the
    order after. Raises OrderError: NOT_FOUND, INVALID (a bad line or amount, more than is refundable:
    the message says how much is), ILLEGAL_TRANSITION (unpaid, only authorized, voided, refunded in
    full), PAYMENT_FAILED (the provider refused, with its reason: nothing was refunded; or could not
    be reached: the refund stays reserved, `retry_refund` finishes it)."""
    notices.check_actor(actor)
    reason = _text(reason, 500, "reason")
    wanted = None if lines is None else parse_lines(lines)
    if amount is not None and (not isinstance(amount, Money) or amount.amount <= 0):
        raise OrderError(OrderErrorCode.INVALID, "the amount must be above zero", field="amount")
    at = _now(now)
    order, refund = await db.run_write(lambda conn: _reserve(conn, order_id, wanted, amount, restock, reason,
                                                             actor, notify, at))
    return await _ask_and_settle(db, order, refund, payments, actor=actor, notify=notify, site_url=site_url, now=now)


async def retry_refund(db: Database, order_id: str, refund_id: str, *, actor: str, payments: Payments | None = None,
                       site_url: str = "", now: datetime | None = None) -> Order:
    """Ask the provider again about a refund left 'pending' (no answer the first time), with the same
    idempotency key: it is made at most once. Raises OrderError(NOT_FOUND, ILLEGAL_TRANSITION when it
    is not pending, PAYMENT_FAILED)."""
    notices.check_actor(actor)

    def read(conn: Connection) -> tuple[Order, Refund]:
        order = _load(conn, order_id)
        refund = repo.get_refund(conn, refund_id, order.currency) if isinstance(refund_id, str) else None
        if refund is None or refund.id not in {r.id for r in order.refunds}:
            raise OrderError(OrderErrorCode.NOT_FOUND, f"no such refund: {refund_id}")
        if refund.status != "pending":
            raise OrderError(OrderErrorCode.ILLEGAL_TRANSITION, f"the refund is {refund.status} already")
        return order, refund

    order, refund = await db.run_read(read)
    return await _ask_and_settle(db, order, refund, payments, actor=actor, notify=True, site_url=site_url, now=now)


def _reserve(conn: Connection, order_id: str, wanted: tuple[LineQuantity, ...] | None, amount: Money | None,
             restock: bool, reason: str, actor: str, notify: bool, at: str) -> tuple[Order, Refund]:
    """Step 1, inside the write: check against what is refundable NOW and record the refund pending."""
    order = _load(conn, order_id)
    refuse_illegal(order, "refund")
    left = {line.id: line.quantity - line.refunded_quantity for line in order.lines
            if line.quantity > line.refunded_quantity}
    if wanted is None and amount is None:
        units, value = tuple(LineQuantity(k, v) for k, v in left.items()), order.refundable.amount
    else:
        units = _plan(left, wanted, "refunded") if wanted is not None else ()
        value = amount.amount if amount is not None else min(_lines_value(order, units), order.refundable.amount)
    if amount is not None and amount.currency != order.currency:
        raise OrderError(OrderErrorCode.INVALID, f"the order is in {order.currency}, not {amount.currency}",
                         field="amount")
    if value > order.refundable.amount:
        raise OrderError(OrderErrorCode.INVALID, f"at most {format_money(order.refundable)} can be refunded on "
                         f"{order.name}, not {format_money(Money(value, order.currency))}", field="amount")
    if value <= 0:
        raise OrderError(OrderErrorCode.INVALID, "these lines come to nothing to refund: give an amount", field="amount")
    refund = Refund(new_id(), Money(value, order.currency), units, bool(restock and units), reason, "pending", at)
    repo.insert_refund(conn, order_id=order.id, refund=refund, actor=actor, notify=notify)
    repo.add_line_quantities(conn, column="refunded_quantity", lines=units)
    return order, refund


def _lines_value(order: Order, units: tuple[LineQuantity, ...]) -> int:
    """The lines' share of their totals: for k more units of a line with r refunded, total*(r+k)//q -
    total*r//q, so refunding every unit one by one adds up to the line total exactly."""
    by_id = {line.id: line for line in order.lines}
    value = 0
    for unit in units:
        line = by_id[unit.line_id]
        done = line.refunded_quantity
        value += line.total.amount * (done + unit.quantity) // line.quantity - line.total.amount * done // line.quantity
    return value


async def _ask_and_settle(db: Database, order: Order, refund: Refund, payments: Payments | None, *, actor: str,
                          notify: bool, site_url: str, now: datetime | None) -> Order:
    """Steps 2 and 3."""
    counter = order.payment_provider == PAY_IN_STORE or not order.payment_intent_id
    provider_id = None
    if not counter:
        try:
            if payments is None:
                raise PaymentError(PaymentErrorCode.NOT_CONFIGURED, "the payment provider is not available")
            provider = await payments("stripe")
            try:
                provider_id = await provider.refund(order.payment_intent_id, amount=refund.amount,
                                                    idempotency_key=refund.id)
            finally:
                await provider.aclose()
        except PaymentError as exc:
            at, why = _now(now), str(exc)
            if exc.code == PaymentErrorCode.UNREACHABLE:       # the money may have moved: keep it reserved
                await db.run_write(lambda conn: notices.note(
                    conn, order, "refund_pending", f"No answer from the payment service about refund {refund.id}: "
                    "it stays reserved until it is retried", actor=actor, at=at))
                raise OrderError(OrderErrorCode.PAYMENT_FAILED, f"{exc} (refund {refund.id} is kept pending: retry "
                                 "it; it is never made twice)") from None
            await db.run_write(lambda conn: _fail(conn, order, refund, why, actor, at))
            raise OrderError(OrderErrorCode.PAYMENT_FAILED, f"the refund was refused: {why}") from None
    at = _now(now)
    return await db.run_write(lambda conn: _succeed(conn, order.id, refund, provider_id, counter, actor, notify,
                                                    site_url, at))


def _fail(conn: Connection, order: Order, refund: Refund, error: str, actor: str, at: str) -> None:
    if repo.settle_refund(conn, refund.id, status="failed", now=at, error=error):
        repo.add_line_quantities(conn, column="refunded_quantity",
                                 lines=tuple(LineQuantity(u.line_id, -u.quantity) for u in refund.lines))
        notices.note(conn, order, "refund_failed", f"Refund of {_shown(refund.amount)} refused: {error}",
                     actor=actor, at=at)


def _succeed(conn: Connection, order_id: str, refund: Refund, provider_id: str | None, counter: bool, actor: str,
             notify: bool, site_url: str, at: str) -> Order:
    if not repo.settle_refund(conn, refund.id, status="succeeded", now=at, provider_refund_id=provider_id):
        return _load(conn, order_id)                    # settled by a concurrent retry
    order = _load(conn, order_id)
    given = sum(r.amount.amount for r in order.refunds if r.status == "succeeded")
    repo.set_state(conn, order, now=at,
                   payment_status=Pay.REFUNDED if given >= order.paid.amount else Pay.PARTIALLY_REFUNDED)
    returned = return_to_stock(conn, order, refund.lines, key=f"refund:{refund.id}", at=at) if refund.restock else 0
    units = sum(u.quantity for u in refund.lines)
    words = [f"Refunded {_shown(refund.amount)}" + (" at the counter" if counter else ""),
             f"{units} units" if units else "", f"{returned} back in stock" if returned else "", refund.reason]
    notices.note(conn, order, "refunded", "; ".join(w for w in words if w), actor=actor, at=at)
    after = notices.emit(conn, order_id, "refund.created", f"refund:{refund.id}")
    if notify:
        lines = notices.mail_lines(after, refund.lines)
        notices.send(conn, after, f"refund:{refund.id}", lambda s, b: render_order_refunded(
            s, b, amount=refund.amount, refunded=lines, reason=refund.reason, counter=counter), site_url=site_url, at=at)
    return _load(conn, order_id)


def _shown(money: Money) -> str:
    return format_money(money)
