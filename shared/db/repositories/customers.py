"""Customers of a store: profiles, consent history, saved addresses, sign-in codes and sessions, the
carts their accounts own, and the erasure of a customer's personal data (shared/customers). A customer's
orders are the orders placed with their e-mail (case-insensitive)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from shared.customers.models import ConsentEvent, Customer, SavedAddress
from shared.db.database import Connection
from shared.models.money import Money

_COLS = "id, email, name, phone, accepts_marketing, created_at, updated_at, verified_at"
# What counts as spent: orders whose money is in (refunds are the lifecycle's; partly refunded orders
# count their total until it records refunded amounts).
_SPENT = "('paid', 'partially_refunded')"


def _customer(row: tuple, count: int = 0, spent: Money | None = None) -> Customer:
    return Customer(id=row[0], email=row[1], name=row[2], phone=row[3], accepts_marketing=bool(row[4]),
                    created_at=row[5], updated_at=row[6], verified_at=row[7], orders_count=count, total_spent=spent)


# --- profiles -------------------------------------------------------------------------------------------

def customer_id_by_email(conn: Connection, email: str) -> str | None:
    """The id of the customer with this e-mail (case-insensitive), or None."""
    return conn.scalar("SELECT id FROM customers WHERE email = ?", (email,))


def insert_customer(conn: Connection, *, customer_id: str, email: str, name: str, now: str,
                    accepts_marketing: bool = False, verified_at: str | None = None) -> None:
    """Create a customer."""
    conn.execute("INSERT INTO customers (id, email, name, accepts_marketing, created_at, updated_at, verified_at) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (customer_id, email, name, int(accepts_marketing), now, now, verified_at))


def fill_name(conn: Connection, customer_id: str, *, name: str, now: str) -> None:
    """Set the customer's name when they have none yet (an order's name never overwrites one)."""
    conn.execute("UPDATE customers SET name = ?, updated_at = ? WHERE id = ? AND name = ''", (name, now, customer_id))


def mark_verified(conn: Connection, customer_id: str, *, now: str) -> None:
    """Record the first sign-in with a code (the e-mail is proven)."""
    conn.execute("UPDATE customers SET verified_at = COALESCE(verified_at, ?), updated_at = ? WHERE id = ?",
                 (now, now, customer_id))


def get_customer(conn: Connection, customer_id: str) -> Customer | None:
    """A customer with their order count and amount spent, or None."""
    row = conn.one(f"SELECT {_COLS} FROM customers WHERE id = ?", (customer_id,))
    if row is None:
        return None
    return _with_totals(conn, [row])[0]


def list_customers(conn: Connection, *, query: str | None, before: tuple[str, str] | None,
                   limit: int) -> list[Customer]:
    """Customers newest first ((created_at, id) below `before`), optionally those whose e-mail or name
    contains `query`; with order counts and amounts spent."""
    where, params = ["1 = 1"], []
    if query:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append("(email LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\')")
        params += [pattern, pattern]
    if before is not None:
        where.append("(created_at < ? OR (created_at = ? AND id < ?))")
        params += [before[0], before[0], before[1]]
    rows = conn.all(f"SELECT {_COLS} FROM customers WHERE {' AND '.join(where)} "
                    "ORDER BY created_at DESC, id DESC LIMIT ?", (*params, limit))
    return _with_totals(conn, rows)


def _with_totals(conn: Connection, rows: list[tuple]) -> list[Customer]:
    """Customers with their orders' count and the paid total in the store's currency (orders_by_email_nocase
    makes it one index range per customer)."""
    currency = conn.scalar("SELECT currency FROM storefront LIMIT 1") or "USD"
    out = []
    for row in rows:
        count, spent = conn.one(
            f"SELECT count(*), COALESCE(sum(CASE WHEN payment_status IN {_SPENT} AND currency = ? "
            "THEN total_amount ELSE 0 END), 0) FROM orders WHERE email = ? COLLATE NOCASE", (currency, row[1]))
        out.append(_customer(row, int(count), Money(int(spent), currency)))
    return out


# --- marketing consent ------------------------------------------------------------------------------------

def set_consent(conn: Connection, *, event_id: str, customer_id: str, consented: bool, source: str,
                now: str) -> bool:
    """Record a consent change (True) or nothing when it is already so (False)."""
    current = conn.scalar("SELECT accepts_marketing FROM customers WHERE id = ?", (customer_id,))
    if current is None or bool(current) == consented:
        return False
    conn.execute("UPDATE customers SET accepts_marketing = ?, updated_at = ? WHERE id = ?",
                 (int(consented), now, customer_id))
    insert_consent_event(conn, event_id=event_id, customer_id=customer_id, consented=consented, source=source, now=now)
    return True


def insert_consent_event(conn: Connection, *, event_id: str, customer_id: str, consented: bool, source: str,
                         now: str) -> None:
    """Append one entry to the consent history."""
    conn.execute("INSERT INTO customer_consent_events (id, customer_id, consented, source, at) VALUES (?, ?, ?, ?, ?)",
                 (event_id, customer_id, int(consented), source, now))


def consent_history(conn: Connection, customer_id: str) -> list[ConsentEvent]:
    """The consent history, oldest first."""
    return [ConsentEvent(bool(r[0]), r[1], r[2]) for r in conn.all(
        "SELECT consented, source, at FROM customer_consent_events WHERE customer_id = ? ORDER BY at, rowid",
        (customer_id,))]


def subscribe(conn: Connection, *, customer_id: str, email: str, created_at: str, event_id: str = "",
              source: str = "newsletter_form") -> bool:
    """Mark the customer with this e-mail as accepting marketing (creating them); True when new. The
    change goes into the consent history when `event_id` is given."""
    existing = conn.scalar("SELECT id FROM customers WHERE email = ?", (email,))
    if existing is not None:
        if event_id:
            set_consent(conn, event_id=event_id, customer_id=existing, consented=True, source=source, now=created_at)
        else:
            conn.execute("UPDATE customers SET accepts_marketing = 1 WHERE id = ?", (existing,))
        return False
    conn.execute("INSERT INTO customers (id, email, accepts_marketing, created_at, updated_at) VALUES (?, ?, 1, ?, ?)",
                 (customer_id, email, created_at, created_at))
    if event_id:
        insert_consent_event(conn, event_id=event_id, customer_id=customer_id, consented=True, source=source,
                             now=created_at)
    return True


# --- saved addresses --------------------------------------------------------------------------------------

def list_addresses(conn: Connection, customer_id: str) -> list[SavedAddress]:
    """The customer's addresses, the default first, then oldest first."""
    return [SavedAddress(r[0], json.loads(r[1]), bool(r[2]), r[3]) for r in conn.all(
        "SELECT id, address, is_default, created_at FROM customer_addresses WHERE customer_id = ? "
        "ORDER BY is_default DESC, created_at, id", (customer_id,))]


def count_addresses(conn: Connection, customer_id: str) -> int:
    """How many addresses the customer saved."""
    return int(conn.scalar("SELECT count(*) FROM customer_addresses WHERE customer_id = ?", (customer_id,)))


def insert_address(conn: Connection, *, address_id: str, customer_id: str, address: dict[str, str],
                   is_default: bool, now: str) -> None:
    """Save an address."""
    conn.execute("INSERT INTO customer_addresses (id, customer_id, address, is_default, created_at) "
                 "VALUES (?, ?, ?, ?, ?)",
                 (address_id, customer_id, json.dumps(address, sort_keys=True), int(is_default), now))


def delete_address(conn: Connection, *, address_id: str, customer_id: str) -> bool:
    """Remove one of the customer's addresses (another's id removes nothing); True when removed. The
    oldest left becomes the default when the default went."""
    cursor = conn.execute("DELETE FROM customer_addresses WHERE id = ? AND customer_id = ?", (address_id, customer_id))
    if not cursor.rowcount:
        return False
    conn.execute("UPDATE customer_addresses SET is_default = 1 WHERE id = (SELECT id FROM customer_addresses "
                 "WHERE customer_id = ? ORDER BY created_at, id LIMIT 1) AND NOT EXISTS (SELECT 1 FROM "
                 "customer_addresses WHERE customer_id = ? AND is_default = 1)", (customer_id, customer_id))
    return True


def set_default_address(conn: Connection, *, address_id: str, customer_id: str) -> bool:
    """Make one of the customer's addresses the default; False when it is not theirs."""
    if conn.scalar("SELECT 1 FROM customer_addresses WHERE id = ? AND customer_id = ?",
                   (address_id, customer_id)) is None:
        return False
    conn.execute("UPDATE customer_addresses SET is_default = (id = ?) WHERE customer_id = ?", (address_id, customer_id))
    return True


# --- sign-in codes ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CodeRow:
    """A stored sign-in code (the code itself only as an HMAC)."""

    id: str
    email: str
    salt: str
    code_hash: str
    attempts: int
    expires_at: str
    used_at: str | None


def insert_code(conn: Connection, *, code_id: str, token_hash: str, email: str, client: str, salt: str,
                code_hash: str, now: str, expires_at: str) -> None:
    """Record a sign-in code."""
    conn.execute("INSERT INTO customer_login_codes (id, token_hash, email, client, salt, code_hash, created_at, "
                 "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 (code_id, token_hash, email, client, salt, code_hash, now, expires_at))


def codes_since(conn: Connection, *, since: str, email: str | None = None, client: str | None = None) -> int:
    """How many codes were asked for this e-mail (or from this client address) after `since`."""
    column, value = ("email", email) if email is not None else ("client", client)
    return int(conn.scalar(f"SELECT count(*) FROM customer_login_codes WHERE {column} = ? AND created_at > ?",
                           (value, since)))


def code_by_token(conn: Connection, token_hash: str) -> CodeRow | None:
    """The sign-in code of a pending sign-in's cookie, or None."""
    row = conn.one("SELECT id, email, salt, code_hash, attempts, expires_at, used_at FROM customer_login_codes "
                   "WHERE token_hash = ?", (token_hash,))
    return CodeRow(*row) if row else None


def spend_try(conn: Connection, code_id: str) -> None:
    """Count one try of a code."""
    conn.execute("UPDATE customer_login_codes SET attempts = attempts + 1 WHERE id = ?", (code_id,))


def use_code(conn: Connection, code_id: str, *, now: str) -> None:
    """Mark a code used (it never works again)."""
    conn.execute("UPDATE customer_login_codes SET used_at = ?, attempts = attempts + 1 WHERE id = ?", (now, code_id))


def delete_old_codes(conn: Connection, *, before: str, limit: int = 200) -> None:
    """Forget codes created before `before` (past their window: they count for nothing any more)."""
    conn.execute("DELETE FROM customer_login_codes WHERE id IN (SELECT id FROM customer_login_codes "
                 "WHERE created_at < ? LIMIT ?)", (before, limit))


# --- sessions ---------------------------------------------------------------------------------------------

def insert_session(conn: Connection, *, session_id: str, customer_id: str, token_hash: str, now: str,
                   expires_at: str) -> None:
    """Record a signed-in browser."""
    conn.execute("INSERT INTO customer_sessions (id, customer_id, token_hash, created_at, last_seen_at, expires_at) "
                 "VALUES (?, ?, ?, ?, ?, ?)", (session_id, customer_id, token_hash, now, now, expires_at))


def session_by_token(conn: Connection, token_hash: str, *, now: str) -> tuple[str, str, str] | None:
    """(session id, customer id, last seen) of a live session, or None."""
    return conn.one("SELECT id, customer_id, last_seen_at FROM customer_sessions WHERE token_hash = ? "
                    "AND expires_at > ?", (token_hash, now))


def touch_session(conn: Connection, session_id: str, *, now: str, expires_at: str) -> None:
    """Extend a session that was used."""
    conn.execute("UPDATE customer_sessions SET last_seen_at = ?, expires_at = ? WHERE id = ?",
                 (now, expires_at, session_id))


def delete_session(conn: Connection, token_hash: str) -> None:
    """End one session."""
    conn.execute("DELETE FROM customer_sessions WHERE token_hash = ?", (token_hash,))


def delete_sessions(conn: Connection, customer_id: str) -> int:
    """End every session of a customer; how many."""
    return int(conn.execute("DELETE FROM customer_sessions WHERE customer_id = ?", (customer_id,)).rowcount or 0)


def delete_expired_sessions(conn: Connection, *, now: str, limit: int = 200) -> None:
    """Forget a few expired sessions."""
    conn.execute("DELETE FROM customer_sessions WHERE id IN (SELECT id FROM customer_sessions WHERE expires_at <= ? "
                 "LIMIT ?)", (now, limit))


# --- the account's cart ---------------------------------------------------------------------------------

def customer_cart(conn: Connection, customer_id: str, *, idle_since: str) -> str | None:
    """The id of the customer's newest live cart, or None."""
    return conn.scalar("SELECT id FROM carts WHERE customer_id = ? AND updated_at > ? ORDER BY updated_at DESC "
                       "LIMIT 1", (customer_id, idle_since))


def cart_owner(conn: Connection, cart_id: str) -> tuple[str | None, str]:
    """(customer id or None, currency) of a cart."""
    row = conn.one("SELECT customer_id, currency FROM carts WHERE id = ?", (cart_id,))
    return (row[0], row[1]) if row else (None, "")


def own_cart(conn: Connection, cart_id: str, *, customer_id: str, now: str) -> None:
    """Make a cart the account's."""
    conn.execute("UPDATE carts SET customer_id = ?, updated_at = ? WHERE id = ?", (customer_id, now, cart_id))


def rekey_cart(conn: Connection, cart_id: str, *, token_hash: str, now: str) -> None:
    """Give a cart a new token (the old cookie no longer finds it)."""
    conn.execute("UPDATE carts SET token = ?, updated_at = ? WHERE id = ?", (token_hash, now, cart_id))


def delete_cart(conn: Connection, cart_id: str) -> None:
    """Delete a cart and its lines."""
    conn.execute("DELETE FROM carts WHERE id = ?", (cart_id,))


# --- erasure ------------------------------------------------------------------------------------------------

ERASED_EMAIL = "erased@erased.invalid"      # RFC 2606: .invalid never resolves, so nothing is ever sent


def erase_customer(conn: Connection, *, customer_id: str, email: str) -> int:
    """Delete the customer (their addresses, consent history and sessions go with the row), their sign-in
    codes, and replace the personal data of their orders, the checkout attempts that made them and the
    e-mails sent about them; how many orders were kept. What stays and why: docs/accounts.md."""
    orders = conn.all("SELECT id, email, customer_name, shipping_address, billing_address, attempt_id FROM orders "
                      "WHERE email = ? COLLATE NOCASE", (email,))
    for order_id, order_email, name, shipping, billing, attempt_id in orders:
        conn.execute("UPDATE orders SET email = ?, customer_name = '', shipping_address = ?, billing_address = ?, "
                     "customer_id = NULL WHERE id = ?",
                     (ERASED_EMAIL, _tax_part(shipping), _tax_part(billing), order_id))
        for secret in {order_email, name.strip()} - {""}:
            if len(secret) >= 3:
                conn.execute("UPDATE order_events SET message = replace(message, ?, '[erased]') WHERE order_id = ?",
                             (secret, order_id))
        if attempt_id:
            conn.execute("UPDATE checkout_attempts SET request = '{\"erased\":true}' WHERE id = ?", (attempt_id,))
    _erase_mail(conn, email)
    conn.execute("UPDATE checkout_attempts SET request = '{\"erased\":true}' WHERE status IN ('completed', 'failed') "
                 "AND json_extract(request, '$.email') = ? COLLATE NOCASE", (email,))
    conn.execute("DELETE FROM customer_login_codes WHERE email = ?", (email,))
    conn.execute("DELETE FROM customers WHERE id = ?", (customer_id,))
    return len(orders)


def _tax_part(address_json: str) -> str:
    """An address reduced to what tax records need: the country and region."""
    address: Any = json.loads(address_json or "null")
    if not isinstance(address, dict):
        return "null"
    kept = {key: address[key] for key in ("country_code", "country_area") if address.get(key)}
    return json.dumps({**kept, "erased": True}, sort_keys=True)


def _erase_mail(conn: Connection, email: str) -> None:
    """E-mails to the address: those not yet sent are dropped, sent and failed ones keep only their status
    (the order's delivery log) with the address and content replaced."""
    conn.execute("DELETE FROM outbox WHERE kind = 'email' AND status = 'pending' "
                 "AND json_extract(payload, '$.to') = ? COLLATE NOCASE", (email,))
    conn.execute("UPDATE outbox SET payload = json_object('to', ?, 'subject', '(erased)', 'text', '(erased)', "
                 "'html', '') WHERE kind = 'email' AND status IN ('sent', 'failed') "
                 "AND json_extract(payload, '$.to') = ? COLLATE NOCASE", (ERASED_EMAIL, email))
