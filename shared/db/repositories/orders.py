"""Orders, their lines and timeline, and the checkout attempts that make them. Every write function
takes the connection of a `db.write(fn)` transaction (BEGIN IMMEDIATE): the order number and the
"is there an order for this payment already?" check are read and written with no other writer between."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared.db.database import Connection
from shared.models.money import Money
from shared.orders.filters import OrderListQuery, OrderSearch, SearchKind
from shared.orders.models import (FIRST_NUMBER, FulfillmentStatus, NewOrder, Order, OrderEvent, OrderLine,
                                  PaymentStatus, PickupStatus)

_ORDER_COLS = ("id, number, email, currency, subtotal_amount, discount_amount, shipping_amount, tax_amount, "
               "total_amount, payment_status, fulfillment_status, payment_provider, status_token, delivery, "
               "created_at, updated_at, attempt_id, payment_intent_id, customer_name, shipping_address, "
               "billing_address, discounts, needs_attention")
# What a read takes besides the inserted columns: the lifecycle's own state (migration 0019), so that
# a list row says "ready for pickup" or "cancelled" like the detail does.
_READ_COLS = _ORDER_COLS + ", pickup_status, cancelled_at, cancel_reason, captured_amount, oversold_at"
_LINE_COLS = ("title, variant_title, sku, unit_amount, quantity, subtotal_amount, discount_amount, tax_amount, "
              "total_amount, variant_id, product_id")


def next_order_number(conn: Connection) -> int:
    """The next number (#1001 first): read inside the write that inserts the order, so concurrent
    checkouts, serialised by BEGIN IMMEDIATE, never share a number or leave a gap."""
    return int(conn.scalar("SELECT COALESCE(MAX(number) + 1, ?) FROM orders", (FIRST_NUMBER,)))


def insert_order(conn: Connection, *, order_id: str, number: int, token: str, order: NewOrder, now: str) -> None:
    """Insert an order, its lines and its first events."""
    conn.execute(
        f"INSERT INTO orders ({_ORDER_COLS}, status) VALUES ({', '.join('?' * 23)}, ?)",
        (order_id, number, order.email, order.currency, order.subtotal, order.discount_total, order.shipping,
         order.tax, order.total, str(order.payment_status), str(order.fulfillment_status), order.payment_provider,
         token, _dump(order.delivery), now, now, order.attempt_id, order.payment_intent_id, order.customer_name,
         _dump(order.shipping_address), _dump(order.billing_address), _dump(list(order.discounts)),
         int(order.needs_attention), "paid" if order.payment_status is PaymentStatus.PAID else "open"))
    conn.executemany(
        f"INSERT INTO order_lines (id, order_id, position, {_LINE_COLS}) VALUES (?, ?, ?, {', '.join('?' * 11)})",
        [(f"{order_id}:{index}", order_id, index, line.title, line.variant_title, line.sku, line.unit_price.amount,
          line.quantity, line.subtotal.amount, line.discount.amount, line.tax.amount, line.total.amount,
          line.variant_id, line.product_id) for index, line in enumerate(order.lines)])


def insert_event(conn: Connection, *, event_id: str, order_id: str, event: OrderEvent) -> None:
    """Add an entry to an order's timeline."""
    conn.execute("INSERT INTO order_events (id, order_id, at, kind, message, actor) VALUES (?, ?, ?, ?, ?, ?)",
                 (event_id, order_id, event.at, event.kind, event.message, event.actor))


def order_id_where(conn: Connection, *, column: str, value: Any) -> str | None:
    """The id of the order whose `column` (id, number, status_token, payment_intent_id, attempt_id)
    equals `value`."""
    if column not in ("id", "number", "status_token", "payment_intent_id", "attempt_id"):
        raise ValueError(f"orders cannot be found by {column}")
    return conn.scalar(f"SELECT id FROM orders WHERE {column} = ?", (value,))


def get_order(conn: Connection, order_id: str, *, detail: bool = True) -> Order | None:
    """An order with its lines and timeline (detail), or None."""
    row = conn.one(f"SELECT {_READ_COLS} FROM orders WHERE id = ?", (order_id,))
    return None if row is None else _order(conn, row, detail=detail)


# --- the merchant's order list and search (migration 0022: an index for each way of narrowing it) ------

# The indexed expressions, spelled here as the migration spells them (SQLite matches them as text).
DELIVERY_METHOD = "json_extract(delivery, '$.method')"
NAME_WORDS = ("lower(customer_name)",                                   # the whole name: its first word
              "lower(substr(customer_name, instr(customer_name, ' ') + 1))",      # from its second word
              "lower(substr(customer_name, length(rtrim(customer_name, replace(customer_name, ' ', ''))) + 1))")
_PAST_PREFIX = "\U0010ffff"         # sorts after anything a prefix can be followed by: prefix <= x < prefix + this
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")   # SQLite's lower()


class ListPlan(StrEnum):
    """Which index reads a page of the order list (SQLite takes one per table: the statement marks
    the terms of the others with a unary `+`, so that the cheaper way is the one taken)."""

    NEWEST = "newest"      # down the numbers from the cursor (or an equality filter's (value, number) index,
                           # which keeps that order), stopping when the page is full
    DATES = "dates"        # every order of the date range, through created_at, then sorted
    SEARCH = "search"      # every match of the search or e-mail, through its index ranges, then sorted


def list_orders(conn: Connection, query: OrderListQuery, *, limit: int) -> list[Order]:
    """Up to `limit` orders of the query, newest first (by number), without lines or timeline."""
    sql, params = order_list_sql(conn, query, limit=limit)
    return [_order(conn, row, detail=False) for row in conn.all(sql, params)]


def order_list_sql(conn: Connection, query: OrderListQuery, *, limit: int,
                   columns: str = _READ_COLS) -> tuple[str, list[Any]]:
    """The statement `list_orders` runs (and the benchmark's plain SQL peer), for the plan that reads
    the fewest orders (`list_plan`)."""
    plan = list_plan(conn, query, limit=limit)
    walk, dates = ("" if plan is ListPlan.NEWEST else "+"), ("" if plan is ListPlan.DATES else "+")
    where: list[str] = []
    params: list[Any] = []
    for term, value in ((f"{walk}payment_status = ?", query.payment_status),
                        (f"{walk}fulfillment_status = ?", query.fulfillment_status),
                        (f"{walk}{DELIVERY_METHOD} = ?", query.delivery),
                        (f"{dates}created_at >= ?", query.created_from),
                        (f"{dates}created_at < ?", query.created_before),
                        ("email = ? COLLATE NOCASE", query.email),
                        ("number < ?", query.before)):
        if value is not None:
            where.append(term)
            params.append(value)
    if query.search is not None:
        term, values = _search_term(query.search, indexed=plan is ListPlan.SEARCH)
        where.append(term)
        params += values
    sql = (f"SELECT {columns} FROM orders{' WHERE ' + ' AND '.join(where) if where else ''} "
           "ORDER BY number DESC LIMIT ?")
    return sql, [*params, limit]


def list_plan(conn: Connection, query: OrderListQuery, *, limit: int) -> ListPlan:
    """How a page is read: an exact e-mail, a number or an e-mail search through their index; a word
    search through its index ranges when it matches few orders, else down from the newest (its
    matches are then dense: a page is found within `limit * orders / cap` orders); a date range by
    created_at when that reads fewer orders than walking down to it; otherwise from the newest."""
    if query.email is not None or query.search is not None and query.search.kind is not SearchKind.TEXT:
        return ListPlan.SEARCH
    if query.search is None and query.created_from is None and query.created_before is None:
        return ListPlan.NEWEST          # no statement spent choosing (each is a round trip to a server)
    bounds = _number_bounds(conn)
    if bounds is None:
        return ListPlan.NEWEST
    if query.search is not None:
        # sqrt(limit x orders) balances the worst of both: gathering almost `cap` matches and sorting
        # them, or walking down past orders that do not match until the page is full.
        cap = max(500, math.isqrt(limit * (bounds[1] - bounds[0] + 1)))
        term, params = _search_term(query.search, indexed=True)
        found = conn.scalar(f"SELECT count(*) FROM (SELECT 1 FROM orders WHERE {term} LIMIT ?)", [*params, cap])
        return ListPlan.SEARCH if found < cap else ListPlan.NEWEST
    return ListPlan.DATES if _date_range_first(conn, query, bounds, limit) else ListPlan.NEWEST


def _search_term(search: OrderSearch, *, indexed: bool) -> tuple[str, list[Any]]:
    """The WHERE term of a search: a number is that order; an e-mail (or its start) a range of the
    e-mail index; other text a range of each name-word index or of the e-mail index (`indexed`
    False: the same test, by no index)."""
    if search.kind is SearchKind.NUMBER:
        return "number = ?", [search.number]
    plus = "" if indexed else "+"
    email = f"({plus}email >= ? COLLATE NOCASE AND {plus}email < ? COLLATE NOCASE)"
    if search.kind is SearchKind.EMAIL:
        return email, [search.text, search.text + _PAST_PREFIX]
    text = search.text.translate(_ASCII_LOWER)
    names = [f"({plus}{word} >= ? AND {plus}{word} < ?)" for word in NAME_WORDS]
    return f"({' OR '.join([*names, email])})", [*[text, text + _PAST_PREFIX] * len(names),
                                                   search.text, search.text + _PAST_PREFIX]


def _number_bounds(conn: Connection) -> tuple[int, int] | None:
    """The oldest and newest order numbers (None: no orders); two statements, as SQLite answers a lone
    min() or max() from the index but both at once by reading every order."""
    oldest = conn.scalar("SELECT min(number) FROM orders")
    return None if oldest is None else (oldest, conn.scalar("SELECT max(number) FROM orders"))


def _date_range_first(conn: Connection, query: OrderListQuery, bounds: tuple[int, int], limit: int) -> bool:
    """Whether a page of a date range reads fewer orders through created_at (every order of the range)
    than down the numbers from the cursor (until the page is full, or down to the oldest order when the
    range cannot fill it). Numbers and creation stamps rise together (both are taken in the order's
    write), closely enough to count orders with index look-ups; the statement still checks created_at."""
    oldest, newest = bounds
    top = min(query.before, newest + 1) if query.before is not None else newest + 1
    end = (_first_number_from(conn, query.created_before) if query.created_before else None) or newest + 1
    start = (_first_number_from(conn, query.created_from) or end) if query.created_from else oldest
    left = max(0, min(top, end) - start)                  # orders of the range below the cursor
    walk = max(0, top - end) + (limit if left > limit else left + start - oldest)
    return max(0, end - start) <= walk


def _first_number_from(conn: Connection, stamp: str) -> int | None:
    """The number of the first order created at or after `stamp` (None: none was)."""
    return conn.scalar("SELECT number FROM orders WHERE created_at >= ? ORDER BY created_at LIMIT 1", (stamp,))


def _order(conn: Connection, row: tuple, *, detail: bool) -> Order:
    (order_id, number, email, currency, subtotal, discount, shipping, tax, total, payment_status,
     fulfillment_status, provider, token, delivery, created_at, updated_at, attempt_id, intent_id, name,
     shipping_address, billing_address, discounts, attention, pickup_status, cancelled_at, cancel_reason,
     captured, oversold_at) = row
    money = lambda amount: Money(amount, currency)  # noqa: E731 - one currency per order
    lines: tuple[OrderLine, ...] = ()
    events: tuple[OrderEvent, ...] = ()
    if detail:
        lines = tuple(
            OrderLine(title=r[0], variant_title=r[1], sku=r[2], unit_price=money(r[3]), quantity=r[4],
                      subtotal=money(r[5]), discount=money(r[6]), tax=money(r[7]), total=money(r[8]),
                      variant_id=r[9], product_id=r[10])
            for r in conn.all(f"SELECT {_LINE_COLS} FROM order_lines WHERE order_id = ? ORDER BY position",
                              (order_id,)))
        events = tuple(OrderEvent(*r) for r in conn.all(
            "SELECT at, kind, message, actor FROM order_events WHERE order_id = ? ORDER BY at, rowid", (order_id,)))
    return Order(id=order_id, number=number, email=email, currency=currency, subtotal=money(subtotal),
                 discount_total=money(discount), shipping=money(shipping), tax=money(tax), total=money(total),
                 payment_status=PaymentStatus(payment_status), fulfillment_status=FulfillmentStatus(fulfillment_status),
                 payment_provider=provider, status_token=token, delivery=json.loads(delivery), created_at=created_at,
                 updated_at=updated_at, attempt_id=attempt_id, payment_intent_id=intent_id, customer_name=name,
                 shipping_address=json.loads(shipping_address), billing_address=json.loads(billing_address),
                 discounts=tuple(json.loads(discounts)), needs_attention=bool(attention), lines=lines, events=events,
                 pickup_status=PickupStatus(pickup_status), cancelled_at=cancelled_at, cancel_reason=cancel_reason,
                 captured_amount=captured, oversold_at=oversold_at)


# --- checkout attempts ----------------------------------------------------------------------------

@dataclass(frozen=True)
class AttemptRow:
    """A stored checkout attempt (shared/checkout/workflow.py)."""

    id: str
    status: str
    request: dict[str, Any]
    quote: dict[str, Any]
    hold_group: str
    payment_method: str
    payment_intent_id: str | None
    order_id: str | None
    error: str
    created_at: str
    updated_at: str


_ATTEMPT_COLS = ("id, status, request, quote, hold_group, payment_method, payment_intent_id, order_id, error, "
                 "created_at, updated_at")


def insert_attempt(conn: Connection, attempt: AttemptRow) -> None:
    """Record a new checkout attempt."""
    conn.execute(f"INSERT INTO checkout_attempts ({_ATTEMPT_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (attempt.id, attempt.status, _dump(attempt.request), _dump(attempt.quote), attempt.hold_group,
                  attempt.payment_method, attempt.payment_intent_id, attempt.order_id, attempt.error,
                  attempt.created_at, attempt.updated_at))


def get_attempt(conn: Connection, *, attempt_id: str | None = None, intent_id: str | None = None) -> AttemptRow | None:
    """An attempt by its id or by its PaymentIntent."""
    column, value = ("id", attempt_id) if attempt_id is not None else ("payment_intent_id", intent_id)
    row = conn.one(f"SELECT {_ATTEMPT_COLS} FROM checkout_attempts WHERE {column} = ?", (value,))
    if row is None:
        return None
    values = list(row)
    values[2], values[3] = json.loads(values[2]), json.loads(values[3])
    return AttemptRow(*values)


def update_attempt(conn: Connection, attempt_id: str, *, now: str, status: str | None = None,
                   payment_intent_id: str | None = None, order_id: str | None = None, error: str | None = None) -> None:
    """Change an attempt's status, payment, order or error (None leaves a field as it is)."""
    conn.execute("UPDATE checkout_attempts SET status = COALESCE(?, status), "
                 "payment_intent_id = COALESCE(payment_intent_id, ?), order_id = COALESCE(order_id, ?), "
                 "error = COALESCE(?, error), updated_at = ? WHERE id = ?",
                 (status, payment_intent_id, order_id, error, now, attempt_id))


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


# --- what a checkout reads ------------------------------------------------------------------------

@dataclass(frozen=True)
class VariantSnapshot:
    """A variant as a checkout prices and records it (prices from the database, never the shopper)."""

    variant_id: str
    product_id: str
    product_title: str
    variant_title: str
    sku: str
    price: int
    currency: str
    product_status: str
    collection_ids: tuple[str, ...]


def variant_snapshots(conn: Connection, variant_ids: list[str]) -> dict[str, VariantSnapshot]:
    """variant id -> its snapshot, for the ids that exist."""
    out: dict[str, VariantSnapshot] = {}
    for start in range(0, len(variant_ids), 500):
        chunk = variant_ids[start:start + 500]
        rows = conn.all(
            "SELECT v.id, v.product_id, p.title, v.title, v.sku, v.price_amount, v.currency, p.status, "
            "(SELECT json_group_array(collection_id) FROM collection_products cp WHERE cp.product_id = p.id) "
            f"FROM variants v JOIN products p ON p.id = v.product_id WHERE v.id IN ({', '.join('?' * len(chunk))})",
            chunk)
        for row in rows:
            out[row[0]] = VariantSnapshot(*row[:8], tuple(json.loads(row[8] or "[]")))
    return out


def discount_usage(conn: Connection, *, email: str) -> tuple[dict[str, int], set[str]]:
    """(orders per discount id, discount ids this e-mail already used), from the orders' discounts."""
    rows = conn.all("SELECT json_extract(d.value, '$.id'), count(*), "
                    "sum(CASE WHEN o.email = ? COLLATE NOCASE THEN 1 ELSE 0 END) "
                    "FROM orders o, json_each(o.discounts) d GROUP BY 1", (email,))
    return {r[0]: r[1] for r in rows if r[0]}, {r[0] for r in rows if r[0] and r[2]}


def attempt_key_for_intent(conn: Connection, intent_id: str) -> str | None:
    """The order attempt the payments layer recorded a PaymentIntent for (payment_attempts)."""
    return conn.scalar("SELECT attempt_key FROM payment_attempts WHERE intent_id = ?", (intent_id,))
