"""`vibeshop cloud stripe set` and `vibeshop cloud orders list|show` (the actions fulfil|ready|picked-up|
cancel|refund are in order_commands.py), and the mail/Stripe options of
`vibeshop cloud serve` (--smtp, --smtp-tls, --smtp-user, --mail-dir, --stripe-api)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from shared.mail import MailError, SmtpConfig, parse_smtp_address
from shared.models.money_format import format_money
from shared.orders import (DELIVERY_METHODS, FulfillmentStatus, Order, OrderError, OrderFilters, PaymentStatus,
                           get_order, list_orders, read_order)
from shared.payments import PaymentError, StripeKeys, secrets_box_from_env, set_stripe_keys
from shared.storefront.errors import StoreError
from shared.storefront.service import DataDir, open_store
from vibeshop import order_commands

SMTP_PASSWORD_ENV = "VIBESHOP_SMTP_PASSWORD"
_DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}


def add_serve_options(serve: argparse.ArgumentParser) -> None:
    """The commerce options of `vibeshop cloud serve`."""
    serve.add_argument("--smtp", metavar="HOST:PORT", help="send order e-mails through this SMTP server")
    serve.add_argument("--smtp-tls", choices=["none", "starttls", "tls"], default="none",
                       help="none (a local relay), starttls (port 587) or tls (implicit, port 465)")
    serve.add_argument("--smtp-user", default="", help=f"SMTP login; the password comes from ${SMTP_PASSWORD_ENV}")
    serve.add_argument("--smtp-from", default="no-reply@localhost", help="the From address of order e-mails")
    serve.add_argument("--mail-dir", type=Path, metavar="DIR", help="write order e-mails into DIR as .eml files "
                                                                     "instead of sending them")
    serve.add_argument("--stripe-api", metavar="URL", help="a Stripe-compatible test API host (localstripe); test "
                                                          "keys only")


def serve_options(args: argparse.Namespace) -> dict | None:
    """ServeConfig fields from the serve options, or None after printing why they are wrong."""
    smtp = None
    if args.smtp:
        try:
            host, port = parse_smtp_address(args.smtp, default_port=_DEFAULT_PORTS[args.smtp_tls])
            smtp = SmtpConfig(host=host, port=port, security=args.smtp_tls, username=args.smtp_user,
                              password=os.environ.get(SMTP_PASSWORD_ENV, "") if args.smtp_user else "",
                              sender=args.smtp_from)
        except MailError as exc:
            print(f"vibeshop: {exc}", file=sys.stderr)
            return None
    if smtp is not None and args.mail_dir is not None:
        print("vibeshop: choose --smtp or --mail-dir, not both", file=sys.stderr)
        return None
    if args.stripe_api and not args.stripe_api.startswith(("http://", "https://")):
        print("vibeshop: --stripe-api wants an http(s):// URL", file=sys.stderr)
        return None
    mail_dir = args.mail_dir.expanduser().resolve() if args.mail_dir else None
    return {"smtp": smtp, "mail_dir": mail_dir, "stripe_api": args.stripe_api or None}


def add_parsers(cloud_sub: argparse._SubParsersAction, data_argument) -> list[argparse.ArgumentParser]:  # noqa: ANN001
    """`cloud stripe set` and `cloud orders list|show`; returns the parsers that take --data."""
    stripe = cloud_sub.add_parser("stripe", help="a store's Stripe keys (stored encrypted with $VIBESHOP_SECRETS_KEY)")
    stripe_sub = stripe.add_subparsers(dest="stripe_command", required=True, metavar="ACTION")
    sset = stripe_sub.add_parser("set", help="store the keys (shown masked afterwards)")
    data_argument(sset)
    sset.add_argument("--store", required=True)
    sset.add_argument("--secret-key", required=True)
    sset.add_argument("--publishable-key", required=True)
    sset.add_argument("--webhook-secret", default="", help="the endpoint's signing secret (whsec_...)")
    orders = cloud_sub.add_parser("orders", help="a store's orders: list, show, fulfil, ready, picked-up, cancel, refund")
    orders_sub = orders.add_subparsers(dest="orders_command", required=True, metavar="ACTION")
    olist = orders_sub.add_parser("list", help="newest first: number, date, e-mail, total, payment, fulfilment")
    oshow = orders_sub.add_parser("show", help="one order with its lines, delivery and timeline")
    for command in (olist, oshow):
        data_argument(command)
        command.add_argument("--store", required=True)
    _add_list_filters(olist)
    oshow.add_argument("order", metavar="NUMBER", help="1001 or #1001 (or the order's id)")
    return [sset, olist, oshow, *order_commands.add_parsers(orders_sub, data_argument)]


def run(args: argparse.Namespace) -> int:
    """Run `cloud stripe ...` or `cloud orders ...`."""
    try:
        store = open_store(DataDir(args.data), args.store)
    except StoreError as exc:
        print(f"vibeshop: {exc}", file=sys.stderr)
        return 2
    try:
        if args.cloud_command == "stripe":
            return _stripe_set(store, args)
        if order_commands.is_action(args):
            return order_commands.run_action(store, args)
        if args.orders_command == "list":
            return _orders_list(store, args)
        return _orders_show(store, args.order)
    except (PaymentError, OrderError) as exc:
        print(f"vibeshop: {exc}", file=sys.stderr)
        return 2
    finally:
        store.close()


def _stripe_set(store, args: argparse.Namespace) -> int:  # noqa: ANN001
    box = secrets_box_from_env()
    shown = set_stripe_keys(store.db, store_id=store.record.id, box=box,
                            keys=StripeKeys(args.secret_key, args.publishable_key, args.webhook_secret))
    print(f"Stripe keys set for {store.record.slug} ({shown.mode} mode): {shown.secret_key}, {shown.publishable_key}"
          f"{', ' + shown.webhook_secret if shown.webhook_secret else ''}")
    return 0


def _add_list_filters(olist: argparse.ArgumentParser) -> None:
    """`cloud orders list`'s filters and search: the admin API's (shared/orders/filters.py)."""
    olist.add_argument("--limit", type=int, default=50, help="orders per page, 1 to 100 (default 50)")
    olist.add_argument("--before", metavar="NUMBER", help="the page below this order number (the 'More' line)")
    olist.add_argument("--payment-status", choices=[str(s) for s in PaymentStatus])
    olist.add_argument("--fulfillment-status", choices=[str(s) for s in FulfillmentStatus])
    olist.add_argument("--delivery", choices=list(DELIVERY_METHODS), help="the delivery method")
    olist.add_argument("--since", metavar="DATE", help="created on or after: 2026-05-01 (the store's time zone) "
                                                      "or 2026-05-01T09:00:00+02:00")
    olist.add_argument("--until", metavar="DATE", help="created on or before (a date: that whole day)")
    olist.add_argument("-q", "--search", metavar="TEXT", help="an order number (1001, #1001), an e-mail or its "
                                                             "start, or the start of a name's word")
    olist.add_argument("--email", help="exactly this e-mail, any case")


def _orders_list(store, args: argparse.Namespace) -> int:  # noqa: ANN001
    locale = store.storefront().locale
    filters = OrderFilters(limit=max(1, min(args.limit, 100)), before=args.before, payment_status=args.payment_status,
                           fulfillment_status=args.fulfillment_status, delivery=args.delivery, since=args.since,
                           until=args.until, q=args.search, email=args.email)
    page = list_orders(store.db, **filters.as_kwargs())
    narrowed = any(value is not None for key, value in filters.as_kwargs().items() if key != "limit")
    if not page.orders:
        print("No orders match." if narrowed else "No orders yet.")
    for order in page.orders:
        flag = "\t!" if order.needs_attention else ""
        print(f"{order.name}\t{order.created_at[:16].replace('T', ' ')}\t{order.email}\t"
              f"{format_money(order.total, locale)}\t{order.payment_status}\t{order.fulfillment_status}{flag}")
    if page.next_before is not None:
        print(f"More: --before {page.next_before}")
    return 0


def _orders_show(store, key: str) -> int:  # noqa: ANN001
    locale = store.storefront().locale
    order = (get_order(store.db, number=key) if key.removeprefix("#").isdigit() else get_order(store.db, order_id=key))
    print(_describe(read_order(store.db, order.id), locale))
    return 0


def _describe(order: Order, locale: str) -> str:
    money = lambda value: format_money(value, locale)  # noqa: E731
    out = [f"Order {order.name}  {order.created_at}", f"Contact: {order.email}"
           + (f" ({order.customer_name})" if order.customer_name else ""),
           f"Payment: {order.payment_status} ({order.payment_provider}"
           + (f", {order.payment_intent_id})" if order.payment_intent_id else ")"),
           f"Fulfilment: {order.fulfillment_status}" + ("  NEEDS ATTENTION" if order.needs_attention else ""), "Lines:"]
    for index, line in enumerate(order.lines, 1):
        variant = f" / {line.variant_title}" if line.variant_title else ""
        done = ", ".join(part for part in (f"{line.fulfilled_quantity} sent" if line.fulfilled_quantity else "",
                                           f"{line.refunded_quantity} refunded" if line.refunded_quantity else "") if part)
        out.append(f"  {index}. {line.quantity} x {line.title}{variant} [{line.sku}] @ {money(line.unit_price)}"
                   f" = {money(line.total)}" + (f" ({done})" if done else ""))
    out += [f"Subtotal: {money(order.subtotal)}", f"Discounts: {money(order.discount_total)}",
            f"Shipping: {money(order.shipping)}", f"Tax: {money(order.tax)}", f"Total: {money(order.total)}"]
    delivery = order.delivery
    if delivery.get("method") == "pickup":
        out.append(f"Pickup: {delivery.get('locationName', '')} {delivery.get('locationAddress', '')}".rstrip())
    else:
        address = order.shipping_address or {}
        out.append(f"Ship ({delivery.get('name', '')}): " + ", ".join(str(v) for k, v in address.items() if v))
    if order.is_pickup:
        out.append(f"Pickup status: {order.pickup_status}")
    if order.cancelled:
        out.append(f"Cancelled {order.cancelled_at}" + (f": {order.cancel_reason}" if order.cancel_reason else ""))
    out.append(f"Paid: {money(order.paid)}, refundable: {money(order.refundable)}")
    for shipment in order.fulfillments:
        tracking = " ".join(part for part in (shipment.carrier, shipment.tracking_number, shipment.tracking_url) if part)
        out.append(f"Fulfilment {shipment.created_at[:16].replace('T', ' ')}: "
                   + ", ".join(f"{u.quantity} of line {u.line_id}" for u in shipment.lines) + (f" - {tracking}" if tracking else ""))
    for refund in order.refunds:
        out.append(f"Refund {refund.created_at[:16].replace('T', ' ')}: {money(refund.amount)} {refund.status}"
                   + (f" - {refund.reason}" if refund.reason else ""))
    for message in order.messages:
        out.append(f"E-mail {message.kind} to {message.to}: {message.status}"
                   + (f" ({message.last_error})" if message.last_error else ""))
    out.append("Timeline:")
    out += [f"  {e.at[:19].replace('T', ' ')}  {e.kind}: {e.message} ({e.actor})" for e in order.events]
    return "\n".join(out)
