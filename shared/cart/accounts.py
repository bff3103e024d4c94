"""A guest cart joins the account's cart on sign-in (issue 12, section 3), like Shopify's: one cart per
signed-in shopper, whichever browser they sign in from.

`merge_guest_cart` runs inside the sign-in's write. The browser keeps the cart it holds (its cookie's
token is only a hash here, so the account's older cart cannot be handed over by its token): the
account's cart's lines move into the guest cart, quantities of the same variant add up (at most
MAX_QUANTITY), and the guest cart becomes the account's. A browser without a cart gets the account's
cart under a fresh token (the old token, wherever it was, stops working). Stock is not checked here:
a merged line beyond what is available shows the cart's usual "only N available" notice."""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.cart.models import MAX_LINES, MAX_QUANTITY
from shared.cart.service import find_cart, hold_group, idle_days, new_token, token_hash
from shared.db import Connection
from shared.db.repositories import carts as cart_repo
from shared.db.repositories import customers as repo
from shared.db.stamps import new_id
from shared.inventory.holds import release_holds
from shared.inventory.models import stamp


def merge_guest_cart(conn: Connection, *, customer_id: str, cart_token: str | None, now: datetime) -> str | None:
    """Join the browser's cart (`cart_token`, may be None) and the account's cart, inside the caller's
    write. Returns the token the browser's cart cookie must now hold, or None to leave it as it is."""
    at = stamp(now, field="now")
    idle_since = stamp(now - timedelta(days=idle_days(conn)), field="now")
    guest = find_cart(conn, cart_token, now=now)
    if guest is not None and repo.cart_owner(conn, guest.id)[0] not in (None, customer_id):
        guest = None                       # another account's cart left in this browser: not this one's
    own_id = repo.customer_cart(conn, customer_id, idle_since=idle_since)
    if guest is not None and guest.id == own_id:
        return None
    if guest is None:
        if own_id is None:
            return None
        token = new_token()
        repo.rekey_cart(conn, own_id, token_hash=token_hash(token), now=at)
        return token
    if own_id is not None and repo.cart_owner(conn, own_id)[1] == guest.currency:
        _move_lines(conn, source=own_id, target=guest.id)
        release_holds(conn, group_id=hold_group(own_id))
        repo.delete_cart(conn, own_id)
    repo.own_cart(conn, guest.id, customer_id=customer_id, now=at)
    release_holds(conn, group_id=hold_group(guest.id))      # its lines changed: its checkout holds again
    return None


def _move_lines(conn: Connection, *, source: str, target: str) -> None:
    """Add the source cart's lines to the target's (same variant: quantities add up, capped)."""
    lines = {line.variant_id: line for line in cart_repo.list_lines(conn, target)}
    count = len(lines)
    for line in cart_repo.list_lines(conn, source):
        existing = lines.get(line.variant_id)
        if existing is not None:
            total = min(MAX_QUANTITY, existing.quantity + line.quantity)
            cart_repo.set_line_quantity(conn, target, existing.id, total)
        elif count < MAX_LINES:
            cart_repo.insert_line(conn, target, cart_repo.LineRow(new_id(), line.variant_id, line.quantity,
                                                                  line.seen_price, line.seen_currency, line.title,
                                                                  0, line.added_at))
            count += 1
