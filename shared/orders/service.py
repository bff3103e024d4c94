"""Orders: create one inside the caller's write (the checkout's finalize), read them for the merchant
(`list_orders`, `get_order`) and for the shopper's status page (`order_by_token`)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence

from shared.db import Connection, Database
from shared.db.repositories import orders as repo
from shared.db.stamps import new_id, utc_now
from shared.db.repositories.storefront import get_storefront
from shared.orders.errors import OrderError, OrderErrorCode
from shared.orders.filters import OrderFilters, check_filters, resolve_dates
from shared.orders.models import NewOrder, Order, OrderEvent, OrderPage

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}\Z")


def new_status_token() -> str:
    """An unguessable token for /orders/TOKEN: 256 bits from the OS's CSPRNG."""
    return secrets.token_urlsafe(32)


def create_order(conn: Connection, order: NewOrder, *, now: str | None = None,
                 placed_by: str = "shopper") -> Order:
    """Record an order inside the caller's write (BEGIN IMMEDIATE): its number is the next of the
    store's (#1001, ...; no gaps, never shared, however many processes place orders), its lines and
    a timeline starting with 'placed' then `order.events`. Raises OrderError(INVALID) for an order
    without lines or with amounts in another currency, (DUPLICATE) when an order exists already for
    its PaymentIntent or checkout attempt (finalize checks first; the unique indexes are the backstop)."""
    _check(order)
    for column, value in (("payment_intent_id", order.payment_intent_id), ("attempt_id", order.attempt_id)):
        if value is not None and repo.order_id_where(conn, column=column, value=value) is not None:
            raise OrderError(OrderErrorCode.DUPLICATE, f"an order exists already for {column} {value}")
    stamp = now or utc_now()
    order_id, number = new_id(), repo.next_order_number(conn)
    repo.insert_order(conn, order_id=order_id, number=number, token=new_status_token(), order=order, now=stamp)
    placed = OrderEvent(stamp, "placed", f"Order #{number} placed by {order.email}", placed_by)
    for event in (placed, *order.events):
        repo.insert_event(conn, event_id=new_id(), order_id=order_id, event=event)
    created = repo.get_order(conn, order_id)
    assert created is not None
    return created


def add_order_event(conn: Connection, *, order_id: str, kind: str, message: str = "", actor: str = "system",
                    now: str | None = None) -> None:
    """Add an entry to an order's timeline inside the caller's write."""
    repo.insert_event(conn, event_id=new_id(), order_id=order_id,
                      event=OrderEvent(now or utc_now(), kind, message, actor))


def get_order(db: Database, *, order_id: str | None = None, number: int | None = None) -> Order:
    """One order with its lines and timeline, by id or by number (1001 or "#1001").

    Raises OrderError(NOT_FOUND) when there is none, (INVALID) without an id or number."""
    def read(conn: Connection) -> Order | None:
        if order_id is not None:
            found = order_id if isinstance(order_id, str) and len(order_id) <= 100 else None
        elif number is not None:
            found = repo.order_id_where(conn, column="number", value=_number(number))
        else:
            raise OrderError(OrderErrorCode.INVALID, "name an order by id or number")
        return repo.get_order(conn, found) if found else None

    order = db.read(read)
    if order is None:
        raise OrderError(OrderErrorCode.NOT_FOUND, f"no such order: {order_id or number}")
    return order


def order_by_token(db: Database, token: str) -> Order | None:
    """The order whose status page is /orders/TOKEN, or None (a malformed token reads nothing)."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None

    def read(conn: Connection) -> Order | None:
        found = repo.order_id_where(conn, column="status_token", value=token)
        return repo.get_order(conn, found) if found else None

    return db.read(read)


def order_for_payment(conn: Connection, *, intent_id: str | None = None, attempt_id: str | None = None) -> Order | None:
    """The order made for a PaymentIntent or a checkout attempt, if any (finalize's idempotence)."""
    for column, value in (("payment_intent_id", intent_id), ("attempt_id", attempt_id)):
        if value is not None:
            found = repo.order_id_where(conn, column=column, value=value)
            if found is not None:
                return repo.get_order(conn, found)
    return None


def list_orders(db: Database, *, before: int | str | None = None, limit: int = 50,
                payment_status: str | None = None, fulfillment_status: str | None = None,
                delivery: str | None = None, since: str | None = None, until: str | None = None,
                q: str | None = None, email: str | None = None) -> OrderPage:
    """The merchant's order list: newest first, `limit` (1..100) at a time below `before` (the previous
    page's `next_before`: pages stay put while new orders arrive), narrowed by payment status,
    fulfilment status, delivery method (ship, local_delivery, pickup, none), creation date (`since`,
    `until`: ISO dates, whole days in the store's time zone, or times), a search `q` (an order number
    "1001"/"#1001", an e-mail or its start, the start of a name's first, second or last word; ASCII
    letters match in any case) and an exact e-mail (any case). Each filter reads an index
    (shared/orders/filters.py, migration 0022): a page costs about the same with 100 or 100,000 orders.

    Raises InvalidOrderFilter (an OrderError INVALID, `field` naming the parameter) for a bad value."""
    query = check_filters(OrderFilters(payment_status=payment_status, fulfillment_status=fulfillment_status,
                                       delivery=delivery, since=since, until=until, q=q, email=email,
                                       before=before, limit=limit))

    def read(conn: Connection) -> list[Order]:
        resolved = query
        if any(bound is not None and bound.needs_zone for bound in (query.since, query.until)):
            store = get_storefront(conn)
            resolved = resolve_dates(query, store.timezone if store else "UTC")
        elif query.since is not None or query.until is not None:
            resolved = resolve_dates(query, "UTC")
        return repo.list_orders(conn, resolved, limit=query.limit + 1)

    rows = db.read(read)
    page = tuple(rows[:query.limit])
    return OrderPage(page, page[-1].number if len(rows) > query.limit else None)


def parse_order_number(value: int | str) -> int | None:
    """An order number as people write it (1001, "1001", "#1001"); None for anything else, e.g. an id.
    ASCII digits only: "²" is a digit to str.isdigit but not to int."""
    text = str(value).strip().removeprefix("#")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


def _number(value: int | str) -> int:
    number = parse_order_number(value)
    if number is None:
        raise OrderError(OrderErrorCode.INVALID, f"an order number looks like 1001 or #1001, not {value!r}")
    return number


def _check(order: NewOrder) -> None:
    if not order.lines:
        raise OrderError(OrderErrorCode.INVALID, "an order needs at least one line")
    monies: Sequence = [m for line in order.lines for m in (line.unit_price, line.subtotal, line.discount,
                                                            line.tax, line.total)]
    if any(money.currency != order.currency for money in monies):
        raise OrderError(OrderErrorCode.INVALID, f"every amount of the order must be in {order.currency}")
    if min(order.subtotal, order.discount_total, order.shipping, order.tax, order.total) < 0:
        raise OrderError(OrderErrorCode.INVALID, "order amounts cannot be negative")
