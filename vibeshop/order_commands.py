"""`vibeshop cloud orders fulfil|ready|picked-up|cancel|refund`: the order actions of the admin API, run
on the cloud's data folder by its operator (the actor on the timeline is "admin:cli"). Lines are
named by their position in `orders show` (1, 2, ...) or by id, with units: `--line 1:2`."""

from __future__ import annotations

import argparse
import asyncio
from decimal import InvalidOperation

from shared.models.money import Money, MoneyError, from_major
from shared.models.money_format import format_money
from shared.orders import (Order, OrderError, OrderErrorCode, cancel_order, fulfil_order, get_order, mark_picked_up,
                           mark_ready_for_pickup, read_order, refund_order)
from shared.payments import StripeOptions, provider_for, secrets_box_from_env

ACTOR = "admin:cli"
ACTIONS = ("fulfil", "ready", "picked-up", "cancel", "refund")


def add_parsers(orders_sub: argparse._SubParsersAction, data_argument) -> list[argparse.ArgumentParser]:  # noqa: ANN001
    """The five actions under `cloud orders`; returns their parsers (they take --data)."""
    made = {
        "fulfil": orders_sub.add_parser("fulfil", help="ship lines (all that are left by default) with tracking"),
        "ready": orders_sub.add_parser("ready", help="a pickup order is ready (e-mails the shopper)"),
        "picked-up": orders_sub.add_parser("picked-up", help="a pickup order was collected (captures the card, or "
                                                              "marks a pay-in-store order paid)"),
        "cancel": orders_sub.add_parser("cancel", help="cancel: stock back, payment voided or refunded"),
        "refund": orders_sub.add_parser("refund", help="refund lines or an amount (everything by default)"),
    }
    for name, command in made.items():
        data_argument(command)
        command.add_argument("--store", required=True)
        command.add_argument("order", metavar="NUMBER", help="1001 or #1001 (or the order's id)")
        if name in ("fulfil", "refund"):
            command.add_argument("--line", action="append", default=None, metavar="LINE:QTY",
                                 help="a line's position in `orders show` (or its id) and units; repeat for more")
        if name != "picked-up":
            command.add_argument("--no-notify", action="store_true", help="do not e-mail the shopper")
        command.add_argument("--stripe-api", metavar="URL", help="a Stripe-compatible test API host (localstripe)")
        command.add_argument("--site-url", default="", help="the storefront's address for the e-mails' links")
    made["fulfil"].add_argument("--carrier", default="")
    made["fulfil"].add_argument("--tracking-number", default="")
    made["fulfil"].add_argument("--tracking-url", default="")
    made["cancel"].add_argument("--reason", default="")
    made["cancel"].add_argument("--no-restock", action="store_true", help="leave the units out of stock")
    made["refund"].add_argument("--amount", help="in the store's currency, like 12.50 (default: the lines' share, "
                                                 "or everything refundable)")
    made["refund"].add_argument("--restock", action="store_true", help="put the refunded lines back in stock")
    made["refund"].add_argument("--reason", default="")
    return list(made.values())


def run_action(store, args: argparse.Namespace) -> int:  # noqa: ANN001 - shared.storefront Store
    """Run one action and print the order's new state; OrderError/PaymentError go to the caller."""
    key = args.order
    order = get_order(store.db, number=key) if key.removeprefix("#").isdigit() else read_order(store.db, key)
    order = read_order(store.db, order.id)
    site = args.site_url or f"http://{store.record.slug}.localhost"
    notify = not getattr(args, "no_notify", False)
    if args.orders_command == "fulfil":
        after = fulfil_order(store.db, order.id, lines=_lines(order, args.line), carrier=args.carrier,
                             tracking_number=args.tracking_number, tracking_url=args.tracking_url, notify=notify,
                             actor=ACTOR, site_url=site)
    elif args.orders_command == "ready":
        after = mark_ready_for_pickup(store.db, order.id, notify=notify, actor=ACTOR, site_url=site)
    else:
        after = asyncio.run(_async_action(store, args, order, notify, site))
    print(summary(after, store.storefront().locale))
    return 0


async def _async_action(store, args: argparse.Namespace, order: Order, notify: bool, site: str) -> Order:  # noqa: ANN001
    options = StripeOptions(api_base=args.stripe_api) if args.stripe_api else None

    async def payments(method: str):
        return provider_for(store.db, store_id=store.record.id, method=method, box=secrets_box_from_env(),
                            options=options)

    if args.orders_command == "picked-up":
        return await mark_picked_up(store.db, order.id, actor=ACTOR, payments=payments)
    if args.orders_command == "cancel":
        return await cancel_order(store.db, order.id, reason=args.reason, restock=not args.no_restock, notify=notify,
                                  actor=ACTOR, payments=payments, site_url=site)
    return await refund_order(store.db, order.id, lines=_lines(order, args.line), amount=_amount(order, args.amount),
                              restock=args.restock, reason=args.reason, notify=notify, actor=ACTOR, payments=payments,
                              site_url=site)


def _lines(order: Order, specs: list[str] | None) -> list[tuple[str, int]] | None:
    if not specs:
        return None
    out = []
    for spec in specs:
        name, _, units = spec.rpartition(":")
        if not name or not units.isdigit():
            raise OrderError(OrderErrorCode.INVALID, f"--line wants LINE:QTY (like 1:2), not {spec!r}", field="lines")
        if name.isdigit() and 1 <= int(name) <= len(order.lines):
            name = order.lines[int(name) - 1].id
        out.append((name, int(units)))
    return out


def _amount(order: Order, text: str | None) -> Money | None:
    if text is None:
        return None
    try:
        return Money(from_major(text.strip(), order.currency), order.currency)
    except (MoneyError, InvalidOperation, ValueError):
        raise OrderError(OrderErrorCode.INVALID, f"--amount wants an amount in {order.currency}, like 12.50",
                         field="amount") from None


def summary(order: Order, locale: str) -> str:
    """The order's state after an action, as printed."""
    money = lambda value: format_money(value, locale)  # noqa: E731
    out = [f"Order {order.name}: payment {order.payment_status}, fulfilment {order.fulfillment_status}"
           + (f", pickup {order.pickup_status}" if order.is_pickup else "")
           + (f", cancelled ({order.cancel_reason})" if order.cancelled and order.cancel_reason
              else ", cancelled" if order.cancelled else ""),
           f"Paid {money(order.paid)}, refundable {money(order.refundable)}"]
    for index, line in enumerate(order.lines, 1):
        out.append(f"  {index}. {line.quantity} x {line.title}: {line.fulfilled_quantity} sent, "
                   f"{line.refunded_quantity} refunded")
    last = order.events[-1]
    out.append(f"Last: {last.kind}: {last.message} ({last.actor})")
    return "\n".join(out)


def is_action(args: argparse.Namespace) -> bool:
    """True for the commands of this module."""
    return getattr(args, "orders_command", None) in ACTIONS

