"""What every lifecycle change tells, inside its own write: the timeline entry (with its actor), the
store event for webhook subscriptions (`shared.webhooks.emit_event`) and the shopper's e-mail through
the outbox. All three commit with the change or vanish with its rollback; an e-mail that cannot be
made never loses the change (it is noted on the timeline instead)."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable

from shared.db import Connection
from shared.db.repositories.customers import ERASED_EMAIL
from shared.db.repositories.order_lifecycle import load_order
from shared.db.repositories.storefront import get_storefront
from shared.mail import MailBranding, MailError, OrderSummary, OutgoingEmail, enqueue_email
from shared.mail.views import OrderLine as MailLine
from shared.mail.designs.context import using_designs
from shared.models.money import Money
from shared.orders.errors import OrderError, OrderErrorCode
from shared.orders.events import record_order_event
from shared.orders.models import LineQuantity, Order
from shared.orders.service import add_order_event
from shared.webhooks import emit_event

log = logging.getLogger(__name__)
_ACTOR = re.compile(r"^(?:(?:device|admin):[^\x00-\x1f]{1,100}|pos|system|shopper|stripe)\Z")
DEFAULT_SITE = "http://localhost"
_FEED_TYPES = {"refund.created": "order.refunded"}


def check_actor(actor: str) -> str:
    """The actor as recorded: "device:NAME", "admin:TOKEN NAME", "pos", "system" or "shopper".
    Raises OrderError(INVALID) for anything else."""
    if not isinstance(actor, str) or not _ACTOR.match(actor):
        raise OrderError(OrderErrorCode.INVALID, "actor must be device:NAME, admin:NAME, pos, system or shopper",
                         field="actor")
    return actor


def note(conn: Connection, order: Order, kind: str, message: str, *, actor: str, at: str) -> None:
    """A timeline entry."""
    add_order_event(conn, order_id=order.id, kind=kind, message=message[:1000], actor=actor, now=at)


def emit(conn: Connection, order_id: str, event_type: str, dedupe: str, *, feed_type: str | None = None) -> Order:
    """The order as it now stands, sent as `event_type` to the store's webhook subscriptions, and the
    change recorded for the POS feed and the studio (shared/orders/events.py) as `feed_type` (default:
    the webhook's type; refund.created is order.refunded)."""
    order = load_order(conn, order_id)
    assert order is not None
    emit_event(conn, event_type=event_type, data=order.to_json(), dedupe_key=f"order:{order_id}:{dedupe}")
    record_order_event(conn, order_id, feed_type or _FEED_TYPES.get(event_type, event_type))
    return order


def send(conn: Connection, order: Order, kind: str, render: Callable[[OrderSummary, MailBranding], OutgoingEmail],
         *, site_url: str, at: str) -> None:
    """Queue the shopper's e-mail `kind` (once per order and kind: its dedupe key 'order:ID:KIND').
    Nothing is queued for an order whose customer was erased (its e-mail is the placeholder): there is
    nobody to tell, and the outbox must never hold the placeholder as a recipient."""
    if order.email.strip().lower() == ERASED_EMAIL:
        note(conn, order, "email_not_sent", f"The {kind.split(':')[0]} e-mail was not sent: the customer's data "
             "was erased", actor="system", at=at)
        return
    # Imported here: the checkout package imports the orders package (a cycle at import time).
    from shared.checkout.finalize import order_summary
    front = get_storefront(conn)
    settings = front.settings if front else {}
    support = str(settings.get("email") or "")
    branding = MailBranding(store_name=front.name if front else "Shop", store_url=(site_url or DEFAULT_SITE) + "/",
                            locale=front.locale if front else "en-US", support_email=support if "@" in support else "")
    try:
        with using_designs(conn):          # the merchant's design of this e-mail, if any (docs/mail.md)
            email = render(order_summary(order, site_url=site_url or DEFAULT_SITE), branding)
        enqueue_email(conn, email, dedupe_key=f"order:{order.id}:{kind}")
    except (MailError, ValueError) as exc:
        log.warning("order %s: %s e-mail not queued: %s", order.id, kind, exc)
        note(conn, order, "email_not_sent", f"The {kind} e-mail was not sent: {exc}", actor="system", at=at)


def merchant_address(conn: Connection) -> str:
    """The store's own address (its settings' e-mail), '' when unset."""
    front = get_storefront(conn)
    address = str((front.settings if front else {}).get("email") or "")
    return address if "@" in address else ""


def mail_lines(order: Order, units: tuple[LineQuantity, ...]) -> tuple[MailLine, ...]:
    """The e-mails' lines for some units of the order (a shipment's, a refund's)."""
    by_id = {line.id: line for line in order.lines}
    out = []
    for unit in units:
        line = by_id[unit.line_id]
        total = line.total.amount * unit.quantity // line.quantity
        out.append(MailLine(title=line.title, quantity=unit.quantity, unit_price=line.unit_price,
                            line_total=Money(total, line.total.currency),
                            variant=line.variant_title if line.variant_title != "Default" else "", sku=line.sku))
    return tuple(out)
