"""Customers: profiles made by orders and sign-ins, marketing consent with its history, saved addresses,
and the privacy requests (export, erase). Each service says whether it takes a `Database` (it runs its
own transaction) or the `Connection` of the caller's write (it joins it)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from shared.checkout.addresses import normalize_shipping_address
from shared.checkout.errors import AddressError
from shared.customers.errors import CustomerError, CustomerErrorCode
from shared.customers.models import ConsentSource, Customer, CustomerPage, SavedAddress
from shared.db import Connection, Database
from shared.db.repositories import customers as repo
from shared.db.repositories import orders as orders_repo
from shared.orders.filters import OrderFilters, check_filters
from shared.db.stamps import new_id, utc_now
from shared.mail.errors import MailError
from shared.mail.message import check_address
from shared.storefront.errors import FieldError, StoreError, StoreErrorCode
from shared.storefront.validation import email_problem
from shared.webhooks import emit_event

MAX_PAGE = 100
MAX_ADDRESSES = 20
ORDERS_SHOWN = 100          # orders in a customer's detail and export: the newest


def clean_email(email: Any) -> str:
    """An e-mail address trimmed; raises CustomerError(INVALID) for anything that is not one. The rule is
    the mail's own (shared/mail check_address), which the checkout also applies: every e-mail an order
    was placed with is accepted here, and every accepted one can be sent a code."""
    try:
        return check_address(email, "email")
    except MailError:
        problem = "must be an e-mail address such as hello@example.com"
        raise CustomerError(CustomerErrorCode.INVALID, f"email {problem}", fields={"email": problem}) from None


def subscribe(db: Database, *, email: str) -> bool:
    """Subscribe an address to the store's newsletter (consent recorded with source 'newsletter_form');
    True when it is new. Raises StoreError(INVALID)."""
    email = (email or "").strip()
    problem = email_problem(email)
    if problem:
        raise StoreError(StoreErrorCode.INVALID, f"email {problem}", (FieldError("email", problem),))

    def write(conn: Connection) -> bool:
        customer_id = new_id()
        created = repo.subscribe(conn, customer_id=customer_id, email=email, created_at=utc_now(), event_id=new_id(),
                                 source=ConsentSource.NEWSLETTER_FORM)
        if created:
            _emit_created(conn, customer_id)
        return created

    return db.write(write)


def customer_for_order(conn: Connection, *, email: str, name: str = "", now: str | None = None,
                       accepts_marketing: bool | None = None) -> str:
    """The id of the customer of an order's e-mail, made when new (inside finalize's write: the customer
    exists exactly when the order does; `customer.created` is emitted in the same write). Fills an empty
    name; `accepts_marketing` (the checkout's box, when it has one) is recorded with source 'checkout'.
    Raises CustomerError(INVALID) for a malformed e-mail."""
    email = clean_email(email)
    stamp = now or utc_now()
    customer_id = repo.customer_id_by_email(conn, email)
    if customer_id is None:
        customer_id = new_id()
        repo.insert_customer(conn, customer_id=customer_id, email=email, name=(name or "").strip()[:200], now=stamp)
        _emit_created(conn, customer_id)
    elif name and name.strip():
        repo.fill_name(conn, customer_id, name=name.strip()[:200], now=stamp)
    if accepts_marketing is not None:
        repo.set_consent(conn, event_id=new_id(), customer_id=customer_id, consented=accepts_marketing,
                         source=ConsentSource.CHECKOUT, now=stamp)
    return customer_id


def ensure_customer(conn: Connection, *, email: str, now: str) -> tuple[str, bool]:
    """(id, made now) of the customer with this e-mail, inside the caller's write (a verified sign-in)."""
    customer_id = repo.customer_id_by_email(conn, email)
    if customer_id is not None:
        return customer_id, False
    customer_id = new_id()
    repo.insert_customer(conn, customer_id=customer_id, email=email, name="", now=now)
    _emit_created(conn, customer_id)
    return customer_id, True


def _emit_created(conn: Connection, customer_id: str) -> None:
    customer = repo.get_customer(conn, customer_id)
    assert customer is not None
    emit_event(conn, event_type="customer.created", data=customer.to_json(),
               dedupe_key=f"customer:{customer_id}:created")


def get_customer(db: Database, customer_id: str) -> Customer:
    """One customer with order count and amount spent. Raises CustomerError(NOT_FOUND)."""
    found = db.read(lambda conn: _customer(conn, customer_id))
    return found


def _customer(conn: Connection, customer_id: str) -> Customer:
    if not isinstance(customer_id, str) or not 0 < len(customer_id) <= 64:
        raise CustomerError(CustomerErrorCode.NOT_FOUND, "no such customer")
    customer = repo.get_customer(conn, customer_id)
    if customer is None:
        raise CustomerError(CustomerErrorCode.NOT_FOUND, f"no such customer: {customer_id}")
    return customer


def list_customers(db: Database, *, query: str | None = None, before: str | None = None,
                   limit: int = 50) -> CustomerPage:
    """Customers newest first, `limit` (1..100) at a time after the cursor `before` (the previous page's
    `next_before`), optionally those whose e-mail or name contains `query`. Raises CustomerError(INVALID)."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_PAGE:
        raise CustomerError(CustomerErrorCode.INVALID, f"limit must be 1 to {MAX_PAGE}")
    cursor = None
    if before:
        created, _, last_id = before.partition("~")
        if not created or not last_id or len(before) > 120:
            raise CustomerError(CustomerErrorCode.INVALID, "before must be the nextBefore of the previous page")
        cursor = (created, last_id)
    text = (query or "").strip()[:100] or None
    rows = db.read(lambda conn: repo.list_customers(conn, query=text, before=cursor, limit=limit + 1))
    page = tuple(rows[:limit])
    more = len(rows) > limit
    return CustomerPage(page, f"{page[-1].created_at}~{page[-1].id}" if more else None)


def customer_detail(db: Database, customer_id: str) -> dict[str, Any]:
    """The admin API's detail: the customer, their addresses, their orders (summaries, newest first)
    and their consent history. Raises CustomerError(NOT_FOUND)."""
    def read(conn: Connection) -> dict[str, Any]:
        customer = _customer(conn, customer_id)
        orders = _orders_of(conn, customer.email, before=None, limit=ORDERS_SHOWN)
        return {**customer.to_json(), "addresses": [a.to_json() for a in repo.list_addresses(conn, customer.id)],
                "orders": [o.to_json(detail=False) for o in orders],
                "consentHistory": [e.to_json() for e in repo.consent_history(conn, customer.id)]}

    return db.read(read)


def export_customer(db: Database, customer_id: str) -> dict[str, Any]:
    """"Download my data": the profile, saved addresses, every order with its lines, addresses and
    timeline, and the consent history, as one JSON object. Raises CustomerError(NOT_FOUND)."""
    def read(conn: Connection) -> dict[str, Any]:
        customer = _customer(conn, customer_id)
        orders, before = [], None
        while True:         # every order, a page at a time
            page = _orders_of(conn, customer.email, before=before, limit=MAX_PAGE)
            for summary in page:
                full = orders_repo.get_order(conn, summary.id)
                orders.append(full.to_json() if full else summary.to_json())
            if len(page) < MAX_PAGE:
                break
            before = page[-1].number
        profile = {k: v for k, v in customer.to_json().items() if k not in ("ordersCount", "totalSpent")}
        return {"exportedAt": datetime.now(UTC).isoformat(timespec="seconds"), "profile": profile,
                "addresses": [a.to_json() for a in repo.list_addresses(conn, customer.id)], "orders": orders,
                "consentHistory": [e.to_json() for e in repo.consent_history(conn, customer.id)]}

    return db.read(read)


def erase_customer(db: Database, customer_id: str) -> int:
    """"Delete my account": the profile, addresses, consent history, sessions and sign-in codes are
    deleted; the orders stay for accounting with the e-mail, name and street address replaced (country
    and region are kept for tax records); e-mails about them keep only their delivery status. Returns
    how many orders were kept. Raises CustomerError(NOT_FOUND). What stays and why: docs/accounts.md."""
    def write(conn: Connection) -> int:
        customer = _customer(conn, customer_id)
        return repo.erase_customer(conn, customer_id=customer.id, email=customer.email)

    return db.write(write)


def set_marketing_consent(db: Database, customer_id: str, *, consented: bool, source: str) -> bool:
    """Give or withdraw marketing consent, recorded with time and `source` (ConsentSource); True when
    it changed. Raises CustomerError(NOT_FOUND)."""
    def write(conn: Connection) -> bool:
        _customer(conn, customer_id)
        return repo.set_consent(conn, event_id=new_id(), customer_id=customer_id, consented=bool(consented),
                                source=str(source)[:40], now=utc_now())

    return db.write(write)


def record_consent(conn: Connection, *, email: str, consented: bool, source: str, now: str | None = None) -> bool:
    """Give or withdraw marketing consent by e-mail inside the caller's write (the checkout's box, an
    unsubscribe link): consenting makes the customer when new, withdrawing for an unknown e-mail records
    nothing. True when something changed. Raises CustomerError(INVALID) for a malformed e-mail."""
    email = clean_email(email)
    stamp = now or utc_now()
    customer_id = repo.customer_id_by_email(conn, email)
    if customer_id is None:
        if not consented:
            return False
        customer_id, _ = ensure_customer(conn, email=email, now=stamp)
    return repo.set_consent(conn, event_id=new_id(), customer_id=customer_id, consented=bool(consented),
                            source=str(source)[:40], now=stamp)


def consent_history(db: Database, customer_id: str) -> list:
    """The customer's consent changes, oldest first (ConsentEvent)."""
    return db.read(lambda conn: repo.consent_history(conn, customer_id))


# --- saved addresses ------------------------------------------------------------------------------------

def saved_addresses(conn: Connection, customer_id: str) -> list[SavedAddress]:
    """The customer's saved addresses, the default first (for the checkout to prefill its form)."""
    return repo.list_addresses(conn, customer_id)


def add_address(db: Database, customer_id: str, *, address: dict[str, Any], make_default: bool = False) -> SavedAddress:
    """Save an address, checked and normalised by the checkout's rules (the first one is the default).
    Raises CustomerError(INVALID) with `fields` for a wrong address, (NOT_FOUND)."""
    try:
        normalized = normalize_shipping_address({k: v for k, v in address.items() if v not in (None, "")})
    except AddressError as exc:
        raise CustomerError(CustomerErrorCode.INVALID, "the address is not complete or not valid",
                            fields=dict(exc.errors)) from None
    values = {k: v for k, v in asdict(normalized).items() if v}
    if not values.get("name"):
        raise CustomerError(CustomerErrorCode.INVALID, "the address needs a name", fields={"name": "Enter a name."})

    def write(conn: Connection) -> SavedAddress:
        _customer(conn, customer_id)
        count = repo.count_addresses(conn, customer_id)
        if count >= MAX_ADDRESSES:
            raise CustomerError(CustomerErrorCode.INVALID, f"an account keeps at most {MAX_ADDRESSES} addresses")
        address_id, now = new_id(), utc_now()
        repo.insert_address(conn, address_id=address_id, customer_id=customer_id, address=values,
                            is_default=count == 0, now=now)
        if make_default:
            repo.set_default_address(conn, address_id=address_id, customer_id=customer_id)
        return SavedAddress(address_id, values, count == 0 or make_default, now)

    return db.write(write)


def remove_address(db: Database, customer_id: str, address_id: str) -> None:
    """Delete one of the customer's addresses. Raises CustomerError(NOT_FOUND) for another's or none."""
    if not db.write(lambda conn: repo.delete_address(conn, address_id=str(address_id)[:64], customer_id=customer_id)):
        raise CustomerError(CustomerErrorCode.NOT_FOUND, "no such address")


def make_default_address(db: Database, customer_id: str, address_id: str) -> None:
    """Make one of the customer's addresses the default. Raises CustomerError(NOT_FOUND)."""
    if not db.write(lambda conn: repo.set_default_address(conn, address_id=str(address_id)[:64],
                                                          customer_id=customer_id)):
        raise CustomerError(CustomerErrorCode.NOT_FOUND, "no such address")


def _orders_of(conn: Connection, email: str, *, before: int | None, limit: int) -> list[Any]:
    """A page of the orders placed with `email` (any case), newest first, below order `before`."""
    query = check_filters(OrderFilters(email=email, before=before, limit=limit))
    return orders_repo.list_orders(conn, query, limit=limit)
