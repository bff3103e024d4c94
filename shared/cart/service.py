"""Cart services. Each takes the connection of one `db.write` (changes) or `db.read` (views): a change
and the view it returns are one consistent state.

Guarantees:
- prices always come from the catalog: callers pass a variant id and a quantity, never a price;
- a token that is malformed, unknown, idle past the store's `cart_idle_days` (default 30) or from
  another store finds no cart: a change then starts a new cart with a new token, a view is empty;
- a cart holds at most MAX_LINES lines of 1..MAX_QUANTITY units; a change that would break that, or
  ask for more than is available, raises CartError and writes nothing;
- the units a cart's open checkout holds (its hold group, `hold_group`) are its own shopper's: they
  count as available to this cart, and any change to the cart gives them back (the checkout holds the
  new lines again when the shopper returns to it).
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from shared.cart.errors import CartError, CartErrorCode
from shared.cart.models import (
    DEFAULT_IDLE_DAYS, MAX_LINES, MAX_QUANTITY, CartChange, CartLineView, CartView, LineNotice, NoticeKind,
)
from shared.db import Connection
from shared.db.repositories import carts as repo
from shared.db.repositories.content import get_media_many
from shared.db.repositories.storefront import get_storefront
from shared.db.stamps import new_id
from shared.inventory.holds import available, release_holds
from shared.inventory.models import stamp
from shared.models.money import Money
from shared.models.money_format import format_money

# secrets.token_urlsafe(24): 192 random bits in 32 URL-safe characters.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}\Z")
PURGE_ON_CREATE = 10
_QUANTITY = re.compile(r"^\s*\+?[0-9]{1,9}\s*\Z")


def new_token() -> str:
    """A fresh cart token (192 random bits)."""
    return secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    """What the database keeps of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def hold_group(cart_id: str) -> str:
    """The stock hold group of a cart's open checkout (shared/checkout/workflow.py hold_cart)."""
    return f"cart-{cart_id}"


def parse_quantity(value: Any, *, allow_zero: bool = False) -> int:
    """A posted quantity as an int in 1..MAX_QUANTITY (0 too with `allow_zero`: remove the line).
    Raises CartError(INVALID_QUANTITY) for anything else: negatives, fractions, words, huge numbers."""
    if isinstance(value, bool):
        value = None
    if isinstance(value, str) and _QUANTITY.match(value):
        value = int(value)
    lowest = 0 if allow_zero else 1
    if not isinstance(value, int) or not lowest <= value <= MAX_QUANTITY:
        raise CartError(CartErrorCode.INVALID_QUANTITY,
                        f"Quantity must be a whole number from {lowest} to {MAX_QUANTITY}.")
    return value


def idle_days(conn: Connection) -> int:
    """The store's `cart_idle_days` setting (1..365), or the default of 30."""
    front = get_storefront(conn)
    value = (front.settings if front else {}).get("cart_idle_days", DEFAULT_IDLE_DAYS)
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 365 else DEFAULT_IDLE_DAYS


def _idle_since(conn: Connection, now: datetime) -> str:
    return stamp(now - timedelta(days=idle_days(conn)), field="now")


def find_cart(conn: Connection, token: str | None, *, now: datetime) -> repo.CartRow | None:
    """The live cart of this token, or None (malformed, unknown, expired, another store's)."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    return repo.find_cart(conn, token_hash(token), idle_since=_idle_since(conn, now))


def cart_view(conn: Connection, token: str | None, *, now: datetime) -> CartView:
    """The cart of `token` priced now (an empty view when there is none). Reads only."""
    return _view(conn, find_cart(conn, token, now=now), now=now)


def add_to_cart(conn: Connection, token: str | None, *, variant_id: Any, quantity: Any, now: datetime) -> CartChange:
    """Add `quantity` units of a variant (to its line when it has one). Makes a cart when `token`
    finds none. Raises CartError: INVALID_QUANTITY, UNKNOWN_VARIANT, TOO_MANY_LINES, NOT_ENOUGH_STOCK."""
    quantity = parse_quantity(quantity)
    if not isinstance(variant_id, str) or not 0 < len(variant_id) <= 64:
        raise CartError(CartErrorCode.UNKNOWN_VARIANT, "No such product variant.")
    facts = repo.variant_facts(conn, [variant_id]).get(variant_id)
    if facts is None:
        raise CartError(CartErrorCode.UNKNOWN_VARIANT, "This product is not available.")
    cart, token = _cart_for_change(conn, token, now=now)
    lines = repo.list_lines(conn, cart.id)
    existing = next((line for line in lines if line.variant_id == variant_id), None)
    total = quantity + (existing.quantity if existing else 0)
    if total > MAX_QUANTITY:
        raise CartError(CartErrorCode.INVALID_QUANTITY, f"A cart line holds at most {MAX_QUANTITY} units.")
    if existing is None and len(lines) >= MAX_LINES:
        raise CartError(CartErrorCode.TOO_MANY_LINES, f"A cart holds at most {MAX_LINES} different items.")
    _check_stock(conn, cart.id, variant_id, total, title=_title(facts.product_title, facts.variant_title), now=now)
    if existing is None:
        line_id = new_id()
        repo.insert_line(conn, cart.id, repo.LineRow(line_id, variant_id, quantity, facts.price, facts.currency,
                                                     _title(facts.product_title, facts.variant_title), 0,
                                                     stamp(now, field="now")))
    else:
        line_id = existing.id
        repo.set_line_quantity(conn, cart.id, line_id, total)
    _touch(conn, cart.id, now)
    view = _view(conn, cart, now=now)
    return CartChange(token, view, next(line for line in view.lines if line.key == line_id))


def change_line(conn: Connection, token: str | None, *, quantity: Any, line_key: str | None = None,
                variant_id: str | None = None, position: Any = None, now: datetime) -> CartChange:
    """Set one line's quantity (0 removes it). The line is named by its key, its variant id or its
    1-based position. Raises CartError: INVALID_QUANTITY, UNKNOWN_LINE, NOT_ENOUGH_STOCK."""
    quantity = parse_quantity(quantity, allow_zero=True)
    cart = find_cart(conn, token, now=now)
    lines = repo.list_lines(conn, cart.id) if cart else []
    line = _pick_line(lines, line_key=line_key, variant_id=variant_id, position=position)
    if cart is None or line is None:
        raise CartError(CartErrorCode.UNKNOWN_LINE, "That item is not in the cart.")
    _set_quantity(conn, cart.id, line, quantity, now=now)
    _touch(conn, cart.id, now)
    view = _view(conn, cart, now=now)
    return CartChange(str(token), view, next((v for v in view.lines if v.key == line.id), None))


def update_cart(conn: Connection, token: str | None, *, quantities: Mapping[str, Any], now: datetime) -> CartChange:
    """Set several quantities at once: `quantities` maps a line key or a variant id to a quantity (0
    removes; a variant not in the cart is added, making a cart when there is none). All or nothing: the
    caller's transaction rolls back on CartError. Raises CartError like the others."""
    if len(quantities) > MAX_LINES:
        raise CartError(CartErrorCode.TOO_MANY_LINES, f"A cart holds at most {MAX_LINES} different items.")
    parsed = {str(key): parse_quantity(value, allow_zero=True) for key, value in quantities.items()}
    cart = find_cart(conn, token, now=now)
    lines = repo.list_lines(conn, cart.id) if cart else []
    adds: dict[str, int] = {}
    for key, quantity in parsed.items():
        line = _pick_line(lines, line_key=key) or _pick_line(lines, variant_id=key)
        if line is not None and cart is not None:
            _set_quantity(conn, cart.id, line, quantity, now=now)
        elif quantity > 0:
            adds[key] = quantity
    for variant_id, quantity in adds.items():
        token = add_to_cart(conn, token, variant_id=variant_id, quantity=quantity, now=now).token
    cart = find_cart(conn, token, now=now)
    if cart is None:
        return CartChange("", _view(conn, None, now=now))
    _touch(conn, cart.id, now)
    return CartChange(str(token), _view(conn, cart, now=now))


def clear_cart(conn: Connection, token: str | None, *, now: datetime) -> CartView:
    """Remove every line (the cart and its token stay). No cart: nothing happens."""
    cart = find_cart(conn, token, now=now)
    if cart is not None:
        repo.delete_lines(conn, cart.id)
        _touch(conn, cart.id, now)
    return _view(conn, cart, now=now)


def purge_idle_carts(conn: Connection, *, now: datetime, limit: int = 1000) -> int:
    """Delete up to `limit` carts idle past the store's setting (for a background task); how many."""
    return repo.delete_idle_carts(conn, idle_since=_idle_since(conn, now), limit=limit)


# --- helpers ----------------------------------------------------------------------------------------

def _cart_for_change(conn: Connection, token: str | None, *, now: datetime) -> tuple[repo.CartRow, str]:
    cart = find_cart(conn, token, now=now)
    if cart is not None:
        return cart, str(token)
    token = new_token()
    front = get_storefront(conn)
    at = stamp(now, field="now")
    cart = repo.CartRow(new_id(), token_hash(token), front.currency if front else "USD", at, at)
    repo.insert_cart(conn, cart)
    # Tidy a few long-idle carts whenever a cart is made, so they never pile up even without a
    # background task running purge_idle_carts (expired ones already count as gone in every query).
    repo.delete_idle_carts(conn, idle_since=_idle_since(conn, now), limit=PURGE_ON_CREATE)
    return cart, token


def _touch(conn: Connection, cart_id: str, now: datetime) -> None:
    """After a change: the cart is active, and its checkout's holds (for the old lines) go back."""
    repo.touch_cart(conn, cart_id, now=stamp(now, field="now"))
    release_holds(conn, group_id=hold_group(cart_id))


def _pick_line(lines: list[repo.LineRow], *, line_key: str | None = None, variant_id: str | None = None,
               position: Any = None) -> repo.LineRow | None:
    if line_key:
        return next((line for line in lines if line.id == line_key), None)
    if variant_id:
        return next((line for line in lines if line.variant_id == variant_id), None)
    if isinstance(position, str) and position.strip().isdigit():
        position = int(position)
    if isinstance(position, int) and not isinstance(position, bool) and 1 <= position <= len(lines):
        return lines[position - 1]
    return None


def _set_quantity(conn: Connection, cart_id: str, line: repo.LineRow, quantity: int, *, now: datetime) -> None:
    if quantity == 0:
        repo.delete_line(conn, cart_id, line.id)
        return
    if quantity > line.quantity:      # lowering a line that ran short is always allowed
        _check_stock(conn, cart_id, line.variant_id, quantity, title=line.title, now=now)
    repo.set_line_quantity(conn, cart_id, line.id, quantity)


def _check_stock(conn: Connection, cart_id: str, variant_id: str, quantity: int, *, title: str,
                 now: datetime) -> None:
    free = available(conn, [variant_id], now=now, exclude_group=hold_group(cart_id))[variant_id]
    if quantity > free:
        message = (f"{title} is sold out." if free == 0
                   else f"Only {free} of {title} {'is' if free == 1 else 'are'} available.")
        raise CartError(CartErrorCode.NOT_ENOUGH_STOCK, message, available=free)


def _title(product_title: str, variant_title: str) -> str:
    if not variant_title or variant_title.lower() == "default title":
        return product_title
    return f"{product_title} – {variant_title}"


def _view(conn: Connection, cart: repo.CartRow | None, *, now: datetime) -> CartView:
    front = get_storefront(conn)
    currency = cart.currency if cart else (front.currency if front else "USD")
    if cart is None:
        return CartView(None, currency, (), Money(0, currency), 0)
    rows = repo.list_lines(conn, cart.id)
    facts = repo.variant_facts(conn, [r.variant_id for r in rows])
    free = available(conn, [r.variant_id for r in rows], now=now, exclude_group=hold_group(cart.id)) if rows else {}
    locale = front.locale if front else "en-US"
    lines = tuple(_line_view(i, row, facts.get(row.variant_id), free.get(row.variant_id, 0), currency, locale)
                  for i, row in enumerate(rows, start=1))
    subtotal = sum((line.line_total.amount for line in lines if line.line_total is not None), 0)
    count = sum(line.quantity for line in lines if line.unit_price is not None)
    return CartView(cart.id, currency, lines, Money(subtotal, currency), count, cart.updated_at)


def _line_view(position: int, row: repo.LineRow, facts: repo.VariantFacts | None, free: int,
               currency: str, locale: str) -> CartLineView:
    seen = Money(row.seen_price, row.seen_currency)
    if facts is None or facts.currency != currency:
        notice = LineNotice(NoticeKind.VANISHED, f"{row.title} is no longer available. Remove it to check out.")
        return CartLineView(row.id, position, row.variant_id, row.quantity, row.title, "", None, None, "", None, None,
                            seen, None, 0, 0, None, (), (notice,))
    price = Money(facts.price, facts.currency)
    notices = []
    if price != seen:
        notices.append(LineNotice(NoticeKind.PRICE_CHANGED, f"The price of {row.title} changed from "
                                  f"{format_money(seen, locale)} to {format_money(price, locale)}."))
    if row.quantity > free:
        notices.append(LineNotice(NoticeKind.SHORT, f"{row.title} is sold out." if free == 0 else
                                  f"Only {free} of {row.title} {'is' if free == 1 else 'are'} available."))
    compare = Money(facts.compare_at, facts.currency) if facts.compare_at is not None else None
    variant_title = "" if facts.variant_title.lower() == "default title" else facts.variant_title
    return CartLineView(row.id, position, row.variant_id, row.quantity, facts.product_title, variant_title,
                        facts.product_id, facts.handle, facts.sku, price, compare, seen,
                        Money(facts.price * row.quantity, facts.currency), free, facts.weight_grams, facts.image_id,
                        facts.collection_ids, tuple(notices))


def cart_images(conn: Connection, view: CartView) -> dict[str, dict[str, Any]]:
    """image id -> the Image shape blocks and cart.js show, for the lines' product images."""
    ids = [line.image_id for line in view.lines if line.image_id]
    return {media_id: media.to_image() for media_id, media in get_media_many(conn, ids).items()} if ids else {}
