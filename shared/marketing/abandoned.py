"""Abandoned checkout: one reminder per checkout attempt left without an order, after the store's
delay, with a link that restores its cart.

The rule (docs/marketing.md): a reminder is marketing, so it goes only to an e-mail whose customer
consents to marketing at the moment it is due (the checkout's box, the account page or the newsletter
form gave it). It is decided once per attempt, when the delay has passed, and the decision is kept
(abandoned_checkouts): sent, no_consent, ordered (an order was placed with that e-mail since the attempt
began), superseded (the shopper started a later checkout: that one is judged instead) or empty. The
setting is off by default; turning it on covers checkouts made from then on, never older ones."""

from __future__ import annotations

from datetime import datetime, timedelta

from shared.cart.service import add_to_cart
from shared.cart.errors import CartError
from shared.db import Connection
from shared.db.repositories import marketing as repo
from shared.db.repositories.carts import VariantFacts, variant_facts
from shared.mail.designs import using_designs
from shared.mail.errors import MailError
from shared.mail.outbox import enqueue_email
from shared.marketing.errors import MarketingError, MarketingErrorCode
from shared.marketing.messages import ReminderLine, render_abandoned_checkout
from shared.marketing.settings import branding_for, iso, settings_row, store_secret
from shared.marketing.tokens import read_restore, restore_token, unsubscribe_token

LOOKBACK = timedelta(days=7)      # a checkout older than this is never reminded (the worker was down)
BATCH = 100


def remind_abandoned_checkouts(conn: Connection, *, now: datetime) -> int:
    """Decide the checkouts whose delay has passed (inside a write): queue one reminder for each that
    the rule allows, record the decision for all. Returns how many reminders were queued (0 when off)."""
    settings = settings_row(conn, now=now)
    if not settings.abandoned_enabled or settings.abandoned_since is None:
        return 0
    cutoff = now - timedelta(seconds=settings.abandoned_delay_s)
    after = max(settings.abandoned_since, iso(now - LOOKBACK))
    queued = 0
    for attempt in repo.abandoned_candidates(conn, created_before=iso(cutoff), created_after=after, limit=BATCH):
        # The links lead back where the shopper was: the address their checkout was made at.
        site = (attempt.site_url or settings.site_url or "http://localhost").rstrip("/")
        outcome, outbox_id = _decide(conn, attempt, now=now, site=site, secret=settings.secret)
        repo.record_abandoned(conn, attempt_id=attempt.id, outcome=outcome, outbox_id=outbox_id, now=iso(now))
        queued += outcome == "sent"
    return queued


def _decide(conn: Connection, attempt: repo.AttemptRow, *, now: datetime, site: str,
            secret: str) -> tuple[str, str | None]:
    if not attempt.email or not attempt.lines:
        return "empty", None
    later = repo.ordered_or_retried_since(conn, email=attempt.email, since=attempt.created_at, attempt_id=attempt.id)
    if later:
        return later, None
    if not repo.consents(conn, attempt.email):
        return "no_consent", None
    facts = variant_facts(conn, [variant for variant, _ in attempt.lines])
    lines = [ReminderLine(_title(facts.get(v)), q) for v, q in attempt.lines if v in facts]
    if not lines:
        return "empty", None
    restore = restore_token(secret, attempt_id=attempt.id, now=now)
    unsubscribe = unsubscribe_token(secret, email=attempt.email)
    try:
        with using_designs(conn):
            email = render_abandoned_checkout(to=attempt.email, lines=lines, branding=branding_for(conn, site),
                                              restore_url=f"{site}/cart/restore?t={restore}",
                                              unsubscribe_url=f"{site}/unsubscribe?t={unsubscribe}")
    except MailError:
        return "empty", None
    return "sent", enqueue_email(conn, email, dedupe_key=f"abandoned:{attempt.id}")


def _title(facts: VariantFacts | None) -> str:
    if facts is None:
        return ""
    if facts.variant_title and facts.variant_title.lower() != "default":
        return f"{facts.product_title} – {facts.variant_title}"
    return facts.product_title


def restore_cart(conn: Connection, token: str, *, now: datetime) -> tuple[str | None, int, int]:
    """Rebuild a reminded checkout's lines into a NEW cart (inside a write): (the new cart's token or None
    when nothing could be added, lines restored, lines left out: gone or out of stock).
    Raises MarketingError(BAD_TOKEN) for a forged or expired link, or a checkout that is gone."""
    secret = store_secret(conn)
    if secret is None:
        raise MarketingError(MarketingErrorCode.BAD_TOKEN, "This link is not valid.")
    attempt_id = read_restore(secret, token, now=now)
    lines = repo.attempt_lines(conn, attempt_id)
    if lines is None:
        raise MarketingError(MarketingErrorCode.BAD_TOKEN, "This cart is no longer available.")
    cart_token, restored = None, 0
    for variant_id, quantity in lines:
        try:
            cart_token = add_to_cart(conn, cart_token, variant_id=variant_id, quantity=quantity, now=now).token
            restored += 1
        except CartError:
            continue
    return cart_token, restored, len(lines) - restored
